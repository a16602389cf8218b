"""The wall's reads and what they turn into, against a real Redis written in the pipeline's layout."""

from __future__ import annotations

import time

import plotly.io as pio
import pytest
import redis
from wall_fixtures import TopicSpec, WallWriter, write_scene

from dashboard.actions import acknowledge, resolve, token_ok
from dashboard.components import mix, tiles
from dashboard.figures import heatmap, main_chart, peak_hour
from dashboard.freshness import judge
from dashboard.options import parse_options
from dashboard.read import read_wall
from dashboard.refresh import render
from state.keys import Keys

MONTH_AGO = time.time() - 30 * 86400


@pytest.fixture
def writer(redis_client: redis.Redis, namespace: str) -> WallWriter:
    return WallWriter(redis_client, namespace)


def _text(component: object) -> str:
    """All visible text of a Dash component tree, as a user would read it."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def test_replay_of_last_month_is_shown_relative_to_its_own_event_time(writer: WallWriter) -> None:
    write_scene(writer, end=MONTH_AGO)
    data = read_wall(writer.client, writer.keys, range_s=3 * 3600)
    by_name = {t.name: t for t in data.topics}
    assert [t.name for t in data.topics] == ["outage", "billing", "delivery", "safety"]
    assert data.end == pytest.approx(MONTH_AGO)
    outage = by_name["outage"]
    assert (outage.severity, outage.voices, outage.label) == ("crisis", 240, "Outage")
    # the chart has a minute for every minute of the range the pipeline wrote, ending at the last event
    assert len(outage.timeline) == 180
    assert outage.timeline[-1].window == 240 and outage.timeline[-1].crisis == 200
    assert outage.timeline[-1].minute == int(MONTH_AGO // 60) * 60


def test_tiles_say_the_severity_in_words_with_since_and_trend(writer: WallWriter) -> None:
    end = time.time()
    write_scene(writer, end=end)
    data = read_wall(writer.client, writer.keys)
    words = {t.id["topic"]: _text(t) for t in tiles(data, "dark")}
    assert "CRISIS" in words["outage"] and "240" in words["outage"] and "25 min" in words["outage"]
    assert "EMERGING" in words["billing"]
    assert "CALM" in words["delivery"]
    # an isolated gripe is calm for the room, but is still said to be there
    assert "CALM" in words["safety"] and "isolated" in words["safety"]


def test_kiosk_topic_selection_keeps_url_order_and_names_unknown_topics(writer: WallWriter) -> None:
    write_scene(writer, end=time.time())
    data = read_wall(writer.client, writer.keys, topics=("safety", "nosuch", "outage"))
    assert [t.name for t in data.topics] == ["safety", "outage"]
    assert data.unknown_topics == ["nosuch"]
    rendered = render(data, "dark")
    assert "nosuch" in rendered.chart_note


def test_samples_are_redacted_on_the_wall_even_if_stored_raw(writer: WallWriter) -> None:
    write_scene(writer, end=time.time())
    data = read_wall(writer.client, writer.keys)
    shown = " ".join(s.text for s in data.samples + data.prominent)
    assert "jane.doe@example.com" not in shown
    assert "721 555 123" not in shown
    assert "@bigbrand_help" not in shown and "@bigbrand " not in shown
    assert "App down again" in shown  # the complaint itself is still readable
    assert data.samples[0].lang == "en" and data.samples[1].channel == "facebook"
    assert data.prominent[0].followers == 2_300_000


def test_incidents_panel_lists_open_incidents_with_pages_and_ack(writer: WallWriter) -> None:
    end = time.time()
    write_scene(writer, end=end)
    writer.incident("billing-1", "billing", "emerging", end - 600, status="acknowledged",
                    acknowledged_at="2030-01-01T00:00:00Z", acknowledged_by="maria")
    writer.incident("old-1", "outage", "crisis", end - 90000, status="resolved")
    data = read_wall(writer.client, writer.keys)
    assert sorted(i.incident_id for i in data.open_incidents) == ["billing-1", "outage-1"]
    text = _text(render(data, "dark").incidents)
    assert "NOT ACKNOWLEDGED" in text and "pagerduty-pr-lead" in text
    assert "maria" in text


def test_acknowledge_and_resolve_change_the_stored_incident(writer: WallWriter) -> None:
    write_scene(writer, end=time.time())
    acknowledge(writer.client, writer.keys, "outage-1", "ana")
    record = writer.incident_record("outage-1")
    assert record["status"] == "acknowledged" and record["acknowledged_by"] == "ana"
    resolve(writer.client, writer.keys, "outage-1", "ana")
    assert writer.incident_record("outage-1")["status"] == "resolved"
    assert read_wall(writer.client, writer.keys).open_incidents == []


def test_operator_token_check() -> None:
    assert token_ok("s3cret", "s3cret")
    assert not token_ok("wrong", "s3cret")
    assert not token_ok("", "s3cret")
    assert not token_ok("anything", None)  # no token configured: nobody acts from the wall


def test_main_chart_draws_thresholds_band_and_incident_marker(writer: WallWriter) -> None:
    end = time.time()
    write_scene(writer, end=end)
    data = read_wall(writer.client, writer.keys)
    outage = next(t for t in data.topics if t.name == "outage")
    fig = main_chart([outage], data.incidents, "dark", data.end, data.range_s)
    names = [trace["name"] for trace in fig["data"]]
    assert names == ["usual", "voices / min", "emerging", "crisis", "voices in window", "incident"]
    assert set(fig["data"][3]["y"]) == {200} and set(fig["data"][2]["y"]) == {60}
    assert fig["data"][5]["x"] == [pytest.approx((end - 1500) * 1000)]
    pio.from_json(pio.to_json(fig))  # a valid plotly figure


def test_heatmap_rows_per_topic_and_peak_hour(writer: WallWriter) -> None:
    write_scene(writer, end=time.time())
    data = read_wall(writer.client, writer.keys)
    fig = heatmap(data.topics, "light")
    assert fig["data"][0]["y"] == ["Outage", "Billing", "Delivery", "Product safety"]
    assert max(fig["data"][0]["text"][0]) == 90
    assert peak_hour(data.topics[0]) == "Tue 14:00"
    pio.from_json(pio.to_json(fig))


def test_mix_describes_the_current_surge_only(writer: WallWriter) -> None:
    write_scene(writer, end=time.time())
    text = _text(mix(read_wall(writer.client, writer.keys)))
    assert "Current surge: Outage, Billing" in text
    assert "EN" in text and "55%" in text  # (120 + 50) of 310 language-tagged voices


def test_missing_and_malformed_state_does_not_break_the_wall(writer: WallWriter) -> None:
    writer.config([TopicSpec("quiet", "Quiet")])
    writer.client.hset(writer.keys.topic_state("quiet"), mapping={"severity": "bogus", "voices": "x", "languages": "{"})
    writer.client.hset(writer.keys.timeline("quiet"), "60", "not json")
    writer.client.hset(writer.keys.incidents, "junk", "not json")
    data = read_wall(writer.client, writer.keys)
    assert data.topics[0].severity == "calm" and data.topics[0].voices == 0
    render(data, "dark")


def test_nothing_configured_yet(redis_client: redis.Redis, namespace: str) -> None:
    data = read_wall(redis_client, Keys(namespace))
    assert data.topics == [] and not data.configured
    assert "not written its topic list" in render(data, "dark").chart_note


def test_freshness_is_judged_on_the_heartbeat_wall_clock(writer: WallWriter) -> None:
    now = time.time()
    writer.heartbeat(event=MONTH_AGO, wall=now - 5)
    beat = read_wall(writer.client, writer.keys).heartbeat
    assert judge(beat, now, stale_after_s=30).live  # old event time, but the pipeline is alive
    writer.heartbeat(event=MONTH_AGO, wall=now - 120)
    beat = read_wall(writer.client, writer.keys).heartbeat
    stale = judge(beat, now, stale_after_s=30)
    assert stale.status == "stale" and "2 MIN" in stale.headline
    assert judge(None, now, 30, error="ConnectionError").status == "unreachable"


def test_url_options() -> None:
    opts = parse_options("?topics=outage,%20safety&theme=light&range=90m&refresh=2&token=abc")
    assert opts.topics == ("outage", "safety") and opts.theme == "light"
    assert opts.range_s == 5400 and opts.refresh_s == 2 and opts.token == "abc"
    default = parse_options("?range=forever&theme=neon")
    assert default.theme == "dark" and default.range_s == 6 * 3600 and default.topics == ()


def test_unreachable_redis_raises_a_redis_error() -> None:
    client = redis.Redis(port=1, socket_connect_timeout=0.5)
    with pytest.raises(redis.RedisError):
        read_wall(client, Keys("x"))
