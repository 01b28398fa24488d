"""The command line, end to end: real files, a real database, the real binary where it matters."""

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import jsonschema
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from parallax.cli import cli
from parallax.model import json_schema

from .conftest import EXAMPLES

OPED = str(EXAMPLES / "000_e05bb7a8d3b72e73.txt")
NEWS = "Armenian and Azerbaijani officials met in Brussels on Monday, the ministry said.\n\nThe talks lasted four hours, Jeyhun Bayramov said."


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def test_analyze_json_validates_against_schema():
    result = run("analyze", OPED, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, json_schema())
    assert document["analysed"] and document["entities"]


def test_schema_command_prints_the_schema():
    result = run("schema")
    assert json.loads(result.stdout) == json.loads(json.dumps(json_schema()))


def test_analyze_several_inputs_prints_json_lines(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(NEWS, encoding="utf-8")
    b.write_text(NEWS + " Extra.", encoding="utf-8")
    result = run("analyze", a, b, "--json")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["source"] for line in lines)


def test_as_is_and_published_spans_index_the_input(tmp_path):
    path = tmp_path / "a.txt"
    text = "  Leave a Reply\n" + NEWS + "\n"
    path.write_text(text, encoding="utf-8")
    result = run("analyze", path, "--as-is", "--published", "2023-09-20", "--json")
    document = json.loads(result.stdout)
    assert document["text"] == text
    assert document["published"] == {"value": "2023-09-20", "precision": "day", "inferred": False, "source": "given"}
    for entity in document["entities"]:
        for mention in entity["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]


def test_bad_published_date_is_a_usage_error():
    result = run("analyze", OPED, "--published", "20-09-2023")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_analyze_stdin():
    result = run("analyze", "-", "--json", input=NEWS)
    assert json.loads(result.stdout)["source"] == "<stdin>"


def test_analyze_html_report(tmp_path):
    report = tmp_path / "r.html"
    result = run("analyze", OPED, "--html", report)
    assert result.exit_code == 0
    html = report.read_text(encoding="utf-8")
    assert "Vasif Huseynov" in html and "<script>alert" not in html


def test_analyze_terminal_report(wide_terminal):
    result = run("analyze", OPED)
    assert result.exit_code == 0
    assert "Vasif Huseynov" in result.stdout and "opinion" in result.stdout and "Entities" in result.stdout
    assert "Most loaded sentences (" in result.stdout and "techniques per 1,000 words" in result.stdout


def test_bad_inputs_in_a_batch(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(NEWS, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\xff" * 500)
    db = tmp_path / "p.db"
    result = run("ingest", good, empty, binary, tmp_path / "missing.txt", "--db", db)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {empty}: empty input",
        f"error: {binary}: not text: looks like binary data (NUL bytes)",
        f"error: {tmp_path / 'missing.txt'}: no such file or directory",
    ]
    assert "1 stored, 0 already in" in result.stderr and "3 failed" in result.stderr
    failures = sqlite3.connect(db).execute("SELECT source FROM failures ORDER BY source").fetchall()
    assert len(failures) == 3


def test_ingest_ls_show_export(tmp_path):
    db = tmp_path / "p.db"
    first = run("ingest", EXAMPLES, "--db", db)
    assert first.exit_code == 0, first.stderr
    assert "91 stored, 0 already in" in first.stderr
    again = run("ingest", EXAMPLES, "--db", db)
    assert "0 stored, 91 already in" in again.stderr

    listing = run("ls", "--db", db, "--limit", 0)
    assert "91 article(s)" in listing.stdout and "Continuous" in listing.stdout

    article_id = sqlite3.connect(db).execute("SELECT id FROM articles WHERE source LIKE '%004_%'").fetchone()[0]
    shown = run("show", article_id[:8], "--db", db, "--json")
    assert json.loads(shown.stdout)["authors"][0]["name"] == "Shaheen Abdullayev"

    rows = [json.loads(line) for line in run("export", "--db", db, "--table", "entities").stdout.splitlines()]
    assert rows and {"article_id", "canonical", "label", "mentions"} <= rows[0].keys()

    csv_out = tmp_path / "articles.csv"
    run("export", "--db", db, "--table", "articles", "--format", "csv", "-o", csv_out)
    assert len(list(csv.DictReader(io.StringIO(csv_out.read_text(encoding="utf-8"))))) == 91

    parquet = tmp_path / "articles.parquet"
    run("export", "--db", db, "--format", "parquet", "-o", parquet)
    assert pq.read_table(parquet).num_rows == 91

    empty_claims = run("export", "--db", db, "--table", "claims", "--format", "csv")
    assert empty_claims.stdout.startswith("article_id,kind")


def test_commands_on_missing_db_are_messages_not_tracebacks(tmp_path):
    result = run("ls", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and "no such database" in result.stderr
    assert "Traceback" not in result.output


def test_killed_ingest_keeps_what_it_committed_and_rerun_does_the_rest(tmp_path):
    db = tmp_path / "p.db"
    corpus = EXAMPLES / "voa_stories.jsonl"
    command = [sys.executable, "-m", "parallax", "ingest", str(corpus), "--db", str(db), "--batch-size", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    committed = 0
    while time.time() < deadline and process.poll() is None:
        time.sleep(0.2)
        if db.exists():
            try:
                committed = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if committed >= 3:
                break
    assert process.poll() is None, "ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    kept = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert 3 <= kept < 89
    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{89 - kept} stored, {kept} already in" in rerun.stderr
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 89


def test_summary_and_stored_report(tmp_path):
    db = tmp_path / "p.db"
    run("ingest", EXAMPLES / "000_e05bb7a8d3b72e73.txt", EXAMPLES / "004_fab2380e06d26105.txt", "--db", db)
    summary = run("summary", "--db", db)
    assert summary.exit_code == 0
    assert "opinion 2" in summary.stdout and "Azerbaijan" in summary.stdout
    report = tmp_path / "r.html"
    result = run("report", "--db", db, "--html", report)
    assert result.exit_code == 0 and "2 article(s)" in result.stderr
    html = report.read_text(encoding="utf-8")
    assert "Shaheen Abdullayev" in html and "Vasif Huseynov" in html


def test_rhetoric_by_outlet_and_author(tmp_path):
    db = tmp_path / "p.db"
    run("ingest", EXAMPLES / "004_fab2380e06d26105.txt", "--db", db)
    by_outlet = run("rhetoric", "--db", db)
    assert by_outlet.exit_code == 0 and "Daily" in by_outlet.stdout and "Loaded" in by_outlet.stdout
    by_author = run("rhetoric", "--db", db, "--by", "author")
    assert "Shaheen" in by_author.stdout
    techniques = run("export", "--db", db, "--table", "techniques")
    assert techniques.stdout.count("\n") >= 5


def test_bench_prints_both_modes_with_startup_apart(wide_terminal):
    result = run("bench", "--data", EXAMPLES, "--limit", 2, "--rounds", 2)
    assert result.exit_code == 0, result.output
    for column in ("bare spaCy nlp.pipe", "full Parallax pipeline", "tokens/s", "start-up (s)", "peak RSS"):
        assert column in result.stdout
    assert "throughput ratio full / bare" in result.stdout and "machine:" in result.stdout
    assert "median of 2 rounds" in result.stdout and "ratio of each round" in result.stdout
    assert "ms per 1,000 tokens: parse" in result.stdout and "claims" in result.stdout and "techniques" in result.stdout
