"""Per-topic detection on event time, and the manager that runs every topic.

``TopicDetector`` ties the window (exact distinct voices), the baseline (what is usual for this
hour of the week) and the ladder (one incident per episode) together. Time only moves with the
data: a topic's clock is the newest event time it has seen or been advanced to, so replaying a
month gives the same alerts as living through it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from detectors import explain
from detectors.baseline import SeasonalBaseline, hour_index, slot_label
from detectors.events import AlertEvent, iso_utc
from detectors.ladder import EMERGING, NONE, Ladder, Step, incident_id
from detectors.params import LadderParams
from detectors.window import DUPLICATE, NEW_VOICE, Observation, VoiceWindow

TREND_BUCKETS = 5  # trend compares the window now with this many buckets ago
MAX_IDLE_HOURS = 168  # an idle gap longer than a week teaches the baseline no more than a week of quiet


@dataclass(frozen=True, slots=True)
class MinuteStat:
    """One bucket of the timeline: what the wall's sparkline and the report's chart draw."""

    mentions: int
    voices: int
    window_voices: int
    baseline: float
    emerging_threshold: int
    crisis_threshold: int
    severity: str

    def to_json(self) -> dict[str, Any]:
        return {"m": self.mentions, "v": self.voices, "w": self.window_voices, "b": round(self.baseline, 2),
                "e": self.emerging_threshold, "c": self.crisis_threshold, "s": self.severity}


@dataclass(frozen=True, slots=True)
class TopicSnapshot:
    """The ladder's current view of one topic, for the wall."""

    topic: str
    severity: str  # calm | isolated | emerging | crisis
    since: float
    voices: int
    mentions: int
    baseline: float
    ratio: float
    emerging_threshold: int
    crisis_threshold: int
    incident_id: str | None
    trend: str  # up | down | flat
    languages: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    high_reach: int = 0
    reason: str = ""
    updated_at: float = 0.0
    priority: bool = False

    def to_fields(self) -> dict[str, Any]:
        """Flat fields for the topic-state hash (``incident_id`` '' when none)."""
        return {
            "severity": self.severity, "since": self.since, "voices": self.voices, "mentions": self.mentions,
            "baseline": round(self.baseline, 2), "ratio": round(self.ratio, 2),
            "emerging_threshold": self.emerging_threshold, "crisis_threshold": self.crisis_threshold,
            "incident_id": self.incident_id or "", "trend": self.trend, "languages": self.languages,
            "channels": self.channels, "high_reach": self.high_reach, "reason": self.reason,
            "updated_at": self.updated_at, "priority": self.priority,
        }


class TopicDetector:
    """Windows, baseline and ladder for one topic. ``learn_one`` per complaint, ``advance`` per batch."""

    def __init__(self, topic: str, params: LadderParams | None = None) -> None:
        self.topic = topic
        self.params = p = params or LadderParams()
        self.window = VoiceWindow(p.bucket_s, p.window_buckets, p.retain_buckets)
        self.baseline = SeasonalBaseline(p.baseline_alpha, p.baseline_floor)
        self.ladder = Ladder(topic, p)
        self.too_late = 0
        self.duplicates = 0
        self.changed = True  # snapshot differs from the last one taken
        self._bs = p.bucket_s
        self._min_followers = p.prominent_min_followers
        self._verified = p.prominent_verified
        self._now = float("-inf")
        self._next_edge = float("-inf")
        self._hour: int | None = None
        self._expected = p.baseline_floor
        self._emerging_at, self._crisis_at = p.thresholds(self._expected)
        self._up_at = self._emerging_at
        self._slot = ""
        self._display = "calm"
        self._display_since = 0.0
        self._history: deque[int] = deque([0] * (TREND_BUCKETS + 1), maxlen=TREND_BUCKETS + 1)
        self._finals: dict[int, tuple[int, int, int, float, int, int, str]] = {}
        self._last_w = 0
        self._dirty: set[int] = set()
        self._last_prominent: dict[str, float] = {}

    # -- learning ------------------------------------------------------------------------
    def learn_one(self, obs: Observation) -> list[AlertEvent]:
        """Count one complaint; alerts it causes fire at the topic's event time (``obs.t`` if in order)."""
        t = obs.t
        if t >= self._next_edge:
            out = self._advance(t)
        else:
            out = []
            if t > self._now:
                self._now = t
        index = int(t // self._bs)
        window = self.window
        high = obs.followers >= self._min_followers or (self._verified and obs.verified)
        code = window.add(index, obs, high)
        if code >= DUPLICATE:
            if code == DUPLICATE:
                self.duplicates += 1
            else:
                self.too_late += 1
            return out
        self._dirty.add(index)
        self.changed = True
        if code == NEW_VOICE:
            voices = len(window.refs)
            if voices >= self._up_at:
                step = self.ladder.up(voices, self._emerging_at, self._crisis_at, self._now)
                self._up_at = self.ladder.next_up(self._emerging_at, self._crisis_at)
                self._redisplay(self._now)
                if step is not None:
                    out.append(self._alert(step))
            elif self.ladder.level:  # keeps the peak and the quiet-period timer up to date
                self.ladder.up(voices, self._emerging_at, self._crisis_at, self._now)
            elif voices == 1:
                self._redisplay(self._now)
        if high:
            alert = self._prominent(obs)
            if alert is not None:
                out.append(alert)
        return out

    def advance(self, t: float) -> list[AlertEvent]:
        """Event time moved on elsewhere: slide the window, step down or resolve if it went quiet."""
        if t < self._next_edge:
            return []
        return self._advance(t)

    def restore_bucket(self, minute: int, voices: Iterable[str], ids: Iterable[str]) -> bool:
        """Resume counts after a restart from persisted per-minute sets; restore oldest first."""
        index = int(minute // self._bs)
        if self.window.current is None or index > self.window.current:
            self._advance(index * self._bs)
        ok = self.window.restore(index, voices, ids)
        if ok:
            self._dirty.add(index)
            self.changed = True
            self._redisplay(self._now)
        return ok

    def restore_incident(self, incident: str, severity: str, since: float, opened_at: float | None = None) -> None:
        """Resume the open incident recorded before a restart (from the topic state or the alerts)."""
        self.ladder.restore(incident, severity, since, since if opened_at is None else opened_at)
        self._up_at = self.ladder.next_up(self._emerging_at, self._crisis_at)
        self._redisplay(since)

    def restore_baseline(self, data: dict[str, Any]) -> None:
        """Resume a baseline saved with ``self.baseline.to_json()``; do it before any data arrives."""
        self.baseline = SeasonalBaseline.from_json(data)
        if self.window.current is not None:
            self._set_hour(self.window.current * self._bs)

    # -- time ------------------------------------------------------------------------------
    def _advance(self, t: float) -> list[AlertEvent]:
        window = self.window
        bs = self._bs
        target = int(t // bs)
        out: list[AlertEvent] = []
        if window.current is None:
            window.slide_to(target)
            self._set_hour(target * bs)
            self._display_since = t
        while window.current < target:  # type: ignore[operator]
            if not window.buckets and self.ladder.level == NONE and target - window.current > 1:  # type: ignore[operator]
                self._fast_forward(target)
                break
            self._close_bucket()
            window.slide_to(window.current + 1)  # type: ignore[operator]
            edge = window.current * bs  # type: ignore[operator]
            if hour_index(edge) != self._hour:
                self._set_hour(edge)
            voices = len(window.refs)
            for step in self.ladder.tick(voices, self._emerging_at, self._crisis_at, edge):
                out.append(self._alert(step))
            self._up_at = self.ladder.next_up(self._emerging_at, self._crisis_at)
            self._history.append(voices)
            self._redisplay(edge)
        if t > self._now:
            self._now = t
        self._next_edge = (window.current + 1) * bs  # type: ignore[operator]
        return out

    def _close_bucket(self) -> None:
        """Record how the bucket ended and teach the baseline, clipped so a surge cannot inflate it."""
        index = self.window.current
        assert index is not None
        voices = len(self.window.refs)
        self.baseline.learn_one(index * self._bs, min(voices, self._emerging_at), elevated=self.ladder.level > NONE)
        if voices or self._last_w or index in self.window.buckets or self.ladder.level:
            bucket = self.window.buckets.get(index)
            counts = (len(bucket.ids), len(bucket.voices)) if bucket else (0, 0)
            self._finals[index] = (*counts, voices, self._expected, self._emerging_at, self._crisis_at,
                                   self._display)
            self._dirty.add(index)
            self.changed = True
        self._last_w = voices
        expired = index - self.window.retain
        if expired in self._finals and expired not in self._dirty:  # not yet taken: keep until then
            del self._finals[expired]

    def _fast_forward(self, target: int) -> None:
        """Nothing retained and no episode: skip the idle buckets, teaching the baseline they were quiet."""
        bs = self._bs
        self._close_bucket()
        t, end = (self.window.current + 1) * bs, target * bs  # type: ignore[operator]
        t = max(t, end - MAX_IDLE_HOURS * 3600)
        while t < end:
            stop = min((int(t // 3600) + 1) * 3600, end)
            n = int((stop - t) // bs)
            if n:
                self.baseline.learn_one(t, 0.0, n)
            t = stop
        self._finals = {i: f for i, f in self._finals.items() if i in self._dirty}
        self._last_w = 0
        self.window.jump_to(target)
        self._set_hour(target * bs)
        self._history.extend([0] * (TREND_BUCKETS + 1))
        self._redisplay(end)

    def _set_hour(self, t: float) -> None:
        self._hour = hour_index(t)
        self._expected = self.baseline.expected(t)
        self._emerging_at, self._crisis_at = self.params.thresholds(self._expected)
        self._up_at = self.ladder.next_up(self._emerging_at, self._crisis_at)
        self._slot = slot_label(t)
        cutoff = t - self.params.cooldown_s
        stale = [v for v, at in self._last_prominent.items() if at <= cutoff]
        for voice in stale:
            del self._last_prominent[voice]
        self.changed = True

    def _redisplay(self, t: float) -> None:
        level = self.ladder.level
        severity = self.ladder.severity if level else "isolated" if self.window.refs else "calm"
        if severity != self._display:
            self._display = severity
            self._display_since = self.ladder.since if level else t
            self.changed = True

    # -- alerts ----------------------------------------------------------------------------
    def _base_reason(self) -> tuple[str, dict[str, int], dict[str, int], int, float]:
        voices = len(self.window.refs)
        ratio = voices / self._expected
        langs = self.window.languages()
        high = self.window.high_reach()
        text = explain.surge(self.topic, voices, self.params.window_s, ratio, self._expected, self._slot,
                             langs, high)
        return text, langs, self.window.channels(), high, ratio

    def _alert(self, step: Step) -> AlertEvent:
        p = self.params
        base, langs, channels, high, ratio = self._base_reason()
        voices = len(self.window.refs)
        exit_level = p.hysteresis * (self._crisis_at if step.event == "deescalated" else self._emerging_at)
        if step.event == "opened":
            threshold = self._crisis_at if step.severity == "crisis" else self._emerging_at
            after = step.at - (self.ladder.resolved_at or step.at) if step.reopened else None
            reason = explain.opened(step.severity, base, threshold, after)
        elif step.event == "escalated":
            reason = explain.escalated(base, self._crisis_at)
        elif step.event == "deescalated":
            reason = explain.deescalated(base, exit_level, step.peak_voices)
        else:
            reason = explain.resolved(self.topic, voices, p.window_s, p.quiet_period_s, exit_level,
                                      step.peak_voices)
        details: dict[str, Any] = {
            "emerging_threshold": self._emerging_at, "crisis_threshold": self._crisis_at, "slot": self._slot,
            "opened_at": iso_utc(step.opened_at), "peak_voices": step.peak_voices,
        }
        if step.reopened:
            details["reopened"] = True
        return AlertEvent(
            step.event, step.incident_id, self.topic, step.severity, step.at, voices, self.window.mentions,  # type: ignore[arg-type]
            reason, p.window_s, round(self._expected, 3), round(ratio, 2), langs, channels, high, p.priority,
            details,
        )

    def _prominent(self, obs: Observation) -> AlertEvent | None:
        at = self._now
        last = self._last_prominent.get(obs.voice)
        if last is not None and at - last < self.params.cooldown_s:
            return None
        self._last_prominent[obs.voice] = at
        ladder = self.ladder
        incident = ladder.incident_id if ladder.level else None
        severity = "crisis" if ladder.level > EMERGING else "emerging"
        voices = len(self.window.refs)
        return AlertEvent(
            "prominent", incident or f"{incident_id(self.topic, at)}-prominent", self.topic, severity, at,
            voices, self.window.mentions,
            explain.prominent(self.topic, obs.followers, obs.verified, obs.channel, obs.lang),
            self.params.window_s, round(self._expected, 3), round(voices / self._expected, 2),
            {obs.lang: 1} if obs.lang else {}, {obs.channel: 1} if obs.channel else {}, 1, self.params.priority,
            {"voice": obs.voice, "mention_id": obs.mention_id, "followers": obs.followers,
             "verified": obs.verified, "channel": obs.channel, "lang": obs.lang,
             "in_incident": incident is not None},
        )

    # -- reading ---------------------------------------------------------------------------
    def snapshot(self) -> TopicSnapshot:
        voices = len(self.window.refs)
        base, langs, channels, high, ratio = self._base_reason()
        past = self._history[0]
        step = max(2, 0.1 * past)
        trend = "up" if voices - past >= step else "down" if past - voices >= step else "flat"
        self.changed = False
        return TopicSnapshot(
            self.topic, self._display, self._display_since, voices, self.window.mentions, self._expected, ratio,
            self._emerging_at, self._crisis_at, self.ladder.incident_id if self.ladder.level else None, trend,
            langs, channels, high, explain.status(self._display, base, self._emerging_at, self._crisis_at),
            max(self._now, 0.0), self.params.priority,
        )

    def take_minutes(self) -> dict[int, MinuteStat]:
        """Per-bucket stats changed since the last call, keyed by bucket start (epoch s)."""
        out: dict[int, MinuteStat] = {}
        live = (0, 0, len(self.window.refs), self._expected, self._emerging_at, self._crisis_at, self._display)
        for index in sorted(self._dirty):
            bucket = self.window.buckets.get(index)
            m, v, w, b, e, c, s = self._finals.get(index, live)
            if bucket:  # still retained: late mentions may have joined it since it closed
                m, v = len(bucket.ids), len(bucket.voices)
            out[index * self._bs] = MinuteStat(m, v, w, b, e, c, s)
        self._dirty.clear()
        if self.window.current is not None:
            expired = self.window.current - self.window.retain
            for index in [i for i in self._finals if i <= expired]:
                del self._finals[index]
        return out


class Detector:
    """Every topic's detector behind one door; the watermark is the newest event time seen."""

    def __init__(
        self, params_by_topic: Mapping[str, LadderParams] | None = None, default: LadderParams | None = None
    ) -> None:
        self.default = default or LadderParams()
        self.topics: dict[str, TopicDetector] = {
            name: TopicDetector(name, p) for name, p in (params_by_topic or {}).items()
        }
        self.watermark = float("-inf")

    def _topic(self, topic: str) -> TopicDetector:
        td = self.topics.get(topic)
        if td is None:
            td = self.topics[topic] = TopicDetector(topic, self.default)
        return td

    def learn_one(self, topic: str, obs: Observation) -> list[AlertEvent]:
        if obs.t > self.watermark:
            self.watermark = obs.t
        td = self.topics.get(topic) or self._topic(topic)
        return td.learn_one(obs)

    def advance(self, t: float) -> list[AlertEvent]:
        """Move every topic to event time ``t`` (monotone); alerts sorted by time, then topic."""
        if t > self.watermark:
            self.watermark = t
        t = self.watermark
        out: list[AlertEvent] = []
        for td in self.topics.values():
            out += td.advance(t)
        out.sort(key=lambda a: (a.at, a.topic))
        return out

    def restore_bucket(self, topic: str, minute: int, voices: Iterable[str], ids: Iterable[str]) -> bool:
        td = self._topic(topic)
        ok = td.restore_bucket(minute, voices, ids)
        if td.window.current is not None:
            self.watermark = max(self.watermark, td.window.current * td.params.bucket_s)
        return ok

    def restore_incident(self, topic: str, incident: str, severity: str, since: float) -> None:
        self._topic(topic).restore_incident(incident, severity, since)

    def baselines(self) -> dict[str, dict[str, Any]]:
        """Every topic's learned baseline, JSON-ready, to persist now and then (e.g. hourly)."""
        return {name: td.baseline.to_json() for name, td in self.topics.items()}

    def restore_baselines(self, data: Mapping[str, dict[str, Any]]) -> None:
        for name, state in data.items():
            self._topic(name).restore_baseline(state)

    @property
    def too_late(self) -> int:
        return sum(td.too_late for td in self.topics.values())

    @property
    def duplicates(self) -> int:
        return sum(td.duplicates for td in self.topics.values())

    def retained_buckets(self) -> int:
        """Buckets held in memory over all topics: bounded by window + late allowance, not stream length."""
        return sum(len(td.window.buckets) for td in self.topics.values())

    def snapshots(self) -> dict[str, TopicSnapshot]:
        return {name: td.snapshot() for name, td in self.topics.items()}

    def state_fields(self) -> list[tuple[str, dict[str, Any]]]:
        """Topic-state hash fields of the topics that changed since the last call."""
        return [(name, td.snapshot().to_fields()) for name, td in self.topics.items() if td.changed]

    def take_minutes(self) -> dict[str, dict[int, MinuteStat]]:
        return {name: m for name, td in self.topics.items() if (m := td.take_minutes())}

    def take_timeline(self) -> dict[str, dict[int, dict[str, Any]]]:
        """``take_minutes`` as JSON-ready dicts ({"m","v","w","b","e","c","s"})."""
        return {name: {k: s.to_json() for k, s in per.items()} for name, per in self.take_minutes().items()}
