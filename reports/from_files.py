"""Reports from an alerts file plus the input that was replayed, so last month's data needs no Redis.

The input is classified again with the same thresholds.yaml, authors are pseudonymised on the
way in, and every figure (voices per minute, the 200th voice, breakdowns) is recomputed from
the complaints themselves; only the escalation steps come from the alerts file.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from detectors.events import AlertEvent
from reports import build, episode
from reports.model import RULE_VOICES, Minute, Report
from reports.thresholds import level_lines, window_seconds
from stream.sources import read_batches

if TYPE_CHECKING:
    from stream.classify import Classifier

BACKGROUND_MAX = 20_000
MARGIN_S = 15 * 60
FILES_NOTE = (
    "Built from an alerts file and the replayed input: pages, acknowledgement and resolution by a "
    "person are not recorded there; make the report from the pipeline's state for the paging log."
)


def load_alerts(path: str) -> list[AlertEvent]:
    """Alert events from a JSON-lines file; a broken line is reported with its number."""
    alerts: list[AlertEvent] = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                alerts.append(AlertEvent.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not an alert event ({exc})") from None
    return alerts


def load_items(paths: Sequence[str], classifier: Classifier, pseudonym_key: bytes) -> dict[str, list[build.Item]]:
    """Every complaint in the input by topic; a mention delivered twice counts once."""
    from stream.ingest import Ingest  # the classifier's stage, needed only when reading input

    ingest = Ingest(classifier, pseudonym_key)
    seen: set[tuple[str, str]] = set()
    items: dict[str, list[build.Item]] = {}
    for path in paths:
        for batch in read_batches(path):
            for c in ingest.process(batch.records, batch.source, batch.first_line).complaints:
                if (c.topic, c.mention_id) in seen:
                    continue
                seen.add((c.topic, c.mention_id))
                items.setdefault(c.topic, []).append(
                    build.Item(c.t, c.voice, c.lang, c.channel, c.followers, c.verified, c.text)
                )
    return items


def _timeline(
    events: list[tuple[float, str]], alerts: Sequence[AlertEvent], start: float, end: float,
    window_s: float, thresholds: dict[str, Any],
) -> list[Minute]:
    out = []
    for minute, mentions, voices, window_voices in episode.per_minute(events, start, end, window_s):
        known = [a for a in alerts if a.at < minute + 60]
        current = known[-1] if known else alerts[0]
        emerging, crisis = level_lines(thresholds, current.baseline)
        severity = current.severity if known and current.event not in ("resolved",) else ""
        out.append(Minute(minute, mentions, voices, window_voices, round(current.baseline, 2),
                          round(emerging, 1), round(crisis, 1), severity))
    return out


def build_from_files(
    incident_id: str, alerts: Sequence[AlertEvent], items: dict[str, list[build.Item]],
    thresholds: dict[str, Any], label: str = "", now: float | None = None,
) -> Report:
    """One incident's report; ``alerts`` are this incident's events in time order."""
    opened = next(a for a in alerts if a.event == "opened")
    topic = opened.topic
    window_s = float(opened.window_s or window_seconds(thresholds))
    timings = build.alert_timings(alerts)
    detected = timings.detected or opened.at
    topic_items = items.get(topic, [])
    events = [(i.t, i.voice) for i in topic_items]
    timings.first_complaint = episode.episode_start([i.t for i in topic_items], detected, window_s)
    start = timings.first_complaint if timings.first_complaint is not None else detected
    end = timings.resolved or alerts[-1].at
    span = [i for i in topic_items if start <= i.t <= end]
    span_events = [(i.t, i.voice) for i in span]
    notes = [FILES_NOTE]
    if timings.crisis_detected is not None:
        crisis_alert = next(a for a in alerts if a.at == timings.crisis_detected)
        n = math.ceil(level_lines(thresholds, crisis_alert.baseline)[1])
        timings.threshold_voices = n
        timings.threshold_voice_at = episode.nth_voice_time(span_events, n, window_s, start)
        timings.rule_voice_at = episode.nth_voice_time(span_events, RULE_VOICES, window_s, start)
        if timings.threshold_voice_at is None:
            notes.append(f"The input never holds {n} distinct voices in one window; is it the whole replay?")
    peak, _ = episode.peak_window_voices([e for e in events if start - window_s < e[0] <= end], window_s)
    peak = max([peak] + [a.voices for a in alerts])
    # the background is the same stream outside this incident: other topics, and this one before/after
    background = [i for t, ts in items.items() for i in ts if t != topic or not start <= i.t <= end]
    if len(background) > BACKGROUND_MAX:
        background = random.Random(incident_id).sample(background, BACKGROUND_MAX)
    channels, languages, hours = build.breakdowns(span)
    if not topic_items:
        notes.append(f"No complaint on {topic!r} in the input: is it the input that was replayed?")
    return Report(
        incident_id=incident_id, topic=topic, label=label or topic,
        peak_severity=build.peak_severity(alerts), peak_voices=peak,
        status="resolved" if timings.resolved else "open", source="files",
        generated_at=time.time() if now is None else now, timings=timings, window_s=int(window_s),
        total_complaints=len(span), total_voices=len({i.voice for i in span}),
        steps=build.steps(alerts),
        timeline=_timeline(events, alerts, start - MARGIN_S, end + MARGIN_S, window_s, thresholds),
        channels=channels, languages=languages, hours=hours,
        terms=build.terms(span, background), prominent=build.prominent(span, thresholds),
        samples=build.sample(span, seed=incident_id), pages=[], thresholds=thresholds, notes=notes,
    )
