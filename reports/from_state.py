"""Reports from the state the pipeline keeps in Redis: alerts, timeline, samples, pages.

This is the source for a report written the moment an incident resolves, and the only one
that knows who was paged, who acknowledged and when. Raw complaints are not kept in state, so
per-complaint figures come from the minute timeline and the redacted samples.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from typing import Any

import redis

from detectors.events import AlertEvent, to_epoch
from escalation.lifecycle import load_incident
from reports import build, episode
from reports.model import RULE_VOICES, Count, Minute, PageEntry, Report
from state.keys import Keys

STATE_NOTE = (
    "Built from the pipeline's state: times before detection are to the minute (the timeline), "
    "channel and language counts are per hour of the incident, and terms come from the {n} redacted "
    "samples kept for this incident. "
    "Distinct voices over the whole incident are not kept; the total shown is the peak window's."
)


def read_alerts(client: redis.Redis, keys: Keys) -> list[AlertEvent]:
    return [AlertEvent.from_json(json.loads(f["json"])) for _, f in client.xrange(keys.alerts)]


def read_topics(client: redis.Redis, keys: Keys) -> dict[str, dict[str, Any]]:
    """name -> the topic entry the pipeline recorded at start (label, priority, thresholds)."""
    raw = client.hget(keys.config, "topics")
    try:
        topics = json.loads(raw) if raw else []
    except ValueError:
        topics = []
    return {t["name"]: t for t in topics if isinstance(t, dict) and "name" in t}


def read_incident(client: redis.Redis, keys: Keys, incident_id: str) -> dict[str, Any] | None:
    """The escalation record (pages, acknowledgement), as escalation/ presents it."""
    incident = load_incident(client, keys, incident_id)
    return incident.to_json() if incident else None


def read_mix(client: redis.Redis, keys: Keys, topic: str, start: float, end: float) -> tuple[list[Count], list[Count]]:
    """Complaints per channel and per language over the hours the incident touched."""
    first, last = int(start // 3600) * 3600, int(end // 3600) * 3600
    totals: dict[str, Counter[str]] = {"channel": Counter(), "lang": Counter()}
    for field_name, value in client.hgetall(keys.mix(topic)).items():
        hour, kind, key = field_name.split("|", 2)
        if first <= int(hour) <= last and kind in totals:
            totals[kind][key] += int(value)
    return tuple([Count(k, n, None) for k, n in c.most_common()] for c in totals.values())  # type: ignore[return-value]


def pages_log(record: dict[str, Any] | None) -> list[PageEntry]:
    """Pages, reminders and escalations, plus the acknowledgement and resolution, in time order."""
    if not record:
        return []
    entries = [
        PageEntry(
            at=to_epoch(p.get("at")), kind=str(p.get("kind", "page")), receiver=str(p.get("receiver", "")),
            level=p.get("level"), status=str(p.get("status", "")), attempts=p.get("attempts"),
            error=build.clean(str(p.get("error") or "")),
        )
        for p in record.get("pages") or []
    ]
    for kind, at_key, by_key in (("acknowledged", "acknowledged_at", "acknowledged_by"),
                                 ("resolved", "resolved_at", "resolved_by")):
        if record.get(at_key):
            entries.append(PageEntry(to_epoch(record[at_key]), kind, "", None, "done",
                                     who=build.clean(str(record.get(by_key) or ""))))
    return sorted(entries, key=lambda e: (e.at is None, e.at or 0.0))


def _json_list(client: redis.Redis, key: str) -> list[dict[str, Any]]:
    out = []
    for raw in client.lrange(key, 0, -1):
        try:
            out.append(json.loads(raw))
        except ValueError:
            continue
    return out


def _item(d: dict[str, Any]) -> build.Item:
    return build.Item(float(d.get("at", 0)), str(d.get("voice", "")), str(d.get("lang") or "unknown"),
                      str(d.get("channel") or "unknown"), int(d.get("followers") or 0),
                      bool(d.get("verified")), str(d.get("text", "")))


def read_timeline(client: redis.Redis, keys: Keys, topic: str, start: float, end: float) -> list[Minute]:
    out = []
    for field, raw in client.hgetall(keys.timeline(topic)).items():
        minute = int(field)
        if not start <= minute <= end:
            continue
        v = json.loads(raw)
        out.append(Minute(minute, int(v.get("m", 0)), int(v.get("v", 0)), int(v.get("w", 0)),
                          v.get("b"), v.get("e"), v.get("c"), str(v.get("s") or "")))
    return sorted(out, key=lambda m: m.t)


def build_from_state(
    client: redis.Redis, keys: Keys, incident_id: str, alerts: list[AlertEvent],
    thresholds: dict[str, Any] | None = None, now: float | None = None,
) -> Report:
    """One incident's report; ``alerts`` are this incident's events in time order."""
    opened = next(a for a in alerts if a.event == "opened")
    topic = opened.topic
    topics = read_topics(client, keys)
    entry = topics.get(topic, {})
    window_s = float(opened.window_s or client.hget(keys.config, "window_s") or 1800)
    th: dict[str, Any] = dict(entry.get("thresholds") or {}) | dict(thresholds or {})
    th.setdefault("window", f"{window_s / 60:g}m")
    th.setdefault("priority_topic", bool(entry.get("priority", opened.priority)))
    timings = build.alert_timings(alerts)
    detected = timings.detected or opened.at
    record = read_incident(client, keys, incident_id)
    if record:
        timings.acknowledged = to_epoch(record.get("acknowledged_at"))
        timings.acknowledged_by = build.clean(str(record.get("acknowledged_by") or ""))
        timings.resolved = timings.resolved or to_epoch(record.get("resolved_at"))
        timings.resolved_by = build.clean(str(record.get("resolved_by") or ""))
    pages = pages_log(record)
    sent = [p.at for p in pages if p.at is not None and p.kind not in ("acknowledged", "resolved")]
    timings.first_page = min(sent) if sent else None
    end = timings.resolved or alerts[-1].at

    everything = read_timeline(client, keys, topic, detected - 2 * window_s, end + window_s)
    heard = [m.t for m in everything if m.voices > 0 and m.t <= detected]
    first_minute = episode.episode_start(heard, detected, window_s)
    samples = [_item(d) for d in _json_list(client, keys.samples(topic))]
    start = first_minute if first_minute is not None else detected
    in_first = [s.t for s in samples if start <= s.t < start + 60]
    timings.first_complaint = min(in_first) if in_first else first_minute
    missing = [] if first_minute is not None else [
        "The timeline holds no complaint before detection, so the first complaint is not recorded; "
        "make the report from the alerts file and the input for exact times."]
    timeline = [m for m in everything if start - 15 * 60 <= m.t <= end + 15 * 60]
    span_minutes = [m for m in timeline if start <= m.t <= end]
    if timings.crisis_detected is not None:
        crisis_minute = next((m for m in span_minutes if m.t + 60 > timings.crisis_detected), None)
        level = (crisis_minute.crisis if crisis_minute and crisis_minute.crisis else None) or float(
            th.get("crisis_voices", 200))
        n = math.ceil(level)
        timings.threshold_voices = n
        reached = next((m for m in span_minutes if m.window_voices >= n), None)
        timings.threshold_voice_at = reached.t if reached else None
        rule = next((m for m in span_minutes if m.window_voices >= RULE_VOICES), None)
        timings.rule_voice_at = rule.t if rule else None

    peak_minute = max(timeline, key=lambda m: m.window_voices, default=None)
    if peak_minute and peak_minute.crisis is not None:
        th["in_force_at_peak"] = {"baseline": peak_minute.baseline, "emerging": peak_minute.emerging,
                                  "crisis": peak_minute.crisis}
    peak = max([a.voices for a in alerts] + [m.window_voices for m in timeline]
               + [int((record or {}).get("peak_voices") or 0)])

    span = [s for s in samples if start <= s.t <= end]
    background = [s for s in samples if not start <= s.t <= end]
    for other in topics or _sample_topics(client, keys):
        if other != topic:
            background += [_item(d) for d in _json_list(client, keys.samples(other))]
    hours_total: Counter[str] = Counter()
    for m in span_minutes:
        hours_total[episode.hour_of_day(m.t)] += m.mentions
    channels, languages = read_mix(client, keys, topic, start, end)
    if not channels:  # state written before the per-hour mix was kept
        channels, languages, _ = build.breakdowns(span)
    prominent = [_item(d) for d in _json_list(client, keys.prominent)
                 if d.get("topic") == topic and start <= float(d.get("at", 0)) <= end]

    return Report(
        incident_id=incident_id, topic=topic, label=str(entry.get("label") or topic),
        peak_severity=build.peak_severity(alerts), peak_voices=peak,
        status="resolved" if timings.resolved else "open", source="state",
        generated_at=time.time() if now is None else now, timings=timings, window_s=int(window_s),
        total_complaints=sum(m.mentions for m in span_minutes),
        total_voices=max((m.window_voices for m in span_minutes), default=0),
        steps=build.steps(alerts), timeline=timeline, channels=channels, languages=languages,
        hours=[Count(h, n, None) for h, n in sorted(hours_total.items()) if n],
        terms=build.terms(span, background),
        prominent=build.prominent(prominent, {"prominent_min_followers": 0}),
        samples=build.sample(span, seed=incident_id), pages=pages, thresholds=th,
        notes=[STATE_NOTE.format(n=len(span)), *missing]
        + ([] if record else ["No escalation record: paging not recorded."]),
    )


def _sample_topics(client: redis.Redis, keys: Keys) -> list[str]:
    prefix = keys.samples("")
    return [k[len(prefix):] for k in client.scan_iter(match=prefix + "*", count=500)]
