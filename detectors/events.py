"""The alert events the ladder emits: the contract for the alerts file, paging and reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

EventKind = Literal["opened", "escalated", "deescalated", "resolved", "prominent"]
Severity = Literal["isolated", "emerging", "crisis"]
SEVERITY_RANK: dict[str, int] = {"calm": 0, "isolated": 0, "emerging": 1, "crisis": 2}


def iso_utc(ts: float) -> str:
    """Epoch seconds as ISO-8601 UTC with a ``Z``, millisecond precision."""
    text = datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_iso_utc(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def to_epoch(value: Any) -> float | None:
    """Epoch seconds from what state holds: ISO-8601 (incidents), numbers or numeric strings
    (timelines, samples); None for empty or unreadable values."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    try:
        return parse_iso_utc(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One step in an incident's life, fired at the event time of the mention that caused it.

    ``incident_id`` is derived from the topic and the event time the episode opened, so a replay
    of the same data yields the same ids and a restarted worker cannot invent a second incident.
    """

    event: EventKind
    incident_id: str
    topic: str
    severity: str
    at: float
    voices: int
    mentions: int
    reason: str
    window_s: int = 0
    baseline: float = 0.0
    ratio: float = 0.0
    languages: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    high_reach: int = 0
    priority: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = iso_utc(self.at)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertEvent:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields["at"] = parse_iso_utc(data["at"]) if isinstance(data["at"], str) else float(data["at"])
        return cls(**fields)
