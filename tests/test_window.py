"""Exact, idempotent distinct-voice counting on event time, with bounded memory."""

from __future__ import annotations

from detectors.detector import Detector, TopicDetector
from detectors.params import LadderParams
from detectors.window import COUNTED, DUPLICATE, NEW_VOICE, TOO_LATE, Observation, VoiceWindow

T0 = 1772409600.0  # Monday 2026-03-02 00:00 UTC


def obs(t: float, mid: str, voice: str, **kw: object) -> Observation:
    return Observation(T0 + t, mid, voice, **kw)  # type: ignore[arg-type]


def quiet(**kw: object) -> LadderParams:
    """Thresholds out of reach, so these tests watch counting only."""
    return LadderParams(emerging_min_voices=10**6, crisis_voices=10**6, prominent_min_followers=10**9, **kw)  # type: ignore[arg-type]


def test_one_author_posting_400_times_is_one_voice() -> None:
    td = TopicDetector("billing", quiet())
    for i in range(400):
        td.learn_one(obs(i * 2.0, f"m{i}", "angry-author"))
    snap = td.snapshot()
    assert (snap.voices, snap.mentions) == (1, 400)
    assert snap.severity == "isolated"


def test_a_mention_delivered_twice_changes_nothing() -> None:
    once, twice = TopicDetector("billing", quiet()), TopicDetector("billing", quiet())
    stream = [obs(i * 7.0, f"m{i}", f"v{i % 50}", lang="en") for i in range(300)]
    for o in stream:
        once.learn_one(o)
    for i, o in enumerate(stream):
        twice.learn_one(o)
        if i >= 5:
            twice.learn_one(stream[i - 5])  # re-delivered a little later, out of order
    a, b = once.snapshot(), twice.snapshot()
    assert (a.voices, a.mentions, a.languages) == (b.voices, b.mentions, b.languages)
    assert twice.duplicates == 295 and once.duplicates == 0
    assert once.take_minutes() == twice.take_minutes()


def test_late_and_out_of_order_mentions_land_in_their_own_minute() -> None:
    td = TopicDetector("delivery", quiet())
    td.learn_one(obs(600.0, "a", "v1"))  # minute 10
    td.learn_one(obs(905.0, "b", "v2"))  # minute 15
    td.learn_one(obs(605.0, "c", "v3"))  # 5 minutes late, back to minute 10
    td.learn_one(obs(300.0, "d", "v4"))  # 10 minutes late: minute 5
    minutes = td.take_minutes()
    assert {m - T0: (s.mentions, s.voices) for m, s in minutes.items() if s.mentions} == {
        300: (1, 1), 600: (2, 2), 900: (1, 1)
    }
    assert td.snapshot().voices == 4


def test_a_late_voice_outside_the_window_is_kept_for_its_minute_but_not_counted_now() -> None:
    p = quiet(window_s=1800, late_allowance_s=600)
    td = TopicDetector("delivery", p)
    td.learn_one(obs(3600.0, "now", "v1"))
    td.learn_one(obs(3600.0 - 1900, "late", "v2"))  # 31+ min old: outside the window, inside the allowance
    assert td.snapshot().voices == 1
    assert {m - T0 for m, s in td.take_minutes().items() if s.mentions} == {1680.0, 3600.0}
    td.learn_one(obs(3600.0 - 2500, "too-late", "v3"))  # beyond window + late allowance
    assert td.too_late == 1 and td.snapshot().voices == 1


def test_voices_leave_the_window_as_event_time_moves_without_a_wall_clock() -> None:
    td = TopicDetector("quality", quiet(window_s=1800))
    for i in range(20):
        td.learn_one(obs(i * 60.0, f"m{i}", f"v{i}"))
    assert td.snapshot().voices == 20
    td.advance(T0 + 39 * 60)  # the 30-minute window now starts at minute 10
    assert td.snapshot().voices == 20 - 10
    td.advance(T0 + 4 * 3600)
    assert td.snapshot().voices == 0 and td.snapshot().severity == "calm"


def test_a_voice_stays_counted_while_any_of_its_minutes_is_in_the_window() -> None:
    w = VoiceWindow(60, 3, 5)
    w.slide_to(0)
    assert w.add(0, Observation(0, "a", "x"), False) == NEW_VOICE
    w.slide_to(1)
    assert w.add(1, Observation(60, "b", "x"), False) == COUNTED
    assert w.add(1, Observation(60, "b", "x"), False) == DUPLICATE
    w.slide_to(3)  # minute 0 left the window, minute 1 is still in it
    assert w.voices == 1
    w.slide_to(4)
    assert w.voices == 0
    assert w.add(-1, Observation(-60, "c", "y"), False) == TOO_LATE


def test_counts_are_exact_for_12000_voices_in_one_window() -> None:
    td = TopicDetector("outage", quiet())
    for i in range(24_000):  # every voice twice, in different minutes
        td.learn_one(obs(i * 0.07, f"m{i}", f"v{i % 12_000}"))
    assert td.snapshot().voices == 12_000
    assert td.snapshot().mentions == 24_000


def test_memory_is_bounded_by_window_and_late_allowance_not_stream_length() -> None:
    p = quiet(window_s=1800, late_allowance_s=600)
    d = Detector({"a": p, "b": p})
    held = []
    for i in range(30_000):  # ~10 days of event time, two topics, some mentions 5 minutes late
        t = i * 29.0 - (300.0 if i % 10 == 0 else 0.0)
        d.learn_one("ab"[i % 2], obs(t, f"m{i}", f"v{i % 997}"))
        if i % 1000 == 999:  # once per batch, as the pipeline does
            d.advance(d.watermark)
            d.take_minutes()
            held.append(d.retained_buckets())
    limit = 2 * (p.retain_buckets + 1)
    assert max(held) <= limit
    assert all(len(td._finals) <= p.retain_buckets + 1 for td in d.topics.values())
    assert d.too_late == 0


def test_a_restarted_worker_resumes_counts_from_persisted_buckets() -> None:
    live = TopicDetector("billing", quiet())
    stream = [obs(i * 20.0, f"m{i}", f"v{i % 70}") for i in range(90)]
    for o in stream:
        live.learn_one(o)
    persisted: dict[int, tuple[set[str], set[str]]] = {}
    for o in stream:
        minute = int(o.t // 60) * 60
        voices, ids = persisted.setdefault(minute, (set(), set()))
        voices.add(o.voice)
        ids.add(o.mention_id)
    restarted = TopicDetector("billing", quiet())
    for minute in sorted(persisted):
        assert restarted.restore_bucket(minute, *persisted[minute])
    restarted.advance(stream[-1].t)
    for o in stream[-10:]:  # Kafka re-delivers the tail after the restart
        restarted.learn_one(o)
    assert (restarted.snapshot().voices, restarted.snapshot().mentions) == (
        live.snapshot().voices, live.snapshot().mentions
    )
    assert restarted.duplicates == 10
