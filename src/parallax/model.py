"""The data model every extractor writes into and every consumer reads.

An :class:`Article` owns its clean text; everything extracted from it points
back into that text through :class:`Span` objects, and the article checks on
construction that each span's ``text`` is exactly ``text[start:end]``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1

Genre = Literal["news", "opinion", "statement", "unknown"]
DatePrecision = Literal["day", "month", "year"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """A character range of the article's clean text (end exclusive)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end < self.start:
            raise ValueError(f"span end {self.end} before start {self.start}")
        if len(self.text) != self.end - self.start:
            raise ValueError("span text length does not match its offsets")
        return self


class Author(_Model):
    name: str
    role: str | None = Field(None, description="Position as given, e.g. 'Azerbaijani Ambassador to Bahrain'.")
    affiliation: str | None = Field(None, description="Organisation, e.g. 'AIR Center'.")


class PublicationDate(_Model):
    value: date
    precision: DatePrecision = "day"
    inferred: bool = Field(False, description="True when not given but inferred from the text.")
    source: str = Field(
        "given",
        description="Where it came from: 'given' (user or record), 'metadata' (HTML meta), or 'text' (inferred).",
    )


class Entity(_Model):
    """A named entity: all its mentions in one article merged under one canonical name."""

    canonical: str
    label: str = Field(description="spaCy NER label: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, LAW, ...")
    mentions: list[Span]


class TimeExpression(_Model):
    """A time expression normalised against the publication date (TimeML TIMEX3 style)."""

    span: Span
    type: Literal["date", "time", "duration", "set"]
    value: str = Field(description="TIMEX3 value: '2023-09-19', '2020-11', 'P3Y', 'PXD', 'PAST_REF', '2023-W38', ...")
    precision: Literal["time", "day", "week", "month", "season", "quarter", "year", "decade", "century", "range", "unknown"]
    end_value: str | None = Field(None, description="Last day of a range ('the night of 19-20 September').")


class Place(_Model):
    """A toponym resolved offline to a gazetteer entry."""

    span: Span
    name: str = Field(description="Gazetteer name of the resolved place.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None
    feature_class: str | None = Field(None, description="GeoNames feature class: A (country, region), P (city), ...")
    feature_code: str | None = None
    score: float | None = Field(None, ge=0.0, le=1.0, description="Confidence of the resolution.")


class Quantity(_Model):
    """A number with its qualifier and what it counts."""

    span: Span
    value: float
    value_max: float | None = Field(None, description="Upper bound of a range.")
    qualifier: Literal["exact", "at_least", "at_most", "approximately", "range"] = "exact"
    what: str | None = Field(None, description="The thing counted, as written: 'military outposts'.")
    category: str | None = Field(
        None, description="killed, injured, detained, displaced, weapons, outposts, vehicles, days, people, ..."
    )
    what_span: Span | None = None


SourceType = Literal["person", "organisation", "document", "anonymous", "author"]


class ClaimSource(_Model):
    """Who (or what document) makes a claim."""

    span: Span | None = Field(None, description="The source as written; None for the author's own voice.")
    type: SourceType
    resolved: str | None = Field(None, description="The named entity a pronoun, role or document resolves to.")
    role: str | None = Field(None, description="The source's role where given: 'Azerbaijan's Foreign Minister'.")


class ClaimCue(_Model):
    """The words that mark attribution: 'said', 'according to', 'reads', a colon or quotation marks."""

    span: Span
    kind: Literal["verb", "noun", "preposition", "punctuation"] = "verb"


class ClaimContent(_Model):
    span: Span


class Claim(_Model):
    """Who asserts what, through which cue, how firmly (filled by the attribution extractor)."""

    source: ClaimSource
    cue: ClaimCue | None = None
    content: ClaimContent
    kind: Literal["direct", "indirect", "mixed", "unattributed"] = "unattributed"
    hedged: bool = Field(False, description="Distanced: 'alleged', 'claimed', 'reportedly', a modal.")
    negated: bool = Field(False, description="The source denies it: 'denied', 'did not say'.")
    checkworthiness: float | None = Field(None, ge=0.0, le=1.0)


class EventParticipant(_Model):
    """An actor or a target of an event, resolved to a canonical name where possible."""

    span: Span
    name: str = Field(description="Canonical name: 'Armenia', 'Armenian armed forces'.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code of the participant's country.")
    actor_type: str | None = Field(
        None,
        description="ACLED actor type: State forces, Rebel group, Political militia, Identity militia, "
        "Rioters, Protesters, Civilians, External/Other forces.",
    )


class EventQuantity(_Model):
    """A quantity attached to its role in an event."""

    role: str = Field(description="killed, injured, detained, displaced, weapons, outposts, vehicles, ...")
    quantity: Quantity


class Event(_Model):
    """Who did what to whom, where, when, how many, according to whom (filled by the event extractor)."""

    type: str = Field(description="PLOVER v0.8 category: AGREE, CONSULT, ..., ASSAULT.")
    mode: str | None = Field(None, description="PLOVER mode, e.g. ASSAULT: explosives, heavy weapons, firearms, aerial.")
    acled_type: str | None = None
    acled_sub_type: str | None = Field(None, description="ACLED sub-event type, e.g. 'Remote explosive/landmine/IED'.")
    trigger: Span
    actors: list[EventParticipant] = Field(default_factory=list)
    targets: list[EventParticipant] = Field(default_factory=list)
    time: TimeExpression | None = None
    place: Place | None = None
    quantities: list[EventQuantity] = Field(default_factory=list)
    modality: Literal["asserted", "negated", "hypothetical", "future", "demanded"] = "asserted"
    reported_by: str | None = Field(None, description="'author', or the resolved source of the claim that carries it.")
    claim_index: int | None = Field(None, description="Index in ``claims`` of the claim that carries the event.")


class Technique(_Model):
    """A persuasion technique on an exact span (filled by the rhetoric extractor)."""

    technique: str
    span: Span
    confidence: float = Field(ge=0.0, le=1.0)


class Frame(_Model):
    """A document-level frame with its score (filled by the framing classifier)."""

    frame: str
    score: float = Field(ge=0.0, le=1.0)


class Article(_Model):
    """One article: its metadata, clean text and everything extracted from it."""

    id: str = Field(description="Stable id: hash of the normalised clean text.")
    source: str = Field(description="Path, URL or '<stdin>' the article came from.")
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    authors: list[Author] = Field(default_factory=list)
    published: PublicationDate | None = None
    genre: Genre = "unknown"
    genre_signals: list[str] = Field(default_factory=list, description="Evidence the genre was decided on.")
    language: str | None = None
    language_score: float | None = None
    analysed: bool = Field(False, description="False when NLP was skipped (e.g. a non-English article).")
    warnings: list[str] = Field(default_factory=list)
    text: str
    paragraphs: list[tuple[int, int]] = Field(default_factory=list, description="[start, end) of each paragraph.")
    removed: list[str] = Field(default_factory=list, description="Boilerplate lines removed from the input.")
    entities: list[Entity] = Field(default_factory=list)
    times: list[TimeExpression] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    techniques: list[Technique] = Field(default_factory=list)
    frames: list[Frame] = Field(default_factory=list)

    @model_validator(mode="after")
    def _spans_index_text(self) -> "Article":
        for span in self.iter_spans():
            if self.text[span.start : span.end] != span.text:
                raise ValueError(f"span {span.start}-{span.end} {span.text!r} does not match the article text")
        for start, end in self.paragraphs:
            if not 0 <= start <= end <= len(self.text):
                raise ValueError(f"paragraph {start}-{end} outside the text")
        return self

    def span(self, start: int, end: int) -> Span:
        """A span of this article's text (offsets checked here: extractors make tens of thousands)."""
        start, end = int(start), int(end)
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside the article's text ({len(self.text)} characters)")
        return Span.model_construct(start=start, end=end, text=self.text[start:end])

    def iter_spans(self) -> Iterator[Span]:
        """Every span the article holds, in no particular order."""

        def walk(value: Any) -> Iterator[Span]:
            if isinstance(value, Span):
                yield value
            elif isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    yield from walk(getattr(value, name))
            elif isinstance(value, (list, tuple)):
                for item in value:
                    yield from walk(item)

        for field in ("entities", "times", "places", "quantities", "claims", "events", "techniques"):
            yield from walk(getattr(self, field))


_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC, whitespace collapsed: two copies of one article normalise alike."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def article_id(text: str) -> str:
    """Stable id of an article: the first 16 hex digits of the SHA-256 of its normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


def paragraph_offsets(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph; paragraphs are separated by blank lines (single newlines wrap lines within one)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text) if m.group().strip()]


def describe(item: TimeExpression | Place | Quantity) -> str:
    """A one-line reading of a resolved item, for tooltips and panels."""
    if isinstance(item, TimeExpression):
        end = f" to {item.end_value}" if item.end_value else ""
        return f"{item.value}{end} ({item.type}, {item.precision})"
    if isinstance(item, Place):
        where = f"{item.latitude:.3f}, {item.longitude:.3f}" if item.latitude is not None and item.longitude is not None else "no coordinates"
        return f"{item.name}{', ' + item.country if item.country else ''} ({where})"
    bound = f"-{item.value_max:g}" if item.value_max is not None else ""
    what = f" {item.what}" if item.what else ""
    category = f" [{item.category}]" if item.category else ""
    return f"{item.qualifier.replace('_', ' ')} {item.value:g}{bound}{what}{category}"


def json_schema() -> dict[str, Any]:
    """JSON Schema of the article document that ``analyze --json`` prints."""
    schema = Article.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Parallax Article"
    return schema
