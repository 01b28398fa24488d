"""Persistence of analysed articles behind one interface (:class:`Store`).

SQLite is the embedded default; a PostgreSQL backend implements the same
interface for a shared deployment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol

from ..errors import ParallaxError
from ..model import Article
from .tables import TABLES


class Store(Protocol):
    def has(self, article_id: str) -> bool: ...
    def save(self, article: Article) -> None: ...
    def record_failure(self, source: str, reason: str) -> None: ...
    def get(self, id_prefix: str) -> Article: ...
    def rows(self, table: str) -> Iterator[dict]: ...
    def count(self, table: str) -> int: ...
    def close(self) -> None: ...


def open_store(target: str | Path) -> Store:
    """The store at ``target``: a SQLite file path (created if missing)."""
    text = str(target)
    if text.startswith(("postgres://", "postgresql://")):
        raise ParallaxError("PostgreSQL storage is not available yet; use a SQLite file path")
    from .sqlite import SQLiteStore

    return SQLiteStore(Path(text))


__all__ = ["Store", "open_store", "TABLES"]
