"""``crisiswatch produce`` without a broker: the messages it builds and the errors it gives.

Publishing to a real broker is in test_kafka.py (runs when KAFKA_URL is set).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from crisiswatch.produce import ProduceStats, bootstrap_servers, encode_messages, file_messages, produce
from stream.scenarios import bad_input, isolated_gripes
from stream.schema import parse_records
from stream.sources import read_batches

NOW = 2_000_000_000.0  # after every scenario's event times, so none is "from the future"


def _as_ingest_agent_reads(value: bytes) -> tuple[list, list]:
    batch = json.loads(value)
    return parse_records(batch["records"], batch.get("source", ""), batch.get("first_line"), now=NOW)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad_input.jsonl"
    path.write_text("\n".join(bad_input().lines) + "\n", encoding="utf-8")
    return path


def test_messages_parse_like_the_file_itself(scenario_file: Path) -> None:
    """Same mentions and the same dead letters, with the same file line numbers, as a local replay."""
    direct_good, direct_bad = [], []
    for batch in read_batches(str(scenario_file), 2000):
        good, bad = parse_records(batch.records, batch.source, batch.first_line, now=NOW)
        direct_good += good
        direct_bad += bad

    sent_good, sent_bad = [], []
    stats = ProduceStats()
    messages = list(file_messages([str(scenario_file)], 500, stats))
    for message in messages:
        good, bad = _as_ingest_agent_reads(message.value)
        sent_good += good
        sent_bad += bad

    assert len(messages) > 1
    assert len(direct_good) > 1000
    assert [m.id for m in sent_good] == [m.id for m in direct_good]
    assert [(d.reason, d.line) for d in sent_bad] == [(d.reason, d.line) for d in direct_bad]
    assert len(direct_bad) >= 90  # the scenario's malformed records
    assert all(d.source == str(scenario_file) for d in sent_bad)


def test_an_oversized_batch_is_split_and_keeps_line_numbers() -> None:
    records = isolated_gripes().lines[:40]
    assert not parse_records(records, now=NOW)[1]
    records[33] = "{not json"
    messages = list(encode_messages(records, "big.jsonl", 101, limit=4000))
    assert len(messages) > 3
    assert all(0 < len(m.value) <= 4000 for m in messages)
    rejoined = [r for m in messages for r in json.loads(m.value)["records"]]
    assert rejoined == records
    dead = [d for m in messages for d in _as_ingest_agent_reads(m.value)[1]]
    assert [d.line for d in dead] == [101 + 33]


def test_messages_are_keyed_so_they_spread_over_partitions(scenario_file: Path) -> None:
    keys = [m.key for m in file_messages([str(scenario_file)], 100, ProduceStats())]
    assert len(keys) > 5
    assert len(set(keys)) == len(keys)


def test_lines_that_are_not_utf8_are_sent_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"id": "a", "text": "caf\xe9"}\n{"id": "b"}\n')
    stats = ProduceStats()
    messages = list(file_messages([str(path)], 500, stats))
    assert sum(m.records for m in messages) == 2
    assert stats.not_utf8 == 1
    assert stats.first_not_utf8 == f"{path}:1"


@pytest.mark.parametrize(("url", "servers"), [
    ("kafka://kafka:9092", ["kafka:9092"]),
    ("kafka://a:9092;b:9093", ["a:9092", "b:9093"]),
    ("a:1,b", ["a:1", "b:9092"]),
])
def test_kafka_url_forms(url: str, servers: list[str]) -> None:
    assert bootstrap_servers(url) == servers


def test_missing_kafka_url_is_a_clear_usage_error(scenario_file: Path) -> None:
    result = CliRunner().invoke(produce, [str(scenario_file)], env={"KAFKA_URL": None})
    assert result.exit_code == 2
    assert "KAFKA_URL" in result.output


def test_unreachable_broker_is_a_clear_error(scenario_file: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(produce, [str(scenario_file), "--kafka-url", f"kafka://127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert f"cannot reach Kafka at kafka://127.0.0.1:{port}" in result.output
