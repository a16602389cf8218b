"""Acknowledge and resolve from the wall, only for someone holding the operator token.

The incident lifecycle belongs to ``escalation.lifecycle``; the fallback below only flips the
status fields of the stored record so the wall stays usable while that module is absent.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable

import redis

from detectors.events import iso_utc
from state.keys import Keys

Action = Callable[[redis.Redis, Keys, str, str], object]


def token_ok(given: str | None, expected: str | None) -> bool:
    """Constant-time check; with no operator token configured, nobody may act from the wall."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _fallback(kind: str) -> Action:
    def act(client: redis.Redis, keys: Keys, incident_id: str, by: str) -> object:
        raw = client.hget(keys.incidents, incident_id)
        if raw is None:
            raise KeyError(incident_id)
        record = json.loads(raw)
        if kind == "acknowledge":
            if not record.get("acknowledged_at"):
                record.update(status="acknowledged", acknowledged_at=iso_utc(time.time()), acknowledged_by=by)
        else:
            record.update(status="resolved", resolved_at=iso_utc(time.time()), resolved_by=by)
        client.hset(keys.incidents, incident_id, json.dumps(record))
        return record

    return act


def _lifecycle(kind: str) -> Action:
    try:
        from escalation import lifecycle
    except ImportError:
        return _fallback(kind)
    return getattr(lifecycle, kind, None) or _fallback(kind)


def acknowledge(client: redis.Redis, keys: Keys, incident_id: str, by: str) -> object:
    return _lifecycle("acknowledge")(client, keys, incident_id, by)


def resolve(client: redis.Redis, keys: Keys, incident_id: str, by: str) -> object:
    return _lifecycle("resolve")(client, keys, incident_id, by)
