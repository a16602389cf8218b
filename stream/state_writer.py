"""Write what detection learned to Redis in one pipelined round trip per batch.

Voices and mention ids go into per-minute sets, so a re-delivered mention or a second
worker writing the same batch changes nothing; buckets that left the window are deleted,
so Redis memory follows the window, not the length of the stream.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict

import redis

from detectors.events import AlertEvent
from detectors.params import LadderParams
from state.keys import Keys
from state.scripts import BatchScripts
from stream.ingest import Complaint, IngestResult
from stream.privacy import redact

SAMPLES_PER_BATCH = 5
DEAD_LETTERS_KEPT = 10_000


def hour_of_week(t: float) -> int:
    """0 = Monday 00:00 UTC, 167 = Sunday 23:00 UTC."""
    days = int(t // 86400)
    return ((days + 3) % 7) * 24 + int(t % 86400 // 3600)  # 1970-01-01 was a Thursday


class StateWriter:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        retain_s: float,
        samples_per_topic: int = 200,
        sample_ttl_s: float = 7 * 86400,
        prominent: LadderParams | None = None,
        worker: str = "embedded",
    ) -> None:
        self.client = client
        self.keys = keys
        self.retain_s = retain_s
        self.samples_per_topic = samples_per_topic
        self.sample_ttl_s = int(sample_ttl_s)
        self.is_high_reach = (prominent or LadderParams()).is_high_reach  # the ladder's own rule
        self.worker = worker
        self._buckets: dict[str, set[int]] = defaultdict(set)
        self.scripts = BatchScripts(client)

    def write_config(self, topics: Sequence[dict[str, object]], window_s: float) -> None:
        self.client.hset(
            self.keys.config,
            mapping={"topics": json.dumps(list(topics)), "window_s": window_s, "loaded_at": time.time()},
        )

    def write_batch(
        self,
        ingest: IngestResult,
        watermark: float,
        snapshots: Iterable[tuple[str, dict[str, object]]],
        minutes: dict[str, dict[int, dict[str, object]]],
        alerts: Sequence[AlertEvent],
    ) -> None:
        keys = self.keys
        # One transaction: state and the alerts it implies land together or not at all, so a
        # worker that dies mid-batch never leaves an incident opened in state but never paged.
        pipe = self.client.pipeline(transaction=True)
        voices: dict[tuple[str, int], set[str]] = defaultdict(set)
        ids: dict[tuple[str, int], list[str]] = defaultdict(list)
        heat: dict[tuple[str, int], int] = defaultdict(int)
        mix: dict[tuple[str, str], int] = defaultdict(int)
        samples: dict[str, list[Complaint]] = defaultdict(list)
        for c in ingest.complaints:
            minute = int(c.t // 60) * 60
            voices[c.topic, minute].add(c.voice)
            ids[c.topic, minute].append(c.mention_id)
            heat[c.topic, hour_of_week(c.t)] += 1
            hour = int(c.t // 3600) * 3600
            mix[c.topic, f"{hour}|channel|{c.channel}"] += 1
            mix[c.topic, f"{hour}|lang|{c.lang}"] += 1
            samples[c.topic].append(c)
            if self.is_high_reach(c.followers, c.verified):
                pipe.lpush(keys.prominent, json.dumps(_sample(c) | {"topic": c.topic}))
        sets: dict[str, Sequence[str]] = {}
        for (topic, minute), members in voices.items():
            sets[keys.voices_bucket(topic, minute)] = list(members)
            sets[keys.ids_bucket(topic, minute)] = ids[topic, minute]
            self._buckets[topic].add(minute)
        self.scripts.sadd_many(pipe, sets)
        counters: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (topic, how), n in heat.items():
            counters[keys.heatmap(topic)].append((str(how), n))
        for (topic, field_name), n in mix.items():
            counters[keys.mix(topic)].append((field_name, n))
        self.scripts.hincrby_many(pipe, counters)
        for topic, items in samples.items():
            newest = sorted(items, key=lambda c: c.t)[-SAMPLES_PER_BATCH:]
            pipe.lpush(keys.samples(topic), *(json.dumps(_sample(c)) for c in newest))
            pipe.ltrim(keys.samples(topic), 0, self.samples_per_topic - 1)
            pipe.expire(keys.samples(topic), self.sample_ttl_s)
        pipe.ltrim(keys.prominent, 0, self.samples_per_topic - 1)
        self._evict(pipe, watermark)
        for topic, snap in snapshots:
            pipe.hset(keys.topic_state(topic), mapping={k: _field(v) for k, v in snap.items()})
        for topic, per_minute in minutes.items():
            if per_minute:
                pipe.hset(
                    keys.timeline(topic),
                    mapping={str(m): json.dumps(stat, separators=(",", ":")) for m, stat in per_minute.items()},
                )
        for alert in alerts:
            pipe.xadd(keys.alerts, {"json": json.dumps(alert.to_json(), ensure_ascii=False)})
        pipe.hset(keys.heartbeat, mapping={"wall": time.time(), "worker": self.worker})
        if watermark:
            pipe.hset(keys.heartbeat, "event", watermark)
        pipe.hincrby(keys.heartbeat, "complaints", len(ingest.complaints))
        pipe.execute()

    def write_ingest(self, ingest: IngestResult) -> None:
        """What the ingest stage alone knows: dead letters and mention counts."""
        pipe = self.client.pipeline(transaction=False)
        for letter in ingest.dead_letters:
            fields = {k: ("" if v is None else v) for k, v in asdict(letter).items()}
            pipe.xadd(self.keys.dead_letters, fields, maxlen=DEAD_LETTERS_KEPT, approximate=True)
        pipe.hincrby(self.keys.heartbeat, "mentions", ingest.mentions + len(ingest.dead_letters))
        pipe.hincrby(self.keys.heartbeat, "dead_letters", len(ingest.dead_letters))
        pipe.execute()

    def _evict(self, pipe: redis.client.Pipeline, watermark: float) -> None:
        cutoff = watermark - self.retain_s
        expired: list[str] = []
        for topic, minutes in self._buckets.items():
            for minute in [m for m in minutes if m + 60 <= cutoff]:
                expired += [self.keys.voices_bucket(topic, minute), self.keys.ids_bucket(topic, minute)]
                minutes.discard(minute)
        if expired:
            pipe.delete(*expired)

    def heartbeat(self) -> None:
        self.client.hset(self.keys.heartbeat, mapping={"wall": time.time(), "worker": self.worker})


def _sample(c: Complaint) -> dict[str, object]:
    return {
        "at": c.t,
        "text": redact(c.text)[:500],
        "lang": c.lang,
        "channel": c.channel,
        "followers": c.followers,
        "verified": c.verified,
        "voice": c.voice,
    }


def _field(value: object) -> str | float | int:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    return value  # type: ignore[return-value]
