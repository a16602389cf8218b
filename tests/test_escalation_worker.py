"""The escalation worker of distributed mode: alerts from the Redis stream, paged once each.

Two workers consume the same stream through one consumer group; one of them dies after
reading its alerts and before acknowledging them, and the other takes them over. Every
incident is still triggered exactly once at the (real, local) PagerDuty-like receiver.
"""

from __future__ import annotations

import asyncio
import json

import redis

from crisiswatch.worker_cli import ALERT_GROUP, consume_alerts
from detectors.events import AlertEvent
from escalation.engine import EscalationEngine
from state.keys import Keys
from state.server import EmbeddedRedis
from tests.http_receivers import ReceiverServer
from tests.test_escalation_engine import Clock, make_plan

ALERTS = [
    AlertEvent("opened", "outage-1", "outage", "emerging", 1_717_000_000.0, 12, 15, "12 voices"),
    AlertEvent("opened", "billing-1", "billing", "emerging", 1_717_000_010.0, 11, 14, "11 voices"),
    AlertEvent("escalated", "outage-1", "outage", "crisis", 1_717_000_300.0, 210, 260, "210 voices"),
    AlertEvent("opened", "delivery-1", "delivery", "crisis", 1_717_000_400.0, 230, 240, "230 voices"),
]


def test_two_escalation_workers_and_a_crash_page_each_incident_once(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, namespace: str
) -> None:
    keys = Keys(namespace)
    for alert in ALERTS:
        redis_client.xadd(keys.alerts, {"json": json.dumps(alert.to_json())})

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server, levels=[(["pagerduty"], 0.0)])
            # a worker that reads two alerts, then dies without acknowledging them
            redis_client.xgroup_create(keys.alerts, ALERT_GROUP, id="0", mkstream=True)
            taken = redis_client.xreadgroup(ALERT_GROUP, "dead-worker", {keys.alerts: ">"}, count=2)
            assert len(taken[0][1]) == 2

            stop = asyncio.Event()
            engines = [EscalationEngine(redis_client, keys, plan, clock=Clock(1_717_000_500.0)) for _ in range(2)]
            workers = [
                asyncio.create_task(consume_alerts(redis_server.url, keys, engine, stop, f"w{i}", idle_ms=0))
                for i, engine in enumerate(engines)
            ]
            for _ in range(300):
                pending = redis_client.xpending(keys.alerts, ALERT_GROUP)["pending"]
                delivered = redis_client.xinfo_groups(keys.alerts)[0]["last-delivered-id"]
                if pending == 0 and delivered == redis_client.xinfo_stream(keys.alerts)["last-generated-id"]:
                    break
                await asyncio.sleep(0.02)
            for engine in engines:
                await engine.tick()
            stop.set()
            await asyncio.gather(*workers)
            for engine in engines:
                await engine.close()
            triggers = sorted((r.body["dedup_key"], r.body["payload"]["severity"])
                              for r in server.ok("pagerduty") if r.body["event_action"] == "trigger")
            # once per incident and severity: outage was paged when it opened and again when it became a crisis
            assert triggers == [("billing-1", "warning"), ("delivery-1", "critical"),
                                ("outage-1", "critical"), ("outage-1", "warning")]

    asyncio.run(scenario())
    assert redis_client.xpending(keys.alerts, ALERT_GROUP)["pending"] == 0
    incidents = {k: json.loads(v) for k, v in redis_client.hgetall(keys.incidents).items()}
    assert incidents["outage-1"]["severity"] == "crisis"
