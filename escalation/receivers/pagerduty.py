"""PagerDuty Events API v2: trigger / acknowledge / resolve with ``dedup_key`` = incident id.

The stable dedup key makes PagerDuty fold every page of one incident into one alert, so even a
re-send after a crash cannot page anyone twice there. Reminders are not sent: PagerDuty's own
escalation policy re-notifies, and a repeated trigger would only be deduplicated.
"""

from __future__ import annotations

from typing import Any

from detectors.events import iso_utc
from escalation.model import Delivery
from escalation.receivers.base import Receiver

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITY = {"crisis": "critical", "emerging": "warning"}


def pagerduty_event(routing_key: str, delivery: Delivery, severity_map: dict[str, str], source: str) -> dict[str, Any]:
    m = delivery.message
    action = {"acknowledge": "acknowledge", "resolve": "resolve"}.get(m.kind, "trigger")
    event: dict[str, Any] = {"routing_key": routing_key, "event_action": action, "dedup_key": m.incident_id}
    if action != "trigger":
        return event
    details = {
        "explanation": m.reason, "topic": m.topic, "severity": m.severity, "voices": m.voices,
        "mentions": m.mentions, "level": m.level, "page": m.kind, "incident_id": m.incident_id,
        **({"opened_at": iso_utc(m.opened_at)} if m.opened_at else {}),
        **{k: v for k, v in m.details.items() if k in ("languages", "channels", "high_reach", "priority",
                                                          "ratio", "baseline", "window_s")},
    }
    if m.test:
        details = {"test": True, "note": m.text}
    event["payload"] = {
        "summary": m.title[:1024], "source": source, "severity": severity_map.get(m.severity, "warning"),
        "timestamp": iso_utc(m.at) if m.at else None, "component": m.topic, "group": "brand-social-media",
        "class": "test" if m.test else m.kind, "custom_details": details,
    }
    if m.link:
        event["links"] = [{"href": m.link, "text": "War-room wall"}]
        event["client"], event["client_url"] = "crisiswatch", m.link
    return event


class PagerDutyReceiver(Receiver):
    kinds = frozenset({"trigger", "escalation", "acknowledge", "resolve", "test"})

    async def send(self, delivery: Delivery, timeout: float) -> None:
        cfg = self.config
        severity_map = {**SEVERITY, **(cfg.options.get("severity_map") or {})}
        event = pagerduty_event(cfg.secrets["routing_key"], delivery, severity_map,
                                str(cfg.options.get("source") or "crisiswatch"))
        await self.http.post_json(str(cfg.options.get("url") or EVENTS_URL), event, timeout)
