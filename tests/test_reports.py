"""Post-incident reports from an alerts file plus the replayed input, checked against a scenario."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from detectors.events import AlertEvent
from reports import episode
from reports.cli import report as report_command
from reports.model import Report
from reports.terms import distinctive_terms
from stream.scenarios import Scenario, multilingual_outage
from stream.simulator import HANDLES

CONFIG = str(Path(__file__).resolve().parent.parent / "thresholds.yaml")
RAW_AUTHOR = re.compile(r"\b(?:u|spam|star)\d{7}\b")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return multilingual_outage()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, scenario: Scenario) -> dict[str, Path]:
    """The scenario's input, and an alerts file whose detections happen at known moments."""
    root = tmp_path_factory.mktemp("files")
    feed = root / "input.jsonl"
    feed.write_text("\n".join(scenario.lines) + "\n", encoding="utf-8")
    truth = scenario.expected[0]
    iid = "outage-known"
    steps = [
        AlertEvent("opened", iid, "outage", "emerging", truth.onset + 300, 11, 12, "11 voices", 1800, 0.5),
        AlertEvent("escalated", iid, "outage", "crisis", truth.threshold_t + 2, 200, 260, "200 voices", 1800, 0.5),
        AlertEvent("deescalated", iid, "outage", "emerging", truth.onset + 3600, 120, 150, "below 140", 1800, 0.5),
        AlertEvent("resolved", iid, "outage", "emerging", truth.onset + 3 * 3600, 3, 3, "quiet 30m", 1800, 0.5),
    ]
    alerts = root / "alerts.jsonl"
    alerts.write_text("".join(json.dumps(a.to_json()) + "\n" for a in steps), encoding="utf-8")
    return {"input": feed, "alerts": alerts, "root": root}


@pytest.fixture(scope="module")
def written(files: dict[str, Path]) -> Path:
    out = files["root"] / "out"
    result = CliRunner().invoke(report_command, [
        "outage-known", "--alerts", str(files["alerts"]), "--input", str(files["input"]),
        "--config", CONFIG, "--out", str(out), "--format", "json,md,html",
    ])
    assert result.exit_code == 0, result.output
    return out


def load(out: Path) -> Report:
    return Report.from_json(json.loads((out / "incident-outage-known.json").read_text(encoding="utf-8")))


def test_figures_match_the_scenario_ground_truth(written: Path, scenario: Scenario) -> None:
    truth = scenario.expected[0]
    r = load(written)
    t = r.timings
    assert r.topic == "outage" and r.peak_severity == "crisis" and r.status == "resolved"
    # the surge's first voice comes shortly after the onset, never before it
    assert truth.onset <= t.first_complaint <= truth.onset + 180
    # 320 voices ramp up in 25 minutes, then 30 more trickle in: the peak window holds them
    assert 320 <= r.peak_voices <= 360
    # the 200-voice rule, whatever lower threshold a priority topic has
    assert t.rule_voice_at == pytest.approx(truth.threshold_t, abs=5)
    assert t.time_to_detect_crisis_s == pytest.approx(2, abs=5)
    assert t.threshold_voices and t.threshold_voice_at <= t.rule_voice_at
    assert t.time_to_detect_s == pytest.approx(truth.onset + 300 - t.first_complaint, abs=0.01)
    assert t.first_page is None and t.acknowledged is None


def test_breakdowns_terms_and_samples_describe_the_outage(written: Path) -> None:
    r = load(written)
    assert {c.key for c in r.languages} >= {"en", "es", "ro", "el", "id", "fa"}
    assert sum(c.complaints for c in r.channels) == r.total_complaints
    assert r.hours and all(len(h.key) == 2 for h in r.hours)
    assert r.terms, "an outage in six languages still has words that set it apart"
    words = " ".join(term.term for term in r.terms[:10])
    assert re.search(r"down|error|app|site|caida|aplicatia|crash", words)
    assert 10 <= len(r.samples) <= 20


def test_no_author_ids_or_handles_in_any_output(written: Path) -> None:
    for path in written.glob("incident-outage-known.*"):
        text = path.read_text(encoding="utf-8")
        assert not RAW_AUTHOR.search(text), path.name
        for handle in HANDLES:
            assert f"@{handle}" not in text, (path.name, handle)


def test_markdown_has_the_numbers_and_png_charts(written: Path) -> None:
    md = (written / "incident-outage-known.md").read_text(encoding="utf-8")
    r = load(written)
    assert f"{r.peak_voices} distinct voices" in md
    assert "not recorded" in md  # no paging log in an alerts file, and the report says so
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", md)
    assert links, "kaleido with Debian's chromium renders the charts here"
    for link in links:
        assert (written / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_without_a_browser_still_has_the_numbers(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    result = CliRunner().invoke(report_command, [
        "--latest", "--alerts", str(files["alerts"]), "--input", str(files["input"]), "--config", CONFIG,
        "--out", str(tmp_path), "--format", "md",
    ])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "incident-outage-known.md").read_text(encoding="utf-8")
    assert "![" not in md and "charts not rendered" in md
    assert "Time to detect" in md and "distinct voices" in md


def test_cli_says_what_is_missing(files: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    none = runner.invoke(report_command, ["--alerts", str(files["alerts"]), "--config", CONFIG])
    assert none.exit_code != 0 and "INCIDENT_ID, --latest or --since" in none.output
    bad = runner.invoke(report_command, ["--latest", "--alerts", str(files["alerts"]), "--format", "pdf",
                                         "--config", CONFIG])
    assert bad.exit_code != 0 and "pdf" in bad.output
    unknown = runner.invoke(report_command, ["nope", "--alerts", str(files["alerts"]), "--config", CONFIG,
                                             "--out", str(tmp_path)])
    assert unknown.exit_code != 0 and "outage-known" in unknown.output
    later = runner.invoke(report_command, ["--since", "2031-01-01", "--alerts", str(files["alerts"]),
                                           "--config", CONFIG, "--out", str(tmp_path)])
    assert later.exit_code != 0 and "since" in later.output


def test_episode_start_ignores_an_earlier_isolated_gripe() -> None:
    gripe = 1000.0
    surge = [gripe + 1200 + 20 * i for i in range(30)]
    assert episode.episode_start([gripe, *surge], detected=surge[-1], window_s=1800) == surge[0]


def test_nth_voice_counts_distinct_voices_in_one_window() -> None:
    events = [(float(i), f"v{i % 5}") for i in range(100)]  # five voices, repeating
    assert episode.nth_voice_time(events, 5, 1800, since=0) == 4.0
    assert episode.nth_voice_time(events, 6, 1800, since=0) is None
    spread = [(i * 1000.0, f"w{i}") for i in range(5)]  # never 3 inside 30 minutes
    assert episode.nth_voice_time(spread, 3, 1800, since=0) is None


def test_terms_prefer_what_sets_the_incident_apart() -> None:
    incident = ["@brand_help checkout page frozen again"] * 8 + ["love the new colours"] * 2
    background = ["love the new colours"] * 30 + ["checkout was fine"] * 5
    terms = [t.term for t in distinctive_terms(incident, background)]
    assert "page frozen" in terms
    assert not any("colours" in t for t in terms)
    assert not any("brand_help" in t for t in terms)
