"""One dated list of the events of a stored corpus, each with every report of it.

Events come from the stored ``events`` table (one row per event mention). Mentions of
the same happening are joined into one entry when they share the date (as resolved,
at the same precision), the PLOVER type, and either the place or, where neither names
a place, an actor or a target. That is deliberately strict: two reports of one clash
with different dates stay apart, and the reader sees both; a looser merge would hide
exactly the disagreements Parallax exists to show.

Dates sort by the first day they cover, so "2023-09" comes before "2023-09-19".
Only asserted events are listed unless asked otherwise: a demanded, hypothetical or
denied event did not (by its report) happen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from . import RowSource, article_index, report_label

_SEASON_MONTH = {"WI": 1, "SP": 3, "SU": 6, "FA": 9}


def first_day(value: str | None) -> date | None:
    """The first day a TIMEX3 date value covers (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Www, YYYY-Qn, seasons); None if it is not a date."""
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-W(\d{2})|-Q([1-4])|-(WI|SP|SU|FA))?(?:T.*)?", value)
    if not m:
        return None
    year, month, day, week, quarter, season = m.groups()
    try:
        if week:
            return date.fromisocalendar(int(year), int(week), 1)
        if quarter:
            return date(int(year), 3 * int(quarter) - 2, 1)
        if season:
            return date(int(year), _SEASON_MONTH[season], 1)
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


@dataclass
class Report:
    """One mention of an event: where it was read and who carries it."""

    article_id: str
    report: str
    reported_by: str | None
    trigger: str
    trigger_start: int
    trigger_end: int
    modality: str
    fatalities: float | None


@dataclass
class TimelineEntry:
    """A happening on a date, with every report of it."""

    date: str
    precision: str | None
    type: str
    sub_type: str | None
    actors: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    location: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    reports: list[Report] = field(default_factory=list)

    @property
    def fatalities(self) -> float | None:
        """ACLED's rule: the most conservative figure any report gives."""
        figures = [r.fatalities for r in self.reports if r.fatalities is not None]
        return min(figures) if figures else None

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "reports"}
        out["fatalities"] = self.fatalities
        out["reports"] = [dict(r.__dict__) for r in self.reports]
        return out


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(";") if n.strip()]


def _same(entry: TimelineEntry, row: dict) -> bool:
    if entry.location or row["location"]:
        return entry.location == row["location"]
    people = {n.lower() for n in entry.actors + entry.targets}
    return bool(people & {n.lower() for n in _names(row["actor1"]) + _names(row["actor2"])})


def timeline(
    store: RowSource,
    *,
    since: date | None = None,
    until: date | None = None,
    types: tuple[str, ...] = (),
    all_modalities: bool = False,
) -> tuple[list[TimelineEntry], int]:
    """The corpus's dated events in order, and how many event mentions had no usable date.

    ``since``/``until`` bound the first day an entry's date covers; ``types`` keeps those
    PLOVER types (or ACLED sub-types); ``all_modalities`` keeps denied, demanded,
    hypothetical and future events too.
    """
    articles = article_index(store)
    wanted = {t.lower() for t in types}
    entries: dict[tuple[str, str], list[TimelineEntry]] = {}
    undated = 0
    for row in store.rows("events"):
        if not all_modalities and row["modality"] != "asserted":
            continue
        if wanted and row["type"].lower() not in wanted and (row["sub_type"] or "").lower() not in wanted:
            continue
        day = first_day(row["date"])
        if day is None:
            undated += 1
            continue
        if (since and day < since) or (until and day > until):
            continue
        candidates = entries.setdefault((row["date"], row["type"]), [])
        entry = next((e for e in candidates if _same(e, row)), None)
        if entry is None:
            entry = TimelineEntry(
                date=row["date"],
                precision=row["time_precision"],
                type=row["type"],
                sub_type=row["sub_type"],
                location=row["location"],
                country=row["country"],
                latitude=row["latitude"],
                longitude=row["longitude"],
            )
            candidates.append(entry)
        entry.sub_type = entry.sub_type or row["sub_type"]
        for names, new in ((entry.actors, _names(row["actor1"])), (entry.targets, _names(row["actor2"]))):
            names.extend(n for n in new if n.lower() not in {m.lower() for m in names})
        entry.reports.append(
            Report(
                article_id=row["article_id"],
                report=report_label(articles.get(row["article_id"])),
                reported_by=row["source"],
                trigger=row["trigger_text"],
                trigger_start=row["trigger_start"],
                trigger_end=row["trigger_end"],
                modality=row["modality"],
                fatalities=row["fatalities"],
            )
        )
    ordered = sorted(
        (e for group in entries.values() for e in group),
        key=lambda e: (first_day(e.date), len(e.date), e.type),
    )
    return ordered, undated
