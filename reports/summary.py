"""The rows every format shows first, worded once so HTML and Markdown say the same thing."""

from __future__ import annotations

from typing import Any

from reports.model import NOT_RECORDED, RULE_VOICES, Count, PageEntry, Report, fmt_duration, fmt_time


def summary_rows(r: Report) -> list[tuple[str, str]]:
    t = r.timings
    ack = fmt_time(t.acknowledged) + (f" by {t.acknowledged_by}" if t.acknowledged_by else "")
    res = fmt_time(t.resolved) + (f" by {t.resolved_by}" if t.resolved_by else "")
    return [
        ("Topic", f"{r.label} ({r.topic})" if r.label != r.topic else r.topic),
        ("Peak severity", r.peak_severity),
        ("Peak voices", f"{r.peak_voices} distinct voices in one {r.window_s // 60}-minute window"),
        ("Complaints / voices", f"{r.total_complaints} complaints from {r.total_voices} voices"),
        ("Status", r.status),
        ("First complaint", fmt_time(t.first_complaint)),
        ("Detection (opened)", fmt_time(t.detected)),
        ("Crisis declared", fmt_time(t.crisis_detected) if t.crisis_detected else "no crisis"),
        ("First page", fmt_time(t.first_page)),
        ("Acknowledged", ack),
        ("Resolved", res),
    ]


def timing_rows(r: Report) -> list[tuple[str, str, str]]:
    """(measure, value, how it is measured)."""
    t = r.timings
    rows = [
        ("Time to detect", fmt_duration(t.time_to_detect_s),
         "detection (opened alert) minus the first complaint of the surge"),
    ]
    if t.crisis_detected is None:
        rows.append(("Time to detect the crisis", "no crisis", "the incident never reached crisis"))
    else:
        rule = (fmt_duration(t.time_to_detect_crisis_s) if t.rule_voice_at is not None
                else f"the {RULE_VOICES}th voice never came")
        rows.append(("Time to detect the crisis", rule,
                     f"crisis alert minus the moment the {RULE_VOICES}th distinct voice arrived"
                     + (f" ({fmt_time(t.rule_voice_at)})" if t.rule_voice_at else "")
                     + ("; declared before it, on this topic's lower threshold"
                        if (t.time_to_detect_crisis_s or 0) < 0 else "")))
        if t.threshold_voices and t.threshold_voices != RULE_VOICES:
            rows.append((f"Time to detect at {t.threshold_voices} voices",
                         fmt_duration(t.time_to_detect_at_threshold_s),
                         f"crisis alert minus the moment the {t.threshold_voices}th distinct voice arrived "
                         "(this topic's configured crisis threshold)"
                         + (f" ({fmt_time(t.threshold_voice_at)})" if t.threshold_voice_at else "")))
    return rows + [
        ("Time to first page", fmt_duration(t.time_to_page_s), "first page minus detection"),
        ("Time to acknowledge", fmt_duration(t.time_to_acknowledge_s), "acknowledgement minus detection"),
        ("Time to resolve", fmt_duration(t.time_to_resolve_s), "resolution minus detection"),
        ("Duration", fmt_duration(t.duration_s), "resolution minus the first complaint"),
    ]


def count_rows(rows: list[Count], total: int) -> list[tuple[str, str, str, str]]:
    out = []
    for c in rows:
        share = f"{100 * c.complaints / total:.0f}%" if total else "–"
        out.append((c.key, str(c.complaints), share, "–" if c.voices is None else str(c.voices)))
    return out


def page_rows(pages: list[PageEntry]) -> list[tuple[str, ...]]:
    return [
        (fmt_time(p.at), p.kind, p.receiver or "–", "–" if p.level is None else str(p.level),
         p.status or "–", "–" if p.attempts is None else str(p.attempts), p.who or "–", p.error or "")
        for p in pages
    ]


def threshold_rows(thresholds: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key, value in thresholds.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        out.append((key.replace("_", " "), str(value)))
    return out


PAGING_NONE = f"Paging {NOT_RECORDED}."
