"""Opsgenie Alert API: create with ``alias`` = incident id (Opsgenie's dedup key), then
acknowledge and close by alias. Reminders are left to Opsgenie's own notification rules."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from escalation.model import Delivery
from escalation.receivers.base import Receiver

API_URL = "https://api.opsgenie.com"
PRIORITY = {"crisis": "P1", "emerging": "P3"}


def opsgenie_request(delivery: Delivery, priority_map: dict[str, str], responders: list[Any], tags: list[str],
                     ) -> tuple[str, dict[str, Any]]:
    """(path, body) for the Alert API call this delivery needs."""
    m = delivery.message
    alias = quote(m.incident_id, safe="")
    if m.kind == "acknowledge":
        return f"/v2/alerts/{alias}/acknowledge?identifierType=alias", {
            "user": m.by or "crisiswatch", "source": "crisiswatch", "note": m.title}
    if m.kind == "resolve":
        return f"/v2/alerts/{alias}/close?identifierType=alias", {
            "user": m.by or "crisiswatch", "source": "crisiswatch", "note": m.title}
    details = {"topic": m.topic, "severity": m.severity, "voices": str(m.voices), "mentions": str(m.mentions),
               "level": str(m.level), "page": m.kind, "wall": m.link}
    body: dict[str, Any] = {
        "message": m.title[:130], "alias": m.incident_id[:512], "description": m.text[:15000],
        "priority": priority_map.get(m.severity, "P3"), "source": "crisiswatch", "entity": m.topic,
        "tags": ["crisiswatch", m.topic, m.severity, *(["test"] if m.test else []), *tags],
        "details": {k: v for k, v in details.items() if v},
    }
    if responders:
        body["responders"] = responders
    return "/v2/alerts", body


class OpsgenieReceiver(Receiver):
    kinds = frozenset({"trigger", "escalation", "acknowledge", "resolve", "test"})

    async def send(self, delivery: Delivery, timeout: float) -> None:
        opts = self.config.options
        path, body = opsgenie_request(delivery, {**PRIORITY, **(opts.get("priority_map") or {})},
                                      list(opts.get("responders") or []), [str(t) for t in opts.get("tags") or []])
        headers = {"Authorization": f"GenieKey {self.config.secrets['api_key']}"}
        await self.http.post_json(str(opts.get("url") or API_URL).rstrip("/") + path, body, timeout, headers)
