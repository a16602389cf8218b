"""The thresholds in force for one topic, read from thresholds.yaml as the operator wrote them.

A report must show the rules the incident was judged by; reading the raw document (not the
detector's objects) keeps reports independent of the detection code.
"""

from __future__ import annotations

from typing import Any

from config.values import get
from config.yaml_lines import LocatedYaml

DEFAULTS: dict[str, Any] = {
    "window": "30m", "emerging_min_voices": 10, "emerging_min_ratio": 3.0, "crisis_voices": 200,
    "crisis_min_ratio": 3.0, "hysteresis": 0.7, "quiet_period": "30m",
}


def _seconds(value: Any, default: float) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            try:
                return float(text[: -len(unit)]) * units[unit]
            except ValueError:
                return default
    try:
        return float(text)
    except ValueError:
        return default


def thresholds_for(doc: LocatedYaml, topic: str) -> dict[str, Any]:
    """What decided this topic's severity: window, voice counts, ratios, hysteresis, retention."""
    d = ("detection",)
    priority_topics = get(doc, (*d, "priority", "topics"), []) or []
    priority = topic in priority_topics
    out: dict[str, Any] = {
        "window": get(doc, (*d, "window"), DEFAULTS["window"]),
        "priority_topic": priority,
        "emerging_min_voices": get(doc, (*d, "emerging", "min_voices"), DEFAULTS["emerging_min_voices"]),
        "emerging_min_ratio": get(doc, (*d, "emerging", "min_ratio"), DEFAULTS["emerging_min_ratio"]),
        "crisis_voices": get(doc, (*d, "crisis", "voices"), DEFAULTS["crisis_voices"]),
        "crisis_min_ratio": get(doc, (*d, "crisis", "min_ratio"), DEFAULTS["crisis_min_ratio"]),
        "hysteresis": get(doc, (*d, "hysteresis"), DEFAULTS["hysteresis"]),
        "quiet_period": get(doc, (*d, "quiet_period"), DEFAULTS["quiet_period"]),
        "prominent_min_followers": get(doc, (*d, "prominent", "min_followers"), 100_000),
        "prominent_verified": get(doc, (*d, "prominent", "verified"), True),
        "sample_retention": get(doc, ("privacy", "sample_retention"), "7d"),
    }
    if priority:
        out["emerging_min_voices"] = get(doc, (*d, "priority", "emerging_min_voices"), out["emerging_min_voices"])
        out["crisis_voices"] = get(doc, (*d, "priority", "crisis_voices"), out["crisis_voices"])
    override = get(doc, ("topics", topic, "thresholds"), None)
    if isinstance(override, dict):
        out.update(override)
    out["source"] = f"{doc.path} (detection section)"
    return out


def window_seconds(thresholds: dict[str, Any], default: float = 1800.0) -> float:
    return _seconds(thresholds.get("window", default), default)


def level_lines(thresholds: dict[str, Any], baseline: float) -> tuple[float, float]:
    """Emerging and crisis voice thresholds for a window with this usual level."""
    emerging = max(float(thresholds.get("emerging_min_voices", 10)),
                   float(thresholds.get("emerging_min_ratio", 3.0)) * baseline)
    crisis = max(float(thresholds.get("crisis_voices", 200)),
                 float(thresholds.get("crisis_min_ratio", 3.0)) * baseline)
    return emerging, crisis
