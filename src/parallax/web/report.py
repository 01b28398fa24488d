"""Render analysed articles as one standalone HTML page (inline CSS and JS, nothing fetched).

Every string taken from an article is escaped piece by piece; only markup this
module writes itself is marked safe. Spans may overlap or nest, so the text is
cut at every span boundary and each piece is wrapped in one element per span
covering it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Generic, Sequence, TypeVar
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..extract.rhetoric import rhetoric_summary
from ..model import (
    Article,
    Claim,
    Entity,
    Event,
    Frame,
    Place,
    PublicationDate,
    Quantity,
    Span,
    Technique,
    TimeExpression,
    describe,
    paragraph_offsets,
)

T = TypeVar("T")

# Pastel backgrounds for the usual spaCy labels; other labels take the fallback colours in turn.
_ENTITY_COLOURS = {
    "PERSON": "#fbdcae",
    "ORG": "#cfe2f8",
    "GPE": "#d3efcd",
    "LOC": "#c6ece6",
    "NORP": "#f5d2e4",
    "FAC": "#e2daf6",
    "EVENT": "#f9cfc6",
    "LAW": "#e8e2c4",
}
_OTHER_ENTITY_COLOURS = ("#e4e4e4", "#dfeccb", "#f3e1cf", "#d8e6ea")
# Techniques are drawn as bars under the words, so they take stronger colours.
_TECHNIQUE_COLOURS = (
    "#d1495b", "#e09f3e", "#00798c", "#30638e", "#6a4c93",
    "#7fb800", "#b5651d", "#c2185b", "#4a4e69", "#2a9d8f",
)
# Claim and event parts: style class -> (legend name, colour), in legend order.
_PARTS = {
    "claim-source": ("source", "#b4531f"),
    "claim-cue": ("cue", "#7b4fb4"),
    "claim-content": ("content", "#f1e8c9"),
    "event-trigger": ("trigger", "#c0392b"),
    "event-actor": ("actor", "#2f7d32"),
    "event-target": ("target", "#1f5fa8"),
    "time": ("time", "#0b7a75"),
    "place": ("place", "#8a5a00"),
    "quantity": ("quantity", "#a4133c"),
}
_GROUPS = ("Entities", "When, where, how many", "Claims", "Events", "Techniques")
# Nesting order over shared characters, outermost first: backgrounds drawn by inner elements stay visible.
_DEPTH = {
    "claim-content": 0,
    "event-actor": 1,
    "event-target": 1,
    "claim-source": 2,
    "claim-cue": 2,
    "tech": 3,
    "event-trigger": 4,
    "ent": 5,
    "time": 6,
    "place": 6,
    "quantity": 6,
}


@dataclass(frozen=True)
class Layer:
    """One toggleable highlight layer: an entity label, a claim or event part, or a technique."""

    key: str  # CSS class and checkbox id, [a-z0-9-] only
    style: str  # how its marks are drawn: a key of _DEPTH
    group: str
    name: str
    colour: str
    rank: int  # order within its legend group; named layers sort by name


class _Layers:
    """Layers met across the whole report, so a label keeps one key and colour in every article."""

    def __init__(self) -> None:
        self._layers: dict[tuple[str, str], Layer] = {}

    def part(self, style: str) -> Layer:
        name, colour = _PARTS[style]
        group = {"claim": "Claims", "event": "Events"}.get(style.split("-")[0], "When, where, how many")
        return self._get(style, name, lambda: Layer(style, style, group, name, colour, list(_PARTS).index(style)))

    def entity(self, label: str) -> Layer:
        def make() -> Layer:
            others = [
                layer for layer in self._layers.values() if layer.style == "ent" and layer.name not in _ENTITY_COLOURS
            ]
            colour = _ENTITY_COLOURS.get(label) or _OTHER_ENTITY_COLOURS[len(others) % len(_OTHER_ENTITY_COLOURS)]
            return Layer(self._key("ent", label), "ent", "Entities", label, colour, 0)

        return self._get("ent", label, make)

    def technique(self, name: str) -> Layer:
        def make() -> Layer:
            count = sum(1 for layer in self._layers.values() if layer.style == "tech")
            colour = _TECHNIQUE_COLOURS[count % len(_TECHNIQUE_COLOURS)]
            return Layer(self._key("tech", name), "tech", "Techniques", name, colour, 0)

        return self._get("tech", name, make)

    def css(self) -> Markup:
        # Keys are slugs and colours are constants above: nothing from an article reaches the stylesheet.
        return Markup("\n").join(
            Markup(f".{layer.key}{{--hl:{layer.colour}}} .off-{layer.key} .{layer.key}{{--hl:transparent}}")
            for layer in self._layers.values()
        )

    def _get(self, style: str, name: str, make: Callable[[], Layer]) -> Layer:
        if (style, name) not in self._layers:
            self._layers[style, name] = make()
        return self._layers[style, name]

    def _key(self, prefix: str, name: str) -> str:
        base = f"{prefix}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-') or 'x'}"
        taken = {layer.key for layer in self._layers.values()}
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        return key


@dataclass(frozen=True)
class _Mark:
    """One span to highlight: its layer, the panel item it belongs to, and a tooltip."""

    span: Span
    layer: Layer
    ref: str
    note: str


@dataclass(frozen=True)
class Row(Generic[T]):
    """A panel item; ``ref`` ties it to its marks in the text."""

    ref: str
    item: T
    layer: Layer | None = None


@dataclass(frozen=True)
class LegendEntry:
    layer: Layer
    count: int


@dataclass(frozen=True)
class ArticleView:
    """What the template shows of one article; ``body`` is the only markup built outside it."""

    anchor: str
    article: Article
    body: Markup
    legend: list[tuple[str, list[LegendEntry]]]
    entities: list[Row[Entity]]
    claims: list[Row[Claim]]
    events: list[Row[Event]]
    techniques: list[Row[Technique]]
    rhetoric: dict  # counts, density per 1,000 words, most loaded sentences (rhetoric_summary)
    frames: list[Frame]
    times: list[Row[TimeExpression]]
    places: list[Row[Place]]
    quantities: list[Row[Quantity]]

    @property
    def heading(self) -> str:
        return self.article.title or self.article.source

    @property
    def date(self) -> str | None:
        return _date_text(self.article.published)

    @property
    def link(self) -> str | None:
        return _safe_link(self.article.url)

    @property
    def extracted(self) -> bool:
        return bool(
            self.entities or self.claims or self.events or self.techniques or self.frames
            or self.times or self.places or self.quantities
        )


def render_report(articles: Sequence[Article], title: str = "Parallax report") -> str:
    """One standalone HTML document covering ``articles``, with a table of contents when there are several."""
    layers = _Layers()
    views = [_view(article, f"article-{n}", layers) for n, article in enumerate(articles, 1)]
    return _environment().get_template("report.html").render(
        title=title, views=views, layer_css=layers.css(), describe=describe
    )


def write_report(articles: Sequence[Article], path: Path, *, title: str = "Parallax report") -> None:
    """Write :func:`render_report` of ``articles`` to ``path`` as UTF-8."""
    path.write_text(render_report(articles, title), encoding="utf-8")


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("parallax.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _view(article: Article, anchor: str, layers: _Layers) -> ArticleView:
    entities = [Row(f"{anchor}-e{i}", e, layers.entity(e.label)) for i, e in enumerate(article.entities)]
    claims = [Row(f"{anchor}-c{i}", c) for i, c in enumerate(article.claims)]
    events = [Row(f"{anchor}-v{i}", e) for i, e in enumerate(article.events)]
    techniques = [Row(f"{anchor}-t{i}", t, layers.technique(t.technique)) for i, t in enumerate(article.techniques)]
    resolved = {
        style: [Row(f"{anchor}-{style[0]}{i}", item, layers.part(style)) for i, item in enumerate(items)]
        for style, items in (("time", article.times), ("place", article.places), ("quantity", article.quantities))
    }

    marks = _marks(entities, claims, events, techniques, layers)
    for style, rows in resolved.items():
        marks += [_Mark(row.item.span, row.layer, row.ref, f"{style}: {describe(row.item)}") for row in rows]
    # An empty span covers no character, so there is nothing to highlight.
    marks = [mark for mark in marks if mark.span.end > mark.span.start]
    return ArticleView(
        anchor=anchor,
        article=article,
        body=_highlight(article.text, article.paragraphs, marks),
        legend=_legend(marks),
        entities=sorted(entities, key=lambda row: (-len(row.item.mentions), row.item.canonical.casefold())),
        claims=claims,
        events=events,
        techniques=sorted(techniques, key=lambda row: (row.item.span.start, -row.item.confidence)),
        rhetoric=rhetoric_summary(article),
        frames=sorted(article.frames, key=lambda frame: -frame.score),
        times=resolved["time"],
        places=resolved["place"],
        quantities=resolved["quantity"],
    )


def _marks(
    entities: list[Row[Entity]],
    claims: list[Row[Claim]],
    events: list[Row[Event]],
    techniques: list[Row[Technique]],
    layers: _Layers,
) -> list[_Mark]:
    marks: list[_Mark] = []
    for entity in entities:
        note = f"{entity.item.label}: {entity.item.canonical}"
        marks += [_Mark(span, layers.entity(entity.item.label), entity.ref, note) for span in entity.item.mentions]
    for claim in claims:
        c = claim.item
        parts = {"claim-source": c.source.span, "claim-cue": c.cue.span if c.cue else None, "claim-content": c.content.span}
        for style, span in parts.items():
            if span is not None:
                note = f"claim {_PARTS[style][0]} ({claim.item.kind})"
                marks.append(_Mark(span, layers.part(style), claim.ref, note))
    for event in events:
        roles = {
            "event-trigger": [event.item.trigger],
            "event-actor": [p.span for p in event.item.actors],
            "event-target": [p.span for p in event.item.targets],
        }
        for style, spans in roles.items():
            note = f"{event.item.type}: {_PARTS[style][0]}"
            marks += [_Mark(span, layers.part(style), event.ref, note) for span in spans]
    for technique in techniques:
        note = f"{technique.item.technique} ({technique.item.confidence:.0%})"
        marks.append(_Mark(technique.item.span, layers.technique(technique.item.technique), technique.ref, note))
    return marks


def _legend(marks: list[_Mark]) -> list[tuple[str, list[LegendEntry]]]:
    counts = Counter(mark.layer for mark in marks)
    entries = sorted(counts, key=lambda layer: (_GROUPS.index(layer.group), layer.rank, layer.name.casefold()))
    return [
        (group, [LegendEntry(layer, counts[layer]) for layer in entries if layer.group == group])
        for group in _GROUPS
        if any(layer.group == group for layer in entries)
    ]


def _highlight(text: str, paragraphs: list[tuple[int, int]], marks: list[_Mark]) -> Markup:
    """The whole text as ``<p>`` blocks with the whitespace between them kept, so no character is lost."""
    parts: list[Markup] = []
    pos = 0
    for start, end in _blocks(text, paragraphs):
        parts.append(escape(text[pos:start]))
        parts.append(Markup("<p>{}</p>").format(_segments(text, start, end, marks)))
        pos = end
    parts.append(escape(text[pos:]))
    return Markup("").join(parts)


def _blocks(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Paragraphs in order without overlaps; text they leave out (all when none are given) splits on blank lines."""

    def fill(start: int, end: int) -> list[tuple[int, int]]:
        return [(start + a, start + b) for a, b in paragraph_offsets(text[start:end])]

    blocks: list[tuple[int, int]] = []
    pos = 0
    for start, end in sorted(paragraphs):
        start = max(start, pos)
        if start < end:
            blocks += fill(pos, start)
            blocks.append((start, end))
            pos = end
    return blocks + fill(pos, len(text))


def _segments(text: str, start: int, end: int, marks: list[_Mark]) -> Markup:
    """``text[start:end]`` cut at every mark boundary, each piece wrapped in the marks covering it."""
    inside = [mark for mark in marks if mark.span.start < end and mark.span.end > start]
    cuts = sorted({start, end} | {min(max(p, start), end) for mark in inside for p in (mark.span.start, mark.span.end)})
    pieces: list[Markup] = []
    for a, b in zip(cuts, cuts[1:]):
        piece = escape(text[a:b])
        covering = [mark for mark in inside if mark.span.start <= a and b <= mark.span.end]
        if covering:
            piece = _wrap(piece, covering)
        pieces.append(piece)
    return Markup("").join(pieces)


def _wrap(piece: Markup, covering: list[_Mark]) -> Markup:
    ordered = sorted(covering, key=lambda mark: (_DEPTH[mark.layer.style], mark.span.start, -mark.span.end))
    for mark in reversed(ordered):
        piece = Markup('<span class="mk s-{} {}" data-ref="{}" title="{}">{}</span>').format(
            mark.layer.style, mark.layer.key, mark.ref, mark.note, piece
        )
    keys = " ".join(dict.fromkeys(mark.layer.key for mark in ordered))
    return Markup('<span class="seg" data-layers="{}">{}</span>').format(keys, piece)


def _date_text(published: PublicationDate | None) -> str | None:
    if published is None:
        return None
    value = published.value
    return {"day": value.isoformat(), "month": f"{value:%Y-%m}", "year": f"{value:%Y}"}[published.precision]


def _safe_link(url: str | None) -> str | None:
    """The URL when it may be linked: escaping does not stop a ``javascript:`` URL from running."""
    try:
        return url if url and urlsplit(url).scheme.lower() in ("http", "https") else None
    except ValueError:
        return None
