"""The scenario suite: realistic streams with known ground truth, for backtests and the demo."""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from stream.simulator import DEFAULT_START, LANGS, Generator

HOUR = 3600.0
DAY = 86400.0
TOPICS = ("outage", "billing", "delivery", "safety", "service", "quality")


@dataclass(frozen=True)
class Expected:
    """An episode the detector must report: ``topic`` reaches ``severity``.

    ``onset`` is when the episode starts; ``threshold_t`` is the event time of the 200th
    distinct voice for a crisis (the source documents' rule), of the first voice for a
    prominent author.
    """

    topic: str
    severity: str  # "emerging" | "crisis" | "prominent"
    onset: float
    threshold_t: float


@dataclass
class Scenario:
    name: str
    description: str
    lines: list[str]
    expected: list[Expected]
    evaluate_from: float  # alerts before this are warm-up (the baseline is still learning)
    end: float
    dead_letters: int = 0
    notes: list[str] = field(default_factory=list)


def _nth(times: list[float], n: int, window: float = 1800.0) -> float:
    """Event time at which ``n`` of these first-time voices fall inside one sliding window."""
    ordered = sorted(times)
    for i in range(n - 1, len(ordered)):
        if ordered[i] - ordered[i - n + 1] < window:
            return ordered[i]
    raise ValueError(f"never {n} voices within {window:.0f} s")


def _nth_known(lines: list[str], voices: dict[str, float] | set[str], n: int, window: float = 1800.0) -> float:
    """Stream time (newest event time seen) when ``n`` of these voices are known within one window.

    With late delivery a voice can only be counted once it has arrived, so this, not the
    voice's own time, is the earliest moment any detector could know the threshold was met.
    """
    newest = 0.0
    known: list[float] = []
    counted: set[str] = set()
    for line in lines:
        record = json.loads(line)
        newest = max(newest, record["created_at"])
        if record["author"] in voices and record["author"] not in counted:
            counted.add(record["author"])
            bisect.insort(known, record["created_at"])
            lo = bisect.bisect_right(known, newest - window)
            if len(known) - lo >= n:
                return newest
    raise ValueError(f"never {n} voices within {window:.0f} s")


def _background(g: Generator, start: float, end: float, chatter: float = 6.0, gripes: float = 3.0) -> None:
    g.chatter(start, end, per_minute=chatter)
    g.isolated(start, end, per_hour=gripes, topics=TOPICS)


def isolated_gripes(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 12 * HOUR
    _background(g, start, end, gripes=6.0)
    return Scenario("isolated_gripes", "12 hours of chatter and one-off complaints on every topic",
                    g.lines(), [], start, end)


def spam_storm(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 4 * HOUR
    _background(g, start, end)
    g.spam("billing", start + HOUR, 20 * 60, authors=3, posts=600)
    return Scenario("spam_storm", "3 accounts post 600 billing complaints in 20 minutes",
                    g.lines(), [], start, end)


def multilingual_outage(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 6 * HOUR
    _background(g, start, end)
    onset = start + 2 * HOUR
    firsts = g.surge("outage", onset, 25 * 60, voices=320, langs=LANGS)
    g.surge("outage", onset + 25 * 60, 40 * 60, voices=30, langs=LANGS, shape="linear")
    return Scenario("multilingual_outage", "an outage in 6 languages grows to 320 voices in 25 min, then calms",
                    g.lines(), [Expected("outage", "crisis", onset, _nth(firsts, 200))], start, end)


def safety_cluster(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 4 * HOUR
    _background(g, start, end)
    onset = start + HOUR
    firsts = g.surge("safety", onset, 15 * 60, voices=6, langs=("en", "ro", "el"), shape="linear")
    return Scenario("safety_cluster", "6 customers report chargers catching fire within 15 minutes",
                    g.lines(), [Expected("safety", "emerging", onset, _nth(firsts, 3))], start, end)


def influencer(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 3 * HOUR
    _background(g, start, end)
    t = start + HOUR + 600
    g.influencer(t, "quality")
    return Scenario("influencer", "one verified author with 2.4M followers complains about quality",
                    g.lines(), [Expected("quality", "prominent", t, t)], start, end)


def flash_crisis(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 4 * HOUR
    _background(g, start, end)
    onset = start + HOUR
    firsts = g.surge("delivery", onset, 5 * 60, voices=260, shape="linear")
    return Scenario("flash_crisis", "260 delivery complaints from distinct customers in 5 minutes",
                    g.lines(), [Expected("delivery", "crisis", onset, _nth(firsts, 200))], start, end)


def duplicates_late(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 5 * HOUR
    _background(g, start, end)
    onset = start + 2 * HOUR
    g.surge("billing", onset, 20 * 60, voices=240, shape="linear")
    lines = g.lines(duplicate=0.3, late=0.2)
    threshold = _nth_known(lines, g.surge_voices["billing"], 200)
    return Scenario(
        "duplicates_late", "a 240-voice billing crisis; 30% delivered twice, 20% up to 5 minutes late",
        lines, [Expected("billing", "crisis", onset, threshold)], start, end,
    )


def bad_input(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 3 * HOUR
    _background(g, start, end)
    onset = start + HOUR
    firsts = g.surge("service", onset, 20 * 60, voices=25, shape="linear")
    g.bad_records(start, end, 90)
    return Scenario("bad_input", "90 malformed records mixed into a 25-voice service surge",
                    g.lines(), [Expected("service", "emerging", onset, _nth(firsts, 10))], start, end,
                    dead_letters=90)


def peak_hours(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    """Three weeks of lunchtime peaks on service; the last week is scored."""
    g = Generator(seed)
    days = 21
    end = start + days * DAY
    g.chatter(start, end, per_minute=1.5)
    g.isolated(start, end, per_hour=2.0, topics=TOPICS)
    for day in range(days):
        if day % 7 >= 5:
            continue
        noon = start + day * DAY + 11.5 * HOUR
        g.surge("service", noon, 2.5 * HOUR, voices=130, shape="linear", repeats=0.1)
    return Scenario("peak_hours", "weekday lunchtime peaks of ~25 service voices per 30 min for 3 weeks",
                    g.lines(), [], start + 14 * DAY, end)


def slow_burn(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 10 * HOUR
    _background(g, start, end)
    onset = start + 2 * HOUR
    firsts: list[float] = []
    # voices per 30 minutes grow step by step: 4, 8, 16, ... up to ~250
    for step, voices in enumerate((4, 8, 16, 32, 64, 128, 250, 250)):
        firsts += g.surge("quality", onset + step * 1800, 1800, voices=voices, shape="linear", repeats=0.0)
    return Scenario("slow_burn", "quality complaints double every 30 minutes until they reach a crisis",
                    g.lines(), [Expected("quality", "crisis", onset, _nth(firsts, 200))], start, end)


def quiet_week(seed: int = 7, start: float = DEFAULT_START) -> Scenario:
    g = Generator(seed)
    end = start + 7 * DAY
    g.chatter(start, end, per_minute=1.0)
    g.isolated(start, end, per_hour=1.5, topics=TOPICS)
    return Scenario("quiet_week", "a week of ordinary traffic", g.lines(), [], start, end)


SCENARIOS: dict[str, Callable[..., Scenario]] = {
    f.__name__: f
    for f in (
        isolated_gripes, spam_storm, multilingual_outage, safety_cluster, influencer, flash_crisis,
        duplicates_late, bad_input, peak_hours, slow_burn, quiet_week,
    )
}


def demo(seed: int = 11, start: float = DEFAULT_START) -> Scenario:
    """The demo's story: gripes, a spam storm, an influencer, a multilingual outage that calms down."""
    g = Generator(seed)
    end = start + 4 * HOUR
    _background(g, start, end, chatter=8.0, gripes=5.0)
    g.spam("billing", start + 30 * 60, 15 * 60, authors=2, posts=300)
    g.influencer(start + 50 * 60, "quality")
    onset = start + 75 * 60
    firsts = g.surge("outage", onset, 30 * 60, voices=360, langs=LANGS)
    g.surge("outage", onset + 30 * 60, 30 * 60, voices=25, langs=LANGS, shape="linear")
    return Scenario(
        "demo", "isolated gripes, a spam storm, an influencer, then a 6-language outage crisis that calms",
        g.lines(),
        [Expected("quality", "prominent", start + 50 * 60, start + 50 * 60),
         Expected("outage", "crisis", onset, _nth(firsts, 200))],
        start, end,
    )
