"""The wall's HTML pieces, rebuilt from ``WallData`` on every refresh.

Severity is always a word and a shape as well as a colour, so the wall reads the same to a
colour-blind on-call lead and on a washed-out projector.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from dash import html

from dashboard.figures import display_severity, downsample, severity_colour, sparkline_svg
from dashboard.fmt import clock, count, span, stamp
from dashboard.read import Incident, Sample, TopicView, WallData

ICONS = {"calm": "●", "emerging": "▲", "crisis": "◆"}
TRENDS = {"up": ("↑", "rising"), "down": ("↓", "falling"), "flat": ("→", "steady")}


def severity_badge(severity: str, extra: str = "") -> html.Span:
    word = display_severity(severity)
    return html.Span(
        [html.Span(ICONS.get(word, "●"), className="sev-icon", **{"aria-hidden": "true"}), word.upper()],
        className=f"sev sev-{word} {extra}".strip(),
    )


def tile(topic: TopicView, now: float, theme: str) -> html.Div:
    word = display_severity(topic.severity)
    arrow, trend_word = TRENDS.get(topic.trend, TRENDS["flat"])
    since = (
        f"since {clock(topic.since, utc=False)} · {span(now - topic.since)}"
        if topic.since and topic.has_state else "no data yet"
    )
    spark = downsample(topic.spark)
    # the next line this topic would cross: emerging while calm, crisis once it is emerging
    reference = topic.emerging_threshold if word == "calm" else topic.crisis_threshold
    notes = (["isolated complaints"] if topic.severity == "isolated" else []) + (["priority"] if topic.priority else [])
    return html.Div(
        [
            html.Div(topic.label, className="tile-name", title=topic.label),
            html.Div(severity_badge(topic.severity), className="tile-sev"),
            html.Div(
                [
                    html.Span(count(topic.voices), className="tile-voices"),
                    html.Span(" voices", className="tile-unit"),
                    html.Span(arrow, className=f"trend trend-{topic.trend}", title=trend_word,
                              **{"aria-label": f"trend {trend_word}"}),
                ],
                className="tile-count",
            ),
            html.Div(since, className="tile-since"),
            html.Div(" · ".join(notes), className="tile-note"),
            html.Img(src=sparkline_svg(spark, severity_colour(topic.severity, theme), reference or None),
                     className="spark", alt=f"{topic.label}: voices over the range, {trend_word}"),
        ],
        className=f"tile tile-{word}",
        id={"type": "tile", "topic": topic.name},
        **{"data-severity": word},
    )


def tiles(data: WallData, theme: str) -> list[html.Div]:
    return [tile(t, data.end, theme) for t in data.topics]


def _paged(inc: Incident) -> list[html.Span]:
    if not inc.pages:
        return [html.Span("nobody paged yet", className="muted")]
    seen: dict[str, str] = {}
    for page in inc.pages:
        seen[page.receiver] = page.status
    return [
        html.Span(f"{receiver}" + ("" if status in ("", "sent", "ok", "delivered") else f" ({status})"),
                  className="pill" + (" pill-bad" if status in ("failed", "error") else ""))
        for receiver, status in seen.items()
    ]


def incident_row(inc: Incident, label: str, now: float) -> html.Tr:
    if inc.status == "acknowledged" or inc.acknowledged_at:
        ack = html.Div([html.Span("✔ ACK ", className="ack-yes"), html.Span(inc.acknowledged_by or "someone"),
                        html.Div(f"in {span(inc.time_to_ack)}", className="muted")])
    else:
        ack = html.Div([html.Span("✖ NOT ACKNOWLEDGED", className="ack-no")])
    buttons = html.Div([
        html.Button("Acknowledge", id={"type": "ack", "incident": inc.incident_id}, className="btn",
                    n_clicks=0, disabled=bool(inc.acknowledged_at)),
        html.Button("Resolve", id={"type": "resolve", "incident": inc.incident_id}, className="btn btn-quiet",
                    n_clicks=0),
    ], className="actions")
    opened = inc.opened_at
    return html.Tr(
        [
            html.Td([html.Div(label, className="inc-topic"), severity_badge(inc.severity, "sev-small")]),
            html.Td([html.Div(span(now - opened) if opened else "—", className="inc-age"),
                     html.Div(f"opened {clock(opened, utc=False)}", className="muted", title=stamp(opened))]),
            html.Td(_paged(inc) + [html.Div(f"level {inc.level}", className="muted")] if inc.level else _paged(inc)),
            html.Td([ack, buttons]),
        ],
        className=f"inc inc-{display_severity(inc.severity)}",
        id={"type": "incident", "incident": inc.incident_id},
        **{"data-status": inc.status},
    )


def incidents_table(data: WallData) -> html.Div:
    labels = {t.name: t.label for t in data.topics}
    rows = data.open_incidents
    if not rows:
        return html.Div("No open incidents", className="empty")
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in ("Topic", "Age", "Paged", "Acknowledged")])),
            html.Tbody([incident_row(i, labels.get(i.topic, i.topic), data.end) for i in rows]),
        ],
        className="incidents",
    )


def _sample_item(s: Sample, labels: dict[str, str], prominent: bool = False) -> html.Li:
    meta = [
        html.Span(clock(s.at, utc=False), className="s-time"),
        html.Span(labels.get(s.topic, s.topic), className="s-topic"),
        html.Span(s.channel, className="pill"), html.Span(s.lang.upper(), className="pill"),
    ]
    if prominent:
        meta.append(html.Span(f"{count(s.followers)} followers" + (" ✔ verified" if s.verified else ""),
                              className="pill pill-reach"))
    return html.Li([html.Div(meta, className="s-meta"), html.Div(s.text, className="s-text")])


def samples_list(samples: Sequence[Sample], data: WallData, prominent: bool = False) -> html.Ul | html.Div:
    labels = {t.name: t.label for t in data.topics}
    if not samples:
        return html.Div("No prominent voices" if prominent else "No complaints yet", className="empty")
    return html.Ul([_sample_item(s, labels, prominent) for s in samples], className="samples")


def _shares(counter: Counter[str], top: int = 3) -> list[tuple[str, float]]:
    total = sum(counter.values())
    if not total:
        return []
    items = counter.most_common(top)
    rest = total - sum(n for _, n in items)
    out = [(name, n / total) for name, n in items]
    if rest > 0:
        out.append(("other", rest / total))
    return out


def _bars(title: str, shares: Iterable[tuple[str, float]]) -> html.Div:
    rows = [
        html.Div([
            html.Span(name, className="mix-name"),
            html.Span(html.Span(style={"width": f"{share * 100:.0f}%"}, className="mix-fill"), className="mix-bar"),
            html.Span(f"{share * 100:.0f}%", className="mix-pct"),
        ], className="mix-row")
        for name, share in shares
    ]
    return html.Div([html.Div(title, className="mix-title"), *rows], className="mix-block")


def mix(data: WallData) -> html.Div:
    """Language and channel shares of the current surge (topics above calm), else of every topic."""
    surging = [t for t in data.topics if display_severity(t.severity) != "calm"]
    source = surging or data.topics
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for t in source:
        languages.update({k.upper(): int(v) for k, v in t.languages.items()})
        channels.update({k: int(v) for k, v in t.channels.items()})
    scope = "Current surge: " + ", ".join(t.label for t in surging) if surging else "No surge — all topics"
    if not languages and not channels:
        return html.Div([html.Div(scope, className="mix-scope"),
                         html.Div("No voices in the window", className="empty")])
    return html.Div([
        html.Div(scope, className="mix-scope"),
        html.Div([_bars("Language", _shares(languages)), _bars("Channel", _shares(channels))], className="mix-cols"),
    ])


def summary(data: WallData) -> list[html.Span]:
    """The headline counts: how many topics are in each severity."""
    counts = Counter(display_severity(t.severity) for t in data.topics)
    return [
        html.Span([html.Span(ICONS[word], className="sev-icon"), f"{counts.get(word, 0)} {word.upper()}"],
                  className=f"sum sum-{word}" + ("" if counts.get(word) else " sum-zero"))
        for word in ("crisis", "emerging", "calm")
    ]
