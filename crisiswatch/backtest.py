"""Replay the scenario suite through the real pipeline and score the alerts against ground truth."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from crisiswatch.job import Job, clear_namespace
from crisiswatch.settings import Settings
from detectors.events import SEVERITY_RANK, AlertEvent
from state.keys import Keys
from state.runtime import State
from stream.scenarios import Expected, Scenario

MAX_DELAY_S = 60.0


@dataclass
class Score:
    scenario: str
    description: str
    expected: int = 0
    detected: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    extra_incidents: int = 0
    dead_letters: int = 0
    dead_letters_expected: int = 0
    alerts: list[AlertEvent] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            not self.missed
            and not self.false_alarms
            and self.extra_incidents == 0
            and self.dead_letters == self.dead_letters_expected
        )


async def run_lines(job: Job, lines: list[str], batch: int = 2000) -> None:
    await job.start()
    try:
        for i in range(0, len(lines), batch):
            await job.feed(lines[i : i + batch], "scenario", i + 1)
    finally:
        await job.close()


def _first_match(alerts: list[AlertEvent], exp: Expected) -> AlertEvent | None:
    for alert in alerts:
        if alert.topic != exp.topic or alert.at < exp.onset - 600:
            continue
        if exp.severity == "prominent":
            if alert.event == "prominent":
                return alert
        elif alert.event in ("opened", "escalated") and (
            SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[exp.severity]
        ):
            return alert
    return None


def score(scenario: Scenario, alerts: list[AlertEvent], dead_letters: int) -> Score:
    result = Score(scenario.name, scenario.description, expected=len(scenario.expected),
                   dead_letters=dead_letters, dead_letters_expected=scenario.dead_letters, alerts=alerts)
    matched_topics = set()
    for exp in scenario.expected:
        hit = _first_match(alerts, exp)
        delay = None if hit is None else hit.at - exp.threshold_t
        if hit is None or delay is None or delay > MAX_DELAY_S:
            result.missed.append(f"{exp.topic} {exp.severity}")
            continue
        result.detected += 1
        result.delays.append(delay)
        matched_topics.add((exp.topic, exp.severity))
        if exp.severity != "prominent":
            episode = {a.incident_id for a in alerts if a.topic == exp.topic and a.event == "opened"
                       and a.at >= exp.onset - 600}
            result.extra_incidents += max(0, len(episode) - 1)
    expected_severity = {e.topic: e.severity for e in scenario.expected}
    for alert in alerts:
        if alert.at < scenario.evaluate_from or alert.event not in ("opened", "escalated"):
            continue
        allowed = expected_severity.get(alert.topic)
        if allowed is None or allowed == "prominent" or (
            SEVERITY_RANK[alert.severity] > SEVERITY_RANK[allowed]
        ):
            result.false_alarms.append(f"{alert.topic} {alert.severity} {alert.event}")
    return result


def run_scenario(settings: Settings, state: State, scenario: Scenario) -> Score:
    ns = f"backtest-{scenario.name}-{uuid.uuid4().hex[:6]}"
    scoped = State(state.client, Keys(ns), state.url)
    alerts: list[AlertEvent] = []
    job = Job(settings, scoped, echo=alerts.append, paging=False)
    try:
        asyncio.run(run_lines(job, scenario.lines))
    finally:
        clear_namespace(scoped)
    return score(scenario, alerts, job.stats.dead_letters)


def format_table(scores: list[Score]) -> str:
    head = f"{'scenario':<20} {'expected':>8} {'detected':>8} {'missed':>6} {'false':>6} " \
           f"{'dup':>4} {'dead':>5} {'delay s':>8}  verdict"
    lines = [head, "-" * len(head)]
    for s in scores:
        delay = f"{max(s.delays):+.0f}" if s.delays else "-"
        lines.append(
            f"{s.scenario:<20} {s.expected:>8} {s.detected:>8} {len(s.missed):>6} {len(s.false_alarms):>6} "
            f"{s.extra_incidents:>4} {s.dead_letters:>5} {delay:>8}  {'pass' if s.passed else 'FAIL'}"
        )
        for what in s.missed:
            lines.append(f"    missed: {what}")
        for what in s.false_alarms[:5]:
            lines.append(f"    false alarm: {what}")
    return "\n".join(lines)
