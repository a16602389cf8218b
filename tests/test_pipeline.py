"""The embedded pipeline end to end: faust agents on channels, a real Redis, the replay CLI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crisiswatch.backtest import run_lines
from crisiswatch.cli import main
from crisiswatch.job import Job
from crisiswatch.settings import Settings, load_settings
from detectors.events import AlertEvent
from state.keys import Keys
from state.runtime import State
from state.server import EmbeddedRedis
from stream.app import Stages, build_app
from stream.ingest import Complaint, IngestResult
from stream.scenarios import flash_crisis, multilingual_outage

CONFIG = str(Path(__file__).resolve().parent.parent / "thresholds.yaml")
ALERT_FIELDS = {"event", "incident_id", "topic", "severity", "at", "voices", "mentions", "reason"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(CONFIG)


def run_job(settings: Settings, state: State, lines: list[str]) -> list[AlertEvent]:
    alerts: list[AlertEvent] = []
    job = Job(settings, state, echo=alerts.append, paging=False)
    asyncio.run(run_lines(job, lines, batch=500))
    return alerts


def test_replay_cli_writes_the_alert_contract_and_survives_bad_records(
    tmp_path: Path, redis_server: EmbeddedRedis, namespace: str
) -> None:
    scenario = multilingual_outage()
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(scenario.lines[:100] + ["{broken json", "[]"] + scenario.lines[100:]) + "\n")
    alerts_out = tmp_path / "alerts.jsonl"
    result = CliRunner().invoke(
        main,
        ["replay", str(feed), "--config", CONFIG, "--alerts-out", str(alerts_out), "--no-paging",
         "--redis-url", redis_server.url, "--namespace", namespace, "--reports-dir", str(tmp_path / "reports")],
    )
    assert result.exit_code == 0, result.output
    written = {p.suffix for p in (tmp_path / "reports").glob("incident-outage-*")}
    assert {".html", ".md", ".json"} <= written, "a report is written when the incident resolves"
    events = [json.loads(line) for line in alerts_out.read_text().splitlines()]
    assert events, "an outage crisis must produce alerts"
    for event in events:
        assert event.keys() >= ALERT_FIELDS
        assert event["at"].endswith("Z")
    kinds = [(e["event"], e["severity"]) for e in events if e["topic"] == "outage"]
    assert ("escalated", "crisis") in kinds or ("opened", "crisis") in kinds
    assert kinds[-1][0] == "resolved"
    assert len({e["incident_id"] for e in events if e["topic"] == "outage"}) == 1
    assert "dead letters" in result.output and "2" in result.output
    assert "crisis" in result.output


def test_redelivered_mentions_change_no_count(
    settings: Settings, redis_client, redis_server: EmbeddedRedis  # type: ignore[no-untyped-def]
) -> None:
    lines = flash_crisis().lines
    once = State(redis_client, Keys("once"), redis_server.url)
    twice = State(redis_client, Keys("twice"), redis_server.url)
    alerts_once = run_job(settings, once, lines)
    # every mention delivered twice, the second copy a batch later (at-least-once delivery)
    doubled = [line for i in range(0, len(lines), 300) for line in lines[i : i + 300] * 2]
    alerts_twice = run_job(settings, twice, doubled)
    assert [a.to_json() for a in alerts_once] == [a.to_json() for a in alerts_twice]
    for topic in ("delivery", "outage"):
        a = redis_client.hgetall(once.keys.topic_state(topic))
        b = redis_client.hgetall(twice.keys.topic_state(topic))
        assert (a.get("voices"), a.get("mentions")) == (b.get("voices"), b.get("mentions"))
    minutes = redis_client.hkeys(once.keys.timeline("delivery"))
    assert minutes == redis_client.hkeys(twice.keys.timeline("delivery"))


def test_agents_run_in_process_on_channels() -> None:
    """The three agents pass batches along in-memory channels, as in embedded mode."""
    seen: list[AlertEvent] = []
    complaint = Complaint("outage", 1.0, "m1", "v1", "en", "twitter", 0, False, "down")

    def ingest(records: list[object], source: str, first_line: int | None) -> IngestResult:
        return IngestResult(complaints=[complaint] * len(records), mentions=len(records), max_t=1.0)

    def detect(result: IngestResult) -> list[AlertEvent]:
        return [AlertEvent("opened", "outage-1", c.topic, "emerging", c.t, 1, 1, "test") for c in result.complaints]

    async def on_alert(alert: AlertEvent) -> None:
        seen.append(alert)

    async def scenario() -> None:
        pipeline = build_app(Stages(ingest, detect, on_alert))
        await pipeline.start()
        await pipeline.send_raw(["a", "b"], "test", 1)
        await pipeline.send_raw(["c"], "test", 3)
        for _ in range(200):
            if len(seen) == 3:
                break
            await asyncio.sleep(0.01)
        await pipeline.stop()

    asyncio.run(scenario())
    assert [a.topic for a in seen] == ["outage"] * 3


def test_detect_agent_with_faust_test_context() -> None:
    """faust's own agent test harness drives the detect agent alone."""
    forwarded: list[AlertEvent] = []

    def detect(result: IngestResult) -> list[AlertEvent]:
        return [AlertEvent("opened", "x-1", "billing", "emerging", result.max_t, result.mentions, 0, "r")]

    async def on_alert(alert: AlertEvent) -> None:
        forwarded.append(alert)

    pipeline = build_app(Stages(lambda r, s, f: IngestResult(), detect, on_alert))
    detect_agent = pipeline.agents[1]

    async def scenario() -> None:
        pipeline.app.flow_control.resume()
        await pipeline.agents[2].start()  # the alert sink, so we can see what detect sends on
        async with detect_agent.test_context() as agent:
            await agent.put(IngestResult(mentions=7, max_t=42.0))
            for _ in range(200):
                if forwarded:
                    break
                await asyncio.sleep(0.01)
        await pipeline.agents[2].stop()

    asyncio.run(scenario())
    assert [(a.voices, a.at) for a in forwarded] == [(7, 42.0)]


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (("  window: 30m", "  window: 30 minutes"), "window: '30 minutes' is not a duration"),
        (("  isolated_max_voices: 2", "  isolated_max_voice: 2"), "did you mean 'isolated_max_voices'"),
        (('    query: >-\n      outage*', '    query: >-\n      (outage*'), "topics.outage.query"),
        (("detection:", "detection:\n  - oops"), "invalid YAML"),
    ],
)
def test_a_wrong_thresholds_file_stops_start_up_with_file_and_line(
    tmp_path: Path, broken: tuple[str, str], expected: str, redis_server: EmbeddedRedis, namespace: str
) -> None:
    text = Path(CONFIG).read_text(encoding="utf-8")
    old, new = broken
    assert old in text
    config = tmp_path / "thresholds.yaml"
    config.write_text(text.replace(old, new, 1), encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(flash_crisis().lines[:10]) + "\n")
    result = CliRunner().invoke(
        main, ["replay", str(feed), "--config", str(config), "--redis-url", redis_server.url, "--namespace", namespace]
    )
    assert result.exit_code != 0
    assert f"{config}:" in result.output and expected in result.output
    reported = int(result.output.split(f"{config}:", 1)[1].split(":", 1)[0])
    edited = text[: text.index(old)].count("\n") + 1  # where the mistake was made
    assert edited <= reported <= edited + len(new.splitlines()), "the error points at the mistake"
