"""The flat tables an analysed article is stored and exported as: one row mapper per table.

Each table's columns are declared once here; the SQLite schema, the inserts and
the exports all derive from these declarations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from ..model import Article, Place, Span

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, str]  # column -> SQL type
    rows: Callable[[Article], list[Row]]


def _span(prefix: str, span: Span | None) -> Row:
    return {
        f"{prefix}_start": span.start if span else None,
        f"{prefix}_end": span.end if span else None,
        f"{prefix}_text": span.text if span else None,
    }


def _span_columns(prefix: str) -> dict[str, str]:
    return {f"{prefix}_start": "INTEGER", f"{prefix}_end": "INTEGER", f"{prefix}_text": "TEXT"}


def _article_rows(a: Article) -> list[Row]:
    return [
        {
            "id": a.id,
            "source": a.source,
            "url": a.url,
            "outlet": a.outlet,
            "title": a.title,
            "authors": "; ".join(au.name for au in a.authors),
            "author_roles": json.dumps([au.model_dump(exclude_none=True) for au in a.authors], ensure_ascii=False),
            "published": a.published.value.isoformat() if a.published else None,
            "date_precision": a.published.precision if a.published else None,
            "date_inferred": int(a.published.inferred) if a.published else None,
            "genre": a.genre,
            "language": a.language,
            "analysed": int(a.analysed),
            "characters": len(a.text),
            "words": len(a.text.split()),
            "entities": len(a.entities),
            "claims": len(a.claims),
            "events": len(a.events),
            "techniques": len(a.techniques),
        }
    ]


def _entity_rows(a: Article) -> list[Row]:
    return [
        {
            "article_id": a.id,
            "canonical": e.canonical,
            "label": e.label,
            "mentions": len(e.mentions),
            "first_start": e.mentions[0].start,
            "first_end": e.mentions[0].end,
            "surface_forms": json.dumps(sorted({m.text for m in e.mentions}), ensure_ascii=False),
        }
        for e in a.entities
    ]


def _time_rows(a: Article) -> list[Row]:
    return [
        {"article_id": a.id, **_span("span", t.span), "type": t.type, "value": t.value, "precision": t.precision}
        for t in a.times
    ]


def _place_rows(a: Article) -> list[Row]:
    return [
        {
            "article_id": a.id,
            **_span("span", p.span),
            "name": p.name,
            "country": p.country,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "geonames_id": p.geonames_id,
            "feature_class": p.feature_class,
        }
        for p in a.places
    ]


def _quantity_rows(a: Article) -> list[Row]:
    return [
        {
            "article_id": a.id,
            **_span("span", q.span),
            "value": q.value,
            "value_max": q.value_max,
            "qualifier": q.qualifier,
            "what": q.what,
            "category": q.category,
        }
        for q in a.quantities
    ]


def _claim_rows(a: Article) -> list[Row]:
    return [
        {
            "article_id": a.id,
            "kind": c.kind,
            "source_type": c.source.type,
            "source_resolved": c.source.resolved,
            "source_role": c.source.role,
            **_span("source", c.source.span),
            **_span("cue", c.cue.span if c.cue else None),
            **_span("content", c.content.span),
            "hedged": int(c.hedged),
            "negated": int(c.negated),
            "checkworthiness": c.checkworthiness,
        }
        for c in a.claims
    ]


def acled_geo_precision(place: Place) -> int:
    """ACLED's geo precision: 1 a town or village, 2 a place near one or a part of a region, 3 a region or country."""
    if place.feature_class == "P":
        return 1
    code = place.feature_code or ""
    if place.feature_class == "A" and (code.startswith("PCL") or code.startswith("ADM1")):
        return 3
    return 2


def _event_rows(a: Article) -> list[Row]:
    """One row per event, with ACLED-like columns."""
    rows = []
    for e in a.events:
        fatalities = [q.quantity.value for q in e.quantities if q.role == "killed"]
        rows.append(
            {
                "article_id": a.id,
                "date": e.time.value if e.time else None,
                "time_precision": e.time.precision if e.time else None,
                "type": e.type,
                "mode": e.mode,
                "acled_type": e.acled_type,
                "sub_type": e.acled_sub_type,
                "actor1": "; ".join(p.name for p in e.actors) or None,
                "actor2": "; ".join(p.name for p in e.targets) or None,
                "country": e.place.country if e.place else None,
                "location": e.place.name if e.place else None,
                "latitude": e.place.latitude if e.place else None,
                "longitude": e.place.longitude if e.place else None,
                "geo_precision": acled_geo_precision(e.place) if e.place else None,
                "fatalities": min(fatalities) if fatalities else None,  # ACLED: the most conservative figure
                "modality": e.modality,
                "source": e.reported_by,
                **_span("trigger", e.trigger),
            }
        )
    return rows


def _technique_rows(a: Article) -> list[Row]:
    return [
        {"article_id": a.id, "technique": t.technique, **_span("span", t.span), "confidence": t.confidence}
        for t in a.techniques
    ]


def _frame_rows(a: Article) -> list[Row]:
    return [{"article_id": a.id, "frame": f.frame, "score": f.score} for f in a.frames]


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "articles",
            {
                "id": "TEXT PRIMARY KEY",
                "source": "TEXT",
                "url": "TEXT",
                "outlet": "TEXT",
                "title": "TEXT",
                "authors": "TEXT",
                "author_roles": "TEXT",
                "published": "TEXT",
                "date_precision": "TEXT",
                "date_inferred": "INTEGER",
                "genre": "TEXT",
                "language": "TEXT",
                "analysed": "INTEGER",
                "characters": "INTEGER",
                "words": "INTEGER",
                "entities": "INTEGER",
                "claims": "INTEGER",
                "events": "INTEGER",
                "techniques": "INTEGER",
            },
            _article_rows,
        ),
        Table(
            "entities",
            {
                "article_id": "TEXT",
                "canonical": "TEXT",
                "label": "TEXT",
                "mentions": "INTEGER",
                "first_start": "INTEGER",
                "first_end": "INTEGER",
                "surface_forms": "TEXT",
            },
            _entity_rows,
        ),
        Table(
            "times",
            {"article_id": "TEXT", **_span_columns("span"), "type": "TEXT", "value": "TEXT", "precision": "TEXT"},
            _time_rows,
        ),
        Table(
            "places",
            {
                "article_id": "TEXT",
                **_span_columns("span"),
                "name": "TEXT",
                "country": "TEXT",
                "latitude": "REAL",
                "longitude": "REAL",
                "geonames_id": "INTEGER",
                "feature_class": "TEXT",
            },
            _place_rows,
        ),
        Table(
            "quantities",
            {
                "article_id": "TEXT",
                **_span_columns("span"),
                "value": "REAL",
                "value_max": "REAL",
                "qualifier": "TEXT",
                "what": "TEXT",
                "category": "TEXT",
            },
            _quantity_rows,
        ),
        Table(
            "claims",
            {
                "article_id": "TEXT",
                "kind": "TEXT",
                "source_type": "TEXT",
                "source_resolved": "TEXT",
                "source_role": "TEXT",
                **_span_columns("source"),
                **_span_columns("cue"),
                **_span_columns("content"),
                "hedged": "INTEGER",
                "negated": "INTEGER",
                "checkworthiness": "REAL",
            },
            _claim_rows,
        ),
        Table(
            "events",
            {
                "article_id": "TEXT",
                "date": "TEXT",
                "time_precision": "TEXT",
                "type": "TEXT",
                "mode": "TEXT",
                "acled_type": "TEXT",
                "sub_type": "TEXT",
                "actor1": "TEXT",
                "actor2": "TEXT",
                "country": "TEXT",
                "location": "TEXT",
                "latitude": "REAL",
                "longitude": "REAL",
                "geo_precision": "INTEGER",
                "fatalities": "REAL",
                "modality": "TEXT",
                "source": "TEXT",
                **_span_columns("trigger"),
            },
            _event_rows,
        ),
        Table(
            "techniques",
            {"article_id": "TEXT", "technique": "TEXT", **_span_columns("span"), "confidence": "REAL"},
            _technique_rows,
        ),
        Table("frames", {"article_id": "TEXT", "frame": "TEXT", "score": "REAL"}, _frame_rows),
    )
}
