"""The escalation plan in thresholds.yaml: loads without secrets, and every mistake is located."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.yaml_lines import load_yaml
from escalation.plan import parse_escalation

TOPICS = ["outage", "billing", "delivery", "safety", "service", "quality"]
SECRET_ENVS = ["PAGERDUTY_ROUTING_KEY", "SLACK_WEBHOOK_URL", "PR_AGENCY_WEBHOOK_URL", "PR_AGENCY_WEBHOOK_SECRET",
               "OPSGENIE_API_KEY", "SMTP_HOST", "SMTP_USER", "SMTP_PASSWORD"]
SHIPPED = Path(__file__).resolve().parent.parent / "thresholds.yaml"

BASE = """\
escalation:
  receivers:
    console:
      type: console
    slack:
      type: slack
      url: ${TEST_SLACK_URL}
  plan:
    emerging:
      levels:
        - {receivers: [console], after: 0}
    crisis:
      levels:
        - {receivers: [console, slack], after: 0}
        - {receivers: [slack], after: 15m}
      remind_every: 30m
"""


def parse(text: str):
    return parse_escalation(load_yaml("plan.yaml", textwrap.dedent(text)), TOPICS)


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return info.value


@pytest.fixture
def no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRET_ENVS:
        monkeypatch.delenv(name, raising=False)


def test_shipped_file_loads_on_a_machine_without_secrets(no_secrets: None) -> None:
    plan = parse_escalation(load_yaml(str(SHIPPED)), TOPICS)
    assert plan.enabled("console")
    assert not plan.enabled("oncall-slack")
    assert plan.receivers["oncall-slack"].disabled_reason == "SLACK_WEBHOOK_URL is not set"
    crisis = plan.policy("outage", "crisis")
    assert crisis.levels[0].receivers == ("console",)
    assert crisis.levels[1].after_s == 15 * 60
    assert crisis.remind_every_s == 30 * 60
    # Product safety has its own plan.
    assert plan.policy("safety", "emerging").levels[1].after_s == 15 * 60
    assert plan.policy("billing", "emerging").levels[1].after_s == 30 * 60


def test_shipped_file_uses_receivers_whose_secrets_are_set(no_secrets: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.test/T000/B000/topsecretpath")
    plan = parse_escalation(load_yaml(str(SHIPPED)), TOPICS)
    slack = plan.receivers["oncall-slack"]
    assert slack.enabled
    assert slack.secrets["url"] == "https://hooks.slack.test/T000/B000/topsecretpath"
    assert "topsecretpath" not in repr(slack)
    assert "topsecretpath" not in repr(plan)
    assert slack.mask("POST https://hooks.slack.test/T000/B000/topsecretpath failed") == "POST *** failed"
    assert plan.policy("outage", "crisis").levels[0].receivers == ("console", "oncall-slack")


def test_missing_section_pages_the_console() -> None:
    plan = parse("detection: {}\n")
    assert plan.policy("outage", "crisis").levels[0].receivers == ("console",)


def test_secret_environment_variable_missing_is_located(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SLACK_URL", raising=False)
    err = error_of(BASE)
    assert (err.path, err.line) == ("plan.yaml", 7)
    assert "TEST_SLACK_URL is not set" in err.message


def test_secret_written_in_the_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    err = error_of(BASE.replace("${TEST_SLACK_URL}", "https://hooks.slack.test/plain"))
    assert err.line == 7
    assert "${ENV_NAME}" in err.message


def test_unknown_receiver_in_a_level_names_the_line_and_a_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", "https://hooks.slack.test/x")
    err = error_of(BASE.replace("{receivers: [slack], after: 15m}", "{receivers: [slak], after: 15m}"))
    assert err.line == 15
    assert "unknown receiver 'slak'" in err.message and "did you mean 'slack'" in err.message


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("{receivers: [console], after: 0}", "{receivers: [console], after: 5m}", 11, "first level must have after: 0"),
        ("after: 15m}", "after: 0}", 15, "later than the one before"),
        ("after: 15m}", "after: soon}", 15, "not a duration"),
        ("remind_every: 30m", "remind_evry: 30m", 16, "did you mean 'remind_every'"),
        ("type: slack", "type: slackk", 6, "not one of"),
    ],
)
def test_plan_mistakes_are_located(monkeypatch: pytest.MonkeyPatch, old: str, new: str, line: int, words: str) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", "https://hooks.slack.test/x")
    err = error_of(BASE.replace(old, new))
    assert err.line == line, err
    assert words in err.message


def test_topic_override_must_name_a_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", "https://hooks.slack.test/x")
    err = error_of(BASE + "  topics:\n    outgae:\n      crisis: {levels: [{receivers: [slack], after: 0}]}\n")
    assert err.line == 18
    assert "did you mean 'outage'" in err.message


def test_disabled_receiver_is_dropped_from_levels_and_its_secrets_are_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEST_SLACK_URL", raising=False)
    plan = parse(BASE.replace("      type: slack\n", "      type: slack\n      enabled_if_env: TEST_SLACK_URL\n"))
    assert not plan.enabled("slack")
    assert plan.policy("outage", "crisis").levels[0].receivers == ("console",)
