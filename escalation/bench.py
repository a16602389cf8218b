"""``bench-paging``: time from an alert entering the engine to the receiver's HTTP request.

The path measured is the real one: ``EscalationEngine.handle`` (Redis transaction: incident +
outbox), the ``run`` loop waking, the outbox claim, the webhook receiver's signed POST, to the
moment a local aiohttp server sees the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass

import numpy as np
import redis
from aiohttp import web

from detectors.events import AlertEvent
from escalation.engine import EscalationEngine
from escalation.plan import EscalationPlan, Level, Policy, ReceiverConfig, RetryPolicy
from state.keys import Keys


@dataclass(frozen=True)
class PagingBench:
    alerts: int
    received: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


async def _serve(arrivals: dict[str, float], done: asyncio.Event, expected: int) -> tuple[web.AppRunner, int]:
    async def hook(request: web.Request) -> web.Response:
        now = time.perf_counter()
        body = await request.json()
        arrivals.setdefault(body["page"]["incident_id"], now)
        if len(arrivals) >= expected:
            done.set()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def bench_paging(client: redis.Redis, namespace: str | None = None, alerts: int = 200,
                       gap_s: float = 0.005) -> PagingBench:
    """Send ``alerts`` new incidents ``gap_s`` apart; percentiles of alert -> HTTP request."""
    keys = Keys(namespace or f"bench-paging-{uuid.uuid4().hex[:8]}")
    arrivals: dict[str, float] = {}
    sent: dict[str, float] = {}
    done = asyncio.Event()
    runner, port = await _serve(arrivals, done, alerts)
    hook = ReceiverConfig("bench-hook", "webhook",
                          secrets={"url": f"http://127.0.0.1:{port}/hook", "secret": "bench-secret"})
    policy = Policy((Level(("bench-hook",), 0.0),))
    plan = EscalationPlan({"bench-hook": hook}, {"emerging": policy, "crisis": policy},
                          retry=RetryPolicy(attempts=3, backoff_s=0.05, max_backoff_s=0.2, timeout_s=5.0))
    engine = EscalationEngine(client, keys, plan, concurrency=64)
    stop = asyncio.Event()
    loop_task = asyncio.create_task(engine.run(stop, interval=0.5))
    try:
        for i in range(alerts):
            incident = f"bench-{i:05d}"
            sent[incident] = time.perf_counter()
            await engine.handle(AlertEvent("opened", incident, "outage", "crisis", time.time(), 240, 480,
                                           "bench alert", 1800))
            if gap_s:
                await asyncio.sleep(gap_s)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=30)
    finally:
        stop.set()
        await loop_task
        await engine.close()
        await runner.cleanup()
        _clear(client, keys)
    lat = np.array([(arrivals[i] - t) * 1000 for i, t in sent.items() if i in arrivals]) if arrivals else np.zeros(1)
    p50, p95, p99 = np.percentile(lat, [50, 95, 99])
    return PagingBench(alerts, len(arrivals), float(p50), float(p95), float(p99), float(lat.max()))


def _clear(client: redis.Redis, keys: Keys) -> None:
    batch = list(client.scan_iter(match=keys.scan_pattern(), count=1000))
    if batch:
        client.unlink(*batch)
