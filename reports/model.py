"""The report's data: plain dataclasses, so one object feeds the HTML, the Markdown and the JSON.

Times are epoch seconds inside; the JSON carries ISO-8601 UTC so other tools need no guessing.
Everything here is already safe to publish: voices are pseudonyms, texts are redacted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from detectors.events import iso_utc, parse_iso_utc

SCHEMA_VERSION = 1
NOT_RECORDED = "not recorded"
RULE_VOICES = 200  # the source documents' rule: 200 customers complaining in unison is a crisis


@dataclass
class Step:
    """One escalation step of the incident (an alert event)."""

    at: float
    event: str
    severity: str
    voices: int
    mentions: int
    reason: str


@dataclass
class Minute:
    """One minute of the topic: what the wall saw then."""

    t: float
    mentions: int
    voices: int
    window_voices: int
    baseline: float | None = None
    emerging: float | None = None
    crisis: float | None = None
    severity: str = ""


@dataclass
class Count:
    key: str
    complaints: int
    voices: int | None  # None where only totals are kept (hours from the state's timeline)


@dataclass
class Term:
    """A word or phrase that was far more common in the incident than around it."""

    term: str
    complaints: int
    share: float  # of the incident's complaints
    background_share: float
    lift: float


@dataclass
class Voice:
    """A prominent author: pseudonym only, with reach."""

    voice: str
    followers: int
    verified: bool
    channel: str
    lang: str
    at: float
    text: str


@dataclass
class Sample:
    at: float
    text: str
    lang: str
    channel: str


@dataclass
class PageEntry:
    """One line of the paging log: a page, a reminder, an escalation, an ack or a resolution."""

    at: float | None
    kind: str
    receiver: str
    level: int | None
    status: str
    attempts: int | None = None
    error: str = ""
    who: str = ""


@dataclass
class Timings:
    """The moments the issue asks for; ``None`` means not recorded (say so, never guess)."""

    first_complaint: float | None = None
    detected: float | None = None
    crisis_detected: float | None = None
    threshold_voice_at: float | None = None  # when the configured crisis threshold's n-th voice arrived
    threshold_voices: int | None = None
    rule_voice_at: float | None = None  # when the 200th distinct voice arrived (may never happen)
    first_page: float | None = None
    acknowledged: float | None = None
    acknowledged_by: str = ""
    resolved: float | None = None
    resolved_by: str = ""

    @staticmethod
    def _gap(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round(b - a, 3)

    @property
    def time_to_detect_s(self) -> float | None:
        """Detection minus the first complaint of the surge."""
        return self._gap(self.first_complaint, self.detected)

    @property
    def time_to_detect_crisis_s(self) -> float | None:
        """Crisis alert minus the moment the 200th distinct voice arrived; negative when a lower
        threshold (a priority topic) declared the crisis before the 200th voice."""
        return self._gap(self.rule_voice_at, self.crisis_detected)

    @property
    def time_to_detect_at_threshold_s(self) -> float | None:
        """Crisis alert minus the moment the configured threshold's n-th voice arrived."""
        return self._gap(self.threshold_voice_at, self.crisis_detected)

    @property
    def time_to_page_s(self) -> float | None:
        return self._gap(self.detected, self.first_page)

    @property
    def time_to_acknowledge_s(self) -> float | None:
        return self._gap(self.detected, self.acknowledged)

    @property
    def time_to_resolve_s(self) -> float | None:
        return self._gap(self.detected, self.resolved)

    @property
    def duration_s(self) -> float | None:
        return self._gap(self.first_complaint, self.resolved)

    def durations(self) -> dict[str, float | None]:
        return {
            "time_to_detect_s": self.time_to_detect_s,
            "time_to_detect_crisis_s": self.time_to_detect_crisis_s,
            "time_to_detect_at_threshold_s": self.time_to_detect_at_threshold_s,
            "time_to_first_page_s": self.time_to_page_s,
            "time_to_acknowledge_s": self.time_to_acknowledge_s,
            "time_to_resolve_s": self.time_to_resolve_s,
            "duration_s": self.duration_s,
        }


@dataclass
class Report:
    incident_id: str
    topic: str
    label: str
    peak_severity: str
    peak_voices: int
    status: str  # open | resolved
    source: str  # "state" | "files"
    generated_at: float
    timings: Timings
    window_s: int = 1800
    total_complaints: int = 0
    total_voices: int = 0
    steps: list[Step] = field(default_factory=list)
    timeline: list[Minute] = field(default_factory=list)
    channels: list[Count] = field(default_factory=list)
    languages: list[Count] = field(default_factory=list)
    hours: list[Count] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    prominent: list[Voice] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    pages: list[PageEntry] = field(default_factory=list)
    thresholds: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = _iso_times(asdict(self))
        data["schema"] = SCHEMA_VERSION
        data["durations"] = self.timings.durations()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        d = _epoch_times(data)
        return cls(
            incident_id=d["incident_id"], topic=d["topic"], label=d["label"],
            peak_severity=d["peak_severity"], peak_voices=d["peak_voices"], status=d["status"],
            source=d["source"], generated_at=d["generated_at"], timings=Timings(**d["timings"]),
            window_s=d["window_s"], total_complaints=d["total_complaints"], total_voices=d["total_voices"],
            steps=[Step(**x) for x in d["steps"]], timeline=[Minute(**x) for x in d["timeline"]],
            channels=[Count(**x) for x in d["channels"]], languages=[Count(**x) for x in d["languages"]],
            hours=[Count(**x) for x in d["hours"]], terms=[Term(**x) for x in d["terms"]],
            prominent=[Voice(**x) for x in d["prominent"]], samples=[Sample(**x) for x in d["samples"]],
            pages=[PageEntry(**x) for x in d["pages"]], thresholds=d["thresholds"], notes=d["notes"],
        )


_TIME_KEYS = {
    "at", "t", "generated_at", "first_complaint", "detected", "crisis_detected", "threshold_voice_at",
    "rule_voice_at", "first_page", "acknowledged", "resolved",
}


def _iso_times(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _iso_times(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_times(v, key) for v in value]
    if key in _TIME_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        return iso_utc(value)
    return value


def _epoch_times(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _epoch_times(v, k) for k, v in value.items() if k not in ("schema", "durations")}
    if isinstance(value, list):
        return [_epoch_times(v, key) for v in value]
    if key in _TIME_KEYS and isinstance(value, str):
        return parse_iso_utc(value)
    return value


def fmt_time(ts: float | None) -> str:
    """Human form for tables: ISO-8601 UTC to the second, or 'not recorded'."""
    if ts is None:
        return NOT_RECORDED
    return iso_utc(ts)[:19].replace("T", " ") + " UTC"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return NOT_RECORDED
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    if s < 90:
        return f"{sign}{s:.0f} s"
    if s < 5400:
        return f"{sign}{s // 60:.0f} min {s % 60:02.0f} s"
    return f"{sign}{s // 3600:.0f} h {s % 3600 // 60:02.0f} min"
