"""File replay sources: JSONL (plain or gzipped) and CSV keep true line numbers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from stream.schema import parse_records
from stream.sources import read_batches


def _line(i: int) -> str:
    return json.dumps({"id": str(i), "created_at": 1795168800 + i, "author": f"a{i}", "text": f"post {i}"})


def test_jsonl_batches_keep_line_numbers_across_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join([_line(1), "", _line(3), "{broken", "", "", _line(7)]) + "\n")
    seen = []
    for batch in read_batches(str(path), batch_size=2):
        mentions, dead = parse_records(batch.records, batch.source, batch.first_line)
        seen += [("ok", m.id) for m in mentions] + [("dead", d.line) for d in dead]
    assert seen == [("ok", "1"), ("ok", "3"), ("dead", 4), ("ok", "7")]


def test_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(_line(i) for i in range(5000)))
    batches = list(read_batches(str(path), batch_size=2000))
    assert [len(b.records) for b in batches] == [2000, 2000, 1000]
    assert batches[-1].first_line == 4001


def test_csv_rows_convert_numbers_and_booleans(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "id,created_at,author,text,followers,verified,lang\n"
        "1,2026-11-20T10:00:00Z,ana,\"site down, again\",150000,true,en\n"
        "2,2026-11-20T10:01:00Z,bob,fine,,,\n"
        "3,,carl,no time,,,\n"
    )
    (batch,) = read_batches(str(path))
    mentions, dead = parse_records(batch.records, batch.source, batch.first_line)
    assert [(m.id, m.followers, m.verified, m.text) for m in mentions] == [
        ("1", 150000, True, "site down, again"), ("2", 0, False, "fine"),
    ]
    assert [(d.line, d.reason) for d in dead] == [(4, "missing field 'created_at'")]
