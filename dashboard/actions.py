"""Acknowledge and resolve from the wall, only for someone holding the operator token.

The incident lifecycle itself is ``escalation.lifecycle``'s: the wall calls the same functions as
``crisiswatch ack`` and the operator API, so an ack from the wall stops escalation the same way.
"""

from __future__ import annotations

import hmac

from escalation.lifecycle import acknowledge, resolve

__all__ = ["acknowledge", "resolve", "token_ok"]


def token_ok(given: str | None, expected: str | None) -> bool:
    """Constant-time check; with no operator token configured, nobody may act from the wall."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
