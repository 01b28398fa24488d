"""Corpus views: who claims what (claims by source) and the timeline, on rows and on a real stored corpus."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from parallax.cli import cli
from parallax.corpus.claims import UNNAMED, UNRESOLVED, claims_by_source
from parallax.corpus.timeline import first_day, timeline
from parallax.store.tables import TABLES

from .conftest import EXAMPLES


class RowStore:
    """Stored rows without a database: each row gets every column of its table (None unless given)."""

    def __init__(self, **tables: list[dict]):
        self.tables = {
            name: [{column: None for column in TABLES[name].columns} | row for row in rows] for name, rows in tables.items()
        }

    def rows(self, table: str):
        return iter(self.tables.get(table, []))


ARTICLES = [
    {"id": "a1", "outlet": "Outlet One", "authors": "Ann Writer"},
    {"id": "a2", "outlet": "Outlet Two", "authors": ""},
]


def claim(article="a1", source_type="person", resolved=None, text=None, **rest) -> dict:
    base = {
        "article_id": article,
        "source_type": source_type,
        "source_resolved": resolved,
        "source_text": text,
        "content_text": "something happened",
        "content_start": 0,
        "content_end": 18,
        "kind": "indirect",
        "hedged": 0,
        "negated": 0,
        "checkworthiness": 0.5,
    }
    return base | rest


def test_sources_join_across_articles_and_a_surname_joins_its_only_full_name():
    store = RowStore(
        articles=ARTICLES,
        claims=[
            claim("a1", resolved="Jeyhun Bayramov", text="he"),
            claim("a2", resolved="Bayramov", text="Bayramov", kind="direct", hedged=1),
            claim("a2", source_type="document", resolved="Jeyhun Bayramov", text="the letter", source_role="Foreign Minister"),
        ],
    )
    [group] = claims_by_source(store)
    assert group.name == "Jeyhun Bayramov" and group.type == "person"
    assert len(group.claims) == 3 and group.articles == 2
    assert group.types == {"person": 2, "document": 1}
    assert group.reports == {"Outlet One": 1, "Outlet Two": 2}
    assert group.kinds == {"indirect": 2, "direct": 1} and group.hedged == 1
    assert group.roles.most_common(1)[0][0] == "Foreign Minister"


def test_an_ambiguous_surname_stays_apart():
    store = RowStore(
        articles=ARTICLES,
        claims=[claim(resolved="Ilham Aliyev"), claim(resolved="Mehriban Aliyeva"), claim(resolved="Hasan Aliyev"), claim(resolved="Aliyev")],
    )
    names = {g.name for g in claims_by_source(store)}
    assert names == {"Ilham Aliyev", "Mehriban Aliyeva", "Hasan Aliyev", "Aliyev"}


def test_author_voice_pronouns_filters_and_order():
    store = RowStore(
        articles=ARTICLES,
        claims=[
            claim(source_type="author", kind="unattributed", checkworthiness=0.9),
            claim(source_type="author", article="a2", kind="unattributed"),
            claim(text="he", checkworthiness=0.1),
            claim(source_type="anonymous", text=None),
            claim(source_type="organisation", text="the ministry", checkworthiness=0.8),
            claim(source_type="organisation", text="the  ministry", article="a2", checkworthiness=0.7),
        ],
    )
    attributed = claims_by_source(store)
    assert [g.name for g in attributed] == ["the ministry", UNNAMED, UNRESOLVED] or [g.name for g in attributed] == [
        "the ministry",
        UNRESOLVED,
        UNNAMED,
    ]
    assert len(attributed[0].claims) == 2
    everyone = {g.name: g for g in claims_by_source(store, with_author=True)}
    assert "Ann Writer" in everyone and "(author not given)" in everyone
    assert [g.name for g in claims_by_source(store, source="MINIS")] == ["the ministry"]
    worthy = claims_by_source(store, with_author=True, min_checkworthiness=0.75)
    assert sorted(g.name for g in worthy) == ["Ann Writer", "the ministry"]
    assert [c.checkworthiness for c in worthy[0].most_checkworthy()] in ([0.9], [0.8])


@pytest.mark.parametrize(
    "value, day",
    [
        ("2023-09-19", date(2023, 9, 19)),
        ("2023-09", date(2023, 9, 1)),
        ("2023", date(2023, 1, 1)),
        ("2020-W48", date(2020, 11, 23)),
        ("2021-Q3", date(2021, 7, 1)),
        ("2022-SU", date(2022, 6, 1)),
        ("2023-09-19T14:00", date(2023, 9, 19)),
        ("196", None),
        ("PRESENT_REF", None),
        ("P3D", None),
        ("2023-02-30", None),
        (None, None),
    ],
)
def test_first_day_of_a_timex_value(value, day):
    assert first_day(value) == day


def event(article="a1", date="2023-09-19", type="ASSAULT", **rest) -> dict:
    base = {
        "article_id": article,
        "date": date,
        "time_precision": "day",
        "type": type,
        "modality": "asserted",
        "trigger_text": "explosion",
        "trigger_start": 10,
        "trigger_end": 19,
        "source": "author",
    }
    return base | rest


def test_timeline_joins_reports_of_one_happening_and_keeps_the_rest_apart():
    store = RowStore(
        articles=ARTICLES,
        events=[
            event("a1", location="Khankendi", fatalities=6, actor1="Armenia"),
            event("a2", location="Khankendi", fatalities=4, source="Ministry of Defence", actor1="Armenian forces"),
            event("a2", location="Shusha", fatalities=1),  # another place: another happening
            event("a1", date="2023-09-18", location="Khankendi"),  # another day: kept apart, not merged
            event("a1", date="2023-09", type="AGREE", actor1="Armenia; Azerbaijan"),
            event("a2", date="2023-09", type="AGREE", actor1="azerbaijan", actor2="Russia"),
            event("a1", date=None),
            event("a1", date="PAST_REF"),
            event("a1", date="2023-09-20", modality="demanded"),
        ],
    )
    entries, undated = timeline(store)
    assert undated == 2
    assert [(e.date, e.type, e.location) for e in entries] == [
        ("2023-09", "AGREE", None),
        ("2023-09-18", "ASSAULT", "Khankendi"),
        ("2023-09-19", "ASSAULT", "Khankendi"),
        ("2023-09-19", "ASSAULT", "Shusha"),
    ]
    agree, _, khankendi, _ = entries
    assert agree.actors == ["Armenia", "Azerbaijan"] and agree.targets == ["Russia"] and len(agree.reports) == 2
    assert [r.report for r in khankendi.reports] == ["Outlet One", "Outlet Two"]
    assert [r.reported_by for r in khankendi.reports] == ["author", "Ministry of Defence"]
    assert khankendi.fatalities == 4  # the most conservative report
    assert khankendi.actors == ["Armenia", "Armenian forces"]

    every, _ = timeline(store, all_modalities=True)
    assert any(e.reports[0].modality == "demanded" for e in every)
    bounded, _ = timeline(store, since=date(2023, 9, 18), until=date(2023, 9, 18))
    assert [e.date for e in bounded] == ["2023-09-18"]
    agreements, _ = timeline(store, types=("agree",))
    assert [e.type for e in agreements] == ["AGREE"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(autouse=True)
def _wide(wide_terminal):
    pass


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("corpus") / "p.db"
    result = run("ingest", EXAMPLES / "000_e05bb7a8d3b72e73.txt", EXAMPLES / "004_fab2380e06d26105.txt", "--db", db)
    assert result.exit_code == 0, result.stderr
    return db


def test_claims_by_source_on_the_samples(sample_db):
    result = run("claims", "--db", sample_db, "--by-source", "--limit", 0)
    assert result.exit_code == 0
    assert "Who claims what" in result.stdout and "Jeyhun Bayramov" in result.stdout
    assert "the authors' own assertions left out" in result.stdout

    lines = run("claims", "--db", sample_db, "--source", "bayramov", "--json").stdout.splitlines()
    [bayramov] = [json.loads(line) for line in lines]
    assert bayramov["source"] == "Jeyhun Bayramov" and bayramov["claims"] >= 3
    cues = {item["cue"] for item in bayramov["items"]}
    assert "reads" in cues
    assert any(item["content"].startswith("“According to the credible information") for item in bayramov["items"])

    with_author = [json.loads(x) for x in run("claims", "--db", sample_db, "--with-author", "--json", "--limit", 0).stdout.splitlines()]
    authors = {g["source"] for g in with_author if g["type"] == "author"}
    assert {"Vasif Huseynov", "Shaheen Abdullayev"} <= authors

    listing = run("claims", "--db", sample_db, "--min-checkworthiness", "0.9")
    assert listing.exit_code == 0 and "Claims" in listing.stdout


def test_timeline_on_the_samples(sample_db):
    entries = [json.loads(x) for x in run("timeline", "--db", sample_db, "--json").stdout.splitlines()]
    found = {(e["date"], e["type"]) for e in entries}
    assert ("2020-11-10", "AGREE") in found
    assert ("2023-09-19", "ASSAULT") in found
    assert ("2023-09-21", "CONSULT") in found
    dates = [first_day(e["date"]) for e in entries]
    assert dates == sorted(dates)
    yevlakh = next(e for e in entries if e["type"] == "CONSULT" and e["date"] == "2023-09-21")
    assert yevlakh["location"] == "Yevlakh" and yevlakh["reports"][0]["report"]

    table = run("timeline", "--db", sample_db, "--from", "2023-09", "--to", "2023-09-30")
    assert table.exit_code == 0 and "2023-09-19" in table.stdout and "2020-11-10" not in table.stdout
    assert "dated event(s)" in table.stdout


def test_timeline_bad_date_is_a_usage_error(sample_db):
    result = run("timeline", "--db", sample_db, "--from", "last week")
    assert result.exit_code == 2 and "is not a date" in result.output


def test_timeline_table_counts_repeated_mentions_of_one_report():
    from rich.console import Console

    from parallax.terminal import timeline_table

    store = RowStore(
        articles=ARTICLES,
        events=[event("a1", location="Yevlakh", type="CONSULT", trigger_text="meeting")] * 2
        + [event("a2", location="Yevlakh", type="CONSULT", trigger_text="talks", source="Reuters")],
    )
    entries, _ = timeline(store)
    console = Console(record=True, width=200)
    console.print(timeline_table(entries))
    text = console.export_text()
    assert "author in Outlet One: “meeting” ×2" in text
    assert "Reuters in Outlet Two: “talks”" in text and "“talks” ×" not in text
