"""Several workers sharing one Redis count exactly like one, even when one dies mid-batch.

Kafka cannot run here, so the test plays Kafka's part: raw batches go round-robin to the
workers' ingest stage, complaint parts are keyed by topic to the worker that owns the topic
(as the `complaints` topic's partitions would be), and a worker that dies after writing its
state but before committing has its part redelivered to the topic's new owner.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from pathlib import Path

import pytest
import redis

from crisiswatch.backtest import run_lines
from crisiswatch.job import Job
from crisiswatch.settings import Settings, load_settings
from state.keys import Keys
from state.runtime import State
from state.server import EmbeddedRedis
from stream.scenarios import duplicates_late

CONFIG = str(Path(__file__).resolve().parent.parent / "thresholds.yaml")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(CONFIG)


def recorded_alerts(client: redis.Redis, keys: Keys) -> list[tuple[str, str, str, str]]:
    """The alerts stream, which the escalation worker consumes: what will actually be paged."""
    out = []
    for _, fields in client.xrange(keys.alerts):
        a = json.loads(fields["json"])
        out.append((a["event"], a["incident_id"], a["topic"], a["severity"]))
    return out


def topic_counts(client: redis.Redis, keys: Keys, topics: tuple[str, ...]) -> dict[str, tuple[str, str, str]]:
    return {t: tuple(client.hmget(keys.topic_state(t), "voices", "mentions", "severity")) for t in topics}


def test_three_workers_with_a_crash_match_one_worker(
    settings: Settings, redis_client: redis.Redis, redis_server: EmbeddedRedis, namespace: str
) -> None:
    lines = duplicates_late().lines
    topics = settings.classifier.topics

    single = State(redis_client, Keys(namespace + "-one"), redis_server.url)
    asyncio.run(run_lines(Job(settings, single, paging=False), lines, batch=400))

    shared = State(redis_client, Keys(namespace + "-three"), redis_server.url)
    workers = [Job(settings, shared, paging=False, worker=f"w{i}") for i in range(3)]
    owners = {t: workers[zlib.crc32(t.encode()) % 3] for t in topics}
    crashed = False
    for n, start in enumerate(range(0, len(lines), 400)):
        result = workers[n % 3].ingest_stage(lines[start : start + 400], "feed", start + 1)
        for topic, part in result.split_by_topic(topics).items():
            owner = owners[topic]
            if topic == "billing" and part.complaints and not crashed and n > len(lines) // 800:
                # the owner writes this part's state, then dies before committing its offset
                owner.restoring_detect_stage(part)
                crashed = True
                survivor = next(w for w in workers if w is not owner)
                owners = {t: (survivor if o is owner else o) for t, o in owners.items()}
                owner = survivor  # Kafka redelivers the uncommitted part to the new owner
            owner.restoring_detect_stage(part)
    assert crashed

    assert topic_counts(redis_client, shared.keys, topics) == topic_counts(redis_client, single.keys, topics)
    merged, alone = recorded_alerts(redis_client, shared.keys), recorded_alerts(redis_client, single.keys)
    assert sorted(merged) == sorted(alone)
    incidents = {a[1] for a in merged if a[2] == "billing" and a[0] == "opened"}
    assert len(incidents) == 1, "exactly one incident for the billing crisis episode"
