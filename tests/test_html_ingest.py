"""Reading web pages: the article body without boilerplate, its metadata, and clear errors for non-pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.errors import InputError
from parallax.ingest.html import extract_html
from parallax.model import Author

FIRST = (
    "Shelling resumed near the border town of Tavush on Tuesday, local officials said, after a pause "
    "in the fighting that had held for two days. Residents described hours of heavy artillery fire."
)
SECOND = (
    "Aid agencies warned that thousands of civilians were trapped without water or power, and called "
    "on both sides to open a humanitarian corridor before the weekend."
)
THIRD = (
    "The defence ministry denied that its forces had targeted residential areas and said it had only "
    "returned fire at positions used to launch drones against its troops."
)

NAV = """<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>
</ul></nav></header>"""
FOOTER = """<footer><p>Copyright 2021 Example News. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>"""
COMMENTS = """<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>Outrageous that nobody reports this, first comment here!!!</p></div></section>"""

META = """<title>Ceasefire breaks down near Tavush | Example News</title>
<meta property="og:title" content="Ceasefire breaks down near Tavush">
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Roe; John Doe">
<meta property="article:published_time" content="2023-10-09T08:00:00Z">
<link rel="canonical" href="https://news.example.com/world/ceasefire-tavush">"""


def page(head: str = META, body: str = f"<p>{FIRST}</p><p>{SECOND}</p><p>{THIRD}</p>") -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head><body>{NAV}
<article><h1>Ceasefire breaks down near Tavush</h1>{body}</article>{COMMENTS}{FOOTER}</body></html>"""


def test_article_body_without_boilerplate():
    text = extract_html(page(), "a.html").text
    for paragraph in (FIRST, SECOND, THIRD):
        assert paragraph in text.split("\n\n")
    for boilerplate in ("Politics", "first comment", "All rights reserved", "Privacy policy"):
        assert boilerplate not in text


def test_metadata_from_meta_tags():
    extraction = extract_html(page(), "a.html")
    assert extraction.title == "Ceasefire breaks down near Tavush"
    assert extraction.authors == [Author(name="Jane Roe"), Author(name="John Doe")]
    assert extraction.outlet == "Example News"
    assert extraction.published == "2023-10-09"
    assert extraction.url == "https://news.example.com/world/ceasefire-tavush"  # the canonical link


def test_given_url_wins_and_dates_a_page_without_one():
    head = META.replace('<meta property="article:published_time" content="2023-10-09T08:00:00Z">', "")
    extraction = extract_html(page(head), "a.html", url="https://news.example.com/2023/10/12/ceasefire-tavush")
    assert extraction.url == "https://news.example.com/2023/10/12/ceasefire-tavush"
    assert extraction.published == "2023-10-12"


def test_copyright_year_is_not_a_publication_date():
    bare = page(head="<title>Ceasefire breaks down near Tavush</title>")
    assert extract_html(bare, "a.html").published is None


def test_page_without_an_article():
    promo = '<main><div class="promo"><a href="/subscribe">Subscribe now for unlimited access</a></div></main>'
    html = f"<!DOCTYPE html><html><head><title>Example News</title></head><body>{NAV}{promo}{FOOTER}</body></html>"
    with pytest.raises(InputError, match="no main text found in the HTML") as error:
        extract_html(html, "index.html")
    assert error.value.source == "index.html"


def test_truncated_html_still_yields_its_text():
    html = page()
    cut = html[: html.index(THIRD) + 40]  # stops mid-paragraph, nothing closed
    text = extract_html(cut, "cut.html").text
    assert FIRST in text and SECOND in text and THIRD[:30] in text


def test_unclosed_tags_and_bare_fragment():
    html = f"<html><body><div><p>{FIRST}</span><p>{SECOND}</table><p><i>{THIRD}</div></body>"
    assert extract_html(html, "a.html").text == "\n\n".join((FIRST, SECOND, THIRD))
    assert extract_html(f"<p>{FIRST}</p>", "fragment.html").text == FIRST


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + "\x00\x01\x02\x03\x8f\x9b\xff" * 50, "binary data, not an HTML page"),
        ("Armenian and Azerbaijani officials met in Brussels on Monday.", "no HTML markup found"),
        ("  \n ", "empty input"),
    ],
)
def test_not_html_names_the_source(content, reason):
    with pytest.raises(InputError) as error:
        extract_html(content, "upload.bin")
    assert error.value.source == "upload.bin"
    assert error.value.reason == reason
    assert str(error.value).startswith("upload.bin: ")


def test_deterministic():
    assert extract_html(page(), "a.html") == extract_html(page(), "a.html")


HTML_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "html"


@pytest.mark.skipif(not (HTML_EVAL / "ground-truth.json").exists(), reason=f"benchmark data not found at {HTML_EVAL}")
def test_scrapinghub_benchmark():
    from parallax.eval.html import evaluate_html

    result = evaluate_html(HTML_EVAL)
    assert result.documents == 181
    assert result.f1 > 0.9, result
