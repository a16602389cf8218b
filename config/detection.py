"""The ``detection:`` section of thresholds.yaml, and each topic's overrides, as ``LadderParams``.

Every mistake stops start-up with the file and line: a silently ignored threshold would only be
discovered during the crisis it failed to report.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from config.values import boolean, duration, get, known_keys, mapping, number
from config.yaml_lines import LocatedYaml, Path
from detectors.params import LadderParams

SECTION = ("detection",)
DETECTION_KEYS = {
    "window", "late_allowance", "isolated_max_voices", "emerging", "crisis", "priority", "prominent",
    "hysteresis", "quiet_period", "cooldown", "baseline",
}
EMERGING_KEYS = {"min_voices", "min_ratio"}
CRISIS_KEYS = {"voices", "min_ratio"}
PRIORITY_KEYS = {"topics", "emerging_min_voices", "crisis_voices"}
PROMINENT_KEYS = {"min_followers", "verified"}
BASELINE_KEYS = {"alpha", "floor"}
# the detection keys a topic entry may carry; its other keys (label, query, ...) belong to the classifier
TOPIC_OVERRIDES = ("priority", "emerging_min_voices", "crisis_voices", "crisis_min_ratio", "window")


def _whole(doc: LocatedYaml, path: Path, default: int, minimum: int = 1) -> int:
    return int(number(doc, path, default, minimum=minimum, integer=True))


def _window(doc: LocatedYaml, path: Path, default: float, bucket_s: int) -> int:
    seconds = duration(doc, path, default)
    if seconds < bucket_s or seconds % bucket_s:
        raise doc.error(path, f"{path[-1]}: {seconds:g} s must be a whole number of minutes (e.g. 30m)")
    return int(seconds)


def _defaults(doc: LocatedYaml) -> LadderParams:
    d = LadderParams()
    for key, allowed in (((), DETECTION_KEYS), (("emerging",), EMERGING_KEYS), (("crisis",), CRISIS_KEYS),
                         (("priority",), PRIORITY_KEYS), (("prominent",), PROMINENT_KEYS),
                         (("baseline",), BASELINE_KEYS)):
        known_keys(doc, (*SECTION, *key), allowed)
    s = SECTION
    isolated = _whole(doc, (*s, "isolated_max_voices"), d.isolated_max_voices, minimum=0)
    params = LadderParams(
        window_s=_window(doc, (*s, "window"), d.window_s, d.bucket_s),
        late_allowance_s=int(duration(doc, (*s, "late_allowance"), d.late_allowance_s)),
        isolated_max_voices=isolated,
        emerging_min_voices=_whole(doc, (*s, "emerging", "min_voices"), d.emerging_min_voices),
        emerging_min_ratio=number(doc, (*s, "emerging", "min_ratio"), d.emerging_min_ratio),
        crisis_voices=_whole(doc, (*s, "crisis", "voices"), d.crisis_voices),
        crisis_min_ratio=number(doc, (*s, "crisis", "min_ratio"), d.crisis_min_ratio),
        priority_emerging_min_voices=_whole(doc, (*s, "priority", "emerging_min_voices"),
                                            d.priority_emerging_min_voices),
        priority_crisis_voices=_whole(doc, (*s, "priority", "crisis_voices"), d.priority_crisis_voices),
        prominent_min_followers=_whole(doc, (*s, "prominent", "min_followers"), d.prominent_min_followers, 0),
        prominent_verified=boolean(doc, (*s, "prominent", "verified"), d.prominent_verified),
        hysteresis=_fraction(doc, (*s, "hysteresis"), d.hysteresis),
        quiet_period_s=int(duration(doc, (*s, "quiet_period"), d.quiet_period_s)),
        cooldown_s=int(duration(doc, (*s, "cooldown"), d.cooldown_s)),
        baseline_alpha=_fraction(doc, (*s, "baseline", "alpha"), d.baseline_alpha),
        baseline_floor=_positive(doc, (*s, "baseline", "floor"), d.baseline_floor),
    )
    _check_order(doc, params, (*s, "emerging", "min_voices"), params.emerging_min_voices,
                 (*s, "crisis", "voices"), params.crisis_voices)
    _check_order(doc, params, (*s, "priority", "emerging_min_voices"), params.priority_emerging_min_voices,
                 (*s, "priority", "crisis_voices"), params.priority_crisis_voices)
    return params


def _fraction(doc: LocatedYaml, path: Path, default: float) -> float:
    value = number(doc, path, default)
    if not 0.0 < value <= 1.0:
        raise doc.error(path, f"{path[-1]}: {value!r} must be more than 0 and at most 1 (e.g. 0.7)")
    return value


def _positive(doc: LocatedYaml, path: Path, default: float) -> float:
    value = number(doc, path, default)
    if value <= 0:
        raise doc.error(path, f"{path[-1]}: {value!r} must be more than 0")
    return value


def _check_order(
    doc: LocatedYaml, params: LadderParams, emerging_path: Path, emerging: int, crisis_path: Path, crisis: int
) -> None:
    """1-2 voices are never an alert, and a crisis needs more voices than 'emerging'."""
    if emerging <= params.isolated_max_voices:
        raise doc.error(
            emerging_path,
            f"{emerging_path[-1]}: {emerging} must be more than isolated_max_voices "
            f"({params.isolated_max_voices}); that many voices are an isolated case, never an alert",
        )
    if crisis < emerging:
        raise doc.error(crisis_path, f"{crisis_path[-1]}: {crisis} must be at least the emerging minimum ({emerging})")


def _priority_topics(doc: LocatedYaml, topic_names: Sequence[str]) -> set[str]:
    path = (*SECTION, "priority", "topics")
    listed = get(doc, path, None)
    if listed is None:
        return set()
    if not isinstance(listed, list):
        raise doc.error(path, "topics: must be a list of topic names, e.g. [outage, safety]")
    out = set()
    for i, name in enumerate(listed):
        if name not in topic_names:
            close = difflib.get_close_matches(str(name), list(topic_names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; topics are: {', '.join(topic_names)}"
            raise doc.error((*path, i), f"priority topic {name!r} is not a topic{hint}")
        out.add(name)
    return out


def _topic_entry(doc: LocatedYaml, name: str) -> dict[str, Any]:
    entry = get(doc, ("topics", name), None)
    return entry if isinstance(entry, dict) else {}


def _for_topic(doc: LocatedYaml, name: str, base: LadderParams, listed: bool) -> LadderParams:
    entry = _topic_entry(doc, name)
    path = ("topics", name)
    priority = listed
    if "priority" in entry:
        priority = boolean(doc, (*path, "priority"))
        if listed and not priority:
            raise doc.error((*path, "priority"),
                            f"topic {name!r} says priority: false but detection.priority.topics lists it; "
                            "keep one")
    changes: dict[str, Any] = {"priority": priority}
    if "window" in entry:
        changes["window_s"] = _window(doc, (*path, "window"), base.window_s, base.bucket_s)
    if "emerging_min_voices" in entry:  # the topic's own floor wins over the priority default
        v = _whole(doc, (*path, "emerging_min_voices"), base.emerging_min_voices)
        changes["emerging_min_voices"] = changes["priority_emerging_min_voices"] = v
    if "crisis_voices" in entry:
        v = _whole(doc, (*path, "crisis_voices"), base.crisis_voices)
        changes["crisis_voices"] = changes["priority_crisis_voices"] = v
    if "crisis_min_ratio" in entry:
        changes["crisis_min_ratio"] = number(doc, (*path, "crisis_min_ratio"))
    params = replace(base, **changes)
    floor_key = "emerging_min_voices" if "emerging_min_voices" in entry else None
    crisis_key = "crisis_voices" if "crisis_voices" in entry else None
    if floor_key or crisis_key:
        emerging = params.priority_emerging_min_voices if priority else params.emerging_min_voices
        crisis = params.priority_crisis_voices if priority else params.crisis_voices
        _check_order(doc, params, (*path, floor_key or "emerging_min_voices"), emerging,
                     (*path, crisis_key or "crisis_voices"), crisis)
    return params


def parse_detection(doc: LocatedYaml, topic_names: Sequence[str]) -> dict[str, LadderParams]:
    """One ``LadderParams`` per topic: the section's defaults, priority floors, then the topic's overrides."""
    mapping(doc, SECTION)
    base = _defaults(doc)
    listed = _priority_topics(doc, topic_names)
    return {name: _for_topic(doc, name, base, name in listed) for name in topic_names}
