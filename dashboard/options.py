"""Kiosk URL options (``?topics=outage,safety&theme=light&range=6h&refresh=10``).

A wall screen has no keyboard, so everything it needs is in the address it is pointed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_S = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

DEFAULT_RANGE_S = 6 * 3600.0
MAX_RANGE_S = 7 * 86400.0
MIN_REFRESH_S = 1.0


@dataclass(frozen=True)
class WallOptions:
    topics: tuple[str, ...] = ()  # empty: every configured topic
    theme: str = "dark"
    range_s: float = DEFAULT_RANGE_S
    refresh_s: float | None = None  # None: the server's default
    token: str | None = None


def parse_duration(text: str) -> float | None:
    """``90m``, ``6h``, ``2d``, ``45`` (seconds) -> seconds; None when unreadable."""
    match = _DURATION.match(text or "")
    if not match:
        return None
    return float(match.group(1)) * _UNIT_S[match.group(2).lower()]


def parse_options(search: str | None) -> WallOptions:
    """Read the query string; an unreadable value falls back to its default, never an error page."""
    query = parse_qs((search or "").lstrip("?"))

    def first(name: str) -> str:
        values = query.get(name)
        return values[0].strip() if values else ""

    topics = tuple(t.strip() for t in first("topics").split(",") if t.strip())
    theme = "light" if first("theme").lower() == "light" else "dark"
    range_s = parse_duration(first("range")) or DEFAULT_RANGE_S
    range_s = min(max(range_s, 600.0), MAX_RANGE_S)
    refresh = parse_duration(first("refresh"))
    refresh_s = max(refresh, MIN_REFRESH_S) if refresh else None
    return WallOptions(topics, theme, range_s, refresh_s, first("token") or None)
