"""Reading real-world inputs, and every kind of bad input: a one-line error naming it, the batch going on."""

import gzip
import io
import json
import sys

import pytest

from parallax.errors import InputError
from parallax.ingest import Input, ReadOptions, build_article, parse_date, read_inputs
from parallax.ingest.decode import decode

GOOD = "Armenian and Azerbaijani officials met in Brussels on Monday, the ministry said in a statement.\n\nThe talks lasted four hours."


def read(*paths, **options):
    return list(read_inputs([str(p) for p in paths], ReadOptions(**options)))


def errors(results):
    return [r for r in results if isinstance(r, InputError)]


def test_plain_text_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    (result,) = read(path)
    assert isinstance(result, Input) and "Brussels" in result.extraction.text


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n\n ")
    (error,) = read(path)
    assert isinstance(error, InputError)
    assert str(error) == f"{path}: empty input"


@pytest.mark.parametrize(
    "payload, kind",
    [(b"%PDF-1.7\n\x00\x01binary", "PDF"), (bytes(range(256)) * 20, "binary"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG")],
)
def test_binary_file(tmp_path, payload, kind):
    path = tmp_path / "blob.txt"
    path.write_bytes(payload)
    (error,) = read(path)
    assert isinstance(error, InputError) and kind in error.reason and str(path) in str(error)


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.seek(50 * 1024 * 1024 - 1)
        handle.write(b"x")
    (error,) = read(path)
    assert isinstance(error, InputError)
    assert "50.0 MiB is over the 10.0 MiB limit" in error.reason and "--max-size" in error.reason


def test_invalid_utf8_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(("Le ministre a déclaré que la région était calme. " * 5 + GOOD).encode("cp1252"))
    (result,) = read(path)
    assert isinstance(result, Input)
    assert "déclaré" in result.extraction.text
    assert any("not valid UTF-8" in w for w in result.warnings)


def test_decode_reports_position_of_bad_byte():
    decoded = decode("Caf\u00e9 au lait, encore un caf\u00e9 s'il vous pla\u00eet.".encode("latin-1"), "x")
    assert decoded.warning and "byte 3" in decoded.warning


def test_malformed_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"text": "unterminated', encoding="utf-8")
    (error,) = read(path)
    assert isinstance(error, InputError) and error.reason.startswith("malformed JSON")


def test_jsonl_bad_lines_do_not_stop_the_file(tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [
        json.dumps({"text": GOOD, "title": "Talks", "published": "2025-03-14 20:30:26Z", "author": "A. Writer", "url": "https://www.example.org/a"}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps(["a list"]),
        json.dumps({"text": GOOD + " More."}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    results = read(path)
    assert [type(r).__name__ for r in results] == ["Input", "InputError", "InputError", "InputError", "Input"]
    assert str(results[1]).startswith(f"{path}:2: malformed JSON")
    assert "no 'text'" in str(results[2])
    first = results[0].extraction
    assert (first.title, first.published, first.url) == ("Talks", "2025-03-14 20:30:26Z", "https://www.example.org/a")
    assert first.authors[0].name == "A. Writer"
    article = build_article(results[0])
    assert article.published.value.isoformat() == "2025-03-14" and not article.published.inferred
    assert article.outlet == "example.org"


def test_json_array_of_records(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"text": GOOD}, {"text": ""}]), encoding="utf-8")
    results = read(path)
    assert isinstance(results[0], Input) and isinstance(results[1], InputError)
    assert str(results[1]).startswith(f"{path}[1]:")


def test_directory_with_one_bad_file_among_good_ones(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "c.txt").write_text(GOOD + " Again.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(GOOD, encoding="utf-8")
    results = read(tmp_path)
    assert [type(r).__name__ for r in results] == ["Input", "InputError", "Input"]
    assert "b.txt" in str(results[1])


def test_missing_path_and_empty_glob(tmp_path):
    results = read(tmp_path / "nope.txt", str(tmp_path / "*.none"))
    assert [str(e) for e in errors(results)] == [
        f"{tmp_path / 'nope.txt'}: no such file or directory",
        f"{tmp_path / '*.none'}: no file matches this pattern",
    ]


def test_glob(tmp_path):
    for name in ("x1.txt", "x2.txt", "y.txt"):
        (tmp_path / name).write_text(GOOD + name, encoding="utf-8")
    results = read(str(tmp_path / "x*.txt"))
    assert [r.source for r in results] == [str(tmp_path / "x1.txt"), str(tmp_path / "x2.txt")]


def test_gzip_and_corrupt_gzip(tmp_path):
    good = tmp_path / "a.txt.gz"
    good.write_bytes(gzip.compress(GOOD.encode()))
    bad = tmp_path / "b.txt.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    ok, error = read(good, bad)
    assert isinstance(ok, Input) and isinstance(error, InputError) and "corrupt gzip" in error.reason


def test_stdin_is_sniffed(monkeypatch):
    record = json.dumps({"text": GOOD, "title": "From stdin"})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(record.encode())))
    (result,) = read("-")
    assert result.source == "<stdin>" and result.extraction.title == "From stdin"


def test_as_is_keeps_text_byte_for_byte(tmp_path):
    text = "  *** ----> Title | OUTLET\n\nLeave a Reply\n" + GOOD + "\n"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    (result,) = read(path, as_is=True)
    assert result.extraction.text == text


def test_published_override_and_inference(tmp_path):
    from datetime import date

    item = Input("x", __import__("parallax.ingest", fromlist=["Extraction"]).Extraction(text=GOOD + " It happened on September 19, 2023."))
    given = build_article(item, ReadOptions(published=date(2023, 9, 20)))
    assert given.published.value == date(2023, 9, 20) and not given.published.inferred
    inferred = build_article(item)
    assert inferred.published.inferred and inferred.published.value == date(2023, 9, 19)


def test_parse_date_precisions():
    assert parse_date("2021-03") [1] == "month"
    assert parse_date("2021")[1] == "year"
    assert parse_date("2025-03-14 20:30:26Z")[0].isoformat() == "2025-03-14"
    assert parse_date("March 14, 2025")[0].isoformat() == "2025-03-14"
    with pytest.raises(ValueError):
        parse_date("not a date at all")


def test_non_english_is_stored_flagged_not_analysed(pipeline):
    from parallax.ingest import Extraction

    text = "Der Außenminister sagte am Montag, die Gespräche in Brüssel seien konstruktiv gewesen und würden fortgesetzt."
    article = build_article(Input("de.txt", Extraction(text=text)))
    assert article.language == "de"
    (result,) = list(pipeline.analyze([article]))
    assert result.analysed is False and result.entities == []
    assert any("not analysed" in w for w in result.warnings)
