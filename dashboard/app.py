"""The Dash app: a fixed page whose regions are refreshed from Redis on a timer.

Read-only unless the browser holds the operator token; the token is checked on the server for
every action, so a crafted request without it is refused the same way as a click.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import dash
import redis
from dash import ALL, Input, Output, State, ctx, html, no_update
from plotly.io.json import to_json_plotly

from dashboard import actions
from dashboard.fmt import span, stamp
from dashboard.freshness import judge
from dashboard.layout import build_layout
from dashboard.options import parse_options
from dashboard.refresh import refresh
from state.keys import Keys

ASSETS = Path(__file__).parent / "assets"


def _client(redis_url: str) -> redis.Redis:
    # Short timeouts: an unreachable store must turn into a banner within one refresh, not a hang.
    return redis.Redis.from_url(redis_url, decode_responses=True, socket_connect_timeout=1.0, socket_timeout=2.0)


def unchanged_as_no_update(regions: list[Any], shown: dict[str, str]) -> tuple[list[Any], dict[str, str]]:
    """Send only the regions that changed since this browser's last refresh.

    Dash remounts a subtree whose children are replaced, which would drop a click landing during
    a refresh and repaint images; unchanged regions are therefore left alone.
    """
    out, digests = [], {}
    for i, region in enumerate(regions):
        digest = hashlib.blake2b(to_json_plotly(region).encode(), digest_size=12).hexdigest()
        digests[str(i)] = digest
        out.append(no_update if shown.get(str(i)) == digest else region)
    return out, digests


def create_app(
    redis_url: str,
    namespace: str,
    operator_token: str | None,
    refresh_s: float = 5.0,
    stale_after_s: float = 30.0,
) -> dash.Dash:
    client = _client(redis_url)
    keys = Keys(namespace)
    app = dash.Dash(
        __name__, assets_folder=str(ASSETS), title="crisiswatch wall", update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = build_layout(refresh_s)

    @app.callback(Output("tick", "interval"), Output("root", "className"), Input("url", "search"))
    def apply_url(search: str | None) -> tuple[int, str]:
        opts = parse_options(search)
        return int((opts.refresh_s or refresh_s) * 1000), f"theme-{opts.theme}"

    @app.callback(
        Output("operator", "data"),
        Input("token-save", "n_clicks"), Input("url", "search"),
        State("token-input", "value"), State("name-input", "value"), State("operator", "data"),
    )
    def keep_operator(_: int, search: str | None, token: str | None, name: str | None, stored: Any) -> Any:
        stored = dict(stored or {})
        if ctx.triggered_id == "token-save":
            stored.update(token=token or "", name=(name or "").strip())
            return stored
        url_token = parse_options(search).token
        if url_token and url_token != stored.get("token"):
            stored["token"] = url_token
            return stored
        return no_update

    @app.callback(Output("operator-status", "children"), Input("operator", "data"))
    def operator_status(stored: Any) -> str:
        if not operator_token:
            return "read-only wall: no operator token is configured on the server"
        if actions.token_ok((stored or {}).get("token"), operator_token):
            return f"operator mode ✔ as {(stored or {}).get('name') or 'operator'}"
        if (stored or {}).get("token"):
            return "token not accepted — read-only"
        return "read-only"

    @app.callback(
        Output("action-msg", "children"), Output("action-msg", "className"), Output("acted", "data"),
        Input({"type": "ack", "incident": ALL}, "n_clicks"), Input({"type": "resolve", "incident": ALL}, "n_clicks"),
        State("operator", "data"), State("acted", "data"),
        prevent_initial_call=True,
    )
    def act(_: list[int], __: list[int], stored: Any, acted: int) -> tuple[str, str, Any]:
        trigger = ctx.triggered_id
        if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update, no_update, no_update  # a button appeared, nobody clicked
        verb = "acknowledge" if trigger["type"] == "ack" else "resolve"
        if not actions.token_ok((stored or {}).get("token"), operator_token):
            why = "no operator token is configured on the server" if not operator_token else \
                "enter the operator token (Operator, bottom left)"
            return f"Refused: to {verb} an incident, {why}.", "action-msg msg-refused", no_update
        by = (stored or {}).get("name") or "wall operator"
        try:
            getattr(actions, verb)(client, keys, trigger["incident"], by)
        except (redis.RedisError, KeyError, ValueError) as exc:
            return f"Could not {verb} {trigger['incident']}: {exc}", "action-msg msg-refused", no_update
        done = "Acknowledged" if verb == "acknowledge" else "Resolved"
        return f"{done} by {by}.", "action-msg msg-ok", (acted or 0) + 1

    @app.callback(
        Output("banner", "children"), Output("banner", "className"), Output("wall-body", "className"),
        Output("last-event", "children"), Output("heartbeat", "children"), Output("live-dot", "className"),
        Output("summary", "children"), Output("tiles", "children"), Output("tiles", "className"),
        Output("chart", "figure"),
        Output("chart-note", "children"), Output("incidents", "children"), Output("complaints", "children"),
        Output("mix", "children"), Output("prominent", "children"), Output("heatmap", "figure"),
        Output("rendered", "data"),
        Input("tick", "n_intervals"), Input("url", "search"), Input("acted", "data"), State("rendered", "data"),
    )
    def update(_: int, search: str | None, __: Any, shown: dict[str, str] | None) -> tuple[Any, ...]:
        opts = parse_options(search)
        now = time.time()
        try:
            wall = refresh(client, keys, opts)
        except redis.RedisError as exc:
            fresh = judge(None, now, stale_after_s, error=type(exc).__name__)
            banner = [html.Div(fresh.headline, className="banner-head"), html.Div(fresh.detail)]
            return (banner, "banner banner-bad", "wall-body is-stale", no_update, "unreachable",
                    "live-dot dot-bad", *([no_update] * 11))
        beat = wall.data.heartbeat
        fresh = judge(beat, now, stale_after_s)
        if fresh.live:
            banner, banner_cls, body_cls, dot = [], "banner banner-hidden", "wall-body", "live-dot dot-live"
        else:
            banner = [html.Div(fresh.headline, className="banner-head"), html.Div(fresh.detail)]
            banner_cls, body_cls, dot = "banner banner-bad", "wall-body is-stale", "live-dot dot-bad"
        heartbeat = f"{span(now - beat.wall)} ago" if beat.wall else "never"
        regions, digests = unchanged_as_no_update(
            [wall.summary, wall.tiles, wall.tiles_class, wall.chart, wall.chart_note, wall.incidents,
             wall.complaints, wall.mix, wall.prominent, wall.heatmap],
            shown or {},
        )
        return (banner, banner_cls, body_cls, stamp(beat.event, seconds=True), heartbeat, dot, *regions, digests)

    return app
