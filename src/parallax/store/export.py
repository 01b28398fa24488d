"""Export a stored table as JSON Lines, CSV or Parquet."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import IO, Iterable

from ..errors import ParallaxError
from .tables import TABLES

FORMATS = ("jsonl", "csv", "parquet")


def _columns(table: str, rows: list[dict]) -> list[str]:
    if table in TABLES:
        return list(TABLES[table].columns)
    return list(rows[0]) if rows else []


def export_rows(table: str, rows: Iterable[dict], fmt: str, output: Path | None) -> int:
    """Write ``rows`` of ``table`` to ``output`` (stdout when None, except for Parquet). Returns the row count."""
    if fmt not in FORMATS:
        raise ParallaxError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if output is None:
            raise ParallaxError("Parquet is binary: give an output file with --output")
        import pyarrow as pa
        import pyarrow.parquet as pq

        materialised = list(rows)
        columns = _columns(table, materialised)
        data = pa.table({c: [r.get(c) for r in materialised] for c in columns})
        pq.write_table(data, output)
        return len(materialised)
    handle: IO[str] = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        return _write_text(table, rows, fmt, handle)
    finally:
        if output:
            handle.close()


def _write_text(table: str, rows: Iterable[dict], fmt: str, handle: IO[str]) -> int:
    count = 0
    writer = None
    for row in rows:
        if fmt == "jsonl":
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=_columns(table, [row]))
                writer.writeheader()
            writer.writerow(row)
        count += 1
    if fmt == "csv" and writer is None:
        csv.writer(handle).writerow(_columns(table, []))
    return count
