"""The outbox: every page is a delivery in Redis, attempted until delivered, failed or handed on.

- A delivery's id is its dedup key; it is written with HSETNX in the same transaction that logs
  the page on the incident, so queuing the same page twice (a replayed alert, a restarted
  engine) is a no-op, and a delivered page is never sent again.
- Due deliveries are claimed with a lease (their due time pushed ahead in one Lua call), so two
  engines never send the same delivery at once and one that died mid-send is picked up again
  when the lease runs out.
- Timeouts, connection errors, 429 and 5xx are retried with exponential backoff and jitter; after
  ``retry.attempts`` tries (or at once on another 4xx) the page falls back to the receiver's
  ``fallback:`` or to the next receiver in the plan that has not got it.
- Backoff and leases are wall-clock seconds, also during a replay on event time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis

from escalation.keys import EscalationKeys
from escalation.lifecycle import update_incident
from escalation.model import NOTIFY_KINDS, Delivery, Incident, Page
from escalation.plan import EscalationPlan, ReceiverConfig
from escalation.receivers import DeliveryError, Http, Receiver, build_receiver
from state.keys import Keys

log = logging.getLogger("crisiswatch.escalation")
Command = tuple[str, tuple[Any, ...]]
Waiter = Callable[[list[str]], Awaitable[None]]
DEPENDENCY_WAIT_S = 0.2

_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return ids
"""


class Outbox:
    def __init__(
        self, client: redis.Redis, keys: Keys, plan: EscalationPlan, http: Http, *,
        wall_clock: Callable[[], float] = time.time, rng: Callable[[], float] = random.random,
    ) -> None:
        self.client = client
        self.keys = keys
        self.ekeys = EscalationKeys(keys)
        self.plan = plan
        self.http = http
        self.wall = wall_clock
        self.rng = rng
        self.lease_s = plan.retry.timeout_s * 3 + 5
        self._claim = client.register_script(_CLAIM)
        self._receivers: dict[str, Receiver] = {}

    # -- receivers -------------------------------------------------------------------------
    def receiver(self, name: str) -> Receiver | None:
        cfg = self.plan.receivers.get(name)
        if cfg is None or not cfg.enabled:
            return None
        if name not in self._receivers:
            self._receivers[name] = build_receiver(cfg, self.http)
        return self._receivers[name]

    def handles(self, name: str, kind: str) -> bool:
        rec = self.receiver(name)
        return bool(rec and rec.handles(kind))

    # -- queueing --------------------------------------------------------------------------
    def enqueue_commands(self, delivery: Delivery, due: float | None = None) -> list[Command]:
        """Pipeline commands that queue ``delivery`` unless a delivery with its id exists."""
        delivery.created_at = delivery.created_at or self.wall()
        return [
            ("hsetnx", (self.ekeys.deliveries, delivery.id, delivery.dumps())),
            ("zadd", (self.ekeys.outbox, {delivery.id: self.wall() if due is None else due}, True)),
        ]

    def claim(self, limit: int) -> list[str]:
        now = self.wall()
        return list(self._claim(keys=[self.ekeys.outbox], args=[now, now + self.lease_s, max(1, limit)]))

    def pending(self) -> int:
        return int(self.client.zcard(self.ekeys.outbox))

    def load(self, delivery_id: str) -> Delivery | None:
        raw = self.client.hget(self.ekeys.deliveries, delivery_id)
        return Delivery.loads(raw) if raw else None

    # -- attempting ------------------------------------------------------------------------
    async def attempt(self, delivery_id: str, wait: Waiter | None = None) -> None:
        """One try at a claimed delivery; records the outcome and schedules what comes next.

        ``wait`` lets an acknowledge/resolve first wait for its pages still being sent here."""
        delivery = self.load(delivery_id)
        if delivery is None or delivery.status != "pending":
            self.client.zrem(self.ekeys.outbox, delivery_id)
            return
        if delivery.after and wait is not None:
            await wait(delivery.after)
        if self._waiting_on(delivery):
            self.client.zadd(self.ekeys.outbox, {delivery_id: self.wall() + DEPENDENCY_WAIT_S}, xx=True)
            return
        receiver = self.receiver(delivery.receiver)
        if receiver is None:
            self._final(delivery, f"receiver {delivery.receiver!r} is not configured or not enabled")
            return
        try:
            await receiver.send(delivery, self.plan.retry.timeout_s)
        except asyncio.CancelledError:
            # Shutting down mid-send: make it due again now so the next start resumes it.
            self.client.zadd(self.ekeys.outbox, {delivery_id: self.wall()}, xx=True)
            raise
        except DeliveryError as exc:
            self._failed_try(delivery, receiver.config, exc)
            return
        except Exception as exc:  # a receiver bug must not stop the other pages
            log.error("receiver %s crashed: %s", delivery.receiver, receiver.config.mask(repr(exc)))
            self._failed_try(delivery, receiver.config, DeliveryError(f"{type(exc).__name__}: {exc}", True))
            return
        delivery.attempts += 1
        delivery.status, delivery.error, delivery.delivered_at = "delivered", "", self.wall()
        self._store(delivery, "delivered")
        self._health(delivery.receiver, ok=True)
        log.info("delivered %s to %s", delivery.message.kind, delivery.receiver)

    def _waiting_on(self, delivery: Delivery) -> bool:
        """Acknowledge/resolve wait until the pages they refer to have been sent (or given up)."""
        if not delivery.after:
            return False
        raws = self.client.hmget(self.ekeys.deliveries, delivery.after)
        return any(raw and json.loads(raw).get("status") == "pending" for raw in raws)

    def _failed_try(self, delivery: Delivery, cfg: ReceiverConfig, exc: DeliveryError) -> None:
        delivery.attempts += 1
        delivery.error = cfg.mask(str(exc))
        policy = self.plan.retry
        if exc.retryable and delivery.attempts < policy.attempts:
            wait = exc.retry_after if exc.retry_after is not None else policy.delay(delivery.attempts, self.rng())
            log.warning("page %s to %s failed (try %d of %d): %s; retrying in %.2f s", delivery.message.kind,
                        delivery.receiver, delivery.attempts, policy.attempts, delivery.error, wait)
            self._store(delivery, "pending", due=self.wall() + wait)
            self._health(delivery.receiver, error=delivery.error)
            return
        self._final(delivery, delivery.error)

    def _final(self, delivery: Delivery, error: str) -> None:
        delivery.error = error
        delivery.status = "failed"
        self._health(delivery.receiver, error=error, failed=True)

        def mutate(inc: Incident | None) -> tuple[Incident | None, list[Command]]:
            delivery.status = "failed"
            extra = self._delivery_commands(delivery)
            if inc is None:
                return None, extra
            fallback = self._fallback(delivery, inc)
            page = inc.page(delivery.id)
            if fallback is not None:
                delivery.status = "fallback"
                extra = self._delivery_commands(delivery)
                nxt = Delivery(f"{delivery.id}>{fallback}", fallback, delivery.incident_id, delivery.message,
                               chain=[*delivery.chain, delivery.receiver])
                extra += self.enqueue_commands(nxt)
                inc.pages.append(Page(page.at if page else delivery.message.at, fallback,
                                      page.level if page else delivery.message.level, delivery.message.kind,
                                      "pending", delivery_id=nxt.id))
            if page:
                page.status, page.attempts, page.error = delivery.status, delivery.attempts, error
            return inc, extra

        update_incident(self.client, self.keys, delivery.incident_id, mutate)
        handed = "; falling back" if delivery.status == "fallback" else ""
        log.error("page %s to %s failed after %d tries: %s%s", delivery.message.kind, delivery.receiver,
                  delivery.attempts, error, handed)

    def _fallback(self, delivery: Delivery, inc: Incident) -> str | None:
        kind = delivery.message.kind
        if kind not in (*NOTIFY_KINDS, "test"):
            return None
        cfg = self.plan.receivers.get(delivery.receiver)
        order = self.plan.policy(inc.topic, delivery.message.severity).receivers()
        later = order[order.index(delivery.receiver) + 1:] if delivery.receiver in order else order
        candidates = ([cfg.fallback] if cfg and cfg.fallback else []) + later
        tried = {*delivery.chain, delivery.receiver}
        told = {p.receiver for p in inc.pages
                if p.kind == kind and p.level == delivery.message.level and p.status in ("pending", "delivered")}
        for name in candidates:
            if name not in tried and name not in told and self.handles(name, kind):
                return name
        return None

    def _delivery_commands(self, delivery: Delivery, due: float | None = None) -> list[Command]:
        cmds: list[Command] = [("hset", (self.ekeys.deliveries, delivery.id, delivery.dumps()))]
        if delivery.status == "pending":
            cmds.append(("zadd", (self.ekeys.outbox, {delivery.id: due if due is not None else self.wall()})))
        else:
            cmds.append(("zrem", (self.ekeys.outbox, delivery.id)))
        return cmds

    def _store(self, delivery: Delivery, status: str, due: float | None = None) -> None:
        """Save the delivery and mirror its state on the incident's page log, atomically."""

        def mutate(inc: Incident | None) -> tuple[Incident | None, list[Command]]:
            extra = self._delivery_commands(delivery, due)
            page = inc.page(delivery.id) if inc else None
            if inc is None or page is None:
                return None, extra
            page.status, page.attempts, page.error = status, delivery.attempts, delivery.error
            return inc, extra

        update_incident(self.client, self.keys, delivery.incident_id, mutate)

    def _health(self, name: str, *, ok: bool = False, error: str = "", failed: bool = False) -> None:
        """Per-receiver health the wall and ``crisiswatch incidents`` can show."""
        raw = self.client.hget(self.ekeys.receivers, name)
        h: dict[str, Any] = json.loads(raw) if raw else {"delivered": 0, "failed": 0, "consecutive_failures": 0}
        now = self.wall()
        if ok:
            h["delivered"] += 1
            h["consecutive_failures"] = 0
            h["last_ok_at"] = now
        else:
            h["consecutive_failures"] += 1
            h["last_error_at"], h["last_error"] = now, error
            if failed:
                h["failed"] += 1
        self.client.hset(self.ekeys.receivers, name, json.dumps(h))


def receiver_health(client: redis.Redis, keys: Keys) -> dict[str, dict[str, Any]]:
    return {name: json.loads(raw) for name, raw in client.hgetall(EscalationKeys(keys).receivers).items()}


async def send_once(cfg: ReceiverConfig, delivery: Delivery, plan: EscalationPlan,
                    sleep: Callable[[float], Any] = asyncio.sleep) -> tuple[bool, int, str]:
    """Send outside the outbox with the plan's retries (``page-test``): (ok, attempts, error)."""
    http = Http()
    receiver = build_receiver(cfg, http)
    error = ""
    try:
        for attempt in range(1, plan.retry.attempts + 1):
            try:
                await receiver.send(delivery, plan.retry.timeout_s)
                return True, attempt, ""
            except DeliveryError as exc:
                error = cfg.mask(str(exc))
                if not exc.retryable or attempt == plan.retry.attempts:
                    return False, attempt, error
                await sleep(exc.retry_after if exc.retry_after is not None
                            else plan.retry.delay(attempt, random.random()))
        return False, plan.retry.attempts, error
    finally:
        await http.close()
