"""What every reader produces: the clean body of one document and the metadata found with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Author


@dataclass
class Extraction:
    """The clean main text of one input and the metadata its reader could find.

    Readers fill what they find and leave the rest ``None``; the metadata step
    (:mod:`parallax.ingest.metadata`) infers what is still missing.
    """

    text: str
    title: str | None = None
    authors: list[Author] = field(default_factory=list)
    outlet: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as found in the input's own metadata
    url: str | None = None
    removed: list[str] = field(default_factory=list)  # boilerplate lines dropped, kept for transparency
    genre_signals: list[str] = field(default_factory=list)  # evidence of genre seen while reading ("OpEd" suffix, ...)
