"""Everything one wall refresh needs, read from Redis in two pipelined round trips.

The wall shows what the pipeline decided; nothing here counts, compares or classifies. Values
arrive as strings written by other processes, so every field is parsed defensively: a missing
or malformed field shows as empty on the wall instead of breaking the refresh.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from detectors.events import SEVERITY_RANK, to_epoch
from state.keys import Keys
from stream.privacy import redact

SEVERITIES = ("calm", "isolated", "emerging", "crisis")
HOURS_OF_WEEK = [str(h) for h in range(168)]


@dataclass(frozen=True)
class Point:
    """One minute of a topic's timeline."""

    minute: int
    voices: int  # distinct voices that minute
    window: int  # voices in the sliding window ending that minute
    baseline: float
    emerging: float
    crisis: float
    severity: str


@dataclass
class TopicView:
    name: str
    label: str
    priority: bool = False
    severity: str = "calm"
    since: float | None = None
    voices: int = 0
    mentions: int = 0
    baseline: float = 0.0
    ratio: float = 0.0
    emerging_threshold: float = 0.0
    crisis_threshold: float = 0.0
    incident_id: str = ""
    trend: str = "flat"
    languages: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    high_reach: int = 0
    reason: str = ""
    updated_at: float | None = None
    has_state: bool = False
    timeline: list[Point] = field(default_factory=list)  # every minute; read only for charted topics
    spark: list[float] = field(default_factory=list)  # window voices across the range, for the tile
    charted: bool = False
    heat: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    at: float | None
    receiver: str
    level: int
    kind: str
    status: str


@dataclass
class Incident:
    incident_id: str
    topic: str
    severity: str
    status: str
    opened_at: float | None
    escalated_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str = ""
    resolved_at: float | None = None
    resolved_by: str = ""
    peak_voices: int = 0
    voices: int = 0
    reason: str = ""
    muted: bool = False
    level: int = 0
    pages: list[Page] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    @property
    def time_to_ack(self) -> float | None:
        if self.acknowledged_at is None or self.opened_at is None:
            return None
        return self.acknowledged_at - self.opened_at


@dataclass(frozen=True)
class Sample:
    at: float | None
    topic: str
    text: str
    lang: str
    channel: str
    followers: int
    verified: bool


@dataclass(frozen=True)
class Heartbeat:
    wall: float | None = None  # pipeline's wall clock at its last heartbeat
    event: float | None = None  # newest event time it has processed
    mentions: int = 0
    complaints: int = 0
    dead_letters: int = 0


@dataclass
class WallData:
    topics: list[TopicView]
    incidents: list[Incident]  # every incident of the shown topics, newest first
    samples: list[Sample]  # newest first, across the shown topics
    prominent: list[Sample]
    heartbeat: Heartbeat
    window_s: float
    end: float  # event time the chart range ends at
    range_s: float
    configured: bool  # the pipeline has written its topic list
    unknown_topics: list[str] = field(default_factory=list)

    @property
    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if i.is_open]


def _float(value: Any, default: float | None = None) -> float | None:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _int(value: Any) -> int:
    return int(_float(value, 0.0) or 0)


def _json(value: Any, default: Any) -> Any:
    if not value:
        return default
    try:
        out = json.loads(value)
    except (TypeError, ValueError):
        return default
    return out if isinstance(out, type(default)) else default


def _config_topics(config: dict[str, str]) -> list[dict[str, Any]]:
    topics = []
    for item in _json(config.get("topics"), []):
        if isinstance(item, dict) and item.get("name"):
            topics.append(item)
        elif isinstance(item, str):
            topics.append({"name": item})
    return topics


def _topic(meta: dict[str, Any], state: dict[str, str]) -> TopicView:
    name = str(meta["name"])
    severity = state.get("severity", "calm")
    return TopicView(
        name=name,
        label=str(meta.get("label") or name),
        priority=bool(meta.get("priority")),
        severity=severity if severity in SEVERITIES else "calm",
        since=_float(state.get("since")),
        voices=_int(state.get("voices")),
        mentions=_int(state.get("mentions")),
        baseline=_float(state.get("baseline"), 0.0) or 0.0,
        ratio=_float(state.get("ratio"), 0.0) or 0.0,
        emerging_threshold=_float(state.get("emerging_threshold"), 0.0) or 0.0,
        crisis_threshold=_float(state.get("crisis_threshold"), 0.0) or 0.0,
        incident_id=state.get("incident_id", ""),
        trend=state.get("trend", "flat") or "flat",
        languages=_json(state.get("languages"), {}),
        channels=_json(state.get("channels"), {}),
        high_reach=_int(state.get("high_reach")),
        reason=state.get("reason", ""),
        updated_at=_float(state.get("updated_at")),
        has_state=bool(state),
    )


def _point(minute: int, raw: str) -> Point | None:
    try:
        stat = json.loads(raw)
        return Point(minute, int(stat.get("v") or 0), int(stat.get("w") or 0), float(stat.get("b") or 0.0),
                     float(stat.get("e") or 0.0), float(stat.get("c") or 0.0), str(stat.get("s") or "calm"))
    except (TypeError, ValueError, AttributeError):
        return None


def _window_voices(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        return float(json.loads(raw).get("w") or 0)
    except (TypeError, ValueError, AttributeError):
        return None


def chart_order(topics: Sequence[TopicView]) -> list[TopicView]:
    """Most severe first, then furthest above usual, then loudest: who gets the chart's room."""
    return sorted(topics, key=lambda t: (-SEVERITY_RANK.get(t.severity, 0), -t.ratio, -t.voices))


def _incident(raw: str) -> Incident | None:
    data = _json(raw, {})
    if not data.get("incident_id"):
        return None
    pages = [
        Page(to_epoch(p.get("at")), str(p.get("receiver", "")), _int(p.get("level")),
             str(p.get("kind", "")), str(p.get("status", "")))
        for p in data.get("pages") or [] if isinstance(p, dict)
    ]
    return Incident(
        incident_id=str(data["incident_id"]),
        topic=str(data.get("topic", "")),
        severity=str(data.get("severity", "")),
        status=str(data.get("status", "open")),
        opened_at=to_epoch(data.get("opened_at")),
        escalated_at=to_epoch(data.get("escalated_at")),
        acknowledged_at=to_epoch(data.get("acknowledged_at")),
        acknowledged_by=str(data.get("acknowledged_by") or ""),
        resolved_at=to_epoch(data.get("resolved_at")),
        resolved_by=str(data.get("resolved_by") or ""),
        peak_voices=_int(data.get("peak_voices")),
        voices=_int(data.get("voices")),
        reason=str(data.get("reason") or ""),
        muted=bool(data.get("muted")),
        level=_int(data.get("level")),
        pages=pages,
    )


def _sample(raw: str, topic: str | None = None) -> Sample | None:
    data = _json(raw, {})
    if not data:
        return None
    return Sample(
        at=to_epoch(data.get("at")),
        topic=str(topic or data.get("topic", "")),
        text=redact(str(data.get("text", ""))),
        lang=str(data.get("lang") or "?"),
        channel=str(data.get("channel") or "?"),
        followers=_int(data.get("followers")),
        verified=bool(data.get("verified")),
    )


def read_wall(
    client: redis.Redis,
    keys: Keys,
    topics: Sequence[str] = (),
    range_s: float = 6 * 3600,
    samples_per_topic: int = 10,
    max_samples: int = 12,
    chart_panels: int = 6,
    spark_points: int = 72,
) -> WallData:
    """Read the wall's state; raises ``redis.RedisError`` when the store cannot be reached.

    Full minute timelines are read only for the ``chart_panels`` topics the chart has room for;
    the other tiles' sparklines read every n-th minute, which keeps a 50-topic refresh small.
    """
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.config)
    pipe.hgetall(keys.heartbeat)
    pipe.hgetall(keys.incidents)
    pipe.lrange(keys.prominent, 0, 99)
    config, beat, incidents_raw, prominent_raw = pipe.execute()

    configured = _config_topics(config)
    by_name = {str(t["name"]): t for t in configured}
    wanted = [by_name[name] for name in topics if name in by_name] if topics else configured
    unknown = [name for name in topics if name not in by_name]
    heartbeat = Heartbeat(
        wall=_float(beat.get("wall")), event=_float(beat.get("event")), mentions=_int(beat.get("mentions")),
        complaints=_int(beat.get("complaints")), dead_letters=_int(beat.get("dead_letters")),
    )

    pipe = client.pipeline(transaction=False)
    for meta in wanted:
        pipe.hgetall(keys.topic_state(str(meta["name"])))
    states: list[dict[str, str]] = pipe.execute() if wanted else []
    views = [_topic(meta, state) for meta, state in zip(wanted, states, strict=True)]

    end = heartbeat.event or max((v.updated_at for v in views if v.updated_at), default=None)
    if end is None:
        end = time.time()
    last_minute = int(end // 60) * 60
    minutes = list(range(last_minute - int(range_s // 60) * 60, last_minute + 60, 60))
    fields = [str(m) for m in minutes]
    stride = max(1, len(minutes) // spark_points)
    spark_fields = fields[len(fields) - 1:: -stride][::-1]
    for view in chart_order(views)[:chart_panels]:
        view.charted = True

    pipe = client.pipeline(transaction=False)
    for view in views:
        pipe.hmget(keys.timeline(view.name), fields if view.charted else spark_fields)
        pipe.hmget(keys.heatmap(view.name), HOURS_OF_WEEK)
        pipe.lrange(keys.samples(view.name), 0, samples_per_topic - 1)
    replies = pipe.execute() if views else []

    samples: list[Sample] = []
    for i, view in enumerate(views):
        timeline, heat, raw_samples = replies[3 * i: 3 * i + 3]
        if view.charted:
            view.timeline = [p for m, raw in zip(minutes, timeline, strict=True) if raw and (p := _point(m, raw))]
            view.spark = [float(p.window) for p in view.timeline]
        else:
            view.spark = [w for raw in timeline if (w := _window_voices(raw)) is not None]
        view.heat = {h: int(n) for h, n in enumerate(heat) if n}
        samples.extend(s for raw in raw_samples if (s := _sample(raw, view.name)))

    shown = {v.name for v in views}
    incidents = [i for raw in incidents_raw.values() if (i := _incident(raw)) and i.topic in shown]
    incidents.sort(key=lambda i: i.opened_at or 0.0, reverse=True)
    prominent = [s for raw in prominent_raw if (s := _sample(raw)) and s.topic in shown]
    samples.sort(key=lambda s: s.at or 0.0, reverse=True)
    return WallData(
        topics=views,
        incidents=incidents,
        samples=samples[:max_samples],
        prominent=prominent[:max_samples],
        heartbeat=heartbeat,
        window_s=_float(config.get("window_s"), 1800.0) or 1800.0,
        end=end,
        range_s=range_s,
        configured=bool(configured),
        unknown_topics=unknown,
    )
