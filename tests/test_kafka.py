"""``crisiswatch produce`` against a real broker. Runs only when KAFKA_URL is set, e.g.

    docker compose up -d kafka && KAFKA_URL=kafka://localhost:29092 pytest tests/test_kafka.py

Each test publishes to a topic of its own, so a running deployment's topics are never touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("KAFKA_URL"):
    pytest.skip("KAFKA_URL not set: no Kafka broker on this machine", allow_module_level=True)

from aiokafka import AIOKafkaConsumer  # noqa: E402
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from crisiswatch.produce import bootstrap_servers, produce  # noqa: E402
from stream.scenarios import bad_input  # noqa: E402
from stream.schema import parse_records  # noqa: E402
from stream.sources import read_batches  # noqa: E402

pytestmark = pytest.mark.kafka

KAFKA_URL = os.environ["KAFKA_URL"]
SERVERS = bootstrap_servers(KAFKA_URL)
PARTITIONS = 3
NOW = 2_000_000_000.0  # after every scenario's event times


async def _admin(action: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=SERVERS)
    await admin.start()
    try:
        if action == "create":
            await admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])
        else:
            await admin.delete_topics([topic])
    finally:
        await admin.close()


async def _consume(topic: str, expected_records: int) -> list[Any]:
    """Read the topic from the start until every expected record is back (or nothing more comes)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=SERVERS, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None,
    )
    await consumer.start()
    messages: list[Any] = []
    try:
        idle = 0
        while sum(len(json.loads(m.value)["records"]) for m in messages) < expected_records and idle < 30:
            batch = await consumer.getmany(timeout_ms=1000)
            got = [m for part in batch.values() for m in part]
            messages += got
            idle = 0 if got else idle + 1
    finally:
        await consumer.stop()
    return messages


@pytest.fixture
def topic() -> Iterator[str]:
    name = f"crisiswatch-test-{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin("create", name))
    yield name
    asyncio.run(_admin("delete", name))


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad_input.jsonl"
    path.write_text("\n".join(bad_input().lines) + "\n", encoding="utf-8")
    return path


def test_produced_file_lands_complete_and_spread_over_partitions(topic: str, scenario_file: Path) -> None:
    # the records as a local replay reads them (blank lines skipped), with their file lines
    local = list(read_batches(str(scenario_file)))
    lines = [r.decode("utf-8") for b in local for r in b.records]
    result = CliRunner().invoke(produce, [str(scenario_file), "--topic", topic, "--batch", "200"],
                                env={"KAFKA_URL": KAFKA_URL})
    assert result.exit_code == 0, result.output
    assert f"published {len(lines):,} records" in result.output

    messages = _consume_sync(topic, len(lines))
    batches = sorted((json.loads(m.value) for m in messages), key=lambda b: b["first_line"])
    assert [r for b in batches for r in b["records"]] == lines
    assert {b["source"] for b in batches} == {str(scenario_file)}
    assert len({m.partition for m in messages}) > 1

    # what the ingest agent makes of it: the scenario's malformed records, at their file lines
    dead = [d for b in batches for d in parse_records(b["records"], b["source"], b["first_line"], now=NOW)[1]]
    direct = [d for b in local for d in parse_records(b.records, b.source, b.first_line, now=NOW)[1]]
    assert len(dead) >= 90
    assert [(d.reason, d.line) for d in dead] == [(d.reason, d.line) for d in direct]


def _consume_sync(topic: str, expected_records: int) -> list[Any]:
    return asyncio.run(_consume(topic, expected_records))
