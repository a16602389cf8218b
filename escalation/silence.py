"""Silences: planned maintenance mutes a topic (or all) so its alerts are recorded, not paged.

Silences run on the wall clock: maintenance windows are planned in real hours.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import asdict, dataclass

import redis

from detectors.events import iso_utc
from escalation.keys import EscalationKeys
from state.keys import Keys

ALL = "all"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(text: str) -> float:
    """``90``, ``45s``, ``30m``, ``2h``, ``1d`` -> seconds; ValueError otherwise."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration; write e.g. 30m, 2h or 1d")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


@dataclass(frozen=True)
class Silence:
    id: str
    topic: str
    starts_at: float
    ends_at: float
    reason: str = ""
    by: str = ""

    def matches(self, topic: str, at: float) -> bool:
        return self.topic in (ALL, topic) and self.starts_at <= at < self.ends_at

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = asdict(self)
        out["starts_at"], out["ends_at"] = iso_utc(self.starts_at), iso_utc(self.ends_at)
        return out


def add_silence(
    client: redis.Redis, keys: Keys, topic: str, duration_s: float, reason: str = "", by: str = "",
    now: float | None = None,
) -> Silence:
    start = time.time() if now is None else now
    silence = Silence(uuid.uuid4().hex[:8], topic, start, start + duration_s, reason, by)
    client.hset(EscalationKeys(keys).silences, silence.id, json.dumps(asdict(silence)))
    return silence


def list_silences(client: redis.Redis, keys: Keys, now: float | None = None, *, expired: bool = False) -> list[Silence]:
    now = time.time() if now is None else now
    found = [Silence(**json.loads(raw)) for raw in client.hvals(EscalationKeys(keys).silences)]
    return sorted((s for s in found if expired or s.ends_at > now), key=lambda s: s.starts_at)


def remove_silence(client: redis.Redis, keys: Keys, silence_id: str) -> bool:
    return bool(client.hdel(EscalationKeys(keys).silences, silence_id))


def active_silence(client: redis.Redis, keys: Keys, topic: str, now: float | None = None) -> Silence | None:
    """The silence muting ``topic`` now, the one ending last if several do."""
    now = time.time() if now is None else now
    hits = [s for s in list_silences(client, keys, now) if s.matches(topic, now)]
    return max(hits, key=lambda s: s.ends_at) if hits else None
