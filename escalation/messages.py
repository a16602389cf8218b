"""The words of a page: one title line a phone lock screen shows, and the why behind it."""

from __future__ import annotations

from detectors.events import iso_utc
from escalation.model import Incident, Message

HEADLINE = {
    "trigger": "{sev} {topic}: {voices} voices",
    "escalation": "{sev} {topic}: {voices} voices, not acknowledged — escalated to level {level}",
    "reminder": "reminder #{n}: {sev} {topic} is still {status} ({voices} voices)",
    "acknowledge": "acknowledged: {topic} {severity} incident, by {by}",
    "resolve": "resolved: {topic} {severity} incident" + "{by_part}",
}


def build_message(incident: Incident, kind: str, level: int, at: float, link: str, by: str | None = None) -> Message:
    fields = {
        "sev": incident.severity.upper(), "severity": incident.severity, "topic": incident.topic,
        "voices": incident.voices, "level": level, "n": incident.reminders, "status": incident.status,
        "by": by or "someone", "by_part": f", by {by}" if by else "",
    }
    template = HEADLINE.get(kind, "{sev} {topic}")
    if kind == "escalation" and level == 1:
        template = "{sev} {topic}: {voices} voices — now a {severity}"
    if kind == "resolve" and by == "auto":
        fields["by_part"] = ", calm again"
    title = template.format(**fields)
    lines = [
        incident.reason,
        f"Topic: {incident.topic} · severity: {incident.severity} · voices: {incident.voices} "
        f"(peak {incident.peak_voices}) · mentions: {incident.mentions}",
        f"Incident {incident.incident_id}, opened {iso_utc(incident.opened_at)}",
    ]
    if incident.acknowledged_by:
        lines.append(f"Acknowledged by {incident.acknowledged_by}")
    if link:
        lines.append(f"War-room wall: {link}")
    return Message(
        kind=kind, incident_id=incident.incident_id, topic=incident.topic, severity=incident.severity,
        title=title, text="\n".join(line for line in lines if line), level=level, voices=incident.voices,
        mentions=incident.mentions, reason=incident.reason, link=link, opened_at=incident.opened_at, at=at,
        by=by, details=dict(incident.summary),
    )


def page_test_message(receiver: str, at: float, link: str) -> Message:
    return Message(
        kind="test", incident_id=f"crisiswatch-test-{int(at)}", topic="test", severity="emerging",
        title=f"[TEST] crisiswatch test page for receiver {receiver} — no action needed",
        text="This is a test page sent by `crisiswatch page-test`. Nothing is wrong; no action is needed.",
        link=link, at=at, test=True,
    )
