"""Dispatch: which pages an incident needs now — on an alert, on a timeout, on a human action.

Pure decisions on an ``Incident`` (mutated in place) that return the outbox commands to run in
the same Redis transaction, so the page log and the outbox can never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from detectors.events import SEVERITY_RANK, AlertEvent
from escalation.messages import build_message
from escalation.model import NOTIFY_KINDS, Delivery, Incident, Page
from escalation.notify import Command, Outbox
from escalation.plan import EscalationPlan


def delivery_id(inc: Incident, kind: str, level: int, receiver: str, tag: str = "") -> str:
    """incident + generation + severity + kind + level + receiver (+ reminder/extra tag)."""
    base = f"{inc.incident_id}:g{inc.generation}:{inc.severity}:{kind}:L{level}:{receiver}"
    return f"{base}:{tag}" if tag else base


class Dispatcher:
    def __init__(self, plan: EscalationPlan, outbox: Outbox) -> None:
        self.plan = plan
        self.outbox = outbox

    # -- one level of the plan --------------------------------------------------------------
    def page_level(
        self, inc: Incident, level: int, kind: str, now: float, tag: str = "",
        headline: Callable[[str], str] | None = None,
    ) -> list[Command]:
        policy = self.plan.policy(inc.topic, inc.severity)
        if not 1 <= level <= len(policy.levels):
            return []
        if kind in ("trigger", "escalation"):
            inc.level = max(inc.level, level)
            names: tuple[str, ...] = policy.levels[level - 1].receivers
        else:  # a follow-up goes to everyone told so far, not only to the last level
            names = tuple(dict.fromkeys(r for lv in policy.levels[:level] for r in lv.receivers))
        commands: list[Command] = []
        for name in names:
            if not self.outbox.handles(name, kind):
                continue
            did = delivery_id(inc, kind, level, name, tag)
            if inc.page(did) or (inc.muted and inc.page(did + ":muted")):
                continue
            inc.last_page_at = now
            if inc.muted:  # recorded under its own id: the real page can still go out later
                inc.pages.append(Page(now, name, level, kind, "muted", delivery_id=did + ":muted"))
                continue
            message = build_message(inc, kind, level, now, self.plan.link(inc.incident_id))
            if headline:
                message.title = headline(message.title)
            inc.pages.append(Page(now, name, level, kind, "pending", delivery_id=did))
            commands += self.outbox.enqueue_commands(Delivery(did, name, inc.incident_id, message))
        return commands

    # -- alerts from the detector -----------------------------------------------------------
    def on_alert(self, inc: Incident | None, alert: AlertEvent, now: float, silence_id: str | None,
                 ) -> tuple[Incident | None, list[Command]]:
        if inc is None:
            if alert.event in ("resolved", "deescalated"):
                return None, []  # nothing was paged for it here; nothing to close
            inc = Incident(alert.incident_id, alert.topic, alert.severity, alert.at, severity_since=alert.at)
            absorb(inc, alert)
            inc.muted, inc.silence_id = silence_id is not None, silence_id
            return inc, self.page_level(inc, 1, "trigger", now, headline=_prominent(alert))
        absorb(inc, alert)
        worse = SEVERITY_RANK.get(alert.severity, 0) > SEVERITY_RANK.get(inc.severity, 0)
        if alert.event in ("opened", "escalated") and inc.status == "resolved":
            reopen(inc, alert, silence_id)
            return inc, self.page_level(inc, 1, "trigger", now)
        if alert.event == "escalated" and worse:
            # A new severity is news even after an ack: its first level is told at once.
            inc.severity, inc.severity_since, inc.level, inc.escalated_at = alert.severity, alert.at, 0, now
            return inc, self.page_level(inc, 1, "escalation", now)
        if alert.event == "deescalated" and inc.is_open:
            inc.severity = alert.severity if alert.severity in ("emerging", "crisis") else inc.severity
        if alert.event == "prominent" and inc.is_open:
            # A high-reach voice joining a running incident: its current level should know.
            tag = f"p{int(alert.at)}-{str(alert.details.get('voice', ''))[:12]}"
            return inc, self.page_level(inc, max(inc.level, 1), "trigger", now, tag, headline=_prominent(alert))
        return inc, []

    # -- timeouts -----------------------------------------------------------------------------
    def on_tick(self, inc: Incident, now: float, silence_active: bool) -> list[Command]:
        """Escalate an unacknowledged incident level by level; remind until resolved."""
        if not inc.is_open:
            return []
        commands: list[Command] = []
        if inc.muted:
            if silence_active:
                return []
            # The maintenance window is over and the problem is still here: page from the top.
            inc.muted, inc.silence_id, inc.level, inc.severity_since = False, None, 0, now
            return self.page_level(inc, 1, "trigger", now)
        policy = self.plan.policy(inc.topic, inc.severity)
        # Pages carry the time they fell due, so a replay that ticks in large steps of event
        # time still logs each on its own minute.
        while inc.status == "open" and inc.level < len(policy.levels) \
                and now >= (due := inc.severity_since + policy.levels[inc.level].after_s):
            inc.escalated_at = due
            commands += self.page_level(inc, inc.level + 1, "escalation", due)
        remind = policy.remind_every_s
        if remind and inc.level >= 1 and inc.last_page_at is not None and now >= inc.last_page_at + remind:
            inc.reminders += 1
            due = inc.last_page_at + remind
            commands += self.page_level(inc, inc.level, "reminder", due, f"r{inc.reminders}")
        return commands

    # -- human acknowledge / resolve ----------------------------------------------------------
    def on_action(self, inc: Incident, kind: str, by: str | None, at: float) -> list[Command]:
        """Tell every receiver that got (or is getting) a page of this incident, after that page."""
        commands: list[Command] = []
        paged = [p for p in inc.pages if p.kind in NOTIFY_KINDS and p.status in ("pending", "delivered")]
        for name in dict.fromkeys(p.receiver for p in paged):
            if not self.outbox.handles(name, kind):
                continue
            did = f"{inc.incident_id}:g{inc.generation}:{kind}:{name}"
            if inc.page(did):
                continue
            after = [p.delivery_id for p in paged if p.receiver == name and p.status == "pending"]
            message = build_message(inc, kind, inc.level, at, self.plan.link(inc.incident_id), by)
            inc.pages.append(Page(at, name, inc.level, kind, "pending", delivery_id=did))
            commands += self.outbox.enqueue_commands(Delivery(did, name, inc.incident_id, message, after=after))
        return commands


def _prominent(alert: AlertEvent) -> Callable[[str], str] | None:
    if alert.event != "prominent":
        return None
    return lambda _title: f"{alert.severity.upper()} {alert.topic}: {alert.reason}"


def absorb(inc: Incident, alert: AlertEvent) -> None:
    """Keep the latest numbers and the detector's explanation on the record."""
    inc.voices, inc.mentions = alert.voices, alert.mentions
    inc.peak_voices = max(inc.peak_voices, alert.voices, int(alert.details.get("peak_voices") or 0))
    if alert.event != "prominent" or not inc.reason:
        inc.reason = alert.reason
    inc.summary = {
        "languages": alert.languages, "channels": alert.channels, "high_reach": alert.high_reach,
        "priority": alert.priority, "ratio": alert.ratio, "baseline": alert.baseline, "window_s": alert.window_s,
    }


def reopen(inc: Incident, alert: AlertEvent, silence_id: str | None) -> None:
    """A relapse within the detector's cooldown: the same incident, paged again from the top."""
    inc.generation += 1
    inc.status, inc.severity, inc.severity_since, inc.level, inc.reminders = (
        "open", alert.severity, alert.at, 0, 0)
    inc.acknowledged_at = inc.acknowledged_by = inc.resolved_at = inc.resolved_by = None
    inc.muted, inc.silence_id = silence_id is not None, silence_id


def parse_action(raw: str) -> dict[str, object] | None:
    try:
        action = json.loads(raw)
    except ValueError:
        return None
    return action if isinstance(action, dict) and action.get("incident_id") else None
