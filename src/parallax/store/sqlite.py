"""SQLite store: one file, WAL journal, one transaction per article."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..errors import ParallaxError
from ..model import SCHEMA_VERSION, Article
from .tables import TABLES


class SQLiteStore:
    """Articles and their analyses in a SQLite database.

    The full article document is kept as JSON (``documents``); the flat tables
    in :mod:`parallax.store.tables` are derived from it for querying and export.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None)  # autocommit; transactions are explicit
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._create()
        except sqlite3.DatabaseError as exc:
            raise ParallaxError(f"{path}: not a usable SQLite database ({exc})") from None

    def _create(self) -> None:
        ddl = [
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
            "CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, document TEXT NOT NULL, stored_at TEXT)",
            "CREATE TABLE IF NOT EXISTS failures (source TEXT PRIMARY KEY, reason TEXT, failed_at TEXT)",
        ]
        for table in TABLES.values():
            columns = ", ".join(f'"{name}" {kind}' for name, kind in table.columns.items())
            ddl.append(f"CREATE TABLE IF NOT EXISTS {table.name} ({columns})")
            if "article_id" in table.columns:
                ddl.append(f"CREATE INDEX IF NOT EXISTS {table.name}_article ON {table.name}(article_id)")
        with self._transaction():
            for statement in ddl:
                self.db.execute(statement)
            found = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if found is None:
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(found[0]) != SCHEMA_VERSION:
                raise ParallaxError(
                    f"{self.path}: database schema version {found[0]}, this Parallax expects {SCHEMA_VERSION}"
                )

    def _transaction(self):
        return _Transaction(self.db)

    def has(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id=?", (article_id,)).fetchone() is not None

    def save(self, article: Article) -> None:
        """Store (or replace) one article and its rows, all or nothing."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._transaction():
            self._delete(article.id)
            self.db.execute(
                "INSERT INTO documents VALUES (?, ?, ?)", (article.id, article.model_dump_json(), now)
            )
            for table in TABLES.values():
                rows = table.rows(article)
                if rows:
                    names = list(table.columns)
                    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
                    self.db.executemany(sql, [[row[n] for n in names] for row in rows])
            self.db.execute("DELETE FROM failures WHERE source=?", (article.source,))

    def _delete(self, article_id: str) -> None:
        self.db.execute("DELETE FROM documents WHERE id=?", (article_id,))
        for table in TABLES.values():
            key = "id" if table.name == "articles" else "article_id"
            self.db.execute(f"DELETE FROM {table.name} WHERE {key}=?", (article_id,))

    def record_failure(self, source: str, reason: str) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?)", (source, reason, now))

    def get(self, id_prefix: str) -> Article:
        """The article whose id is or starts with ``id_prefix``."""
        found = self.db.execute(
            "SELECT document FROM documents WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
            (id_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        ).fetchall()
        if not found:
            raise ParallaxError(f"no article with id {id_prefix!r} in {self.path}")
        if len(found) > 1:
            raise ParallaxError(f"id prefix {id_prefix!r} is ambiguous in {self.path}; give more characters")
        return Article.model_validate_json(found[0][0])

    def articles(self) -> Iterator[Article]:
        for (document,) in self.db.execute("SELECT document FROM documents ORDER BY rowid"):
            yield Article.model_validate_json(document)

    def rows(self, table: str) -> Iterator[dict]:
        if table not in TABLES and table != "failures":
            raise ParallaxError(f"no table {table!r}; tables: {', '.join([*TABLES, 'failures'])}")
        for row in self.db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            yield dict(row)

    def count(self, table: str) -> int:
        if table not in TABLES and table != "failures":
            raise ParallaxError(f"no table {table!r}")
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
