"""The severity ladder as an on-call person sees it: when alerts fire, what they say, and that they do not flap."""

from __future__ import annotations

from collections.abc import Iterable

from detectors.detector import Detector, TopicDetector
from detectors.events import AlertEvent
from detectors.params import LadderParams
from detectors.window import Observation

T0 = 1772409600.0  # Monday 2026-03-02 00:00 UTC
LANGS = ("en", "es", "ro", "el", "id")


class Feed:
    """Unique voices and ids on one topic; collects every alert."""

    def __init__(self, td: TopicDetector) -> None:
        self.td = td
        self.n = 0
        self.alerts: list[AlertEvent] = []

    def voice(self, t: float, *, voice: str | None = None, followers: int = 100, verified: bool = False,
              lang: str | None = None) -> list[AlertEvent]:
        self.n += 1
        o = Observation(T0 + t, f"m{self.n}", voice or f"v{self.n}", lang or LANGS[self.n % len(LANGS)],
                        "twitter", followers, verified)
        out = self.td.learn_one(o)
        self.alerts += out
        return out

    def many(self, start: float, count: int, spacing: float) -> list[AlertEvent]:
        out: list[AlertEvent] = []
        for i in range(count):
            out += self.voice(start + i * spacing)
        return out

    def advance(self, until: float, step: float = 60.0, start: float | None = None) -> list[AlertEvent]:
        out: list[AlertEvent] = []
        t = start if start is not None else self.td._now - T0
        while t <= until:
            out += self.td.advance(T0 + t)
            t += step
        self.alerts += out
        return out


def kinds(alerts: Iterable[AlertEvent]) -> list[tuple[str, str]]:
    return [(a.event, a.severity) for a in alerts if a.event != "prominent"]


def test_isolated_then_emerging_then_crisis_each_at_the_voice_that_crossed() -> None:
    f = Feed(TopicDetector("outage", LadderParams()))
    assert f.many(3600, 9, 5.0) == []
    assert f.td.snapshot().severity == "isolated"
    opened = f.voice(3600 + 9 * 5.0)
    assert kinds(opened) == [("opened", "emerging")]
    assert opened[0].at == T0 + 3645.0  # the event time of the 10th voice, not a wall clock
    assert opened[0].voices == 10
    assert opened[0].incident_id == "outage-20260302T010045Z"
    f.many(3650, 189, 5.0)
    assert kinds(f.alerts) == [("opened", "emerging")]
    escalated = f.voice(3650 + 189 * 5.0, followers=250_000)
    crisis = [a for a in escalated if a.event == "escalated"]
    assert crisis and crisis[0].severity == "crisis" and crisis[0].voices == 200
    assert crisis[0].incident_id == opened[0].incident_id
    assert crisis[0].at == T0 + 3650 + 189 * 5.0
    assert crisis[0].reason.startswith("crisis: 200 voices in 30 min about outage, 200.0× the usual for Monday 01:00")
    assert "5 languages" in crisis[0].reason and "1 high-reach author" in crisis[0].reason
    assert crisis[0].languages and sum(crisis[0].languages.values()) == crisis[0].mentions


def test_it_steps_down_and_resolves_from_event_time_alone_with_one_incident() -> None:
    p = LadderParams()
    f = Feed(TopicDetector("billing", p))
    f.many(0, 250, 4.0)  # 250 voices in ~17 minutes
    f.advance(6 * 3600)
    events = kinds(f.alerts)
    assert events == [("opened", "emerging"), ("escalated", "crisis"), ("deescalated", "emerging"),
                      ("resolved", "emerging")]
    assert len({a.incident_id for a in f.alerts}) == 1
    deescalated, resolved = f.alerts[2], f.alerts[3]
    assert deescalated.voices < p.hysteresis * 200
    last_voice = T0 + 249 * 4.0
    # quiet = fewer than 0.7 × 10 voices; the window empties 30 min after the last voice
    assert last_voice + 1800 - 600 < resolved.at - p.quiet_period_s <= last_voice + 1800
    assert "peak was 250 voices" in resolved.reason and resolved.reason.startswith("resolved: billing")
    assert f.td.snapshot().severity == "calm" and f.td.snapshot().incident_id is None


def test_a_count_hovering_at_a_threshold_does_not_flap() -> None:
    f = Feed(TopicDetector("delivery", LadderParams()))
    # a new voice every 150 s keeps 11-12 voices in the 30-min window, around the emerging line of 10
    f.many(0, 60, 150.0)
    # then ~200 ± 20: a new voice every 8.6 s for two hours
    f.many(60 * 150.0, 840, 8.6)
    assert kinds(f.alerts) == [("opened", "emerging"), ("escalated", "crisis")]
    f.advance(6 * 3600)
    assert [e for e, _ in kinds(f.alerts)] == ["opened", "escalated", "deescalated", "resolved"]


def test_a_relapse_within_the_cooldown_reopens_the_same_incident() -> None:
    p = LadderParams(cooldown_s=3600, quiet_period_s=1800)
    f = Feed(TopicDetector("service", p))
    f.many(0, 15, 30.0)
    f.advance(4000)  # the window empties at ~37 min; quiet for 30 min more resolves it at 64 min
    first_id = f.alerts[0].incident_id
    resolved_at = f.alerts[-1].at
    assert kinds(f.alerts) == [("opened", "emerging"), ("resolved", "emerging")]
    relapse = f.many(resolved_at - T0 + 1200, 15, 30.0)
    assert kinds(relapse) == [("opened", "emerging")]
    assert relapse[0].incident_id == first_id
    assert relapse[0].details.get("reopened") is True
    assert "reopened 2" in relapse[0].reason  # "reopened 2x min after it resolved"
    f.advance(resolved_at - T0 + 2 * 3600)
    assert kinds(f.alerts)[-1] == ("resolved", "emerging")
    second_resolved = f.alerts[-1].at
    later = f.many(second_resolved - T0 + 2 * 3600, 15, 30.0)
    assert kinds(later) == [("opened", "emerging")]
    assert later[0].incident_id != first_id and "reopened" not in later[0].details


def test_priority_topics_alert_on_a_few_voices_but_two_are_never_an_alert() -> None:
    safety = Feed(TopicDetector("safety", LadderParams(priority=True)))
    billing = Feed(TopicDetector("billing", LadderParams()))
    assert safety.many(0, 2, 60.0) == []
    assert kinds(safety.voice(180.0)) == [("opened", "emerging")]
    assert billing.many(0, 3, 60.0) == []
    eager = Feed(TopicDetector("safety", LadderParams(priority=True, priority_emerging_min_voices=1,
                                                      emerging_min_ratio=0.5)))
    assert eager.many(0, 2, 60.0) == []
    assert kinds(eager.voice(120.0)) == [("opened", "emerging")]
    priority_crisis = Feed(TopicDetector("outage", LadderParams(priority=True)))
    priority_crisis.many(0, 50, 10.0)
    assert kinds(priority_crisis.alerts) == [("opened", "emerging"), ("escalated", "crisis")]
    assert priority_crisis.alerts[-1].voices == 50 and priority_crisis.alerts[-1].priority


def test_a_high_reach_author_raises_prominent_at_once_and_only_once_per_cooldown() -> None:
    f = Feed(TopicDetector("quality", LadderParams()))
    out = f.voice(100.0, voice="star", followers=2_400_000, verified=True, lang="en")
    assert [(a.event, a.severity) for a in out] == [("prominent", "emerging")]
    assert out[0].at == T0 + 100.0
    assert out[0].incident_id == "quality-20260302T000140Z-prominent"
    assert "verified author with 2,400,000 followers" in out[0].reason and "twitter" in out[0].reason
    assert f.voice(400.0, voice="star", followers=2_400_000, verified=True) == []
    assert [a.event for a in f.voice(500.0, voice="blue-tick", followers=10, verified=True)] == ["prominent"]
    assert f.voice(600.0, voice="popular", followers=99_999) == []
    assert [a.event for a in f.voice(100.0 + 3600, voice="star", followers=2_400_000)] == ["prominent"]
    unverified_ok = Feed(TopicDetector("quality", LadderParams(prominent_verified=False)))
    assert unverified_ok.voice(0.0, followers=10, verified=True) == []


def test_a_prominent_complaint_during_a_crisis_carries_the_incident() -> None:
    f = Feed(TopicDetector("outage", LadderParams()))
    f.many(0, 200, 3.0)
    incident = f.alerts[0].incident_id
    out = f.voice(700.0, voice="newsdesk", followers=500_000)
    assert [(a.event, a.severity, a.incident_id) for a in out] == [("prominent", "crisis", incident)]


def test_snapshot_shows_thresholds_trend_and_a_readable_reason() -> None:
    f = Feed(TopicDetector("delivery", LadderParams()))
    assert f.td.snapshot().severity == "calm"
    f.many(0, 30, 20.0)
    snap = f.td.snapshot()
    assert (snap.severity, snap.voices, snap.emerging_threshold, snap.crisis_threshold) == ("emerging", 30, 10, 200)
    assert snap.trend == "up" and snap.incident_id == f.alerts[0].incident_id
    assert snap.since == f.alerts[0].at
    assert snap.reason.startswith("emerging: 30 voices in 30 min about delivery") and "crisis at 200" in snap.reason
    fields = snap.to_fields()
    assert fields["severity"] == "emerging" and fields["emerging_threshold"] == 10
    minutes = f.td.take_minutes()
    assert sum(s.mentions for s in minutes.values()) == 30
    assert minutes[max(minutes)].severity == "emerging" and f.td.take_minutes() == {}


def test_detector_resolves_a_silent_topic_while_others_keep_talking() -> None:
    d = Detector({"outage": LadderParams(), "billing": LadderParams()})
    alerts = []
    for i in range(20):
        alerts += d.learn_one("outage", Observation(T0 + i * 10.0, f"o{i}", f"v{i}"))
    for i in range(400):  # billing chatter moves event time on; outage hears nothing more
        alerts += d.learn_one("billing", Observation(T0 + 300 + i * 30.0, f"b{i}", f"w{i % 3}"))
        if i % 20 == 19:
            alerts += d.advance(d.watermark)
    outage = [(a.event, a.topic) for a in alerts if a.topic == "outage"]
    assert outage == [("opened", "outage"), ("resolved", "outage")]
    assert not [a for a in alerts if a.topic == "billing"]
    assert d.snapshots()["outage"].severity == "calm"
    assert {name for name, _ in d.state_fields()} <= {"outage", "billing"}


def test_replaying_the_same_stream_gives_the_same_alerts() -> None:
    def run() -> list[dict[str, object]]:
        d = Detector({"outage": LadderParams(priority=True), "billing": LadderParams()})
        out = []
        for i in range(3000):
            topic = "outage" if i % 3 else "billing"
            t = T0 + i * 2.0 - (90.0 if i % 7 == 0 else 0.0)
            out += d.learn_one(topic, Observation(t, f"m{i}", f"v{i % 400}", "en", "x", 100 * i, False))
            if i % 100 == 0:
                out += d.advance(d.watermark)
        out += d.advance(d.watermark + 7200)
        return [a.to_json() for a in out]

    first = run()
    assert first and first == run()


def test_a_restarted_worker_continues_the_open_incident_instead_of_opening_another() -> None:
    before = Feed(TopicDetector("outage", LadderParams()))
    before.many(0, 40, 10.0)
    opened = before.alerts[0]
    buckets: dict[int, tuple[set[str], set[str]]] = {}
    for i in range(1, before.n + 1):
        t = T0 + (i - 1) * 10.0
        voices, ids = buckets.setdefault(int(t // 60) * 60, (set(), set()))
        voices.add(f"v{i}")
        ids.add(f"m{i}")
    d = Detector({"outage": LadderParams()})
    for minute in sorted(buckets):
        d.restore_bucket("outage", minute, *buckets[minute])
    snap = before.td.snapshot()
    d.restore_incident("outage", snap.incident_id or "", snap.severity, snap.since)
    after = d.learn_one("outage", Observation(T0 + 400.0, "m-new", "v-new"))
    assert after == [] and d.snapshots()["outage"].incident_id == opened.incident_id
    later = d.advance(T0 + 4 * 3600)
    assert [(a.event, a.incident_id) for a in later] == [("resolved", opened.incident_id)]
