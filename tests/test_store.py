"""The SQLite store against a real database file."""

import sqlite3

import pytest

from parallax.errors import ParallaxError
from parallax.model import Article, Entity, article_id
from parallax.store import open_store


def article(text: str, **kw) -> Article:
    a = Article(id=article_id(text), source=f"{text[:5]}.txt", text=text, **kw)
    a.entities = [Entity(canonical="Baku", label="GPE", mentions=[a.span(0, 4)])] if text.startswith("Baku") else []
    return a


def test_save_get_roundtrip(tmp_path):
    with open_store(tmp_path / "p.db") as store:
        a = article("Baku hosted the talks.", title="T")
        store.save(a)
        assert store.has(a.id)
        assert store.get(a.id[:6]) == a
        assert store.count("articles") == 1 and store.count("entities") == 1
        assert next(store.rows("entities"))["canonical"] == "Baku"


def test_save_is_idempotent(tmp_path):
    with open_store(tmp_path / "p.db") as store:
        a = article("Baku hosted the talks.")
        store.save(a)
        store.save(a)
        assert store.count("articles") == 1 and store.count("entities") == 1


def test_failed_save_leaves_nothing_half_written(tmp_path, monkeypatch):
    from parallax.store import tables

    store = open_store(tmp_path / "p.db")
    store.save(article("Baku first article."))

    def explode(_a):
        raise RuntimeError("disk on fire")

    broken = tables.Table("entities", tables.TABLES["entities"].columns, explode)
    monkeypatch.setitem(tables.TABLES, "entities", broken)
    with pytest.raises(RuntimeError):
        store.save(article("Baku second article."))
    monkeypatch.undo()
    assert store.count("articles") == 1
    assert [r["source"] for r in store.rows("articles")] == ["Baku .txt"]
    store.close()


def test_failures_are_recorded_and_cleared(tmp_path):
    with open_store(tmp_path / "p.db") as store:
        store.record_failure("x.txt", "empty input")
        assert list(store.rows("failures"))[0]["reason"] == "empty input"
        a = article("Baku, later fixed.")
        a.source = "x.txt"
        store.save(a)
        assert store.count("failures") == 0


def test_unknown_id_and_ambiguous_prefix(tmp_path):
    with open_store(tmp_path / "p.db") as store:
        with pytest.raises(ParallaxError, match="no article"):
            store.get("ffff")
        for i in range(40):
            store.save(article(f"Article number {i}."))
        with pytest.raises(ParallaxError, match="ambiguous"):
            store.get("")


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ParallaxError, match="not a usable SQLite database"):
        open_store(path)


def test_unknown_table(tmp_path):
    with open_store(tmp_path / "p.db") as store, pytest.raises(ParallaxError, match="no table"):
        list(store.rows("articles; DROP TABLE articles"))


def test_schema_is_plain_sqlite(tmp_path):
    path = tmp_path / "p.db"
    with open_store(path) as store:
        store.save(article("Baku hosted the talks."))
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "entities", "claims", "events", "techniques", "frames", "documents", "failures"} <= tables
