"""thresholds.yaml's detection section: shipped values, priority topics, overrides, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.detection import parse_detection
from config.errors import ConfigError
from config.yaml_lines import load_yaml
from detectors.params import LadderParams

SHIPPED = Path(__file__).resolve().parent.parent / "thresholds.yaml"
TOPICS = ("outage", "billing", "delivery", "safety", "service", "quality")


def parse(text: str, topics: tuple[str, ...] = TOPICS) -> dict[str, LadderParams]:
    return parse_detection(load_yaml("thresholds.yaml", text), topics)


def error(text: str, topics: tuple[str, ...] = TOPICS) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(text, topics)
    return info.value


def test_the_shipped_file_gives_the_documented_defaults() -> None:
    params = parse_detection(load_yaml(str(SHIPPED)), TOPICS)
    assert params["billing"] == LadderParams()
    assert params["outage"] == LadderParams(priority=True)
    assert params["safety"].emerging_floor == 3 and params["safety"].crisis_floor == 50
    assert params["billing"].emerging_floor == 10 and params["billing"].crisis_floor == 200


def test_topic_overrides_apply_to_that_topic_only() -> None:
    params = parse(
        "detection:\n  window: 15m\n  priority:\n    topics: [outage]\n"
        "topics:\n"
        "  billing:\n    label: Billing\n    crisis_voices: 120\n    crisis_min_ratio: 4\n    window: 1h\n"
        "  quality:\n    query: broken\n    priority: true\n"
        "  safety:\n    priority: true\n    emerging_min_voices: 4\n"
    )
    assert (params["billing"].crisis_floor, params["billing"].crisis_min_ratio, params["billing"].window_s) == (
        120, 4.0, 3600
    )
    assert params["delivery"].window_s == 900 and params["delivery"].crisis_floor == 200
    assert params["quality"].priority and params["quality"].emerging_floor == 3
    assert params["safety"].priority and params["safety"].emerging_floor == 4
    assert params["outage"].priority and not params["delivery"].priority


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("detection:\n  window: 30m\n  crisis:\n    voice: 50\n", 4, "did you mean 'voices'"),
        ("detection:\n  emerging:\n    min_voices: ten\n", 3, "must be a whole number"),
        ("detection:\n  hysteresis: 1.5\n", 2, "at most 1"),
        ("detection:\n  window: 90s\n", 2, "whole number of minutes"),
        ("detection:\n  quiet_period: soon\n", 2, "not a duration"),
        ("detection:\n  priority:\n    topics: [outage, saftey]\n", 3, "did you mean 'safety'"),
        ("detection:\n  emerging:\n    min_voices: 2\n", 3, "isolated case"),
        ("detection:\n  crisis:\n    voices: 5\n", 3, "at least the emerging minimum"),
        ("detection:\n  prominent:\n    verified: sometimes\n", 3, "true or false"),
        ("detection:\n  priority:\n    topics: [outage]\ntopics:\n  outage:\n    priority: false\n", 6, "keep one"),
        ("topics:\n  billing:\n    label: B\n    crisis_voices: 3\n", 4, "at least the emerging minimum"),
    ],
)
def test_mistakes_name_the_line_and_the_fix(text: str, line: int, words: str) -> None:
    err = error(text)
    assert err.line == line, str(err)
    assert words in err.message
    assert str(err).startswith(f"thresholds.yaml:{line}: ")


def test_no_detection_section_means_the_defaults() -> None:
    assert parse("topics:\n  billing: {}\n", ("billing",)) == {"billing": LadderParams()}
