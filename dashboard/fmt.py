"""Short human wording for times and counts, sized for reading across a room."""

from __future__ import annotations

from datetime import UTC, datetime


def clock(ts: float | None, seconds: bool = False, utc: bool = True) -> str:
    """Time of day in UTC; ``utc=False`` drops the suffix where the header already says so."""
    if ts is None:
        return "—"
    text = datetime.fromtimestamp(ts, tz=UTC).strftime("%H:%M:%S" if seconds else "%H:%M")
    return text + " UTC" if utc else text


def stamp(ts: float | None, seconds: bool = False) -> str:
    """Date and time, for moments that may be days ago (a replay of last month)."""
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%d %b %H:%M:%S UTC" if seconds else "%d %b %H:%M UTC")


def span(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d}"
    return f"{s // 86400} d {s % 86400 // 3600} h"


def count(n: float) -> str:
    n = float(n)
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 10_000:
        return f"{n / 1000:.0f}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return f"{n:.0f}"
