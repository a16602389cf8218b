"""Where mentions come from in embedded mode: files to replay (JSONL or CSV, optionally gzipped).

Files are read in batches of raw lines; parsing happens in the ingest stage so a bad line
becomes a dead letter with its file and line number instead of stopping the replay.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

BATCH = 2000
_CSV_INTS = ("followers",)
_CSV_BOOLS = ("verified",)


@dataclass(slots=True)
class Batch:
    records: list[Any]
    source: str
    first_line: int
    bytes_read: int


def _open_binary(path: str) -> io.BufferedIOBase:
    if path == "-":
        import sys

        return sys.stdin.buffer
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller's generator
    if path.endswith(".gz"):
        return gzip.open(raw)  # type: ignore[return-value]
    return raw


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    """CSV cells are text: empty means absent, numbers and booleans are converted when valid."""
    out: dict[str, Any] = {k: v for k, v in row.items() if k and v not in ("", None)}
    for key in _CSV_INTS:
        if key in out and out[key].strip().isdigit():
            out[key] = int(out[key])
    for key in _CSV_BOOLS:
        if key in out and out[key].strip().lower() in ("true", "false", "1", "0", "yes", "no"):
            out[key] = out[key].strip().lower() in ("true", "1", "yes")
    return out


def read_batches(path: str, batch_size: int = BATCH) -> Iterator[Batch]:
    """Yield batches of raw records; CSV rows come as dicts, JSON lines as bytes."""
    is_csv = path.removesuffix(".gz").endswith(".csv")
    fh = _open_binary(path)
    try:
        if is_csv:
            reader = csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline=""))
            records: list[Any] = []
            first = 2
            for row in reader:
                records.append(_csv_row(row))
                if len(records) >= batch_size:
                    yield Batch(records, path, first, _position(fh))
                    first += len(records)
                    records = []
            if records:
                yield Batch(records, path, first, _position(fh))
            return
        line_no = 1
        lines: list[bytes] = []
        first = 1
        for line in fh:
            stripped = line.strip()
            if stripped:
                if not lines:
                    first = line_no
                lines.append(stripped)
            line_no += 1
            # a batch holds consecutive lines only, so first_line + offset stays the true line
            if len(lines) >= batch_size or (not stripped and lines):
                yield Batch(lines, path, first, _position(fh))
                lines = []
        if lines:
            yield Batch(lines, path, first, _position(fh))
    finally:
        if path != "-":
            fh.close()


def _position(fh: io.BufferedIOBase) -> int:
    try:
        inner = getattr(fh, "fileobj", None) or fh
        return inner.tell()
    except (OSError, ValueError):
        return 0


def total_bytes(paths: list[str]) -> int:
    return sum(os.path.getsize(p) for p in paths if p != "-" and os.path.exists(p))
