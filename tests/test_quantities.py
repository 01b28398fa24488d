"""Quantities: value, qualifier, what is counted and its category, on our own sentences and the samples."""

import pytest

from parallax.extract.quantities import extract_quantities, words_to_number
from parallax.model import Article
from parallax.pipeline import load_nlp


def quantities(text: str):
    article = Article(id="q", source="q", text=text)
    extract_quantities(load_nlp()(text), article)
    return [(q.span.text, q.value, q.value_max, q.qualifier, q.what, q.category) for q in article.quantities]


@pytest.mark.parametrize(
    "words, value",
    [
        (["six"], 6), (["ten", "thousand"], 10_000), (["twenty-five"], 25), (["two", "hundred", "and", "fifty"], 250),
        (["a", "dozen"], 12), (["1,500"], 1500), (["3.5", "million"], 3_500_000), (["two-thirds"], 0.667),
        (["a"], None), (["blue"], None),
    ],
)
def test_words_to_number(words, value):
    assert words_to_number(words) == value


def test_sample_sentence_with_weapons_and_outposts():
    found = quantities(
        "In just 24 hours more than 90 military outposts of the illegal formations were taken, 20 combat vehicles, "
        "40 artillery pieces, 30 mortars, 6 electromagnetic warfare (EW) systems, and 2 antiaircraft missile systems "
        "were neutralized."
    )
    assert ("more than 90", 90, None, "at_least", "military outposts", "outposts") in found
    assert ("20", 20, None, "exact", "combat vehicles", "vehicles") in found
    assert ("40", 40, None, "exact", "artillery pieces", "weapons") in found
    assert ("30", 30, None, "exact", "mortars", "weapons") in found
    assert ("24", 24, None, "exact", "hours", "days") in found


def test_victims_of_a_mine_explosion():
    found = quantities("Six Azerbaijani citizens - two civilians, became victims of a mine terror.")
    assert [(f[1], f[4]) for f in found] == [(6, "Azerbaijani citizens"), (2, "civilians")]


def test_written_number_with_strong():
    ((span, value, _, qualifier, what, _),) = quantities("Armenia kept more than ten thousand-strong armed formations.")
    assert (span, value, qualifier, what) == ("more than ten thousand", 10_000, "at_least", "armed formations")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Dozens of civilians were killed.", ("Dozens", 12, None, "at_least", "civilians", "killed")),
        ("Hundreds of thousands displaced by the war.", ("Hundreds of thousands", 100_000, None, "at_least", None, "displaced")),
        ("At least 12 people were killed.", ("At least 12", 12, None, "at_least", "people", "killed")),
        ("The sabotage group of 62 Armenian servicemen was detained.", ("62", 62, None, "exact", "Armenian servicemen", "detained")),
        ("Police arrested between 10 and 20 protesters.", ("between 10 and 20", 10, 20, "range", "protesters", "detained")),
        ("About 1,500 refugees fled to Goris.", ("About 1,500", 1500, None, "approximately", "refugees", "displaced")),
        ("Up to 3 tanks were destroyed.", ("Up to 3", 3, None, "at_most", "tanks", "weapons")),
        ("Nearly 40 soldiers were wounded overnight.", ("Nearly 40", 40, None, "approximately", "soldiers", "injured")),
    ],
)
def test_qualifiers_and_categories(text, expected):
    assert quantities(text)[0] == expected


def test_dates_and_ordinals_are_not_quantities():
    assert quantities("On September 19, 2023 the second round began in 2020.") == []


def test_sample_op_ed_quantities(pipeline):
    from parallax import analyze

    from .conftest import EXAMPLES

    article = analyze((EXAMPLES / "004_fab2380e06d26105.txt").read_text(encoding="utf-8"), as_is=False)
    by_span = {q.span.text: q for q in article.quantities}
    assert by_span["more than 300"].what == "Azerbaijani citizens"
    assert by_span["more than 90"].category == "outposts" and by_span["more than 90"].qualifier == "at_least"
    assert by_span["more than ten thousand"].value == 10_000
