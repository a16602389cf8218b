"""The report's plotly figures: the same objects go inline into the HTML and to PNG for Markdown."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.model import Report

COLORS = {"emerging": "#e69f00", "crisis": "#d62728", "baseline": "#7f7f7f", "voices": "#1f77b4",
          "mentions": "#9ecae1", "marker": "#444444"}
STEP_SYMBOL = {"opened": "triangle-up", "escalated": "triangle-up", "deescalated": "triangle-down",
               "resolved": "circle", "prominent": "star"}


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC).replace(tzinfo=None)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title=title, height=height, template="plotly_white", margin={"l": 60, "r": 20, "t": 80, "b": 40},
        legend={"orientation": "h", "y": -0.15}, font={"size": 12},
    )
    return fig


def timeline_figure(report: Report) -> go.Figure:
    """Window voices against baseline and thresholds, with every escalation step marked."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.06)
    xs = [_dt(m.t) for m in report.timeline]
    fig.add_trace(go.Scatter(x=xs, y=[m.window_voices for m in report.timeline], name="voices in window",
                             line={"color": COLORS["voices"], "width": 2.5}), row=1, col=1)
    for name, attr, dash in (("baseline", "baseline", "dot"), ("emerging threshold", "emerging", "dash"),
                             ("crisis threshold", "crisis", "dash")):
        ys = [getattr(m, attr) for m in report.timeline]
        if any(y is not None for y in ys):
            color = COLORS[attr if attr != "baseline" else "baseline"]
            fig.add_trace(go.Scatter(x=xs, y=ys, name=name, line={"color": color, "dash": dash, "width": 1.5},
                                     line_shape="hv"), row=1, col=1)
    steps = [s for s in report.steps if s.event != "prominent"]
    if steps:
        fig.add_trace(go.Scatter(
            x=[_dt(s.at) for s in steps], y=[s.voices for s in steps], mode="markers+text", name="alerts",
            text=[f"{s.event} ({s.severity})" for s in steps], textposition="top center",
            marker={"size": 11, "color": [COLORS.get(s.severity, COLORS["marker"]) for s in steps],
                    "symbol": [STEP_SYMBOL.get(s.event, "circle") for s in steps],
                    "line": {"width": 1, "color": "#222"}},
        ), row=1, col=1)
    t = report.timings
    for label, ts in (("first complaint", t.first_complaint), ("first page", t.first_page),
                      ("acknowledged", t.acknowledged)):
        if ts is not None:
            fig.add_shape(type="line", x0=_dt(ts), x1=_dt(ts), y0=0, y1=1, xref="x", yref="paper",
                          line={"color": COLORS["marker"], "width": 1, "dash": "dot"})
            fig.add_annotation(x=_dt(ts), y=1.0, xref="x", yref="paper", text=label, showarrow=False,
                               yanchor="bottom", font={"size": 10})
    fig.add_trace(go.Bar(x=xs, y=[m.mentions for m in report.timeline], name="complaints per minute",
                         marker_color=COLORS["mentions"]), row=2, col=1)
    fig.add_trace(go.Scatter(x=xs, y=[m.voices for m in report.timeline], name="voices per minute",
                             mode="lines", line={"color": COLORS["voices"], "width": 1}), row=2, col=1)
    fig.update_yaxes(title_text=f"voices / {report.window_s // 60} min", row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text="per minute", row=2, col=1, rangemode="tozero")
    fig.update_xaxes(title_text="UTC", row=2, col=1)
    return _layout(fig, "Voices and complaints over time", 560)


def breakdown_figure(report: Report) -> go.Figure:
    fig = make_subplots(rows=1, cols=3, subplot_titles=("Channels", "Languages", "Hour of day (UTC)"),
                        column_widths=[0.3, 0.3, 0.4])
    for col, rows in ((1, report.channels), (2, report.languages), (3, report.hours)):
        fig.add_trace(go.Bar(x=[r.key for r in rows], y=[r.complaints for r in rows], showlegend=False,
                             marker_color=COLORS["voices"]), row=1, col=col)
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="complaints", row=1, col=1)
    return _layout(fig, "Where the complaints came from", 360)


def terms_figure(report: Report) -> go.Figure:
    terms = list(reversed(report.terms[:15]))
    fig = go.Figure(go.Bar(
        x=[t.complaints for t in terms], y=[t.term for t in terms], orientation="h",
        marker_color=COLORS["crisis"], customdata=[[t.lift, t.share * 100] for t in terms],
        hovertemplate="%{y}: %{x} complaints (%{customdata[1]:.0f}%), ×%{customdata[0]} vs usual<extra></extra>",
    ))
    fig.update_xaxes(title_text="complaints using it")
    return _layout(fig, "What drove it: terms far commoner than usual", max(300, 28 * len(terms) + 120))


def figures(report: Report) -> list[tuple[str, go.Figure]]:
    """(file stem, figure) for every chart this report has data for."""
    out: list[tuple[str, go.Figure]] = []
    if report.timeline:
        out.append(("timeline", timeline_figure(report)))
    if report.channels or report.languages or report.hours:
        out.append(("breakdown", breakdown_figure(report)))
    if report.terms:
        out.append(("terms", terms_figure(report)))
    return out


def browser_path() -> str | None:
    """The Chromium kaleido should drive: $BROWSER_PATH, else Debian's chromium on PATH."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pngs(named: list[tuple[str, go.Figure]], directory: Path) -> tuple[dict[str, Path], str]:
    """PNG files for Markdown; without a browser, no images and the reason (never an exception)."""
    path = browser_path()
    if not named:
        return {}, ""
    if path is None:
        return {}, "charts not rendered: no Chromium found (set BROWSER_PATH)"
    try:
        import kaleido

        directory.mkdir(parents=True, exist_ok=True)
        targets = {name: directory / f"{name}.png" for name, _ in named}
        kaleido.write_fig_from_object_sync(
            [{"fig": fig, "path": str(targets[name]), "opts": {"width": 1000, "height": fig.layout.height or 450}}
             for name, fig in named],
            kopts={"path": path, "mathjax": False},
        )
    except Exception as exc:  # noqa: BLE001 - a missing chart must not lose the report
        return {}, f"charts not rendered: {type(exc).__name__}: {exc}"[:300]
    missing = [n for n, p in targets.items() if not p.exists()]
    if missing:
        return {n: p for n, p in targets.items() if p.exists()}, f"charts not rendered: {', '.join(missing)}"
    return targets, ""
