"""Redis keys the escalation stage adds to the shared layout (``state.keys.Keys``)."""

from __future__ import annotations

from dataclasses import dataclass

from state.keys import Keys


@dataclass(frozen=True)
class EscalationKeys:
    keys: Keys

    @property
    def incidents(self) -> str:
        """Hash: incident_id -> JSON incident record (``Incident.to_json``)."""
        return self.keys.incidents

    @property
    def open(self) -> str:
        """Set of incident ids not yet resolved, so a tick never scans the whole history."""
        return self.keys.prefix + "esc:open"

    @property
    def deliveries(self) -> str:
        """Hash: delivery id -> JSON delivery; its existence is what makes a page never double."""
        return self.keys.prefix + "esc:deliveries"

    @property
    def outbox(self) -> str:
        """Sorted set: delivery id -> wall-clock epoch s when it is next due (pending ones only)."""
        return self.keys.prefix + "esc:outbox"

    @property
    def actions(self) -> str:
        """List of JSON {action, incident_id, by, at}: human acks/resolves the engine turns into
        acknowledge/resolve events for the receivers that were paged."""
        return self.keys.prefix + "esc:actions"

    @property
    def silences(self) -> str:
        """Hash: silence id -> JSON {id, topic, starts_at, ends_at, reason, by}."""
        return self.keys.prefix + "esc:silences"

    @property
    def receivers(self) -> str:
        """Hash: receiver name -> JSON health {delivered, failed, last_ok_at, last_error_at,
        last_error, consecutive_failures} for the wall and the operator."""
        return self.keys.prefix + "esc:receivers"
