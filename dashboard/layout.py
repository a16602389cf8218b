"""The page skeleton. It is built once; refreshes only replace the contents of its regions,
so the page never reloads and the graphs are updated in place."""

from __future__ import annotations

from dash import dcc, html

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


LEGEND = html.Span(
    [
        html.Span([html.I(className="lg lg-window"), "voices in window"]),
        html.Span([html.I(className="lg lg-minute"), "per minute"]),
        html.Span([html.I(className="lg lg-usual"), "usual"]),
        html.Span([html.I(className="lg lg-emerging"), "emerging"]),
        html.Span([html.I(className="lg lg-crisis"), "crisis"]),
        html.Span([html.I("◆", className="lg-mark"), "incident"]),
    ],
    className="legend",
)


OPERATOR = html.Details(
    [
        html.Summary("operator"),
        html.Div(
            [
                dcc.Input(id="token-input", type="password", placeholder="operator token", className="op-input",
                          debounce=True),
                dcc.Input(id="name-input", type="text", placeholder="your name", className="op-input", debounce=True),
                html.Button("Save", id="token-save", className="btn", n_clicks=0),
                html.Span(id="operator-status", className="op-status"),
            ],
            className="op-row",
        ),
    ],
    className="operator",
)


def panel(title: str, body: html.Div | dcc.Graph, panel_id: str, extra: list | None = None) -> html.Section:
    head = html.Div([html.H2(title), *(extra or [])], className="panel-head")
    return html.Section([head, body], className="panel", id=panel_id)


def build_layout(refresh_s: float) -> html.Div:
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Interval(id="tick", interval=int(refresh_s * 1000), n_intervals=0),
            dcc.Store(id="operator", storage_type="session"),
            dcc.Store(id="acted", data=0),
            dcc.Store(id="rendered", data={}),  # digests of what this browser shows, to skip unchanged regions
            html.Header(
                [
                    html.Div(
                        [html.Span("crisiswatch", className="brand"), html.Span(id="summary", className="summary")],
                        className="head-left",
                    ),
                    html.Div(
                        [
                            html.Div([html.Span("last event "), html.B("—", id="last-event")], className="fresh-item"),
                            html.Div([html.Span("heartbeat "), html.B("—", id="heartbeat")], className="fresh-item"),
                            html.Span("", id="live-dot", className="live-dot"),
                            OPERATOR,
                        ],
                        className="head-right",
                    ),
                ],
                className="wall-head",
            ),
            html.Div(id="banner", className="banner banner-hidden", role="alert"),
            html.Main(
                [
                    html.Div(id="tiles", className="tiles"),
                    html.Div(
                        [
                            panel("Voices per topic", dcc.Graph(id="chart", config=GRAPH_CONFIG, className="chart"),
                                  "chart-panel", [html.Span(id="chart-note", className="panel-note"), LEGEND]),
                            panel("Open incidents", html.Div(id="incidents"), "incidents-panel",
                                  [html.Span(id="action-msg", className="action-msg", role="status")]),
                        ],
                        className="row row-main",
                    ),
                    html.Div(
                        [
                            panel("Recent complaints", html.Div(id="complaints"), "complaints-panel"),
                            html.Div(
                                [
                                    panel("Language and channel mix", html.Div(id="mix"), "mix-panel"),
                                    panel("Prominent voices", html.Div(id="prominent"), "prominent-panel"),
                                ],
                                className="stack",
                            ),
                            panel("Peak hours",
                                  dcc.Graph(id="heatmap", config=GRAPH_CONFIG, className="heat"), "heat-panel",
                                  [html.Span("by hour of week · each row scaled to its own peak",
                                             className="panel-note")]),
                        ],
                        className="row row-bottom",
                    ),
                ],
                id="wall-body",
                className="wall-body",
            ),
        ],
        id="root",
        className="theme-dark",
    )
