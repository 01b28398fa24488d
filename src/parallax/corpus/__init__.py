"""Views across a stored corpus: who claims what (:mod:`.claims`), one timeline of events (:mod:`.timeline`).

Each view reads the flat stored tables (:mod:`parallax.store.tables`) through a store's
``rows(table)`` and returns plain dataclasses; rendering is :mod:`parallax.terminal`'s job.
"""

from __future__ import annotations

from typing import Iterable, Protocol


class RowSource(Protocol):
    def rows(self, table: str) -> Iterable[dict]: ...


def article_index(store: RowSource) -> dict[str, dict]:
    """Stored article rows by id (outlet, title, authors, published), for labelling items of a view."""
    return {row["id"]: row for row in store.rows("articles")}


def report_label(article: dict | None) -> str:
    """How an article is named in a view: its outlet, else its source file or URL."""
    if not article:
        return "?"
    return article["outlet"] or article["source"] or article["id"][:10]
