"""Slack incoming webhook: a message a person reads on a phone — topic, severity, voices, link."""

from __future__ import annotations

from typing import Any

from escalation.model import Delivery
from escalation.receivers.base import Receiver

ICON = {"crisis": ":rotating_light:", "emerging": ":warning:"}


def slack_message(delivery: Delivery) -> dict[str, Any]:
    m = delivery.message
    icon = ":white_check_mark:" if m.kind in ("resolve", "acknowledge") else ICON.get(m.severity, ":bell:")
    if m.test:
        icon = ":test_tube:"
    fields = [f"*Topic*\n{m.topic}", f"*Severity*\n{m.severity}", f"*Voices*\n{m.voices}",
              f"*Mentions*\n{m.mentions}"]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{icon} *{m.title}*"}},
    ]
    if not m.test and m.kind not in ("acknowledge", "resolve"):
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]})
    if m.reason or m.test:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": m.text if m.test else m.reason}]})
    if m.link:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{m.link}|Open the war-room wall>"}})
    text = f"{icon} {m.title}" + (f" — {m.link}" if m.link else "")
    return {"text": text, "blocks": blocks}


class SlackReceiver(Receiver):
    async def send(self, delivery: Delivery, timeout: float) -> None:
        body = slack_message(delivery)
        for key in ("channel", "username", "icon_emoji"):
            if self.config.options.get(key):
                body[key] = self.config.options[key]
        await self.http.post_json(self.config.secrets["url"], body, timeout)
