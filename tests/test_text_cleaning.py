"""Cleaning scraped plain text: boilerplate out, article and author metadata kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.ingest.text import clean_scraped_text
from parallax.model import Author

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "samples"
HTML_EVAL = SHARED / "eval" / "html"

P1 = (
    "The ceasefire announced on Monday held through the night, officials said, with no reports of "
    "shelling along the front line near the border town."
)
P2 = (
    "Residents returned to the central market for the first time in weeks, and several shops in the "
    "old town reopened their shutters."
)
P3 = (
    "Aid convoys are expected to reach the city on Thursday, according to the United Nations, which "
    "has asked both sides to keep the main road open."
)


def page(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


def sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"shared sample {path} not found (the shared data folder sits next to the repository)")
    return path.read_text(encoding="utf-8")


# -- the two real samples ---------------------------------------------------------


def test_daily_tribune_sample():
    result = clean_scraped_text(sample("004_fab2380e06d26105.txt"))
    assert result.title == "Continuous illegal presence of Armenian military forces in Azerbaijan couldn’t go on endlessly"
    assert result.outlet == "The Daily Tribune"
    assert [(a.name, a.role) for a in result.authors] == [("Shaheen Abdullayev", "Azerbaijani Ambassador to Bahrain")]
    assert result.text.startswith("On September 19, 2023")
    assert "The author of this article" not in result.text
    assert "*** ---->" not in result.text and "THE DAILY TRIBUNE" not in result.text
    assert "By Shaheen Abdullayev" not in result.text
    # subheadings of the article stay, as their own paragraphs
    assert "\n\nAnti-terrorist measures\n\n" in result.text
    assert result.text.endswith("well-being in our region.")
    assert any(line.startswith("(The author of this article") for line in result.removed)
    assert "author role: ambassador" in result.genre_signals
    assert "disclaimer: views expressed are those of the author" in result.genre_signals


def test_eurasia_review_sample():
    result = clean_scraped_text(sample("000_e05bb7a8d3b72e73.txt"))
    assert result.title == "Azerbaijan Warns Against Illegal Deployment Of Armenian Armed Personnel To Karabakh"
    assert result.authors == [Author(name="Vasif Huseynov", role="senior fellow", affiliation="AIR Center")]
    assert "title suffix: OpEd" in result.genre_signals
    for gone in ("Leave a Reply", "Your email address", "About the author", "focuses on the EU", "– OpEd"):
        assert gone not in result.text
    last = result.text.split("\n\n")[-1]
    assert last.startswith("Undoubtedly, this also puts a further burden")
    assert result.text.startswith("The trilateral statement signed by the leaders")


def test_kept_lines_are_not_rewritten():
    raw = sample("004_fab2380e06d26105.txt")
    lines = {line.strip() for line in raw.splitlines()}
    result = clean_scraped_text(raw)
    assert all(paragraph in lines for paragraph in result.text.split("\n\n"))
    assert all(paragraph.strip() == paragraph and paragraph for paragraph in result.text.split("\n\n"))


# -- boilerplate, kind by kind --------------------------------------------------------


def test_comment_form_is_removed():
    result = clean_scraped_text(
        page(
            P1,
            P2,
            "Leave a Reply",
            "Cancel reply",
            "Your email address will not be published. Required fields are marked *",
            "Save my name, email, and website in this browser for the next time I comment.",
            "Post Comment",
        )
    )
    assert result.text == f"{P1}\n\n{P2}"
    assert "Leave a Reply" in result.removed and "Post Comment" in result.removed


def test_reader_comments_do_not_outscore_the_article():
    comments = [
        "12 comments",
        "jdoe on March 3, 2021 at 4:12 pm said:",
        "I have been reading about this for years and nobody ever explains who actually pays for the convoys, "
        "which is the real question here if you ask me.",
        "asmith on March 3, 2021 at 5:40 pm said:",
        "Completely agree with the previous comment, the coverage has been shallow and the officials quoted never "
        "answer the obvious questions about the road and the schedule.",
        "Another reader on March 4, 2021 at 9:02 am said:",
        "The last paragraph is wrong, the road was closed again on Tuesday and the convoy turned back before it "
        "reached the checkpoint outside the city, as local radio reported.",
    ]
    result = clean_scraped_text(page(P1, P2, P3, *comments))
    assert result.text == f"{P1}\n\n{P2}\n\n{P3}"


def test_share_subscribe_and_navigation_lines_are_removed():
    menu = "\n".join(["Home", "World", "Politics", "Business", "Sport", "Sign in", "Subscribe"])
    share = "\n".join(["Share this:", "Facebook", "Twitter", "Click to share on WhatsApp (Opens in new window)"])
    related = "\n".join(["Related Posts", "Talks stall as fighting resumes", "Ceasefire talks to open in Geneva"])
    result = clean_scraped_text(page(menu, P1, "Advertisement", P2, "Read more", share, related))
    assert result.text == f"{P1}\n\n{P2}"
    for line in ("Home", "Sign in", "Advertisement", "Share this:", "Facebook", "Related Posts"):
        assert line in result.removed


def test_cookie_and_copyright_notices_are_removed():
    cookie = (
        "This website uses cookies to improve your experience while you navigate through the website. "
        "By continuing to browse you accept our cookie policy."
    )
    result = clean_scraped_text(page(cookie, P1, P2, "© 2024 Example News. All rights reserved."))
    assert result.text == f"{P1}\n\n{P2}"


def test_captions_and_timestamps_inside_the_article_are_removed():
    result = clean_scraped_text(
        page(
            "Wednesday 20 November 2019 11:42, UK",
            P1,
            "Image caption Residents queue for water in the old town",
            "Photo: Jane Roe/AFP",
            P2,
            P3,
        )
    )
    assert result.text == f"{P1}\n\n{P2}\n\n{P3}"


def test_lines_the_page_repeats_are_widgets():
    teaser = "Talks stall as fighting resumes near the border, officials warn of a long winter ahead."
    result = clean_scraped_text(page(teaser, P1, P2, P3, teaser))
    assert teaser not in result.text


def test_page_title_line_gives_title_outlet_and_removes_the_repeated_headline():
    result = clean_scraped_text(
        page(
            "Ceasefire holds in the north - Example News",
            "Home\nWorld",
            "Ceasefire holds in the north",
            P1,
            P2,
        )
    )
    assert result.title == "Ceasefire holds in the north"
    assert result.outlet == "Example News"
    assert result.text == f"{P1}\n\n{P2}"


def test_marked_page_title_line_and_shouted_outlet():
    result = clean_scraped_text(page("*** ----> Border talks resume | THE EVENING POST OF THE NORTH | KINGDOM", P1))
    assert result.title == "Border talks resume"
    assert result.outlet == "The Evening Post of the North"
    assert result.text == P1


@pytest.mark.parametrize(
    ("first_line", "genre"),
    [
        ("Why the ceasefire will not last – OpEd", "OpEd"),
        ("Why the ceasefire will not last - Op-Ed", "Op-Ed"),
        ("Why the ceasefire will not last | Opinion", "Opinion"),
        ("Opinion: Why the ceasefire will not last", "Opinion"),
        ("Why the ceasefire will not last (Analysis)", "Analysis"),
    ],
)
def test_title_genre_suffix_is_stripped_and_recorded(first_line, genre):
    result = clean_scraped_text(page(first_line, P1))
    assert result.title == "Why the ceasefire will not last"
    assert f"title suffix: {genre}" in result.genre_signals


def test_a_word_like_analysis_inside_a_title_is_kept():
    result = clean_scraped_text(page("A Deeper Analysis Of The Ceasefire", P1))
    assert result.title == "A Deeper Analysis Of The Ceasefire"
    assert result.genre_signals == []


def test_first_line_that_is_prose_is_not_a_title():
    result = clean_scraped_text(page(P1, P2))
    assert result.title is None
    assert result.text == f"{P1}\n\n{P2}"


def test_byline_gives_authors():
    result = clean_scraped_text(page("Ceasefire holds", "By Jane Doe and John Roe", P1))
    assert [a.name for a in result.authors] == ["Jane Doe", "John Roe"]
    assert "By Jane Doe and John Roe" in result.removed
    assert result.text == P1


def test_byline_with_role():
    result = clean_scraped_text(page("Ceasefire holds", "By Jane Doe, Senior Analyst", P1))
    assert result.authors == [Author(name="Jane Doe", role="Senior Analyst")]


def test_byline_listing_three_authors():
    result = clean_scraped_text(page("Ceasefire holds", "By Jane Doe, John Roe and Ann Poe", P1))
    assert [a.name for a in result.authors] == ["Jane Doe", "John Roe", "Ann Poe"]


def test_sentence_starting_with_by_is_not_a_byline():
    line = "By Tuesday the convoy had reached the outskirts of the city, officials said."
    result = clean_scraped_text(page(P1, line))
    assert result.authors == []
    assert line in result.text


def test_about_the_author_line_becomes_author_metadata():
    result = clean_scraped_text(
        page(
            "Why the ceasefire will not last",
            P1,
            P2,
            "About the author: Prof. Maria Lopez is a professor of history at the University of Leeds.",
        )
    )
    assert result.authors == [Author(name="Maria Lopez", role="professor of history", affiliation="University of Leeds")]
    assert "About the author" not in result.text
    assert "author role: professor" in result.genre_signals


def test_parenthetical_author_note_mid_text_attaches_to_the_byline_author():
    note = (
        "(The writer is a senior fellow at the Institute for Peace Studies (IPS). The views expressed in this "
        "article are those of the author and do not necessarily reflect the policy of Example News)"
    )
    result = clean_scraped_text(page("Why the ceasefire will not last", "By Jane Doe", P1, note, P2))
    assert result.authors == [Author(name="Jane Doe", role="senior fellow", affiliation="IPS")]
    assert result.text == f"{P1}\n\n{P2}"
    assert "disclaimer: views expressed are those of the author" in result.genre_signals


def test_unbracketed_author_sentence_without_a_role_stays():
    line = "The author is known in the region for a memoir about the siege, which sold well in both countries."
    result = clean_scraped_text(page(P1, line))
    assert line in result.text


def test_standalone_disclaimer_is_removed_as_a_genre_signal():
    disclaimer = "The views expressed in this article are the author's own and do not reflect those of Example News."
    result = clean_scraped_text(page(P1, P2, disclaimer))
    assert result.text == f"{P1}\n\n{P2}"
    assert "disclaimer: views expressed are those of the author" in result.genre_signals


def test_trailing_bio_of_a_known_author_is_moved_out():
    bio = (
        "Jane Doe, director of research at the Caucasus Policy Institute, writes on security in the region. "
        "She previously worked for the United Nations in Geneva."
    )
    result = clean_scraped_text(page("Why the ceasefire will not last", "By Jane Doe", P1, P2, "Jane Doe", bio))
    assert result.text == f"{P1}\n\n{P2}"
    assert result.authors == [
        Author(name="Jane Doe", role="director of research", affiliation="Caucasus Policy Institute")
    ]
    assert bio in result.removed


# -- robustness ------------------------------------------------------------------------


def test_short_and_empty_inputs():
    assert clean_scraped_text("").text == ""
    assert clean_scraped_text("Short note.").text == "Short note."
    # a text with no prose line at all keeps what is not junk
    table = clean_scraped_text("Casualty figures\nRegion Killed\n1 Tavush 12\n2 Syunik 7\nShare this:")
    assert table.title == "Casualty figures"
    assert table.text == "Region Killed\n\n1 Tavush 12\n\n2 Syunik 7"


def test_short_closing_sentences_stay_with_the_article():
    result = clean_scraped_text(page(P1, P2, "Talks resume on Monday.", "Share this:", "Facebook"))
    assert result.text.endswith("Talks resume on Monday.")


def test_japanese_text_counts_as_prose():
    body = "先日、不正に改造したスマートフォンを販売したとして、二十代の男性が逮捕されたというニュースを耳にしました。"
    result = clean_scraped_text(page("ホーム\nニュース\nスポーツ", body, body.replace("先日", "昨日")))
    assert result.text.startswith("先日")


# -- the benchmark ---------------------------------------------------------------------


def test_cleaning_beats_the_raw_flattened_pages():
    if not (HTML_EVAL / "ground-truth.json").exists():
        pytest.skip(f"ScrapingHub benchmark not found at {HTML_EVAL}")
    from parallax.eval.cleaning import evaluate_cleaning

    scores = evaluate_cleaning(HTML_EVAL)
    baseline, cleaned = scores["baseline"], scores["cleaned"]
    assert cleaned.documents == baseline.documents == 181
    assert cleaned.precision > baseline.precision + 0.3
    assert cleaned.f1 > baseline.f1 + 0.2
    assert cleaned.recall > 0.9
