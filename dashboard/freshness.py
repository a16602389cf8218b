"""Is what the wall shows live? Judged on the pipeline's heartbeat against the real clock.

Event time cannot answer this (a replay of last month is live but old), so the heartbeat's wall
clock is the signal; event time only says which moment the numbers describe.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.fmt import span, stamp
from dashboard.read import Heartbeat


@dataclass(frozen=True)
class Freshness:
    status: str  # live | stale | waiting | unreachable
    headline: str
    detail: str

    @property
    def live(self) -> bool:
        return self.status == "live"


def judge(heartbeat: Heartbeat | None, now: float, stale_after_s: float, error: str | None = None) -> Freshness:
    if error is not None:
        return Freshness(
            "unreachable", "STATE STORE UNREACHABLE — NOTHING ON THIS WALL IS LIVE",
            f"Cannot read Redis ({error}). Retrying every refresh.",
        )
    if heartbeat is None or heartbeat.wall is None:
        return Freshness("waiting", "NO DATA YET — THE PIPELINE HAS NOT REPORTED",
                         "Start the pipeline (crisiswatch demo / replay / worker) against this Redis and namespace.")
    age = now - heartbeat.wall
    if age > stale_after_s:
        return Freshness(
            "stale", f"DATA STALE — NO PIPELINE HEARTBEAT FOR {span(age).upper()}",
            f"Numbers below are as of {stamp(heartbeat.event)} (event time) and are not live.",
        )
    return Freshness("live", "", "")
