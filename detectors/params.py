"""The knobs of one topic's severity ladder; defaults are the shipped thresholds.yaml values."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LadderParams:
    """Everything a ``TopicDetector`` needs to know; durations in seconds.

    Priority topics (outages, safety) use the lower ``priority_*`` voice floors so a few voices
    alert quickly; the ratio tests against the baseline are the same for every topic.
    """

    window_s: int = 1800
    bucket_s: int = 60
    late_allowance_s: int = 600
    isolated_max_voices: int = 2
    emerging_min_voices: int = 10
    emerging_min_ratio: float = 3.0
    crisis_voices: int = 200
    crisis_min_ratio: float = 3.0
    priority: bool = False
    priority_emerging_min_voices: int = 3
    priority_crisis_voices: int = 50
    prominent_min_followers: int = 100_000
    prominent_verified: bool = True
    hysteresis: float = 0.7
    quiet_period_s: int = 1800
    cooldown_s: int = 3600
    baseline_alpha: float = 0.3
    baseline_floor: float = 1.0

    def __post_init__(self) -> None:
        if self.bucket_s <= 0 or self.window_s < self.bucket_s or self.window_s % self.bucket_s:
            raise ValueError(f"window_s={self.window_s} must be a positive multiple of bucket_s={self.bucket_s}")
        if self.late_allowance_s < 0:
            raise ValueError("late_allowance_s must not be negative")
        if not 0.0 < self.hysteresis <= 1.0:
            raise ValueError(f"hysteresis={self.hysteresis} must be in (0, 1]")
        if not 0.0 < self.baseline_alpha <= 1.0:
            raise ValueError(f"baseline_alpha={self.baseline_alpha} must be in (0, 1]")
        if self.baseline_floor <= 0:
            raise ValueError("baseline_floor must be positive (it keeps ratios finite)")

    @property
    def emerging_floor(self) -> int:
        """Fewest voices that can ever be 'emerging': 1-2 voices are always just isolated."""
        floor = self.priority_emerging_min_voices if self.priority else self.emerging_min_voices
        return max(floor, self.isolated_max_voices + 1)

    @property
    def crisis_floor(self) -> int:
        floor = self.priority_crisis_voices if self.priority else self.crisis_voices
        return max(floor, self.emerging_floor)

    @property
    def window_buckets(self) -> int:
        return self.window_s // self.bucket_s

    @property
    def retain_buckets(self) -> int:
        """Buckets kept: the window plus the late allowance, so late mentions find their minute."""
        return self.window_buckets + math.ceil(self.late_allowance_s / self.bucket_s)

    def thresholds(self, expected: float) -> tuple[int, int]:
        """Voices needed right now for (emerging, crisis) given the usual ``expected`` voices."""
        emerging = max(self.emerging_floor, _ceil(self.emerging_min_ratio * expected))
        crisis = max(self.crisis_floor, _ceil(self.crisis_min_ratio * expected), emerging)
        return emerging, crisis

    def is_high_reach(self, followers: int, verified: bool) -> bool:
        return followers >= self.prominent_min_followers or (self.prominent_verified and verified)


def _ceil(x: float) -> int:
    """Voices are whole: 3.0 × 2.3 usual = 6.9 means 7 voices; tolerate float noise at integers."""
    return math.ceil(x - 1e-9)
