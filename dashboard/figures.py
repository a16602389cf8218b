"""Figures for the wall, built as plain plotly dicts.

Plain dicts skip plotly's per-property validation, which is most of the cost of a refresh with
fifty topics; ``dcc.Graph`` and ``plotly.io`` accept them as they are. Sparklines are tiny SVG
images instead of plotly graphs so fifty tiles stay cheap in the browser and sharp on 4K.
"""

from __future__ import annotations

import math
from base64 import b64encode
from collections.abc import Sequence
from typing import Any

from dashboard.read import Incident, TopicView

Figure = dict[str, Any]

THEMES: dict[str, dict[str, str]] = {
    "dark": {
        "bg": "#10161d", "text": "#e9eef4", "muted": "#93a1b0", "grid": "#26313d",
        "calm": "#3ecf8e", "emerging": "#ffb020", "crisis": "#ff4f5e", "line": "#f4f7fa",
        "band": "rgba(62,207,142,0.20)", "bars": "rgba(147,161,176,0.45)",
    },
    "light": {
        "bg": "#ffffff", "text": "#111820", "muted": "#4d5a67", "grid": "#dde3e9",
        "calm": "#16834f", "emerging": "#b26a00", "crisis": "#c8102e", "line": "#111820",
        "band": "rgba(22,131,79,0.16)", "bars": "rgba(77,90,103,0.35)",
    },
}
HEAT_SCALES = {
    "dark": [[0, "#10161d"], [0.25, "#1f3b57"], [0.6, "#d9822b"], [1, "#ffe066"]],
    "light": [[0, "#ffffff"], [0.25, "#cfe3f5"], [0.6, "#f0a040"], [1, "#b3001b"]],
}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FONT = "Inter, 'Segoe UI', 'DejaVu Sans', Roboto, sans-serif"


def severity_colour(severity: str, theme: str = "dark") -> str:
    palette = THEMES[theme]
    return palette.get(severity, palette["calm"]) if severity != "isolated" else palette["calm"]


def _base_layout(theme: str, font_size: int = 18) -> dict[str, Any]:
    p = THEMES[theme]
    return {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": font_size, "color": p["text"]},
        "margin": {"l": 64, "r": 16, "t": 48, "b": 40},
        "showlegend": False,
        "hoverlabel": {"font": {"size": 18}},
        "uirevision": "wall",  # keep hover and zoom across refreshes
    }


def sparkline_svg(values: Sequence[float], colour: str, limit: float | None = None) -> str:
    """A data-URI SVG polyline; ``limit`` (the next threshold) is drawn dashed and sets the scale
    floor, so a calm topic's noise does not look like a surge."""
    width, height = 240, 60
    top = max([*values, limit or 0, 1]) * 1.08
    n = len(values)
    step = width / max(n - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 3 - (v / top) * (height - 6):.1f}" for i, v in enumerate(values))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none">']
    if limit:
        y = height - 3 - (limit / top) * (height - 6)
        parts.append(f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
                     'stroke-opacity="0.55" stroke-width="1.5" stroke-dasharray="6 5"/>')
    if n:
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="3.5" stroke-linejoin="round" '
                     f'vector-effect="non-scaling-stroke" points="{points}"/>')
    parts.append("</svg>")
    return "data:image/svg+xml;base64," + b64encode("".join(parts).encode()).decode()


def downsample(values: Sequence[float], buckets: int = 72) -> list[float]:
    """Keep the peak of each bucket, so a one-minute spike survives on a small sparkline."""
    if len(values) <= buckets:
        return list(values)
    size = len(values) / buckets
    return [max(values[int(i * size): max(int((i + 1) * size), int(i * size) + 1)]) for i in range(buckets)]


def _grid(n: int) -> tuple[int, int]:
    cols = 1 if n == 1 else 2 if n in (2, 4) else 3
    return math.ceil(n / cols), cols


def main_chart(
    topics: Sequence[TopicView], incidents: Sequence[Incident], theme: str = "dark", end: float | None = None,
    range_s: float | None = None,
) -> Figure:
    """One panel per topic: voices per minute (bars), voices in the window (line), the usual level
    for this hour of the week (band) and the emerging / crisis thresholds (dashed), with incidents."""
    p = THEMES[theme]
    layout = _base_layout(theme, 17)
    layout["margin"] = {"l": 56, "r": 20, "t": 44, "b": 36}
    layout["bargap"] = 0.1
    if not topics:
        layout["xaxis"] = {"visible": False}
        layout["yaxis"] = {"visible": False}
        layout["annotations"] = [{"text": "No topics to show", "showarrow": False, "font": {"size": 28},
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]
        return {"data": [], "layout": layout}
    rows, cols = _grid(len(topics))
    gap_x, gap_y = 0.06, 0.24 if rows > 1 else 0.0
    width = (1 - gap_x * (cols - 1)) / cols
    height = (1 - gap_y * (rows - 1)) / rows
    x_range = [(end - range_s) * 1000, end * 1000] if end and range_s else None
    data: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    by_topic: dict[str, list[Incident]] = {}
    for inc in incidents:
        by_topic.setdefault(inc.topic, []).append(inc)
    for i, topic in enumerate(topics):
        row, col = divmod(i, cols)
        suffix = "" if i == 0 else str(i + 1)
        xa, ya = f"x{suffix}", f"y{suffix}"
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        layout[f"xaxis{suffix}"] = {
            "domain": [x0, x0 + width], "anchor": ya, "type": "date", "gridcolor": p["grid"],
            "tickformat": "%H:%M", "nticks": 6, "range": x_range, "color": p["muted"],
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [y1 - height, y1], "anchor": xa, "gridcolor": p["grid"], "rangemode": "tozero",
            "color": p["muted"], "nticks": 5, "zeroline": False,
        }
        colour = severity_colour(topic.severity, theme)
        word = display_severity(topic.severity).upper()
        annotations.append({
            "text": f"<b>{topic.label}</b>  <span style='color:{colour}'>{word}</span>",
            "xref": "paper", "yref": "paper", "x": x0, "y": y1, "xanchor": "left", "yanchor": "bottom",
            "showarrow": False, "font": {"size": 22},
        })
        tl = topic.timeline
        xs = [pt.minute * 1000 for pt in tl]
        common = {"xaxis": xa, "yaxis": ya}
        bx, by = _steps(xs, [pt.baseline for pt in tl])
        data.append({**common, "type": "scatter", "mode": "lines", "x": bx, "y": by,
                     "fill": "tozeroy", "fillcolor": p["band"], "line": {"width": 0, "shape": "hv"},
                     "name": "usual", "hovertemplate": "usual for this hour: %{y:.0f}<extra></extra>"})
        data.append({**common, "type": "bar", "x": xs, "y": [pt.voices for pt in tl], "marker": {"color": p["bars"]},
                     "name": "voices / min", "hovertemplate": "%{y} voices this minute<extra></extra>"})
        ex, ey = _steps(xs, [pt.emerging for pt in tl])
        data.append({**common, "type": "scatter", "mode": "lines", "x": ex, "y": ey,
                     "line": {"color": p["emerging"], "width": 2.5, "dash": "dash", "shape": "hv"},
                     "name": "emerging", "hovertemplate": "emerging at %{y:.0f}<extra></extra>"})
        cx, cy = _steps(xs, [pt.crisis for pt in tl])
        data.append({**common, "type": "scatter", "mode": "lines", "x": cx, "y": cy,
                     "line": {"color": p["crisis"], "width": 2.5, "dash": "dot", "shape": "hv"},
                     "name": "crisis", "hovertemplate": "crisis at %{y:.0f}<extra></extra>"})
        data.append({**common, "type": "scatter", "mode": "lines", "x": xs, "y": [pt.window for pt in tl],
                     "line": {"color": p["line"], "width": 4}, "name": "voices in window",
                     "hovertemplate": "%{y} voices in the window<extra></extra>"})
        marks = [inc for inc in by_topic.get(topic.name, []) if inc.opened_at]
        if marks:
            level = {pt.minute: pt.window for pt in tl}
            data.append({
                "xaxis": xa, "yaxis": ya, "type": "scatter", "mode": "markers+text",
                "x": [inc.opened_at * 1000 for inc in marks],
                "y": [level.get(int(inc.opened_at // 60) * 60, 0) for inc in marks],
                "text": ["opened" for _ in marks], "textposition": "middle left",
                "textfont": {"size": 16, "color": p["text"]},
                "marker": {"symbol": "diamond", "size": 20, "line": {"width": 2, "color": p["text"]},
                           "color": [severity_colour(m.severity, theme) for m in marks]},
                "name": "incident", "hovertemplate": "incident opened %{x|%H:%M}<extra></extra>",
            })
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def _steps(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    """Keep only the points where a step line changes (and the last), which draws the same ``hv`` line."""
    out_x: list[float] = []
    out_y: list[float] = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if i == 0 or y != ys[i - 1] or i == len(xs) - 1:
            out_x.append(x)
            out_y.append(y)
    return out_x, out_y


def display_severity(severity: str) -> str:
    """The word shown for a severity: an isolated gripe is calm for the room."""
    return "calm" if severity == "isolated" else severity


def heatmap(topics: Sequence[TopicView], theme: str = "dark") -> Figure:
    """Complaints per hour of the week (UTC), one row per topic, each row scaled to its own peak."""
    p = THEMES[theme]
    layout = _base_layout(theme, 16)
    rows = [t for t in topics if t.heat]
    if not rows:
        layout["xaxis"] = {"visible": False}
        layout["yaxis"] = {"visible": False}
        layout["annotations"] = [{"text": "No complaints counted yet", "showarrow": False, "font": {"size": 24},
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]
        return {"data": [], "layout": layout}
    z, counts = [], []
    for t in rows:
        line = [t.heat.get(h, 0) for h in range(168)]
        peak = max(line) or 1
        z.append([round(n / peak, 3) for n in line])
        counts.append(line)
    hours = [f"{DAYS[h // 24]} {h % 24:02d}:00" for h in range(168)]
    layout["margin"] = {"l": 12, "r": 12, "t": 12, "b": 40}
    layout["xaxis"] = {"type": "category", "tickvals": [hours[12 + 24 * d] for d in range(7)], "ticktext": list(DAYS),
                       "color": p["muted"], "showgrid": False, "range": [-0.5, 167.5]}
    layout["yaxis"] = {"autorange": "reversed", "color": p["text"], "automargin": True, "showgrid": False}
    layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": 24 * d - 0.5, "x1": 24 * d - 0.5,
                         "y0": 0, "y1": 1, "line": {"color": p["grid"], "width": 2}} for d in range(1, 7)]
    return {
        "data": [{
            "type": "heatmap", "z": z, "x": hours, "y": [t.label for t in rows], "text": counts,
            "colorscale": HEAT_SCALES[theme], "zmin": 0, "zmax": 1, "showscale": False, "xgap": 0, "ygap": 3,
            "hovertemplate": "%{y}, %{x} UTC: %{text} complaints<extra></extra>",
        }],
        "layout": layout,
    }


def peak_hour(topic: TopicView) -> str | None:
    """The hour of the week with the most complaints, in words (``Tue 14:00``)."""
    if not topic.heat:
        return None
    hour = max(topic.heat, key=lambda h: topic.heat[h])
    return f"{DAYS[hour // 24 % 7]} {hour % 24:02d}:00"
