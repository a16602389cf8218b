"""Peak hours are not incidents; a real surge still is, and never talks its own baseline up."""

from __future__ import annotations

from detectors.baseline import SeasonalBaseline, hour_of_week, slot_label
from detectors.detector import TopicDetector
from detectors.events import AlertEvent
from detectors.params import LadderParams
from detectors.window import Observation

T0 = 1772409600.0  # Monday 2026-03-02 00:00 UTC
HOUR, DAY, WEEK = 3600.0, 86400.0, 7 * 86400.0


class Stream:
    """Unique voices on one topic, event time advanced minute by minute like a live feed."""

    def __init__(self, params: LadderParams | None = None) -> None:
        self.td = TopicDetector("service", params or LadderParams())
        self.n = 0
        self.alerts: list[AlertEvent] = []

    def spread(self, start: float, duration: float, voices: int) -> None:
        for i in range(voices):
            self.n += 1
            o = Observation(T0 + start + duration * (i + 0.5) / voices, f"m{self.n}", f"v{self.n}", "en", "x")
            self.alerts += self.td.learn_one(o)

    def until(self, t: float) -> None:
        self.alerts += self.td.advance(T0 + t)

    def opened_between(self, start: float, end: float) -> list[AlertEvent]:
        return [a for a in self.alerts if a.event in ("opened", "escalated") and T0 + start <= a.at < T0 + end]


def test_hour_of_week_and_its_label() -> None:
    assert hour_of_week(T0) == 0 and slot_label(T0) == "Monday 00:00"
    assert hour_of_week(T0 + DAY + 14 * HOUR + 59 * 60) == 38
    assert slot_label(T0 + DAY + 14 * HOUR) == "Tuesday 14:00"
    assert slot_label(T0 + 6 * DAY + 23 * HOUR) == "Sunday 23:00"


def test_an_empty_baseline_falls_back_to_its_floor_then_learns_the_hour() -> None:
    b = SeasonalBaseline(alpha=0.3, floor=1.0)
    assert b.expected(T0) == 1.0
    for minute in range(60):
        b.learn_one(T0 + 14 * HOUR + minute * 60, 20.0)
    b.learn_one(T0 + 15 * HOUR, 0.0)  # the next hour begins: 14:00 is committed
    assert b.raw(T0 + DAY + 14 * HOUR) == (20.0, "day")  # Tuesday 14:00 borrows Monday 14:00 ...
    assert b.raw(T0 + WEEK + 14 * HOUR) == (20.0, "week")  # ... and next Monday has its own slot
    assert b.raw(T0 + WEEK + 9 * HOUR) == (20.0, "level")  # an hour never seen: the overall level
    quiet = SeasonalBaseline(alpha=0.3, floor=1.0)
    quiet.learn_one(T0, 0.2)
    quiet.learn_one(T0 + HOUR, 0.2)
    assert quiet.expected(T0 + DAY) == 1.0  # the floor: 3 voices are not "15x the usual"


def test_weekday_lunch_peaks_stop_alerting_once_seen_but_a_real_surge_still_does() -> None:
    s = Stream()
    for day in range(21):
        if day % 7 < 5:  # weekdays: ~25 voices per 30 min from 11:30 to 14:00
            s.spread(day * DAY + 11.5 * HOUR, 2.5 * HOUR, 130)
        for minute in range(0, 24 * 60, 10):
            s.until(day * DAY + 14.5 * HOUR if minute == 0 else day * DAY + minute * 60)
    assert s.opened_between(0, HOUR * 24)  # the very first peak is news: nothing was known yet
    assert s.opened_between(14 * DAY, 21 * DAY) == []  # the third week's peaks are usual
    assert s.td.snapshot().baseline < 5  # and the night stays quiet
    s.spread(21 * DAY + 16 * HOUR, 15 * 60, 60)  # Monday 16:00: 60 voices in 15 minutes
    assert [a.event for a in s.opened_between(21 * DAY, 22 * DAY)] == ["opened"]
    assert s.opened_between(21 * DAY, 22 * DAY)[0].severity == "emerging"


def test_a_surge_never_raises_its_own_baseline_and_is_a_crisis_again_next_week() -> None:
    s = Stream()
    for week in range(3):
        start = week * WEEK + DAY + 14 * HOUR  # Tuesday 14:00
        s.until(start - 60)
        before = s.td.snapshot().baseline
        s.spread(start, 3 * HOUR, 1500)  # 250 voices per 30 min for three hours
        during = [a for a in s.alerts if a.at >= T0 + start]
        assert ("escalated", "crisis") in [(a.event, a.severity) for a in during], f"week {week}"
        assert all(a.baseline <= max(before, 1.0) * 3 for a in during)
        three_hours_in = s.td.snapshot()
        assert three_hours_in.severity == "crisis"  # not 'usual' yet
        assert three_hours_in.baseline <= max(before, 1.0) * 3
        if week == 0:
            assert three_hours_in.baseline == 1.0  # nothing was known before it, nothing learned from it
        s.until(start + 8 * HOUR)
        assert s.td.snapshot().severity == "calm"
        s.until((week + 1) * WEEK)
    assert len({a.incident_id for a in s.alerts if a.event == "opened"}) == 3


def test_a_busy_topic_needs_a_crisis_relative_to_its_usual_volume() -> None:
    s = Stream()
    for hour in range(8 * 24):  # eight days of ~100 voices per 30 min, around the clock
        s.spread(hour * HOUR, HOUR, 200)
        s.until((hour + 1) * HOUR)
    # a fresh detector knows nothing, so the first morning is news; learning is clipped while it
    # alarms (a surge must not teach itself), so it takes days to accept 100 voices as usual
    assert s.opened_between(0, HOUR)
    assert s.opened_between(HOUR, 8 * DAY) == []
    assert [a.event for a in s.alerts][-1] == "resolved" and s.alerts[-1].at < T0 + 5 * DAY
    snap = s.td.snapshot()
    assert 80 <= snap.baseline <= 110 and snap.crisis_threshold >= 240
    start = 8 * DAY
    s.spread(start, 1800, 250)  # 250 voices: above the absolute 200, but only 2.5x the usual
    assert s.opened_between(start, start + 1800) == []
    s.spread(start + 1800, 600, 250)  # the window now holds ~400: 4x the usual
    assert [(a.event, a.severity) for a in s.opened_between(start, start + 2 * HOUR)] == [("opened", "crisis")]


def test_a_saved_baseline_is_the_same_baseline_after_a_restart() -> None:
    s = Stream()
    for day in range(8):
        s.spread(day * DAY + 12 * HOUR, HOUR, 40)
        s.until((day + 1) * DAY)
    restored = TopicDetector("service")
    restored.restore_baseline(s.td.baseline.to_json())
    for t in (8 * DAY + 12 * HOUR, 9 * DAY + 3 * HOUR, 10 * DAY + 12.5 * HOUR):
        assert restored.baseline.expected(T0 + t) == s.td.baseline.expected(T0 + t)
    assert s.td.baseline.expected(T0 + 8 * DAY + 12 * HOUR) > 10


def test_the_hour_just_committed_is_read_with_last_periods_value() -> None:
    b = SeasonalBaseline(alpha=0.3, floor=1.0)
    for hour in (14, 15, 16):  # last week: 2 voices at 14:00-17:00
        b.learn_one(T0 + hour * HOUR, 2.0)
    b.learn_one(T0 + WEEK + 14 * HOUR, 50.0, elevated=True)  # this week's 14:00 surge ...
    b.learn_one(T0 + WEEK + 15 * HOUR, 50.0, elevated=True)  # ... is committed as 15:00 begins
    assert b.expected(T0 + WEEK + 15.5 * HOUR) == 2.0  # 15:00 is not judged against the surge
    assert b.expected(T0 + 2 * WEEK + 15.5 * HOUR) > 2.0  # next week it counts, clipped by the caller
