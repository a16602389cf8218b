"""One refresh of the wall, from Redis to everything the page shows, without Dash callbacks,
so the benchmark and the app time and run exactly the same code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from dashboard import components, figures
from dashboard.options import WallOptions
from dashboard.read import WallData, chart_order, read_wall
from state.keys import Keys

DENSE_AFTER = 12  # more topics than this get compact tiles, so the charts stay on the screen


@dataclass
class Rendered:
    data: WallData
    tiles: list[Any]
    tiles_class: str
    chart: figures.Figure
    chart_note: str
    incidents: Any
    complaints: Any
    mix: Any
    prominent: Any
    heatmap: figures.Figure
    summary: list[Any]


def render(data: WallData, theme: str) -> Rendered:
    shown = [t for t in chart_order(data.topics) if t.charted]
    note = f"{len(shown)} of {len(data.topics)} topics, most severe first" if len(shown) < len(data.topics) else ""
    if data.unknown_topics:
        note = (note + " · " if note else "") + "unknown in URL: " + ", ".join(data.unknown_topics)
    if not data.configured:
        note = "the pipeline has not written its topic list yet"
    return Rendered(
        data=data,
        tiles=components.tiles(data, theme),
        tiles_class="tiles tiles-dense" if len(data.topics) > DENSE_AFTER else "tiles",
        chart=figures.main_chart(shown, data.incidents, theme, data.end, data.range_s),
        chart_note=note,
        incidents=components.incidents_table(data),
        complaints=components.samples_list(data.samples, data),
        mix=components.mix(data),
        prominent=components.samples_list(data.prominent, data, prominent=True),
        heatmap=figures.heatmap(data.topics, theme),
        summary=components.summary(data),
    )


def refresh(client: redis.Redis, keys: Keys, options: WallOptions) -> Rendered:
    """Read and render; raises ``redis.RedisError`` when the store is unreachable."""
    data = read_wall(client, keys, options.topics, options.range_s)
    return render(data, options.theme)
