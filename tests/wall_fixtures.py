"""Write pipeline state the way the pipeline does (layout of ``state.keys``), for wall tests.

Deliberately independent of ``dashboard/``: if the wall's reader and this writer disagree about
the layout, the tests fail instead of agreeing with themselves.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import redis

from detectors.events import iso_utc
from state.keys import Keys

WINDOW_S = 1800


@dataclass
class TopicSpec:
    name: str
    label: str
    severity: str = "calm"
    voices: int = 0
    since_ago_s: float = 3600.0
    baseline: float = 20.0
    emerging: float = 60.0
    crisis: float = 200.0
    trend: str = "flat"
    priority: bool = False
    languages: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    incident_id: str = ""


class WallWriter:
    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client = client
        self.keys = Keys(namespace)

    def config(self, topics: list[TopicSpec]) -> None:
        self.client.hset(self.keys.config, mapping={
            "topics": json.dumps([{"name": t.name, "label": t.label, "priority": t.priority} for t in topics]),
            "window_s": WINDOW_S,
        })

    def heartbeat(self, event: float, wall: float | None = None) -> None:
        self.client.hset(self.keys.heartbeat, mapping={
            "wall": time.time() if wall is None else wall, "event": event,
            "mentions": 1234, "complaints": 321, "dead_letters": 2,
        })

    def topic(self, spec: TopicSpec, end: float, minutes: int = 180) -> None:
        """The topic's current state plus a timeline whose window voices climb to ``spec.voices``."""
        self.client.hset(self.keys.topic_state(spec.name), mapping={
            "severity": spec.severity, "since": end - spec.since_ago_s, "voices": spec.voices,
            "mentions": spec.voices + 3, "baseline": spec.baseline,
            "ratio": round(spec.voices / spec.baseline, 2) if spec.baseline else 0,
            "emerging_threshold": spec.emerging, "crisis_threshold": spec.crisis,
            "incident_id": spec.incident_id, "trend": spec.trend,
            "languages": json.dumps(spec.languages), "channels": json.dumps(spec.channels),
            "high_reach": 0, "reason": f"{spec.voices} voices in 30m", "updated_at": end,
        })
        last = int(end // 60) * 60
        timeline = {}
        for i in range(minutes):
            minute = last - (minutes - 1 - i) * 60
            window = int(spec.voices * (i + 1) / minutes)
            timeline[str(minute)] = json.dumps({
                "m": window // 10 + 1, "v": max(1, window // 30), "w": window, "b": spec.baseline,
                "e": spec.emerging, "c": spec.crisis, "s": spec.severity,
            })
        self.client.hset(self.keys.timeline(spec.name), mapping=timeline)

    def heatmap(self, topic: str, counts: dict[int, int]) -> None:
        self.client.hset(self.keys.heatmap(topic), mapping={str(h): n for h, n in counts.items()})

    def sample(self, topic: str, at: float, text: str, lang: str = "en", channel: str = "x",
               followers: int = 50, verified: bool = False) -> None:
        self.client.lpush(self.keys.samples(topic), json.dumps({
            "at": at, "text": text, "lang": lang, "channel": channel, "followers": followers,
            "verified": verified, "voice": "v-" + str(abs(hash(text)) % 10_000),
        }))

    def prominent(self, topic: str, at: float, text: str, followers: int, verified: bool = True) -> None:
        self.client.lpush(self.keys.prominent, json.dumps({
            "at": at, "topic": topic, "voice": "v-prominent", "followers": followers, "verified": verified,
            "channel": "x", "lang": "en", "text": text,
        }))

    def incident(self, incident_id: str, topic: str, severity: str, opened_at: float, **extra: Any) -> None:
        record: dict[str, Any] = {
            "incident_id": incident_id, "topic": topic, "severity": severity, "status": "open",
            "opened_at": iso_utc(opened_at), "escalated_at": None, "acknowledged_at": None,
            "acknowledged_by": None, "resolved_at": None, "resolved_by": None, "peak_voices": 250,
            "voices": 240, "reason": "240 voices in 30m", "muted": False, "level": 1,
            "pages": [{"at": iso_utc(opened_at + 5), "receiver": "pagerduty-pr-lead", "level": 1,
                       "kind": "trigger", "status": "sent", "attempts": 1, "error": ""}],
        }
        record.update(extra)
        self.client.hset(self.keys.incidents, incident_id, json.dumps(record))

    def incident_record(self, incident_id: str) -> dict[str, Any]:
        return json.loads(self.client.hget(self.keys.incidents, incident_id))


def standard_topics() -> list[TopicSpec]:
    return [
        TopicSpec("outage", "Outage", "crisis", 240, since_ago_s=1500, trend="up", priority=True,
                  languages={"en": 120, "ro": 80, "el": 40}, channels={"x": 150, "facebook": 90},
                  incident_id="outage-1"),
        TopicSpec("billing", "Billing", "emerging", 70, since_ago_s=900, trend="up",
                  languages={"en": 50, "id": 20}, channels={"instagram": 70}),
        TopicSpec("delivery", "Delivery", "calm", 4, trend="down"),
        TopicSpec("safety", "Product safety", "isolated", 2, priority=True),
    ]


def write_scene(writer: WallWriter, end: float, topics: list[TopicSpec] | None = None) -> list[TopicSpec]:
    """A war room mid-incident: one crisis (paged, not acknowledged), one emerging, two calm."""
    topics = topics or standard_topics()
    writer.config(topics)
    for spec in topics:
        writer.topic(spec, end)
        writer.heatmap(spec.name, {9 + 24 * d: 40 + d for d in range(5)} | {14 + 24: 90})
    writer.sample("outage", end - 120, "App down again, mail me at jane.doe@example.com or call +40 721 555 123")
    writer.sample("outage", end - 60, "@bigbrand_help your site is down for an hour", lang="ro", channel="facebook")
    writer.sample("billing", end - 30, "Charged twice this month", channel="instagram")
    writer.prominent("outage", end - 90, "Whole service is down, @bigbrand fix it", followers=2_300_000)
    writer.incident("outage-1", "outage", "crisis", end - 1500)
    writer.heartbeat(event=end)
    return topics
