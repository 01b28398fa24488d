"""The HTML report: escaping, overlapping highlights, text fidelity and page structure."""

from __future__ import annotations

import random
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from parallax.model import (
    EventParticipant,
    ClaimContent,
    ClaimCue,
    ClaimSource,
    Article,
    Author,
    Claim,
    Entity,
    Event,
    Frame,
    PublicationDate,
    Span,
    Technique,
    article_id,
    paragraph_offsets,
)
from parallax.web.report import render_report, write_report

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
VOID = {"meta", "input", "br", "hr", "img", "link", "wbr"}


class Page(HTMLParser):
    """A parsed report: tag balance errors, the text of each article body, and the classes around each text run."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.runs: list[tuple[str, set[str]]] = []
        self.paragraphs = 0
        self.feed(html)
        self.close()
        self.errors += [f"unclosed <{tag}>" for tag, _ in self.stack]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag in VOID:
            return
        if tag == "p" and self._in_text():
            self.paragraphs += 1
        self.stack.append((tag, attributes))
        if "article-text" in attributes.get("class", "").split():
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1][0] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_text():
            self.texts[-1] += data
            self.runs.append((data, set().union(*(a.get("class", "").split() for _, a in self.stack))))

    def _in_text(self) -> bool:
        return any("article-text" in attributes.get("class", "").split() for _, attributes in self.stack)

    def find(self, tag: str, **attributes: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attributes.items())]

    def classes_of(self, text: str) -> list[set[str]]:
        return [classes for data, classes in self.runs if data == text]


def make(text: str, **fields: Any) -> Article:
    fields.setdefault("analysed", True)
    fields.setdefault("language", "en")
    return Article(id=article_id(text), source="test.txt", text=text, paragraphs=paragraph_offsets(text), **fields)


def extend(article: Article, **update: Any) -> Article:
    """The article with extractions added, validated again so every span is checked against the text."""
    return Article.model_validate(article.model_dump() | update)


def at(article: Article, needle: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(needle, start + 1)
    return article.span(start, start + len(needle))


@pytest.fixture
def overlapping() -> Article:
    base = make(
        "Ilham Aliyev said that Armenia & Russia must withdraw from Karabakh.\n\n"
        "The ministry called it a brutal, barbaric attack on Armenia.\n\n"
        "A third paragraph.\n",
        title="Overlaps",
        outlet="Example Times",
        published=PublicationDate(value=date(2024, 3, 1), inferred=True, source="text"),
        genre="news",
        genre_signals=["dateline"],
        frames=[Frame(frame="security", score=0.7), Frame(frame="morality", score=0.2)],
    )
    content = base.span(at(base, "Armenia").start, at(base, "Karabakh").end)
    return extend(
        base,
        entities=[
            Entity(canonical="Ilham Aliyev", label="PERSON", mentions=[at(base, "Ilham Aliyev")]),
            Entity(canonical="Armenia", label="GPE", mentions=[at(base, "Armenia"), at(base, "Armenia", 1)]),
            Entity(canonical="Karabakh", label="GPE", mentions=[at(base, "Karabakh")]),
        ],
        claims=[
            Claim(
                source=ClaimSource(span=at(base, "Ilham Aliyev"), type="person"),
                cue=ClaimCue(span=at(base, "said")),
                content=ClaimContent(span=content),
                kind="indirect",
            ),
            Claim(
                source=ClaimSource(type="author"),
                content=ClaimContent(span=at(base, "brutal, barbaric attack on Armenia")),
                hedged=True,
            ),
        ],
        events=[
            Event(
                type="ASSAULT",
                trigger=at(base, "attack"),
                targets=[EventParticipant(span=at(base, "Armenia", 1), name="Armenia", country="AM")],
            )
        ],
        techniques=[
            Technique(technique="Loaded_Language", span=at(base, "brutal, barbaric"), confidence=0.8),
            Technique(technique="Name_Calling", span=at(base, "barbaric attack"), confidence=0.6),
            Technique(technique="Exaggeration", span=at(base, "brutal, barbaric"), confidence=0.4),
        ],
    )


@pytest.fixture
def hostile() -> Article:
    text = f"Report {SCRIPT} by {IMG} & co.\n\nSecond & last, {SCRIPT}."
    base = make(
        text,
        title=f"{SCRIPT} {IMG} & more",
        outlet=f"{IMG} News",
        url="javascript:alert(1)",
        authors=[Author(name=f"{SCRIPT} Smith", role="Editor & writer", affiliation=IMG)],
        genre_signals=[SCRIPT],
        language=IMG,
        warnings=[f"warning {SCRIPT}"],
        removed=[IMG],
    )
    return extend(
        base,
        entities=[
            Entity(canonical=f"{SCRIPT} & {IMG}", label=SCRIPT, mentions=[at(base, SCRIPT), at(base, SCRIPT, 1)]),
            Entity(canonical=IMG, label="ORG", mentions=[at(base, IMG)]),
        ],
        claims=[
            Claim(
                source=ClaimSource(span=at(base, IMG), type="person", resolved=SCRIPT, role=SCRIPT),
                content=ClaimContent(span=at(base, "Second & last")),
            )
        ],
        events=[Event(type=IMG, trigger=at(base, "Report"), actors=[EventParticipant(span=at(base, IMG), name=SCRIPT)])],
        techniques=[Technique(technique=IMG, span=at(base, f"{IMG} & co."), confidence=0.5)],
        frames=[Frame(frame=SCRIPT, score=0.5)],
    )


def test_article_strings_are_escaped(hostile: Article) -> None:
    html = render_report([hostile], title=f"{SCRIPT} report")
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Second &amp; last" in html and "Second & last" not in html
    assert 'href="javascript:' not in html
    page = Page(html)
    assert page.errors == []
    # Only the report's own script element: nothing from the article became a tag.
    assert [tag for tag, _ in page.tags if tag in ("script", "img")] == ["script"]


def test_body_text_is_the_article_text(overlapping: Article, hostile: Article) -> None:
    articles = [overlapping, hostile]
    assert Page(render_report(articles)).texts == [a.text for a in articles]


def test_text_without_paragraph_offsets_splits_on_blank_lines() -> None:
    article = Article(id="x", source="s", text="\n  First line\nstill first.\n\n\nSecond.  \n\n", analysed=True)
    page = Page(render_report([article]))
    assert page.texts == [article.text]
    assert page.paragraphs == 2


def test_overlapping_paragraph_offsets_duplicate_nothing() -> None:
    text = "One two three. Four five six."
    article = Article(id="x", source="s", text=text, paragraphs=[(15, 29), (0, 20)])
    page = Page(render_report([article]))
    assert page.texts == [text]
    assert page.paragraphs == 2


def test_overlapping_spans_carry_every_layer(overlapping: Article) -> None:
    page = Page(render_report([overlapping]))
    assert page.errors == []
    # An entity inside a claim's content.
    assert {"ent-gpe", "claim-content"} <= page.classes_of("Armenia")[0]
    # Source and entity on the same words.
    assert {"ent-person", "claim-source"} <= page.classes_of("Ilham Aliyev")[0]
    # Two techniques on the same words, a third crossing them, all inside a claim.
    (barbaric,) = page.classes_of("barbaric")
    assert {"tech-loaded-language", "tech-exaggeration", "tech-name-calling", "claim-content"} <= barbaric
    segments = [a["data-layers"].split() for a in page.find("span", **{"class": "seg"})]
    assert ["claim-content", "tech-loaded-language", "tech-exaggeration", "tech-name-calling"] in segments
    # The second Armenia: entity, claim content and event target at once.
    assert {"ent-gpe", "claim-content", "event-target"} <= page.classes_of("Armenia")[1]


def test_span_across_paragraphs_is_marked_in_each() -> None:
    base = make("First part.\n\nSecond part.")
    article = extend(base, claims=[Claim(source=ClaimSource(type="author"), content=ClaimContent(span=base.span(6, 19)))])
    page = Page(render_report([article]))
    assert page.texts == [article.text]
    assert {"claim-content"} <= page.classes_of("part.")[0]
    assert {"claim-content"} <= page.classes_of("Second")[0]
    assert "claim-content" not in page.classes_of("\n\n")[0]


def test_legend_has_a_checkbox_per_layer(overlapping: Article) -> None:
    html = render_report([overlapping])
    page = Page(html)
    layers = {a["data-layer"] for a in page.find("input", type="checkbox")}
    assert layers == {
        "ent-person", "ent-gpe",
        "claim-source", "claim-cue", "claim-content",
        "event-trigger", "event-target",
        "tech-loaded-language", "tech-name-calling", "tech-exaggeration",
    }  # fmt: skip
    for layer in layers:
        assert f".off-{layer} .{layer}{{--hl:transparent}}" in html


def test_panels_list_extractions(overlapping: Article) -> None:
    html = render_report([overlapping])
    page = Page(html)
    targets = [a["data-target"] for a in page.find("li") if "data-target" in a]
    assert len(targets) == 3 + 2 + 1 + 3
    refs = {a["data-ref"] for a in page.find("span") if "data-ref" in a}
    assert set(targets) <= refs
    assert "Loaded_Language" in html and "80%" in html
    assert "per 1,000 words" in html and "Most loaded sentences" in html
    assert "security" in html and "0.70" in html
    assert "inferred" in html and "2024-03-01" in html
    assert "unattributed" in html


def test_several_articles_get_a_table_of_contents(overlapping: Article, hostile: Article) -> None:
    page = Page(render_report([overlapping, hostile, overlapping]))
    assert page.errors == []
    assert page.find("nav", **{"class": "toc"})
    links = [a["href"] for a in page.find("a") if a.get("href", "").startswith("#")]
    ids = [a["id"] for a in page.find("article")]
    assert links == [f"#{i}" for i in ids] and len(set(ids)) == 3
    # Refs are per article, so the same article twice does not share highlights.
    refs = {a["data-ref"] for a in page.find("span") if "data-ref" in a}
    assert any(r.startswith(f"{ids[0]}-") for r in refs) and any(r.startswith(f"{ids[2]}-") for r in refs)


def test_single_article_has_no_table_of_contents(overlapping: Article) -> None:
    assert not Page(render_report([overlapping])).find("nav", **{"class": "toc"})


def test_not_analysed_article_shows_a_notice() -> None:
    article = make("Un texte en français.", analysed=False, language="fr")
    html = render_report([article])
    assert "not analysed: language fr" in html
    assert "not analysed" not in render_report([make("An English text.")])


def test_report_is_standalone(overlapping: Article) -> None:
    html = render_report([overlapping])
    page = Page(html)
    assert not page.find("link") and all("src" not in attributes for _, attributes in page.tags)
    assert "://" not in html and "@import" not in html


def test_write_report(tmp_path: Path, overlapping: Article) -> None:
    path = tmp_path / "report.html"
    write_report([overlapping], path)
    assert path.read_text(encoding="utf-8") == render_report([overlapping])


def test_random_overlaps_keep_text_and_balance() -> None:
    rng = random.Random(7)
    words = ["a", "&", "<b>", "Kyiv", '"q"', "x\ny", "\n\n", "é", " "]
    text = "".join(rng.choice(words) + " " for _ in range(300))
    base = make(text)

    def span() -> Span:
        start = rng.randrange(len(text))
        return base.span(start, min(len(text), start + rng.randrange(0, 40)))

    article = extend(
        base,
        entities=[Entity(canonical=f"E{i}", label=rng.choice(["PERSON", "ORG", "X"]), mentions=[span()]) for i in range(40)],
        claims=[
            Claim(
                source=ClaimSource(span=span(), type="person"),
                cue=ClaimCue(span=span()),
                content=ClaimContent(span=span()),
            )
            for _ in range(10)
        ],
        techniques=[Technique(technique=rng.choice("ABC"), span=span(), confidence=0.5) for _ in range(30)],
    )
    page = Page(render_report([article]))
    assert page.errors == []
    assert page.texts == [text]
