"""The escalation engine: alerts in, incidents and pages out, on an injectable clock.

``clock`` drives the plan's timeouts and reminders: wall time live, the latest event time in a
replay (so last month's unacknowledged incident escalates on last month's timeline). Delivery
retries, leases and silences always use wall time. Every decision re-reads the incident from
Redis inside a transaction, so an ack made from the CLI or the wall stops escalation at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Callable

import redis

from detectors.events import AlertEvent
from escalation.dispatch import Dispatcher, parse_action
from escalation.keys import EscalationKeys
from escalation.lifecycle import load_incident, resolve, update_incident
from escalation.model import Incident
from escalation.notify import Command, Outbox
from escalation.plan import EscalationPlan
from escalation.receivers import Http
from escalation.silence import active_silence, list_silences
from state.keys import Keys

log = logging.getLogger("crisiswatch.escalation")
CATCH_UP_S = 60.0  # seconds of clock lag / event time that count as catching up


class EscalationEngine:
    def __init__(
        self, client: redis.Redis, keys: Keys, plan: EscalationPlan, clock: Callable[[], float] = time.time, *,
        wall_clock: Callable[[], float] = time.time, rng: Callable[[], float] = random.random,
        concurrency: int = 16,
    ) -> None:
        self.client = client
        self.keys = keys
        self.ekeys = EscalationKeys(keys)
        self.plan = plan
        self.clock = clock
        self.wall = wall_clock
        self.concurrency = concurrency
        self.http = Http()
        self.outbox = Outbox(client, keys, plan, self.http, wall_clock=wall_clock, rng=rng)
        self.dispatch = Dispatcher(plan, self.outbox)
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._alert_pass = float("-inf")

    # -- alerts ------------------------------------------------------------------------------
    async def handle(self, alert: AlertEvent) -> None:
        """Open/update the incident and queue its pages; deliveries start at once in ``run``."""
        now = self.clock()
        # A fast replay (or a backlog) handles alerts well after the clock has moved on: then the
        # alert's own time is when its pages fell due, and the timeouts due before it go first.
        at = alert.at if alert.at < now - CATCH_UP_S else now
        if at - self._alert_pass >= CATCH_UP_S:
            self._alert_pass = at
            self._timeouts(at)
        silence = active_silence(self.client, self.keys, alert.topic, self.wall())
        silence_id = silence.id if silence else None

        def mutate(inc: Incident | None) -> tuple[Incident | None, list[Command]]:
            return self.dispatch.on_alert(inc, alert, at, silence_id)

        inc = update_incident(self.client, self.keys, alert.incident_id, mutate)
        if alert.event == "resolved" and inc is not None and inc.is_open:
            resolve(self.client, self.keys, alert.incident_id, by="auto", at=alert.at)
        self._drain_actions()
        self._wake.set()
        await asyncio.sleep(0)  # let ``run`` start the sends before the caller hands in the next alert

    # -- timeouts, actions, deliveries -------------------------------------------------------
    async def tick(self) -> None:
        """Everything due now by ``clock`` (timeouts, reminders) and by the wall (deliveries),
        waiting for the deliveries it starts."""
        self._housekeeping()
        for _ in range(10):  # a fallback or a waiting resolve may become due within this tick
            started = self._start_due()
            if not started and not self._inflight:
                break
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)

    async def run(self, stop: asyncio.Event, interval: float = 0.5) -> None:
        """Until ``stop``: timeouts every ``interval`` s, deliveries as soon as they are queued."""
        last = -interval
        try:
            while not stop.is_set():
                try:
                    # A wake-up (new page queued, a send finished) only starts deliveries; the scan
                    # of every open incident for timeouts runs once per interval.
                    if time.monotonic() - last >= interval:
                        last = time.monotonic()
                        self._housekeeping()
                    self._start_due()
                except redis.RedisError as exc:
                    log.error("escalation state unavailable: %s", exc)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=interval)
        except asyncio.CancelledError:
            # Killed: abandon sends in flight; each puts itself back in the outbox for the next start.
            for task in list(self._inflight.values()):
                task.cancel()
            raise
        finally:
            if self._inflight:
                await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)

    async def close(self) -> None:
        if self._inflight:
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)
        await self.http.close()

    def _housekeeping(self) -> None:
        self._drain_actions()
        self._timeouts(self.clock())

    def _timeouts(self, now: float) -> None:
        silences = list_silences(self.client, self.keys, self.wall())
        for incident_id in self.client.smembers(self.ekeys.open):
            self._escalate(incident_id, now, silences)

    def _escalate(self, incident_id: str, now: float, silences: list) -> None:
        inc = load_incident(self.client, self.keys, incident_id)
        if inc is None or not inc.is_open:
            self.client.srem(self.ekeys.open, incident_id)
            return
        wall = self.wall()
        if not self._due(inc, now, any(s.matches(inc.topic, wall) for s in silences)):
            return

        def mutate(current: Incident | None) -> tuple[Incident | None, list[Command]]:
            if current is None:
                return None, []
            silenced = any(s.matches(current.topic, wall) for s in silences)
            commands = self.dispatch.on_tick(current, now, silenced)
            return current, commands

        update_incident(self.client, self.keys, incident_id, mutate)
        self._wake.set()

    def _due(self, inc: Incident, now: float, silenced: bool) -> bool:
        """Cheap pre-check outside the transaction; ``on_tick`` decides for real."""
        if inc.muted:
            return not silenced
        policy = self.plan.policy(inc.topic, inc.severity)
        if inc.status == "open" and inc.level < len(policy.levels) \
                and now >= inc.severity_since + policy.levels[inc.level].after_s:
            return True
        remind = policy.remind_every_s
        return bool(remind and inc.level >= 1 and inc.last_page_at is not None and now >= inc.last_page_at + remind)

    def _drain_actions(self) -> None:
        """Turn queued human acks/resolves into acknowledge/resolve pages (idempotent by id)."""
        raws = self.client.lrange(self.ekeys.actions, 0, -1)
        if not raws:
            return
        for raw in raws:
            action = parse_action(raw)
            if action is None:
                continue
            kind, by, at = str(action["action"]), action.get("by"), float(action.get("at") or self.clock())

            def mutate(inc: Incident | None, kind: str = kind, by: object = by, at: float = at,
                       ) -> tuple[Incident | None, list[Command]]:
                if inc is None:
                    return None, []
                return inc, self.dispatch.on_action(inc, kind, str(by) if by else None, at)

            update_incident(self.client, self.keys, str(action["incident_id"]), mutate)
        self.client.ltrim(self.ekeys.actions, len(raws), -1)
        self._wake.set()

    def _start_due(self) -> int:
        room = self.concurrency - len(self._inflight)
        if room <= 0:
            return 0
        started = 0
        for delivery_id in self.outbox.claim(room):
            if delivery_id in self._inflight:
                continue
            task = asyncio.create_task(self.outbox.attempt(delivery_id, self._wait_for))
            self._inflight[delivery_id] = task
            task.add_done_callback(lambda _t, d=delivery_id: self._done(d))
            started += 1
        return started

    async def _wait_for(self, delivery_ids: list[str]) -> None:
        tasks = [t for d in delivery_ids if (t := self._inflight.get(d))]
        if tasks:
            await asyncio.wait(tasks)

    def _done(self, delivery_id: str) -> None:
        self._inflight.pop(delivery_id, None)
        self._wake.set()  # a fallback or a waiting resolve may be due now


def pending_summary(client: redis.Redis, keys: Keys) -> dict[str, int]:
    """How many deliveries wait in the outbox, by receiver: what the operator checks first."""
    ekeys = EscalationKeys(keys)
    ids = client.zrange(ekeys.outbox, 0, -1)
    out: dict[str, int] = {}
    for raw in client.hmget(ekeys.deliveries, ids) if ids else []:
        if raw:
            name = json.loads(raw).get("receiver", "?")
            out[name] = out.get(name, 0) + 1
    return out
