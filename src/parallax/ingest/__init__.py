"""Ingestion: any input (files, directories, globs, stdin; text, HTML, JSON/JSONL) to :class:`Article`.

Reading happens in two steps. :func:`read_inputs` turns paths into a stream of
:class:`Extraction` objects (or :class:`InputError` for inputs that cannot be
read, so one bad file never stops a batch), and :func:`build_article` turns an
extraction into an :class:`Article` with its metadata completed.
"""

from __future__ import annotations

import glob
import gzip
import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlparse

from ..errors import InputError
from ..model import Article, Author, PublicationDate, article_id, paragraph_offsets
from .base import Extraction
from .decode import DEFAULT_MAX_BYTES, check_size, decode
from .language import detect_language

__all__ = ["Extraction", "Input", "ReadOptions", "read_inputs", "build_article", "parse_date"]


@dataclass
class ReadOptions:
    as_is: bool = False  # take every input as already clean text, untouched, so spans index the input exactly
    max_bytes: int = DEFAULT_MAX_BYTES
    published: date | None = None  # overrides any date found in the input


@dataclass
class Input:
    """One document read from an input, before analysis."""

    source: str
    extraction: Extraction
    warnings: list[str] = field(default_factory=list)


Reader = Callable[[str, str, ReadOptions], Iterator["Input | InputError"]]


def _read_text(text: str, source: str, options: ReadOptions) -> Iterator[Input | InputError]:
    if options.as_is:
        yield Input(source, Extraction(text=text))
        return
    from .text import clean_scraped_text

    yield Input(source, clean_scraped_text(text))


def _read_html(text: str, source: str, options: ReadOptions) -> Iterator[Input | InputError]:
    if options.as_is:
        yield Input(source, Extraction(text=text))
        return
    from .html import extract_html

    yield Input(source, extract_html(text, source))


def _record_to_input(record: Any, source: str, options: ReadOptions) -> Input:
    if not isinstance(record, dict):
        raise InputError(source, f"expected a JSON object, found {type(record).__name__}")
    body, html = record.get("text"), record.get("html")
    if not (isinstance(body, str) and body.strip()) and not (isinstance(html, str) and html.strip()):
        raise InputError(source, "record has no 'text' (or 'html') field with content")
    if isinstance(body, str) and body.strip():
        extraction = Extraction(text=body)  # records carry extracted text: keep it as given
    else:
        from .html import extract_html

        extraction = extract_html(html, source, url=record.get("url"))
    authors = record.get("author") or record.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.replace(" and ", ";").split(";")]
    for key, value in (("title", "title"), ("url", "url"), ("outlet", "outlet"), ("published", "published")):
        if isinstance(record.get(value), str) and record[value].strip():
            setattr(extraction, key, record[value].strip())
    if authors:
        extraction.authors = [Author(name=a) for a in authors if isinstance(a, str) and a.strip()]
    return Input(source, extraction)


def _read_json(text: str, source: str, options: ReadOptions) -> Iterator[Input | InputError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # Not one JSON document: maybe JSON Lines under a .json name.
        if text.lstrip().startswith("{") and "\n" in text.strip():
            yield from _read_jsonl(text, source, options)
            return
        yield InputError(source, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        name = f"{source}[{index}]" if isinstance(data, list) else source
        try:
            yield _record_to_input(record, name, options)
        except InputError as exc:
            yield exc


def _read_jsonl(text: str, source: str, options: ReadOptions) -> Iterator[Input | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(name, f"malformed JSON: {exc.msg} at column {exc.colno}")
            continue
        try:
            yield _record_to_input(record, name, options)
        except InputError as exc:
            yield exc


# Reader by file suffix; anything else is read as plain text.
READERS: dict[str, Reader] = {
    ".txt": _read_text,
    ".text": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".xhtml": _read_html,
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
}
# Record files are corpora, not single articles: the size limit applies to each record instead.
_CORPUS_SUFFIXES = {".jsonl", ".ndjson", ".json"}


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _sniff_reader(text: str) -> Reader:
    head = text.lstrip()[:512].lower()
    if head.startswith(("{", "[")):
        return _read_json
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head:
        return _read_html
    return _read_text


def _expand(paths: Iterable[str]) -> Iterator[str | Path]:
    """Paths, with directories walked (sorted, hidden files skipped) and globs expanded."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    if child.name.lower() not in {"readme.md", "license", "license.txt"}:
                        yield child
        elif path.exists():
            yield path
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield InputError(raw, "no file matches this pattern")  # type: ignore[misc]
            for match in matches:
                if Path(match).is_file():
                    yield Path(match)
        else:
            yield InputError(raw, "no such file or directory")  # type: ignore[misc]


def _read_one(item: str | Path, options: ReadOptions) -> Iterator[Input | InputError]:
    if item == "-":
        source = "<stdin>"
        data = sys.stdin.buffer.read(options.max_bytes + 1)
        check_size(len(data), source, options.max_bytes)
        reader: Reader | None = None
    else:
        path = Path(item)
        source = str(path)
        suffix = _suffix(path)
        if suffix not in _CORPUS_SUFFIXES:
            check_size(path.stat().st_size, source, options.max_bytes)
        data = path.read_bytes()
        if path.suffix.lower() == ".gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise InputError(source, f"corrupt gzip data: {exc}") from None
        reader = READERS.get(suffix)
    decoded = decode(data, source)
    warnings = [decoded.warning] if decoded.warning else []
    if options.as_is and reader is not _read_jsonl and reader is not _read_json:
        reader = _read_text
    for result in (reader or _sniff_reader(decoded.text))(decoded.text, source, options):
        if isinstance(result, Input):
            result.warnings.extend(warnings)
        yield result


def read_inputs(paths: Iterable[str], options: ReadOptions | None = None) -> Iterator[Input | InputError]:
    """Every document in ``paths``, in order, each an :class:`Input` or the :class:`InputError` it raised."""
    options = options or ReadOptions()
    for item in _expand(paths):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield from _read_one(item, options)
        except InputError as exc:
            yield exc
        except OSError as exc:
            yield InputError(str(item), exc.strerror or str(exc))


def parse_date(value: str) -> tuple[date, str]:
    """An ISO-like date string as (date, precision): '2025-03-14T20:30Z' -> day, '2021-03' -> month, '2021' -> year."""
    value = value.strip()
    for fmt, precision in (("%Y-%m", "month"), ("%Y", "year")):
        try:
            return datetime.strptime(value, fmt).date(), precision
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date(), "day"
    except ValueError:
        pass
    import dateparser  # parses a string already known to be a date; never searches free text

    parsed = dateparser.parse(value, settings={"STRICT_PARSING": True})
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return parsed.date(), "day"


def _outlet_from_url(url: str | None) -> str | None:
    host = urlparse(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def build_article(item: Input, options: ReadOptions | None = None) -> Article:
    """Complete an input's metadata (date, genre, language, outlet) and make it an :class:`Article`."""
    from .metadata import classify_genre, infer_published

    options = options or ReadOptions()
    ex = item.extraction
    if not ex.text.strip():
        raise InputError(item.source, "no text left after removing boilerplate")
    warnings = list(item.warnings)
    published: PublicationDate | None = None
    if options.published:
        published = PublicationDate(value=options.published, precision="day", source="given")
    elif ex.published:
        try:
            value, precision = parse_date(ex.published)
            published = PublicationDate(value=value, precision=precision, source="given")
        except ValueError:
            warnings.append(f"ignored unreadable publication date {ex.published!r}")
    if published is None and not options.as_is:
        published = infer_published(ex.text)
    genre, signals = classify_genre(ex.text, ex.title, ex.authors, ex.genre_signals)
    language, score = detect_language(ex.text)
    return Article(
        id=article_id(ex.text),
        source=item.source,
        url=ex.url,
        outlet=ex.outlet or _outlet_from_url(ex.url),
        title=ex.title,
        authors=ex.authors,
        published=published,
        genre=genre,
        genre_signals=signals,
        language=language,
        language_score=score,
        warnings=warnings,
        text=ex.text,
        paragraphs=paragraph_offsets(ex.text),
        removed=ex.removed,
    )
