"""Typed readers for thresholds.yaml values that fail with the value's file and line."""

from __future__ import annotations

import difflib
import re
from typing import Any

from config.yaml_lines import LocatedYaml, Path

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def get(doc: LocatedYaml, key_path: Path, default: Any = None) -> Any:
    node: Any = doc.data
    for key in key_path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def duration(doc: LocatedYaml, key_path: Path, default: float | None = None) -> float:
    """Seconds from ``90``, ``45s``, ``30m``, ``2h``, ``7d``; must be positive."""
    value = get(doc, key_path, default)
    if value is None:
        raise doc.error(key_path, f"{'.'.join(map(str, key_path))} is required (a duration like 30m)")
    if isinstance(value, bool):
        match = None
    elif isinstance(value, int | float):
        match = _DURATION.match(str(value))
    else:
        match = _DURATION.match(str(value))
    if not match or float(match.group(1)) <= 0:
        raise doc.error(
            key_path, f"{key_path[-1]}: {value!r} is not a duration; write e.g. 45s, 30m, 2h or 7d"
        )
    return float(match.group(1)) * _UNIT_S[match.group(2)]


def number(
    doc: LocatedYaml, key_path: Path, default: float | None = None, *, minimum: float = 0.0,
    integer: bool = False,
) -> float:
    value = get(doc, key_path, default)
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and value != int(value)):
        raise doc.error(key_path, f"{key_path[-1]}: {value!r} must be {kind}")
    if value < minimum:
        raise doc.error(key_path, f"{key_path[-1]}: {value!r} must be at least {minimum:g}")
    return int(value) if integer else float(value)


def boolean(doc: LocatedYaml, key_path: Path, default: bool | None = None) -> bool:
    value = get(doc, key_path, default)
    if not isinstance(value, bool):
        raise doc.error(key_path, f"{key_path[-1]}: {value!r} must be true or false")
    return value


def text(doc: LocatedYaml, key_path: Path, default: str | None = None) -> str:
    value = get(doc, key_path, default)
    if not isinstance(value, str) or not value.strip():
        raise doc.error(key_path, f"{key_path[-1]}: expected a non-empty string, got {value!r}")
    return value


def mapping(doc: LocatedYaml, key_path: Path, *, required: bool = False) -> dict[Any, Any]:
    value = get(doc, key_path)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise doc.error(key_path, f"{'.'.join(map(str, key_path))} must be a mapping (key: value lines)")
    return value


def known_keys(doc: LocatedYaml, key_path: Path, allowed: set[str]) -> None:
    """Reject misspelt keys: a silently ignored ``crisis_voice: 50`` is worse than an error."""
    for key in mapping(doc, key_path):
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(sorted(allowed))}"
            raise doc.error((*key_path, key), f"unknown key {key!r}{hint}")
