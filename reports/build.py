"""What both report sources share: grouping alerts into incidents, choosing which to report,
and turning one incident's complaints into the report's figures."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from detectors.events import SEVERITY_RANK, AlertEvent
from reports import episode
from reports.model import Count, Sample, Step, Term, Timings, Voice
from reports.terms import distinctive_terms
from stream.privacy import redact

SAMPLE_SIZE = 20
PROMINENT_MAX = 25
TEXT_MAX = 280


def incidents_from_alerts(alerts: Iterable[AlertEvent]) -> dict[str, list[AlertEvent]]:
    """incident_id -> its alert events in time order; only incidents that were opened."""
    groups: dict[str, list[AlertEvent]] = {}
    for alert in alerts:
        groups.setdefault(alert.incident_id, []).append(alert)
    return {
        k: sorted(v, key=lambda a: a.at) for k, v in groups.items() if any(a.event == "opened" for a in v)
    }


def choose(
    groups: dict[str, list[AlertEvent]], incident_id: str | None, latest: bool, since: float | None,
) -> list[str]:
    """The incidents a command asked for, oldest first; raises ``LookupError`` when none match."""
    opened = {k: next(a.at for a in v if a.event == "opened") for k, v in groups.items()}
    if incident_id:
        if incident_id not in groups:
            known = ", ".join(sorted(groups, key=opened.__getitem__)[-5:]) or "none"
            raise LookupError(f"no incident {incident_id!r} (latest known: {known})")
        return [incident_id]
    ordered = sorted(groups, key=opened.__getitem__)
    if latest:
        if not ordered:
            raise LookupError("no incidents recorded")
        return ordered[-1:]
    if since is not None:
        chosen = [k for k in ordered if opened[k] >= since]
        if not chosen:
            raise LookupError("no incident opened since then")
        return chosen
    raise LookupError("say which incident: an INCIDENT_ID, --latest or --since DATE")


def steps(alerts: Sequence[AlertEvent]) -> list[Step]:
    return [Step(a.at, a.event, a.severity, a.voices, a.mentions, a.reason) for a in alerts]


def peak_severity(alerts: Sequence[AlertEvent]) -> str:
    return max((a.severity for a in alerts), key=lambda s: SEVERITY_RANK.get(s, 0), default="emerging")


def alert_timings(alerts: Sequence[AlertEvent]) -> Timings:
    """Detection, crisis detection and resolution straight from the alert events."""
    opened = next(a for a in alerts if a.event == "opened")
    crisis = next((a for a in alerts if a.severity == "crisis" and a.event in ("opened", "escalated")), None)
    resolved = next((a for a in alerts if a.event == "resolved"), None)
    return Timings(
        detected=opened.at,
        crisis_detected=crisis.at if crisis else None,
        resolved=resolved.at if resolved else None,
    )


def clean(text: str) -> str:
    """Every displayed text goes through redaction, then is cut to a readable length."""
    out = redact(text).strip()
    return out if len(out) <= TEXT_MAX else out[: TEXT_MAX - 1] + "…"


@dataclass(frozen=True)
class Item:
    """A complaint as the report needs it; ``voice`` is already a pseudonym."""

    t: float
    voice: str
    lang: str
    channel: str
    followers: int
    verified: bool
    text: str


def counts(rows: Iterable[tuple[str, str]]) -> list[Count]:
    return [Count(k, n, v) for k, n, v in episode.breakdown(rows)]


def breakdowns(items: Sequence[Item]) -> tuple[list[Count], list[Count], list[Count]]:
    channels = counts((i.channel or "unknown", i.voice) for i in items)
    languages = counts((i.lang or "unknown", i.voice) for i in items)
    hours = sorted(counts((episode.hour_of_day(i.t), i.voice) for i in items), key=lambda c: c.key)
    return channels, languages, hours


def is_prominent(item: Item, thresholds: dict[str, Any]) -> bool:
    min_followers = int(thresholds.get("prominent_min_followers", 100_000))
    verified_counts = bool(thresholds.get("prominent_verified", True))
    return item.followers >= min_followers or (verified_counts and item.verified)


def short_voice(voice: str) -> str:
    """Pseudonyms are long keyed hashes; 12 characters tell voices apart in a table."""
    return voice[:12]


def prominent(items: Sequence[Item], thresholds: dict[str, Any]) -> list[Voice]:
    best: dict[str, Item] = {}
    for item in items:
        if is_prominent(item, thresholds) and (
            item.voice not in best or item.followers > best[item.voice].followers
        ):
            best[item.voice] = item
    ranked = sorted(best.values(), key=lambda i: (-i.followers, i.t))[:PROMINENT_MAX]
    return [
        Voice(short_voice(i.voice), i.followers, i.verified, i.channel, i.lang, i.t, clean(i.text))
        for i in ranked
    ]


def sample(items: Sequence[Item], size: int = SAMPLE_SIZE, seed: str = "") -> list[Sample]:
    """An even, reproducible sample across the incident, one complaint per voice."""
    seen: set[str] = set()
    unique = []
    for item in sorted(items, key=lambda i: i.t):
        if item.voice not in seen:
            seen.add(item.voice)
            unique.append(item)
    if len(unique) > size:
        rng = random.Random(seed)
        step = len(unique) / size
        unique = [unique[min(len(unique) - 1, int(k * step + rng.random() * step))] for k in range(size)]
    return [Sample(i.t, clean(i.text), i.lang, i.channel) for i in unique]


def terms(incident: Sequence[Item], background: Sequence[Item]) -> list[Term]:
    return distinctive_terms([i.text for i in incident], [i.text for i in background])
