"""The severity ladder of one topic: one incident per episode, hysteresis, quiet period, cool-down.

Going up is judged on every new voice (so an alert fires at the event time of the voice that
crossed the line); going down is judged once per bucket as the window slides. Steps down need
the count to fall below ``hysteresis`` × the threshold that was crossed, so a count hovering at a
threshold cannot flap. An episode resolves only after ``quiet_period_s`` below the emerging exit
level.

A relapse within ``cooldown_s`` of resolution is the same problem coming back: it emits
``opened`` again with the SAME incident id (``reopened`` set), so pagers that deduplicate on the
incident id re-trigger one incident rather than creating a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from detectors.params import LadderParams

NONE, EMERGING, CRISIS = 0, 1, 2
LEVEL_NAMES = ("calm", "emerging", "crisis")


def incident_id(topic: str, t: float) -> str:
    """Deterministic: the topic and the event time the episode opened, so replays agree."""
    return f"{topic}-{datetime.fromtimestamp(t, tz=UTC).strftime('%Y%m%dT%H%M%S')}Z"


@dataclass(frozen=True, slots=True)
class Step:
    event: str  # opened | escalated | deescalated | resolved
    severity: str  # severity after the step ('emerging' | 'crisis'; the last one for 'resolved')
    incident_id: str
    at: float
    reopened: bool = False
    opened_at: float = 0.0
    peak_voices: int = 0


class Ladder:
    """Episode state for one topic; the caller supplies voices and the thresholds in force."""

    __slots__ = (
        "topic", "params", "level", "incident_id", "opened_at", "since", "below_since",
        "resolved_at", "last_incident_id", "peak_voices",
    )

    def __init__(self, topic: str, params: LadderParams) -> None:
        self.topic = topic
        self.params = params
        self.level = NONE
        self.incident_id: str | None = None
        self.opened_at = 0.0
        self.since = 0.0  # when the current level began
        self.below_since: float | None = None  # when voices fell below the emerging exit level
        self.resolved_at: float | None = None
        self.last_incident_id: str | None = None
        self.peak_voices = 0

    @property
    def severity(self) -> str:
        return LEVEL_NAMES[self.level]

    def next_up(self, emerging_at: int, crisis_at: int) -> int:
        """Fewest voices at which ``up`` could change anything: lets the hot path skip the call."""
        return emerging_at if self.level == NONE else crisis_at if self.level == EMERGING else 1 << 62

    def up(self, voices: int, emerging_at: int, crisis_at: int, t: float) -> Step | None:
        """A new voice joined the window at ``t``: open or escalate if a threshold is now met."""
        if voices > self.peak_voices:
            self.peak_voices = voices
        target = CRISIS if voices >= crisis_at else EMERGING if voices >= emerging_at else NONE
        if target <= self.level:
            if self.level and voices >= self.params.hysteresis * emerging_at:
                self.below_since = None
            return None
        previous, self.level, self.since, self.below_since = self.level, target, t, None
        if previous == NONE:
            return self._open(t, voices)
        return Step("escalated", "crisis", self.incident_id or "", t, opened_at=self.opened_at,
                    peak_voices=self.peak_voices)

    def _open(self, t: float, voices: int) -> Step:
        cooldown = self.params.cooldown_s
        reopened = (
            self.last_incident_id is not None
            and self.resolved_at is not None
            and t - self.resolved_at <= cooldown
        )
        if reopened:
            self.incident_id = self.last_incident_id
        else:
            self.incident_id = incident_id(self.topic, t)
            self.opened_at = t
            self.peak_voices = voices
        return Step("opened", self.severity, self.incident_id or "", t, reopened=reopened,
                    opened_at=self.opened_at, peak_voices=self.peak_voices)

    def restore(self, incident: str, severity: str, since: float, opened_at: float) -> None:
        """Resume an open incident after a restart, so the next voice does not open a second one."""
        self.level = CRISIS if severity == "crisis" else EMERGING
        self.incident_id, self.since, self.opened_at = incident, since, opened_at
        self.below_since = None

    def tick(self, voices: int, emerging_at: int, crisis_at: int, t: float) -> list[Step]:
        """The window slid to ``t``: step down, or resolve after the quiet period."""
        if self.level == NONE:
            return []
        steps: list[Step] = []
        h = self.params.hysteresis
        if self.level == CRISIS and voices < h * crisis_at:
            self.level, self.since = EMERGING, t
            steps.append(Step("deescalated", "emerging", self.incident_id or "", t, opened_at=self.opened_at,
                              peak_voices=self.peak_voices))
        if voices >= h * emerging_at:
            self.below_since = None
        elif self.below_since is None:
            self.below_since = t
        if (
            self.level == EMERGING
            and self.below_since is not None
            and t - self.below_since >= self.params.quiet_period_s
        ):
            steps.append(Step("resolved", "emerging", self.incident_id or "", t, opened_at=self.opened_at,
                              peak_voices=self.peak_voices))
            self.level, self.since, self.below_since = NONE, t, None
            self.resolved_at, self.last_incident_id, self.incident_id = t, self.incident_id, None
        return steps
