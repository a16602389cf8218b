"""The scenario suite passes through the real pipeline, and the demo plays end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from crisiswatch.backtest import MAX_DELAY_S, format_table, run_scenario
from crisiswatch.cli import main
from crisiswatch.settings import Settings, load_settings
from state.keys import Keys
from state.runtime import State
from state.server import EmbeddedRedis
from stream.scenarios import SCENARIOS

CONFIG = str(Path(__file__).resolve().parent.parent / "thresholds.yaml")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(CONFIG)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario_meets_its_ground_truth(
    name: str, settings: Settings, redis_client: redis.Redis, redis_server: EmbeddedRedis
) -> None:
    scenario = SCENARIOS[name]()
    result = run_scenario(settings, State(redis_client, Keys("unused"), redis_server.url), scenario)
    assert result.passed, format_table([result])
    assert all(delay <= MAX_DELAY_S for delay in result.delays)
    if scenario.expected:
        assert result.detected == len(scenario.expected)
    else:
        assert not [a for a in result.alerts if a.event in ("opened", "escalated") and a.at >= scenario.evaluate_from]


def test_demo_plays_the_story_and_prints_alerts(redis_server: EmbeddedRedis, namespace: str) -> None:
    result = CliRunner().invoke(
        main,
        ["demo", "--config", CONFIG, "--speed", "0", "--no-wall", "--exit-when-done", "--no-reports",
         "--redis-url", redis_server.url, "--namespace", namespace],
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "PROMINENT" in out and "quality" in out
    crisis_lines = [line for line in out.splitlines() if "outage" in line and "crisis" in line]
    assert crisis_lines, out
    assert any("RESOLVED" in line and "outage" in line for line in out.splitlines())
    assert "billing" not in " ".join(line for line in out.splitlines() if "OPENED" in line)  # spam storm
