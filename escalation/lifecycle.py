"""Incident lifecycle in Redis: opened -> escalated -> acknowledged -> resolved.

These functions are synchronous because the CLI and the Dash wall call them from other
processes than the escalation engine. Every change is a WATCH/MULTI transaction on the
incidents hash, so an ack from the wall and a page recorded by the engine never overwrite each
other. A human ack or resolve also queues an action; the engine turns it into acknowledge /
resolve events for the receivers that were paged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import redis

from escalation.keys import EscalationKeys
from escalation.model import Incident
from state.keys import Keys

Mutation = Callable[[Incident | None], "tuple[Incident | None, list[tuple[str, tuple[Any, ...]]]]"]


def load_incident(client: redis.Redis, keys: Keys, incident_id: str) -> Incident | None:
    raw = client.hget(keys.incidents, incident_id)
    return Incident.loads(raw) if raw else None


def update_incident(client: redis.Redis, keys: Keys, incident_id: str, mutate: Mutation) -> Incident | None:
    """Apply ``mutate`` to the stored record atomically, retrying if someone else wrote meanwhile.

    ``mutate`` gets the current record (or None) and returns the record to store (None: store
    nothing) and extra pipeline commands ``(method, args)`` to run in the same transaction.
    """
    ekeys = EscalationKeys(keys)
    result: list[Incident | None] = [None]

    def txn(pipe: redis.client.Pipeline) -> None:
        raw = pipe.hget(keys.incidents, incident_id)
        current = Incident.loads(raw) if raw else None
        new, extra = mutate(current)
        result[0] = new if new is not None else current
        pipe.multi()
        if new is not None:
            pipe.hset(keys.incidents, incident_id, new.dumps())
            if new.is_open:
                pipe.sadd(ekeys.open, incident_id)
            else:
                pipe.srem(ekeys.open, incident_id)
        for method, args in extra:
            getattr(pipe, method)(*args)

    client.transaction(txn, keys.incidents)
    return result[0]


def _action(keys: Keys, kind: str, incident_id: str, by: str | None, at: float) -> tuple[str, tuple[Any, ...]]:
    record = json.dumps({"action": kind, "incident_id": incident_id, "by": by, "at": at})
    return "rpush", (EscalationKeys(keys).actions, record)


def acknowledge(client: redis.Redis, keys: Keys, incident_id: str, by: str, at: float | None = None) -> Incident:
    """Someone owns it now: escalation stops; reminders continue until resolved. The first
    acknowledgement wins; acknowledging again or after resolution changes nothing."""
    when = time.time() if at is None else at

    def mutate(inc: Incident | None) -> tuple[Incident | None, list[tuple[str, tuple[Any, ...]]]]:
        if inc is None:
            raise KeyError(incident_id)
        if inc.status != "open":
            return None, []
        inc.status, inc.acknowledged_at, inc.acknowledged_by = "acknowledged", when, by
        return inc, [_action(keys, "acknowledge", incident_id, by, when)]

    found = update_incident(client, keys, incident_id, mutate)
    assert found is not None
    return found


def resolve(
    client: redis.Redis, keys: Keys, incident_id: str, by: str | None = None, at: float | None = None,
) -> Incident:
    """Closed: no more pages or reminders; receivers that support it get a resolve event."""
    when = time.time() if at is None else at

    def mutate(inc: Incident | None) -> tuple[Incident | None, list[tuple[str, tuple[Any, ...]]]]:
        if inc is None:
            raise KeyError(incident_id)
        if inc.status == "resolved":
            return None, []
        inc.status, inc.resolved_at, inc.resolved_by = "resolved", when, by
        return inc, [_action(keys, "resolve", incident_id, by, when)]

    found = update_incident(client, keys, incident_id, mutate)
    assert found is not None
    return found


def list_incidents(client: redis.Redis, keys: Keys, open_only: bool = False) -> list[Incident]:
    """Newest first."""
    found = []
    for raw in client.hvals(keys.incidents):
        try:
            incident = Incident.loads(raw)
        except (ValueError, KeyError, TypeError):
            continue  # a record from an older version: skip it rather than break the listing
        if not open_only or incident.is_open:
            found.append(incident)
    return sorted(found, key=lambda i: i.opened_at, reverse=True)


def find_incident(client: redis.Redis, keys: Keys, prefix: str) -> Incident:
    """By full id or an unambiguous prefix, so ``crisiswatch ack outage-2024`` is enough."""
    exact = load_incident(client, keys, prefix)
    if exact:
        return exact
    hits = [i for i in client.hkeys(keys.incidents) if i.startswith(prefix)]
    if len(hits) == 1:
        found = load_incident(client, keys, hits[0])
        if found:
            return found
    if len(hits) > 1:
        raise LookupError(f"{prefix!r} matches {len(hits)} incidents: {', '.join(sorted(hits)[:5])}")
    raise KeyError(prefix)
