"""One self-contained HTML file: plotly.js inline, no network, laid out to print on A4."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
import plotly.io as pio

from reports.model import Report, fmt_time
from reports.summary import PAGING_NONE, count_rows, page_rows, summary_rows, threshold_rows, timing_rows

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 1100px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px;
     border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #666; } .sev-crisis { color: #d62728; } .sev-emerging { color: #b07800; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f6f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cols { display: grid; grid-template-columns: repeat(3, 1fr); gap: 16px; }
.chart { margin: 12px 0; break-inside: avoid; }
.note { color: #555; font-size: 13px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; } table, .chart { break-inside: avoid; } tr { break-inside: avoid; }
  .cols { grid-template-columns: repeat(3, 1fr); }
  .modebar-container { display: none !important; }
}
"""

# plotly sizes charts to the screen; re-lay them out for the page width before printing
PRINT_JS = """
<script>
(function () {
  function fit() {
    if (!window.Plotly) return;
    document.querySelectorAll('.js-plotly-plot').forEach(function (el) { Plotly.Plots.resize(el); });
  }
  window.addEventListener('beforeprint', fit);
  window.addEventListener('afterprint', fit);
})();
</script>
"""


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    if not rows:
        return '<p class="note">none</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{escape(str(c))}</td>' if i in numeric else f"<td>{escape(str(c))}</td>"
            for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures_html(figures: Sequence[tuple[str, go.Figure]]) -> str:
    parts = []
    for index, (name, fig) in enumerate(figures):
        div = pio.to_html(
            fig, include_plotlyjs=index == 0, full_html=False, default_width="100%",
            config={"displaylogo": False, "responsive": True}, div_id=f"chart-{name}",
        )
        parts.append(f'<div class="chart">{div}</div>')
    return "\n".join(parts)


def render_html(report: Report, figures: Sequence[tuple[str, go.Figure]]) -> str:
    r = report
    total = r.total_complaints or sum(c.complaints for c in r.channels)
    sev = escape(r.peak_severity)
    breakdowns = "".join(
        f"<div><h3>{escape(title)}</h3>"
        + _table((title.split()[0].rstrip("s"), "Complaints", "Share", "Voices"), count_rows(rows, total), (1, 2, 3))
        + "</div>"
        for title, rows in (("Channels", r.channels), ("Languages", r.languages), ("Hours (UTC)", r.hours))
    )
    charts = _figures_html(figures)
    timeline_chart, other_charts = (charts, "") if not figures else _split(charts)
    pages = (_table(("At", "What", "Receiver", "Level", "Result", "Attempts", "Who", "Error"), page_rows(r.pages))
             if r.pages else f'<p class="note">{escape(PAGING_NONE)}</p>')
    body = f"""
<h1>Incident report: {escape(r.label)} — <span class="sev-{sev}">{sev}</span></h1>
<p class="meta">Incident <code>{escape(r.incident_id)}</code> · generated {escape(fmt_time(r.generated_at))}
 from {escape(r.source)}</p>
<h2>Summary</h2>{_table(("Item", "Value"), summary_rows(r))}
<h2>Timings</h2>{_table(("Measure", "Value", "Measured as"), timing_rows(r))}
<h2>Voices and complaints over time</h2>{timeline_chart}
<h3>Escalation steps</h3>
{_table(("At", "Event", "Severity", "Voices", "Complaints", "Reason"),
        [(fmt_time(s.at), s.event, s.severity, s.voices, s.mentions, s.reason) for s in r.steps], (3, 4))}
<h2>Where it came from</h2><div class="cols">{breakdowns}</div>
<h2>What drove it</h2>
<p class="note">Words and phrases used far more in this incident's complaints than in the rest of the stream.</p>
{other_charts}
{_table(("Term", "Complaints", "Share", "Usual share", "× usual"),
        [(t.term, t.complaints, f"{t.share:.0%}", f"{t.background_share:.1%}", t.lift) for t in r.terms],
        (1, 2, 3, 4))}
<h2>Prominent voices</h2>
{_table(("Voice (pseudonym)", "Followers", "Verified", "Channel", "Lang", "At", "Text (redacted)"),
        [(v.voice, f"{v.followers:,}", "yes" if v.verified else "no", v.channel, v.lang, fmt_time(v.at), v.text)
         for v in r.prominent], (1,))}
<h2>Sample of complaints (redacted)</h2>
{_table(("At", "Lang", "Channel", "Text"), [(fmt_time(s.at), s.lang, s.channel, s.text) for s in r.samples])}
<h2>Paging log</h2>{pages}
<h2>Thresholds in force</h2>{_table(("Setting", "Value"), threshold_rows(r.thresholds))}
{"<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in r.notes) + "</ul>" if r.notes else ""}
"""
    title = escape(f"Incident {r.incident_id} — {r.label}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{CSS}</style></head><body>{body}{PRINT_JS}</body></html>\n")


def _split(charts: str) -> tuple[str, str]:
    """The timeline chart goes with the timeline section, the rest further down."""
    blocks = charts.split('\n<div class="chart">')
    return blocks[0], "\n".join('<div class="chart">' + b for b in blocks[1:])
