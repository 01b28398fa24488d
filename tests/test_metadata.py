"""Metadata inferred from the text: publication date and genre."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from parallax.ingest.metadata import classify_genre, infer_published
from parallax.ingest.text import clean_scraped_text
from parallax.model import Author, PublicationDate

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
TODAY = date(2024, 6, 1)


def sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"shared sample {path} not found (the shared data folder sits next to the repository)")
    return path.read_text(encoding="utf-8")


# -- publication date -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("On September 19, 2023 a mine exploded. The statement of 10 November 2020 ended the war.", date(2023, 9, 19), "day"),
        ("Signed on 10 November 2020; talks resumed on 2021-01-11.", date(2021, 1, 11), "day"),
        ("The meeting was held on the 21st of May 2022 in Brussels.", date(2022, 5, 21), "day"),
        ("Sept. 3, 2022: troops withdrew.", date(2022, 9, 3), "day"),
        ("The decree of 24.09.2023 took effect at once.", date(2023, 9, 24), "day"),
        ("The report was released in March 2021 after a long delay.", date(2021, 3, 1), "month"),
        # a day beats the month it falls in
        ("In March 2021, and precisely on March 5, 2021, the talks failed.", date(2021, 3, 5), "day"),
        # a later month beats an earlier day
        ("On February 3, 2021 they met; by April 2021 nothing had changed.", date(2021, 4, 1), "month"),
    ],
)
def test_latest_full_date_is_inferred(text, expected, precision):
    assert infer_published(text, today=TODAY) == PublicationDate(
        value=expected, precision=precision, inferred=True, source="text"
    )


def test_dates_without_a_year_are_ignored():
    text = "The offensive began on March 1, 2021. Talks followed on September 24 and September 25."
    assert infer_published(text, today=TODAY).value == date(2021, 3, 1)
    assert infer_published("The talks were held on September 24.", today=TODAY) is None


def test_future_dates_are_never_returned():
    text = "The report, issued on May 2, 2024, expects elections on October 6, 2024 and in January 2025."
    assert infer_published(text, today=TODAY).value == date(2024, 5, 2)
    assert infer_published("Elections are planned for 2099-01-01.") is None


def test_impossible_dates_and_bare_years_are_ignored():
    assert infer_published("Filed as 2023-13-45, published in 2019.", today=TODAY) is None
    assert infer_published("No date here at all.", today=TODAY) is None


def test_sample_dates():
    assert infer_published(clean_scraped_text(sample("004_fab2380e06d26105.txt")).text).value == date(2023, 9, 19)
    assert infer_published(clean_scraped_text(sample("000_e05bb7a8d3b72e73.txt")).text).value == date(2021, 3, 1)


# -- genre --------------------------------------------------------------------------------

NEWS = (
    "BAKU, Sept 20 (Reuters) - Azerbaijan said on Wednesday it had restored its sovereignty over the region "
    "after a 24-hour military operation, and that ethnic Armenian forces had agreed to disarm, the defence "
    "ministry said in a statement. Local officials told Reuters that at least 32 people had been killed. "
    "Armenia's prime minister said his government had not been involved in drafting the ceasefire terms, "
    "according to a transcript. Russian peacekeepers said they had evacuated more than 2,000 civilians, "
    "the RIA news agency reported."
)
NEWS_NO_DATELINE = (
    "Officials said on Tuesday that the convoy had reached the city. The governor told reporters that "
    "water supplies would be restored within days, and aid groups said they were ready to help. "
    "According to the United Nations, about 10,000 people remain displaced, while the army said it had "
    "cleared the main road. Residents said the shelling had stopped."
)
STATEMENT = (
    "Statement of the Ministry of Foreign Affairs of the Republic of Azerbaijan on the anniversary of the "
    "Trilateral Statement. The Republic of Azerbaijan reaffirms its commitment to the peace process and calls "
    "on the international community to support the normalization of relations in the region."
)
PRESS_RELEASE = (
    "PRESS RELEASE\nThe Ministry of Foreign Affairs of the Republic of Azerbaijan announces that the next round "
    "of consultations will be held in Baku on 12 March. Delegations will discuss transport links."
)
OPINION = (
    "I have spent twenty years covering this conflict, and I have never seen our leaders so unwilling to talk. "
    "We keep telling ourselves that time is on our side. It is not. My view is simple: we must go back to "
    "the table before the winter, or we will lose what little trust remains."
)


def test_dateline_news_is_news():
    genre, signals = classify_genre(NEWS, "Azerbaijan says it restored sovereignty", [], [])
    assert genre == "news"
    assert any(s.startswith("dateline: BAKU, Sept 20 (Reuters) -") for s in signals)
    assert any(s.startswith("wire agency: Reuters") for s in signals)


def test_reported_speech_without_dateline_is_news():
    genre, signals = classify_genre(NEWS_NO_DATELINE, None, [], [])
    assert genre == "news"
    assert any(s.startswith("reported speech") for s in signals)


def test_statement_and_press_release():
    assert classify_genre(STATEMENT, None, [], [])[0] == "statement"
    genre, signals = classify_genre(PRESS_RELEASE, None, [], [])
    assert genre == "statement"
    assert any("press release" in s.lower() for s in signals)


def test_statement_mentioned_deep_inside_news_stays_news():
    later = " The foreign ministry published a joint statement by the two governments later in the day."
    assert classify_genre(NEWS + later, None, [], [])[0] == "news"
    assert classify_genre(NEWS_NO_DATELINE + later, None, [], [])[0] == "news"


def test_one_we_in_a_short_news_item_is_not_opinion():
    text = "Officials said the road was open. We understand the convoy left at dawn, the governor said."
    assert classify_genre(text, None, [], [])[0] != "opinion"


def test_first_person_column_is_opinion():
    genre, signals = classify_genre(OPINION, None, [], [])
    assert genre == "opinion"
    assert any(s.startswith("first person") for s in signals)


def test_first_person_inside_quotes_does_not_count():
    quoted = "“We will never give up our land, and I will fight for it,” the commander said, officials told reporters. "
    genre, signals = classify_genre(quoted * 3 + NEWS_NO_DATELINE, None, [], [])
    assert genre == "news"


def test_opinion_from_title_label_disclaimer_and_author_role():
    text = "The region needs a settlement that both sides can accept, and it needs it soon."
    assert classify_genre(text, "Opinion: The region needs a settlement", [], [])[0] == "opinion"
    assert classify_genre(text, None, [], ["title suffix: OpEd"])[0] == "opinion"
    disclaimer = text + " The views expressed in this article are those of the author."
    assert classify_genre(disclaimer, None, [], [])[0] == "opinion"
    ambassador = [Author(name="Jane Doe", role="Ambassador to Bahrain")]
    genre, signals = classify_genre(text, None, ambassador, [])
    assert (genre, signals) == ("opinion", ["author role: ambassador"])


def test_a_reporter_byline_is_no_opinion_signal():
    reporter = [Author(name="Jane Doe", role="Staff correspondent")]
    assert classify_genre("A short note without cues.", None, reporter, ["author role: correspondent"]) == (
        "unknown",
        [],
    )


def test_unknown_lists_the_weak_cues_it_saw():
    genre, signals = classify_genre("Reuters has the story. Nothing else is said here at all.", None, [], [])
    assert genre == "unknown"
    assert signals == ["news: wire agency: Reuters"]


def test_both_samples_are_opinion():
    for name in ("000_e05bb7a8d3b72e73.txt", "004_fab2380e06d26105.txt"):
        extraction = clean_scraped_text(sample(name))
        genre, signals = classify_genre(extraction.text, extraction.title, extraction.authors, extraction.genre_signals)
        assert genre == "opinion", (name, signals)
        assert signals
