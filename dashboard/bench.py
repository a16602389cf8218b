"""Time one wall refresh (Redis read + every figure and panel) on synthetic state.

Synthetic state is written in the layout of ``state.keys`` for as many topics as asked, with a
full timeline over the range, so the read is as large as a busy production wall's.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import dataclass

import plotly.io.json as pio_json
import redis

from dashboard.options import WallOptions
from dashboard.refresh import refresh
from detectors.events import iso_utc
from state.keys import Keys

SEVERITY_CYCLE = ("calm", "calm", "isolated", "calm", "emerging", "calm", "calm", "crisis")


def write_synthetic(client: redis.Redis, keys: Keys, topics: int, range_s: float, end: float, seed: int = 7) -> None:
    rnd = random.Random(seed)
    names = [f"topic{i:02d}" for i in range(topics)]
    pipe = client.pipeline(transaction=False)
    pipe.hset(keys.config, mapping={
        "topics": json.dumps([{"name": n, "label": f"Topic {i}", "priority": i % 5 == 0} for i, n in enumerate(names)]),
        "window_s": 1800,
    })
    pipe.hset(keys.heartbeat, mapping={"wall": time.time(), "event": end, "mentions": 10**6, "complaints": 10**5,
                                       "dead_letters": 3})
    last = int(end // 60) * 60
    for i, name in enumerate(names):
        severity = SEVERITY_CYCLE[i % len(SEVERITY_CYCLE)]
        timeline = {}
        for m in range(last - int(range_s), last + 60, 60):
            v = rnd.randint(0, 12)
            timeline[str(m)] = json.dumps({"m": v + 2, "v": v, "w": v * 25, "b": 120.0, "e": 360.0, "c": 600.0,
                                           "s": severity}, separators=(",", ":"))
        pipe.hset(keys.timeline(name), mapping=timeline)
        pipe.hset(keys.heatmap(name), mapping={str(h): rnd.randint(0, 400) for h in range(168)})
        pipe.hset(keys.topic_state(name), mapping={
            "severity": severity, "since": end - 1800, "voices": rnd.randint(0, 900), "mentions": 1000,
            "baseline": 120, "ratio": 2.5, "emerging_threshold": 360, "crisis_threshold": 600,
            "incident_id": f"inc-{name}" if severity in ("emerging", "crisis") else "", "trend": "up",
            "languages": json.dumps({"en": 50, "ro": 20, "el": 10, "id": 5, "fa": 3}),
            "channels": json.dumps({"x": 40, "facebook": 30, "instagram": 10, "youtube": 5}),
            "high_reach": 1, "reason": "synthetic", "updated_at": end,
        })
        for k in range(20):
            pipe.rpush(keys.samples(name), json.dumps({
                "at": end - k * 30, "text": f"Complaint number {k} about {name}: the app keeps failing",
                "lang": "en", "channel": "x", "followers": 100, "verified": False, "voice": f"v{k}"}))
        if severity in ("emerging", "crisis"):
            pipe.hset(keys.incidents, f"inc-{name}", json.dumps({
                "incident_id": f"inc-{name}", "topic": name, "severity": severity, "status": "open",
                "opened_at": iso_utc(end - 1800), "voices": 300, "peak_voices": 400, "level": 1,
                "pages": [{"at": iso_utc(end - 1700), "receiver": "pagerduty", "level": 1, "kind": "trigger",
                           "status": "sent", "attempts": 1, "error": ""}]}))
    pipe.execute()


@dataclass(frozen=True)
class BenchResult:
    runs: int
    median_ms: float
    p95_ms: float
    read_median_ms: float
    payload_kb: float


def bench(client: redis.Redis, keys: Keys, options: WallOptions, runs: int) -> BenchResult:
    """Median and p95 of full refreshes, including the JSON encoding Dash sends to the browser."""
    from dashboard.read import read_wall

    refresh(client, keys, options)  # warm imports and connections
    totals, reads, size = [], [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        rendered = refresh(client, keys, options)
        payload = pio_json.to_json_plotly([rendered.tiles, rendered.chart, rendered.incidents, rendered.complaints,
                                           rendered.mix, rendered.prominent, rendered.heatmap, rendered.summary])
        totals.append((time.perf_counter() - t0) * 1000)
        size = len(payload)
        t0 = time.perf_counter()
        read_wall(client, keys, options.topics, options.range_s)
        reads.append((time.perf_counter() - t0) * 1000)
    totals.sort()
    p95 = totals[min(len(totals) - 1, int(round(0.95 * (len(totals) - 1))))]
    return BenchResult(runs, statistics.median(totals), p95, statistics.median(reads), size / 1024)
