"""Time expressions: spans found in the text and normalised against the publication date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from parallax.extract.time import extract_times, normalise
from parallax.model import Article, PublicationDate, TimeExpression
from parallax.pipeline import load_nlp

TIMEBANK = Path(__file__).parents[2] / "shared" / "eval" / "timebank"


def times(text: str, published: date | None) -> list[TimeExpression]:
    article = Article(
        id="t", source="t", text=text, published=PublicationDate(value=published) if published else None
    )
    extract_times(load_nlp()(text), article)
    return article.times


def only(text: str, published: date | None, surface: str) -> TimeExpression:
    """The one expression whose span contains ``surface``."""
    found = [t for t in times(text, published) if surface in t.span.text]
    assert len(found) == 1, [t.span.text for t in times(text, published)]
    return found[0]


@pytest.mark.parametrize(
    ("text", "published", "surface", "type_", "value", "precision"),
    [
        ("On September 19, 2023, Azerbaijan launched an offensive.", date(2023, 9, 25), "September 19, 2023", "date", "2023-09-19", "day"),
        ("The talks took place on 21 September in Brussels.", date(2023, 9, 25), "21 September", "date", "2023-09-21", "day"),
        ("Fighting resumed in late November last year.", date(2021, 3, 15), "November", "date", "2020-11", "month"),
        ("Over the past three years the region has changed.", date(2023, 9, 25), "three years", "duration", "P3Y", "year"),
        ("The city fell in just 24 hours.", date(2023, 9, 25), "24 hours", "duration", "PT24H", "time"),
        ("Earlier this month, troops moved in.", date(2023, 9, 25), "this month", "date", "2023-09", "month"),
        ("Over the past 30 years, nothing changed.", date(2023, 9, 25), "30 years", "duration", "P30Y", "year"),
        ("In March 2021 a deal was signed.", date(2023, 9, 25), "March 2021", "date", "2021-03", "month"),
        ("On Monday, the minister spoke.", date(2023, 9, 27), "Monday", "date", "2023-09-25", "day"),
        ("Yesterday the army reported losses.", date(2023, 9, 27), "Yesterday", "date", "2023-09-26", "day"),
        ("The army said last week it had lost ten men.", date(2023, 9, 27), "last week", "date", "2023-W38", "week"),
        ("In the 1990s the first war began.", date(2023, 9, 27), "1990s", "date", "199", "decade"),
        ("Every year, pilgrims arrive in the town.", date(2023, 9, 27), "year", "set", "P1Y", "year"),
        ("On 10 November 2020 a ceasefire was signed.", date(2023, 9, 27), "10 November 2020", "date", "2020-11-10", "day"),
        ("The report dated 2023-09-24 says so.", date(2023, 9, 27), "2023-09-24", "date", "2023-09-24", "day"),
        ("Now the situation is calm.", date(2023, 9, 27), "Now", "date", "PRESENT_REF", "unknown"),
        ("No clashes are currently reported.", date(2023, 9, 27), "currently", "date", "PRESENT_REF", "unknown"),
    ],
)
def test_normalised_against_publication_date(text, published, surface, type_, value, precision):
    found = only(text, published, surface)
    assert (found.type, found.value, found.precision) == (type_, value, precision)


def test_night_range():
    found = only("Shelling continued on the night of 19-20 September.", date(2023, 9, 25), "19-20 September")
    assert found.span.text == "the night of 19-20 September"
    assert (found.value, found.end_value, found.precision) == ("2023-09-19", "2023-09-20", "range")


def test_duration_and_year_are_two_expressions():
    found = times("He fought in the 44-day war in 2020.", date(2023, 9, 25))
    assert [(t.span.text, t.type, t.value, t.precision) for t in found] == [
        ("44-day", "duration", "P44D", "day"),
        ("2020", "date", "2020", "year"),
    ]


def test_spans_follow_timeml_bounds():
    found = times("Sales for the quarter ended Sept. 30 rose, the company said on Friday's call.", date(1989, 10, 30))
    assert [(t.span.text, t.value) for t in found] == [
        ("the quarter", "1989-Q3"),
        ("Sept. 30", "1989-09-30"),
        ("Friday", "1989-10-27"),
    ]


def test_sorted_by_start_and_spans_index_text():
    text = "Yesterday, three days after the 2020 war's anniversary, officials met; they meet every Monday."
    found = times(text, date(2023, 9, 27))
    assert [t.span.start for t in found] == sorted(t.span.start for t in found)
    assert all(text[t.span.start : t.span.end] == t.span.text for t in found)
    assert [t.value for t in found] == ["2023-09-26", "P3D", "2020", "XXXX-WXX-1"]


def test_future_tense_reads_forward():
    assert only("The minister will visit Baku on Monday.", date(2023, 9, 27), "Monday").value == "2023-10-02"


def test_a_date_just_ahead_is_read_forward():
    # Six weeks ahead beats eleven months back: "payable Dec. 7" in late October.
    assert only("The dividend is payable Dec. 7 to holders.", date(1989, 10, 30), "Dec. 7").value == "1989-12-07"


def test_without_publication_date_values_stay_underspecified():
    found = times("Talks on 21 September failed; yesterday, on Monday, troops moved.", None)
    assert [t.value for t in found] == ["XXXX-09-21", "PAST_REF", "XXXX-WXX-1"]


def test_ages_and_bare_numbers_are_not_times():
    assert times("The 6-year-old boy and his 52 years old father hid in bunker 44.", date(2023, 9, 27)) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a year ago", "2022"),
        ("the third quarter", "2023-Q3"),
        ("third-quarter", "2023-Q3"),
        ("next year", "2024"),
        ("nineteen ninety-six", "1996"),
        ("the 20th century", "19"),
        ("last spring", "2022-SP"),
        ("the weekend", "2023-W38-WE"),
        ("two weeks", "P2W"),
        ("several years", "PXY"),
        ("a decade", "P10Y"),
        ("daily", "P1D"),
        ("each Thursday", "XXXX-WXX-4"),
        ("the past", "PAST_REF"),
        ("the future", "FUTURE_REF"),
        ("this morning", "2023-09-27TMO"),
        ("5 p.m. Tuesday", "2023-09-26T17:00"),
        ("mid-1990s", "199"),
    ],
)
def test_normalise(text, value):
    timex = normalise(text, date(2023, 9, 27))
    assert timex is not None and timex.value == value


@pytest.mark.skipif(not TIMEBANK.exists(), reason=f"TempEval-3 gold data not found at {TIMEBANK}")
def test_timebank_subset_scores():
    from parallax.eval.time import evaluate_time

    results = evaluate_time(TIMEBANK, limit=6)
    combined = results["combined"]
    assert combined["documents"] == 12 and combined["gold"] > 50
    assert combined["strict"]["f1"] > 0.7
    assert combined["relaxed"]["f1"] > 0.8
    assert combined["type_accuracy"] > 0.8
    assert combined["value_accuracy"] > 0.65
    assert combined["value_f1"] == pytest.approx(combined["relaxed"]["f1"] * combined["value_accuracy"])
