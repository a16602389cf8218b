"""Markdown: readable in a repository, a ticket or an e-mail; PNG charts when a browser is there."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reports.model import Report, fmt_time
from reports.summary import PAGING_NONE, count_rows, page_rows, summary_rows, threshold_rows, timing_rows

CHART_TITLES = {"timeline": "Voices and complaints over time", "breakdown": "Channels, languages, hours",
                "terms": "Terms that drove it"}


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    if not rows:
        return ["_none_", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render_markdown(report: Report, images: dict[str, Path], base: Path, image_note: str = "") -> str:
    """``images`` maps chart name to PNG; links are relative to ``base`` (the Markdown's folder)."""
    r = report
    out = [f"# Incident report: {r.label} — {r.peak_severity}", "",
           f"Incident `{r.incident_id}`, generated {fmt_time(r.generated_at)} from {r.source}.", ""]
    out += ["## Summary", ""] + _table(("Item", "Value"), summary_rows(r))
    out += ["## Timings", ""] + _table(("Measure", "Value", "Measured as"), timing_rows(r))
    out += ["## Voices and complaints over time", ""]
    for name, path in images.items():
        out += [f"![{CHART_TITLES.get(name, name)}]({path.relative_to(base).as_posix()})", ""]
    if image_note:
        out += [f"_{image_note}; the figures are in the tables._", ""]
    out += ["### Escalation steps", ""]
    out += _table(("At", "Event", "Severity", "Voices", "Complaints", "Reason"),
                  [(fmt_time(s.at), s.event, s.severity, s.voices, s.mentions, s.reason) for s in r.steps])
    busiest = sorted(r.timeline, key=lambda m: -m.window_voices)[:1]
    if busiest:
        m = busiest[0]
        out += [f"Peak window ended {fmt_time(m.t + 60)}: {m.window_voices} voices"
                + (f" (baseline {m.baseline}, emerging {m.emerging}, crisis {m.crisis})" if m.crisis else "")
                + ".", ""]
    total = r.total_complaints or sum(c.complaints for c in r.channels)
    for title, rows in (("Channels", r.channels), ("Languages", r.languages), ("Hours (UTC)", r.hours)):
        out += [f"## {title}", ""] + _table((title.split()[0].rstrip("s"), "Complaints", "Share", "Voices"),
                                            count_rows(rows, total))
    out += ["## What drove it", "",
            "Words and phrases used far more in this incident's complaints than in the rest of the stream.", ""]
    out += _table(("Term", "Complaints", "Share", "Usual share", "× usual"),
                  [(t.term, t.complaints, f"{t.share:.0%}", f"{t.background_share:.1%}", t.lift) for t in r.terms])
    out += ["## Prominent voices", ""]
    out += _table(("Voice (pseudonym)", "Followers", "Verified", "Channel", "Lang", "At", "Text (redacted)"),
                  [(v.voice, f"{v.followers:,}", "yes" if v.verified else "no", v.channel, v.lang,
                    fmt_time(v.at), v.text) for v in r.prominent])
    out += ["## Sample of complaints (redacted)", ""]
    out += _table(("At", "Lang", "Channel", "Text"), [(fmt_time(s.at), s.lang, s.channel, s.text) for s in r.samples])
    out += ["## Paging log", ""]
    out += _table(("At", "What", "Receiver", "Level", "Result", "Attempts", "Who", "Error"), page_rows(r.pages)) \
        if r.pages else [PAGING_NONE, ""]
    out += ["## Thresholds in force", ""] + _table(("Setting", "Value"), threshold_rows(r.thresholds))
    if r.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in r.notes] + [""]
    return "\n".join(out)
