"""Cost of ``Detector.learn_one`` per complaint: ``python -m detectors.bench [n]``.

The synthetic stream looks like production traffic that matters for cost: six topics, a steady
trickle of one-off gripes, one surge a day on a rotating topic, 10% repeat posts by the same
author, 5% re-deliveries and 10% mentions up to five minutes late. Observations are built
before the clock starts, so only detection is timed.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from detectors.detector import Detector
from detectors.params import LadderParams
from detectors.window import Observation

TOPICS = ("outage", "billing", "delivery", "safety", "service", "quality")
START = 1772409600.0  # 2026-03-02 00:00 UTC, a Monday
LANGS = ("en", "es", "ro", "el", "id", "fa")
CHANNELS = ("twitter", "facebook", "instagram", "youtube", "blog", "review")


def synthetic(n: int, seed: int = 1, per_second: float = 2.0) -> list[tuple[str, Observation]]:
    """``n`` (topic, observation) pairs in arrival order."""
    rng = random.Random(seed)
    out: list[tuple[str, Observation]] = []
    t = START
    authors = 0
    recent: list[tuple[str, Observation]] = []
    while len(out) < n:
        t += rng.expovariate(per_second)
        day_s = (t - START) % 86400
        surge = 13 * 3600 <= day_s < 13 * 3600 + 1200
        topic = TOPICS[int((t - START) // 86400) % len(TOPICS)] if surge and rng.random() < 0.7 else rng.choice(TOPICS)
        if recent and rng.random() < 0.05:  # re-delivery of something already seen
            out.append(rng.choice(recent))
            continue
        if recent and rng.random() < 0.1:  # the same author again
            voice = rng.choice(recent)[1].voice
        else:
            authors += 1
            voice = f"v{authors:09d}"
        late = rng.uniform(0, 300) if rng.random() < 0.1 else 0.0
        obs = Observation(t - late, f"m{len(out):09d}", voice, rng.choice(LANGS), rng.choice(CHANNELS),
                          rng.choice((50, 300, 2000, 150_000)) if rng.random() < 0.01 else 100, False)
        item = (topic, obs)
        out.append(item)
        recent.append(item)
        if len(recent) > 500:
            recent = recent[-250:]
    return out


def run(n: int = 1_000_000, seed: int = 1) -> dict[str, Any]:
    """Time ``learn_one`` over ``n`` synthetic complaints (plus one ``advance`` per 2,000, like a batch)."""
    stream = synthetic(n, seed)
    detector = Detector({topic: LadderParams(priority=topic in ("outage", "safety")) for topic in TOPICS})
    learn = detector.learn_one
    alerts = 0
    max_buckets = 0
    started = time.perf_counter()
    for i, (topic, obs) in enumerate(stream):
        alerts += len(learn(topic, obs))
        if i % 2000 == 1999:
            alerts += len(detector.advance(detector.watermark))
            max_buckets = max(max_buckets, detector.retained_buckets())
    elapsed = time.perf_counter() - started
    return {
        "n": n,
        "seconds": round(elapsed, 3),
        "us_per_observation": round(elapsed / n * 1e6, 3),
        "observations_per_s": round(n / elapsed),
        "alerts": alerts,
        "duplicates": detector.duplicates,
        "too_late": detector.too_late,
        "max_retained_buckets": max_buckets,
        "stream_days": round((detector.watermark - START) / 86400, 1),
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 1_000_000
    r = run(n)
    print(
        f"detection: {r['n']:,} complaints in {r['seconds']:.2f} s = {r['us_per_observation']:.2f} µs each "
        f"({r['observations_per_s']:,}/s); {r['alerts']} alerts, {r['duplicates']:,} duplicates, "
        f"{r['too_late']:,} too late; at most {r['max_retained_buckets']} buckets held over "
        f"{r['stream_days']} days of event time"
    )


if __name__ == "__main__":
    main()
