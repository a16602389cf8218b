"""The escalation engine against real receiver servers on 127.0.0.1 and a real Redis.

Timeouts and reminders run on an injected clock (as a replay does); delivery retries use
short real backoffs configured here, so nothing waits long.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import redis

from detectors.events import AlertEvent
from escalation.engine import EscalationEngine
from escalation.lifecycle import acknowledge, list_incidents, load_incident, resolve
from escalation.notify import receiver_health
from escalation.plan import EscalationPlan, Level, Policy, ReceiverConfig, RetryPolicy
from escalation.silence import add_silence, remove_silence
from state.keys import Keys
from tests.http_receivers import ReceiverServer

T0 = 1_717_000_000.0
ROUTING_KEY = "pd-routing-key-SECRET"
FAST_RETRY = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.05, timeout_s=0.5)


class Clock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def receivers(server: ReceiverServer, **fallbacks: str) -> dict[str, ReceiverConfig]:
    return {
        "pagerduty": ReceiverConfig("pagerduty", "pagerduty", options={"url": server.url("pagerduty/v2/enqueue")},
                                    secrets={"routing_key": ROUTING_KEY}, fallback=fallbacks.get("pagerduty")),
        "slack": ReceiverConfig("slack", "slack", secrets={"url": server.url("slack/T0/B0/hooksecret")},
                                fallback=fallbacks.get("slack")),
        "webhook": ReceiverConfig("webhook", "webhook", secrets={"url": server.url("webhook"),
                                                                 "secret": server.webhook_secret}),
    }


def make_plan(
    server: ReceiverServer, levels: list[tuple[list[str], float]] | None = None, remind: float | None = None,
    retry: RetryPolicy = FAST_RETRY, **fallbacks: str,
) -> EscalationPlan:
    levels = levels or [(["pagerduty", "slack"], 0.0), (["webhook"], 900.0)]
    policy = Policy(tuple(Level(tuple(r), a) for r, a in levels), remind)
    return EscalationPlan(receivers(server, **fallbacks), {"emerging": policy, "crisis": policy},
                          wall_url="http://wall.test:8050", retry=retry)


def alert(event: str = "opened", at: float = T0, severity: str = "crisis", incident: str = "outage-1",
          voices: int = 240) -> AlertEvent:
    return AlertEvent(event, incident, "outage", severity, at, voices, voices * 2,  # type: ignore[arg-type]
                      f"{voices} voices complained about outage in 30 min, 8x the usual",
                      1800, 30.0, 8.0, {"en": 200, "ro": 40}, {"x": 180, "facebook": 60}, 2, True)


async def settle(engine: EscalationEngine, done: Callable[[], bool], limit_s: float = 5.0) -> None:
    """Tick until ``done`` (retries are due a few ms later); give up after ``limit_s``."""
    deadline = time.monotonic() + limit_s
    while True:
        await engine.tick()
        if done() or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.02)


def run(scenario: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
    asyncio.run(scenario(*args))


def pd_events(server: ReceiverServer) -> list[str]:
    return [r.body["event_action"] for r in server.ok("pagerduty")]


# -- one trigger per incident ----------------------------------------------------------------

def test_one_trigger_per_incident_with_explanation_and_link(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            engine = EscalationEngine(redis_client, keys, make_plan(server), clock=Clock())
            await engine.handle(alert())
            await engine.handle(alert())  # the same alert again (a replay, a re-delivery)
            await engine.tick()
            await engine.tick()
            await engine.close()
            [trigger] = server.ok("pagerduty")
            assert trigger.body["routing_key"] == ROUTING_KEY
            assert trigger.body["event_action"] == "trigger"
            assert trigger.body["dedup_key"] == "outage-1"
            payload = trigger.body["payload"]
            assert payload["severity"] == "critical"
            assert "CRISIS outage: 240 voices" in payload["summary"]
            assert payload["custom_details"]["explanation"].startswith("240 voices complained about outage")
            assert payload["custom_details"]["languages"] == {"en": 200, "ro": 40}
            assert trigger.body["links"][0]["href"] == "http://wall.test:8050/?incident=outage-1"
            [slack] = server.ok("slack")
            assert "CRISIS outage: 240 voices" in slack.body["text"]
            flat = str(slack.body["blocks"])
            assert "*Voices*\\n240" in flat and "outage" in flat and "http://wall.test:8050/?incident=outage-1" in flat
            assert server.ok("webhook") == []

    run(scenario)
    [incident] = list_incidents(redis_client, keys)
    record = incident.to_json()
    assert record["status"] == "open" and record["level"] == 1
    assert record["opened_at"] == "2024-05-29T16:26:40.000Z"
    assert {(p["receiver"], p["kind"], p["status"], p["attempts"]) for p in record["pages"]} == {
        ("pagerduty", "trigger", "delivered", 1), ("slack", "trigger", "delivered", 1)}


# -- escalation timeouts, acknowledgement, reminders, resolve --------------------------------

def test_unacknowledged_incident_escalates_after_the_timeout(redis_client: redis.Redis, namespace: str) -> None:
    keys, clock = Keys(namespace), Clock()

    async def scenario() -> None:
        async with ReceiverServer() as server:
            engine = EscalationEngine(redis_client, keys, make_plan(server), clock=clock)
            await engine.handle(alert())
            clock.t = T0 + 14 * 60
            await engine.tick()
            assert server.ok("webhook") == []
            clock.t = T0 + 15 * 60
            await engine.tick()
            await engine.tick()
            await engine.close()
            [page] = server.ok("webhook")
            assert page.body["kind"] == "escalation"
            assert page.body["page"]["level"] == 2
            assert "not acknowledged — escalated to level 2" in page.body["page"]["title"]
            assert page.headers["X-Crisiswatch-Delivery"].startswith("outage-1:")

    run(scenario)
    incident = load_incident(redis_client, keys, "outage-1")
    assert incident is not None and incident.level == 2
    assert incident.escalated_at == T0 + 15 * 60


def test_acknowledged_incident_does_not_escalate_and_pagerduty_is_told(
    redis_client: redis.Redis, redis_server: Any, namespace: str,
) -> None:
    keys, clock = Keys(namespace), Clock()

    async def scenario() -> None:
        async with ReceiverServer() as server:
            engine = EscalationEngine(redis_client, keys, make_plan(server), clock=clock)
            await engine.handle(alert())
            await engine.tick()
            # The on-call lead acknowledges from another process (the CLI or the wall).
            other = redis.Redis.from_url(redis_server.url, decode_responses=True)
            acked = acknowledge(other, keys, "outage-1", by="maria", at=T0 + 300)
            other.close()
            assert acked.status == "acknowledged"
            clock.t = T0 + 20 * 60
            await engine.tick()
            await engine.tick()
            await engine.close()
            assert server.ok("webhook") == []
            assert pd_events(server) == ["trigger", "acknowledge"]
            assert server.pd_alerts[(ROUTING_KEY, "outage-1")]["status"] == "acknowledged"
            acks = [r for r in server.ok("slack") if "acknowledged" in r.body["text"]]
            assert len(acks) == 1 and "by maria" in acks[0].body["text"]

    run(scenario)
    record = load_incident(redis_client, keys, "outage-1")
    assert record is not None
    assert (record.status, record.acknowledged_by, record.acknowledged_at, record.level) == (
        "acknowledged", "maria", T0 + 300, 1)


def test_reminders_follow_up_until_resolved(redis_client: redis.Redis, namespace: str) -> None:
    keys, clock = Keys(namespace), Clock()

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server, levels=[(["pagerduty", "slack"], 0.0)], remind=1800.0)
            engine = EscalationEngine(redis_client, keys, plan, clock=clock)
            await engine.handle(alert())
            acknowledge(redis_client, keys, "outage-1", by="maria", at=T0 + 60)
            for minutes in (29, 30, 31, 59, 60):
                clock.t = T0 + minutes * 60
                await engine.tick()
            reminders = [r.body["text"] for r in server.ok("slack") if "reminder" in r.body["text"]]
            assert len(reminders) == 2
            assert "reminder #1" in reminders[0] and "still acknowledged" in reminders[0]
            assert "reminder #2" in reminders[1]
            # PagerDuty re-notifies by its own policy: no reminder triggers there.
            assert pd_events(server) == ["trigger", "acknowledge"]
            resolve(redis_client, keys, "outage-1", by="maria", at=T0 + 3700)
            clock.t = T0 + 5 * 3600
            await engine.tick()
            await engine.close()
            assert len([r for r in server.ok("slack") if "reminder" in r.body["text"]]) == 2
            assert pd_events(server) == ["trigger", "acknowledge", "resolve"]

    run(scenario)


def test_detector_resolution_resolves_and_tells_receivers_that_support_it(
    redis_client: redis.Redis, namespace: str,
) -> None:
    keys, clock = Keys(namespace), Clock()

    async def scenario() -> None:
        async with ReceiverServer() as server:
            engine = EscalationEngine(redis_client, keys, make_plan(server), clock=clock)
            await engine.handle(alert())
            clock.t = T0 + 16 * 60
            await engine.tick()  # escalates to the webhook
            await engine.handle(alert("resolved", at=T0 + 50 * 60, severity="emerging", voices=3))
            await engine.tick()
            clock.t = T0 + 3 * 3600
            await engine.tick()
            await engine.close()
            assert pd_events(server) == ["trigger", "resolve"]
            assert server.pd_alerts[(ROUTING_KEY, "outage-1")]["status"] == "resolved"
            assert [r.body["kind"] for r in server.ok("webhook")] == ["escalation", "resolve"]
            assert sum("resolved" in r.body["text"] for r in server.ok("slack")) == 1

    run(scenario)
    record = load_incident(redis_client, keys, "outage-1")
    assert record is not None
    assert (record.status, record.resolved_by, record.resolved_at) == ("resolved", "auto", T0 + 50 * 60)
    assert list_incidents(redis_client, keys, open_only=True) == []


def test_emerging_that_turns_crisis_pages_the_crisis_plan_at_once(redis_client: redis.Redis, namespace: str) -> None:
    keys, clock = Keys(namespace), Clock()

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server)
            plan.severities["emerging"] = Policy((Level(("slack",), 0.0),))
            engine = EscalationEngine(redis_client, keys, plan, clock=clock)
            await engine.handle(alert(severity="emerging", voices=20))
            await engine.tick()
            assert server.ok("pagerduty") == []
            clock.t = T0 + 600
            await engine.handle(alert("escalated", at=T0 + 600, voices=250))
            await engine.tick()
            await engine.close()
            [trigger] = server.ok("pagerduty")
            assert trigger.body["payload"]["severity"] == "critical"
            assert len(server.ok("slack")) == 2

    run(scenario)
    record = load_incident(redis_client, keys, "outage-1")
    assert record is not None and record.severity == "crisis" and record.peak_voices == 250


def test_fast_replay_pages_on_the_alerts_own_timeline(redis_client: redis.Redis, namespace: str) -> None:
    """A replay as fast as possible handles alerts after the event-time clock has run ahead."""
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server, levels=[(["slack"], 0.0), (["webhook"], 900.0)], remind=1800.0)
            engine = EscalationEngine(redis_client, keys, plan, clock=Clock(T0 + 4 * 3600))
            await engine.handle(alert())
            await engine.handle(alert("deescalated", at=T0 + 40 * 60, severity="emerging", voices=40))
            await engine.handle(alert("resolved", at=T0 + 50 * 60, severity="emerging", voices=2))
            await engine.tick()
            await engine.close()

    run(scenario)
    incident = load_incident(redis_client, keys, "outage-1")
    assert incident is not None
    assert [(p.kind, p.receiver, p.at - T0) for p in incident.pages if p.kind != "resolve"] == [
        ("trigger", "slack", 0.0), ("escalation", "webhook", 900.0),
        ("reminder", "slack", 2700.0), ("reminder", "webhook", 2700.0)]
    assert incident.resolved_at == T0 + 50 * 60


# -- retries, fallback, failures -------------------------------------------------------------

def test_retries_on_500_429_and_timeouts_then_delivers_once(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer(hang_s=2.0) as server:
            plan = make_plan(server, levels=[(["pagerduty"], 0.0)],
                             retry=RetryPolicy(attempts=4, backoff_s=0.01, max_backoff_s=0.05, timeout_s=0.3))
            server.fail("pagerduty", 500, 429, "timeout")
            engine = EscalationEngine(redis_client, keys, plan, clock=Clock())
            await engine.handle(alert())
            await settle(engine, lambda: len(server.ok("pagerduty")) == 1)
            await engine.close()
            assert [r.status for r in server.requests if r.route == "pagerduty"][:3] == [500, 429, 504]
            assert len(server.ok("pagerduty")) == 1
            assert server.pd_alerts[(ROUTING_KEY, "outage-1")]["triggers"] == 1

    run(scenario)
    [page] = load_incident(redis_client, keys, "outage-1").pages  # type: ignore[union-attr]
    assert (page.status, page.attempts, page.error) == ("delivered", 4, "")


def test_failing_receiver_falls_back_to_the_next_in_the_plan_after_n_tries(
    redis_client: redis.Redis, namespace: str,
) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server, levels=[(["pagerduty"], 0.0), (["webhook"], 900.0)])
            server.fail("pagerduty", 500, 500, 500, 500)
            engine = EscalationEngine(redis_client, keys, plan, clock=Clock())
            await engine.handle(alert())
            await settle(engine, lambda: len(server.ok("webhook")) == 1)
            await engine.close()
            assert [r.status for r in server.requests if r.route == "pagerduty"] == [500, 500, 500]
            [page] = server.ok("webhook")
            assert page.body["kind"] == "trigger" and page.body["page"]["level"] == 1

    run(scenario)
    incident = load_incident(redis_client, keys, "outage-1")
    assert incident is not None
    assert [(p.receiver, p.status, p.attempts) for p in incident.pages] == [
        ("pagerduty", "fallback", 3), ("webhook", "delivered", 1)]
    assert incident.pages[0].error == "HTTP 500: {\"status\": \"error\"}"
    health = receiver_health(redis_client, keys)
    assert health["pagerduty"]["failed"] == 1 and health["pagerduty"]["consecutive_failures"] == 3
    assert health["webhook"]["delivered"] == 1


def test_rejected_request_is_not_retried_and_goes_to_the_configured_fallback(
    redis_client: redis.Redis, namespace: str,
) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server, levels=[(["pagerduty"], 0.0)], pagerduty="slack")
            server.fail("pagerduty", 400)
            engine = EscalationEngine(redis_client, keys, plan, clock=Clock())
            await engine.handle(alert())
            await settle(engine, lambda: len(server.ok("slack")) == 1)
            await engine.close()
            assert len([r for r in server.requests if r.route == "pagerduty"]) == 1
            assert "CRISIS outage" in server.ok("slack")[0].body["text"]

    run(scenario)


def test_delivery_failure_is_visible_and_secrets_are_masked(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server, levels=[(["slack"], 0.0)])
            # A webhook URL is a secret: make the failure message contain it.
            plan.receivers["slack"] = ReceiverConfig(
                "slack", "slack", secrets={"url": f"http://127.0.0.1:{server.port}/nosuchroute/hooksecret"})
            engine = EscalationEngine(redis_client, keys, plan, clock=Clock())
            await engine.handle(alert())
            await settle(engine, lambda: engine.outbox.pending() == 0)
            await engine.close()

    run(scenario)
    [page] = load_incident(redis_client, keys, "outage-1").pages  # type: ignore[union-attr]
    assert page.status == "failed"
    assert page.error.startswith("HTTP 405") or page.error.startswith("HTTP 404")
    assert "hooksecret" not in page.error
    assert "hooksecret" not in str(receiver_health(redis_client, keys))


# -- restarts --------------------------------------------------------------------------------

def test_restart_resumes_pending_pages_and_never_resends_delivered_ones(
    redis_client: redis.Redis, namespace: str,
) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            retry = RetryPolicy(attempts=5, backoff_s=0.2, max_backoff_s=0.2, timeout_s=0.5)
            server.fail("slack", 503)
            first = EscalationEngine(redis_client, keys, make_plan(server, retry=retry), clock=Clock())
            await first.handle(alert())
            await first.tick()
            await first.close()  # stopped while slack waits for its retry
            assert len(server.ok("pagerduty")) == 1 and server.ok("slack") == []

            second = EscalationEngine(redis_client, keys, make_plan(server, retry=retry), clock=Clock())
            await second.handle(alert())  # the pipeline re-delivers the alert after its own restart
            await settle(second, lambda: len(server.ok("slack")) == 1)
            await second.tick()
            await second.close()
            assert len(server.ok("pagerduty")) == 1
            assert len(server.ok("slack")) == 1

    run(scenario)


def test_crash_mid_delivery_is_resumed_and_pages_nobody_twice(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer(hang_s=0.5) as server:
            retry = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.05, timeout_s=2.0)
            plan = make_plan(server, levels=[(["pagerduty"], 0.0)], retry=retry)
            server.fail("pagerduty", "slow")  # PagerDuty is slow: the request is in flight...
            first = EscalationEngine(redis_client, keys, plan, clock=Clock())
            stop = asyncio.Event()
            task = asyncio.create_task(first.run(stop, interval=0.05))
            await first.handle(alert())
            while server.script["pagerduty"]:
                await asyncio.sleep(0.01)
            task.cancel()  # ...when the engine is killed
            await asyncio.gather(task, return_exceptions=True)
            await first.http.close()

            second = EscalationEngine(redis_client, keys, plan, clock=Clock())
            await settle(second, lambda: len(server.ok("pagerduty")) >= 1)
            deadline = time.monotonic() + 5
            while len(server.ok("pagerduty")) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)  # the abandoned request still lands, late
            await second.tick()
            await second.close()
            # Both requests carry the incident's dedup_key, so PagerDuty keeps one alert: one page.
            assert [r.body["dedup_key"] for r in server.ok("pagerduty")] == ["outage-1", "outage-1"]
            assert list(server.pd_alerts) == [(ROUTING_KEY, "outage-1")]

    run(scenario)
    [page] = load_incident(redis_client, keys, "outage-1").pages  # type: ignore[union-attr]
    assert page.status == "delivered"


def test_delivery_claimed_by_a_dead_engine_is_sent_once_after_its_lease(
    redis_client: redis.Redis, namespace: str,
) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            plan = make_plan(server, levels=[(["slack"], 0.0)])
            dead = EscalationEngine(redis_client, keys, plan, clock=Clock())
            dead.outbox.lease_s = 0.3
            await dead.handle(alert())
            assert len(dead.outbox.claim(10)) == 1  # claimed, then the process died
            alive = EscalationEngine(redis_client, keys, plan, clock=Clock())
            await alive.tick()
            assert server.ok("slack") == []  # the lease still protects it
            await asyncio.sleep(0.35)
            await alive.tick()
            await alive.tick()
            await alive.close()
            await dead.close()
            assert len(server.ok("slack")) == 1

    run(scenario)


# -- silences ----------------------------------------------------------------------------------

def test_muted_alert_is_recorded_not_paged_and_paged_when_the_silence_ends(
    redis_client: redis.Redis, namespace: str,
) -> None:
    keys, clock = Keys(namespace), Clock()

    async def scenario() -> None:
        async with ReceiverServer() as server:
            silence = add_silence(redis_client, keys, "outage", 3600, reason="planned maintenance")
            add_silence(redis_client, keys, "billing", 3600)
            engine = EscalationEngine(redis_client, keys, make_plan(server), clock=clock)
            await engine.handle(alert())
            clock.t = T0 + 20 * 60
            await engine.tick()
            assert server.requests == []
            muted = load_incident(redis_client, keys, "outage-1")
            assert muted is not None and muted.muted and muted.silence_id == silence.id
            assert {(p.receiver, p.status) for p in muted.pages} == {("pagerduty", "muted"), ("slack", "muted")}
            remove_silence(redis_client, keys, silence.id)
            await engine.tick()
            await engine.close()
            assert pd_events(server) == ["trigger"]
            assert len(server.ok("slack")) == 1

    run(scenario)
    record = load_incident(redis_client, keys, "outage-1")
    assert record is not None and not record.muted


def test_silence_for_all_topics_mutes_everything(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            add_silence(redis_client, keys, "all", 600)
            engine = EscalationEngine(redis_client, keys, make_plan(server), clock=Clock())
            await engine.handle(alert())
            await engine.tick()
            await engine.close()
            assert server.requests == []

    run(scenario)
    assert load_incident(redis_client, keys, "outage-1").muted  # type: ignore[union-attr]


# -- a live run --------------------------------------------------------------------------------

def test_run_loop_pages_as_soon_as_an_alert_arrives(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            server.arrivals = asyncio.Queue()
            engine = EscalationEngine(redis_client, keys, make_plan(server, levels=[(["webhook"], 0.0)]))
            stop = asyncio.Event()
            task = asyncio.create_task(engine.run(stop, interval=30.0))  # only the alert can wake it
            await engine.handle(alert(at=time.time()))
            received = await asyncio.wait_for(server.arrivals.get(), timeout=10)
            stop.set()
            engine._wake.set()
            await task
            await engine.close()
            assert received.body["kind"] == "trigger"

    run(scenario)
