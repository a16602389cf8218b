"""The records escalation keeps in Redis: incidents with their page log, and deliveries.

Times are epoch seconds in memory and ISO-8601 UTC strings in Redis, so the wall, the reports
and a human reading ``redis-cli`` all see the same readable record.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from detectors.events import iso_utc, to_epoch

Status = Literal["open", "acknowledged", "resolved"]
PageKind = Literal["trigger", "escalation", "reminder", "resolve", "acknowledge", "test"]
PageStatus = Literal["pending", "delivered", "failed", "muted", "fallback"]
NOTIFY_KINDS = ("trigger", "escalation", "reminder")


def _iso(ts: float | None) -> str | None:
    return iso_utc(ts) if ts is not None else None


@dataclass
class Page:
    """One line of an incident's paging log; ``status`` follows its delivery."""

    at: float
    receiver: str
    level: int
    kind: str
    status: str = "pending"
    attempts: int = 0
    error: str = ""
    delivery_id: str = ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = iso_utc(self.at)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Page:
        return cls(
            at=to_epoch(d.get("at")) or 0.0, receiver=str(d.get("receiver", "")), level=int(d.get("level") or 0),
            kind=str(d.get("kind", "")), status=str(d.get("status", "")), attempts=int(d.get("attempts") or 0),
            error=str(d.get("error") or ""), delivery_id=str(d.get("delivery_id") or ""),
        )


@dataclass
class Incident:
    """An incident as escalation sees it; ``level`` is the highest plan level paged at the
    current severity (0 = nobody yet), ``generation`` counts reopenings so a relapse pages anew."""

    incident_id: str
    topic: str
    severity: str
    opened_at: float
    status: Status = "open"
    severity_since: float = 0.0
    escalated_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    resolved_at: float | None = None
    resolved_by: str | None = None
    peak_voices: int = 0
    voices: int = 0
    mentions: int = 0
    reason: str = ""
    muted: bool = False
    silence_id: str | None = None
    level: int = 0
    reminders: int = 0
    generation: int = 0
    last_page_at: float | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    def page(self, delivery_id: str) -> Page | None:
        return next((p for p in self.pages if p.delivery_id == delivery_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id, "topic": self.topic, "severity": self.severity,
            "status": self.status, "opened_at": _iso(self.opened_at), "escalated_at": _iso(self.escalated_at),
            "acknowledged_at": _iso(self.acknowledged_at), "acknowledged_by": self.acknowledged_by,
            "resolved_at": _iso(self.resolved_at), "resolved_by": self.resolved_by,
            "peak_voices": self.peak_voices, "voices": self.voices, "mentions": self.mentions,
            "reason": self.reason, "muted": self.muted, "silence_id": self.silence_id, "level": self.level,
            "reminders": self.reminders, "generation": self.generation,
            "severity_since": _iso(self.severity_since), "last_page_at": _iso(self.last_page_at),
            "summary": self.summary, "pages": [p.to_json() for p in self.pages],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Incident:
        opened = to_epoch(d.get("opened_at")) or 0.0
        return cls(
            incident_id=str(d["incident_id"]), topic=str(d.get("topic", "")), severity=str(d.get("severity", "")),
            opened_at=opened, status=d.get("status", "open"),
            severity_since=to_epoch(d.get("severity_since")) or opened,
            escalated_at=to_epoch(d.get("escalated_at")), acknowledged_at=to_epoch(d.get("acknowledged_at")),
            acknowledged_by=d.get("acknowledged_by"), resolved_at=to_epoch(d.get("resolved_at")),
            resolved_by=d.get("resolved_by"), peak_voices=int(d.get("peak_voices") or 0),
            voices=int(d.get("voices") or 0), mentions=int(d.get("mentions") or 0), reason=str(d.get("reason") or ""),
            muted=bool(d.get("muted")), silence_id=d.get("silence_id"), level=int(d.get("level") or 0),
            reminders=int(d.get("reminders") or 0), generation=int(d.get("generation") or 0),
            last_page_at=to_epoch(d.get("last_page_at")), summary=dict(d.get("summary") or {}),
            pages=[Page.from_json(p) for p in d.get("pages") or [] if isinstance(p, dict)],
        )

    @classmethod
    def loads(cls, raw: str) -> Incident:
        return cls.from_json(json.loads(raw))


@dataclass
class Message:
    """What a receiver is asked to say; fixed when the page is queued so a retry after a restart
    says exactly the same thing."""

    kind: str
    incident_id: str
    topic: str
    severity: str
    title: str
    text: str
    level: int = 0
    voices: int = 0
    mentions: int = 0
    reason: str = ""
    link: str = ""
    opened_at: float | None = None
    at: float = 0.0
    by: str | None = None
    test: bool = False
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    """One message to one receiver; ``id`` is the dedup key of the page across restarts."""

    id: str
    receiver: str
    incident_id: str
    message: Message
    status: str = "pending"
    attempts: int = 0
    error: str = ""
    created_at: float = 0.0
    delivered_at: float | None = None
    after: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str) -> Delivery:
        d = json.loads(raw)
        d["message"] = Message(**d["message"])
        return cls(**d)
