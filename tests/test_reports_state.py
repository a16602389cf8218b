"""A crisis replayed through the real pipeline, then reported from Redis and from the files."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from crisiswatch.cli import main
from escalation.lifecycle import list_incidents
from reports.auto import write_on_resolve
from reports.model import Report
from state.keys import Keys
from state.server import EmbeddedRedis
from stream.scenarios import Expected, multilingual_outage
from stream.simulator import HANDLES

CONFIG = str(Path(__file__).resolve().parent.parent / "thresholds.yaml")


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory, redis_server: EmbeddedRedis) -> dict[str, object]:
    root = tmp_path_factory.mktemp("replayed")
    scenario = multilingual_outage()
    feed = root / "input.jsonl"
    feed.write_text("\n".join(scenario.lines) + "\n", encoding="utf-8")
    alerts = root / "alerts.jsonl"
    namespace = f"test-{uuid.uuid4().hex[:10]}"
    result = CliRunner().invoke(main, [
        "replay", str(feed), "--config", CONFIG, "--alerts-out", str(alerts), "--quiet",
        "--redis-url", redis_server.url, "--namespace", namespace,
    ])
    assert result.exit_code == 0, result.output
    return {"root": root, "feed": feed, "alerts": alerts, "namespace": namespace,
            "truth": scenario.expected[0], "url": redis_server.url}


def run_report(replayed: dict[str, object], out: Path, *extra: str) -> Report:
    result = CliRunner().invoke(main, [
        "report", "--latest", "--config", CONFIG, "--out", str(out), "--format", "json,md,html",
        "--no-images", "--redis-url", str(replayed["url"]), "--namespace", str(replayed["namespace"]), *extra,
    ])
    assert result.exit_code == 0, result.output
    [path] = out.glob("incident-*.json")
    return Report.from_json(json.loads(path.read_text(encoding="utf-8")))


def check_against_truth(r: Report, truth: Expected, slack_s: float) -> None:
    t = r.timings
    assert r.topic == truth.topic and r.peak_severity == "crisis"
    assert t.first_complaint is not None and t.rule_voice_at is not None
    assert truth.onset - slack_s <= t.first_complaint <= truth.onset + 180
    assert 320 <= r.peak_voices <= 360
    assert 0 < t.time_to_detect_s < 15 * 60
    assert t.rule_voice_at == pytest.approx(truth.threshold_t, abs=slack_s)
    assert t.crisis_detected <= t.rule_voice_at + slack_s  # declared by the 200th voice at the latest


def test_report_from_alerts_file_and_replayed_input(replayed: dict[str, object], tmp_path: Path) -> None:
    r = run_report(replayed, tmp_path, "--alerts", str(replayed["alerts"]), "--input", str(replayed["feed"]))
    assert r.source == "files"
    check_against_truth(r, replayed["truth"], slack_s=5)  # type: ignore[arg-type]
    # outage is a priority topic: the configured threshold, not the 200th voice, declared the crisis
    assert r.timings.threshold_voices is not None
    assert r.timings.time_to_detect_at_threshold_s == pytest.approx(0, abs=5)


def test_state_report_has_the_paging_log(replayed: dict[str, object], tmp_path: Path) -> None:
    r = run_report(replayed, tmp_path)
    assert r.source == "state" and r.status == "resolved"
    assert 320 <= r.peak_voices <= 360
    client = redis.Redis.from_url(str(replayed["url"]), decode_responses=True)
    [record] = [i.to_json() for i in list_incidents(client, Keys(str(replayed["namespace"])))
                if i.incident_id == r.incident_id]
    client.close()
    sent = [p for p in r.pages if p.kind not in ("acknowledged", "resolved")]
    assert len(sent) == len(record["pages"]) > 0
    assert {p.receiver for p in sent} == {p["receiver"] for p in record["pages"]}
    assert r.timings.first_page is not None and r.timings.time_to_page_s >= 0
    assert r.timings.acknowledged is None  # nobody acknowledged in a replay
    md = next(tmp_path.glob("incident-*.md")).read_text(encoding="utf-8")
    assert "| Time to acknowledge | not recorded |" in md
    for sample in r.samples:
        assert not any(f"@{handle}" in sample.text for handle in HANDLES), sample.text


def test_state_report_timings_match_the_scenario(replayed: dict[str, object], tmp_path: Path) -> None:
    r = run_report(replayed, tmp_path)
    check_against_truth(r, replayed["truth"], slack_s=60)  # type: ignore[arg-type]


def test_report_written_when_the_incident_resolves(replayed: dict[str, object], tmp_path: Path) -> None:
    client = redis.Redis.from_url(str(replayed["url"]), decode_responses=True)
    keys = Keys(str(replayed["namespace"]))
    events = [json.loads(line) for line in Path(str(replayed["alerts"])).read_text().splitlines()]
    resolved = [e["incident_id"] for e in events if e["event"] == "resolved" and e["topic"] == "outage"]
    assert resolved
    paths = write_on_resolve(client, keys, resolved[-1], tmp_path, ["json", "html"])
    client.close()
    assert {p.suffix for p in paths} == {".json", ".html"}
    r = Report.from_json(json.loads(next(p for p in paths if p.suffix == ".json").read_text()))
    assert r.status == "resolved" and r.timings.resolved is not None


def test_state_report_breaks_every_complaint_down_by_channel_and_language(
    replayed: dict[str, object], tmp_path: Path
) -> None:
    """Not just the few samples kept: every complaint of the incident's hours is counted."""
    r = run_report(replayed, tmp_path)
    by_channel = sum(c.complaints for c in r.channels)
    by_language = sum(c.complaints for c in r.languages)
    assert by_channel == by_language >= r.peak_voices  # the surge had more complaints than its peak window's voices
    assert {c.key for c in r.languages} >= {"en", "es", "ro", "el", "id", "fa"}
    assert len(r.samples) < by_channel
