"""Figures of one episode computed from its complaints: onset, the n-th voice, window voices, peaks.

Pure functions over (time, voice) pairs, so the file-based and the state-based report agree on
what "first complaint" and "the 200th voice" mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

QUIET_GAP_FRACTION = 10  # a silence of window/10 (3 min of a 30-min window) ends the episode


def quiet_gap(window_s: float) -> float:
    return max(120.0, window_s / QUIET_GAP_FRACTION)


def episode_start(times: Sequence[float], detected: float, window_s: float) -> float | None:
    """First complaint of the surge that led to ``detected``.

    Looks back from the detection over one window and walks backwards while complaints keep
    coming; the first silence of ``quiet_gap`` is where voices rose from the quiet level, so an
    unrelated gripe from twenty minutes earlier is not taken for the start.
    """
    before = sorted(t for t in times if detected - window_s <= t <= detected)
    if not before:
        return None
    gap = quiet_gap(window_s)
    start = before[-1]
    for earlier in reversed(before[:-1]):
        if start - earlier > gap:
            break
        start = earlier
    return start


def nth_voice_time(events: Iterable[tuple[float, str]], n: int, window_s: float, since: float) -> float | None:
    """Event time at which ``n`` distinct voices first fell inside one sliding window.

    Each voice counts from its first complaint at or after ``since`` (the episode start); this
    is the moment the crisis rule ("200 customers in unison") was met in the data.
    """
    firsts: dict[str, float] = {}
    for t, voice in sorted(events):
        if t >= since and voice not in firsts:
            firsts[voice] = t
    ordered = sorted(firsts.values())
    for i in range(n - 1, len(ordered)):
        if ordered[i] - ordered[i - n + 1] < window_s:
            return ordered[i]
    return None


def peak_window_voices(events: Sequence[tuple[float, str]], window_s: float) -> tuple[int, float | None]:
    """Most distinct voices in any window ending at a complaint, and when."""
    ordered = sorted(events)
    inside: Counter[str] = Counter()
    lo = 0
    best, best_t = 0, None
    for t, voice in ordered:
        inside[voice] += 1
        while ordered[lo][0] <= t - window_s:
            old = ordered[lo][1]
            inside[old] -= 1
            if not inside[old]:
                del inside[old]
            lo += 1
        if len(inside) > best:
            best, best_t = len(inside), t
    return best, best_t


def per_minute(
    events: Sequence[tuple[float, str]], start: float, end: float, window_s: float
) -> list[tuple[int, int, int, int]]:
    """(minute, complaints, distinct voices that minute, distinct voices in the window ending then)."""
    first_minute = int(start // 60) * 60
    last_minute = int(end // 60) * 60
    counts: dict[int, Counter[str]] = {}
    for t, voice in events:
        counts.setdefault(int(t // 60) * 60, Counter())[voice] += 1
    span = int(window_s // 60)
    inside: Counter[str] = Counter()
    out = []
    for minute in range(first_minute - span * 60, last_minute + 60, 60):
        inside.update(set(counts.get(minute, ())))
        leaving = counts.get(minute - span * 60)
        if leaving:
            inside.subtract(set(leaving))
            inside = +inside
        if minute >= first_minute:
            here = counts.get(minute, Counter())
            out.append((minute, sum(here.values()), len(here), len(inside)))
    return out


def breakdown(rows: Iterable[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(key, complaints, distinct voices) from (key, voice) pairs, biggest first."""
    complaints: Counter[str] = Counter()
    voices: dict[str, set[str]] = {}
    for key, voice in rows:
        complaints[key] += 1
        voices.setdefault(key, set()).add(voice)
    return [(k, n, len(voices[k])) for k, n in complaints.most_common()]


def hour_of_day(t: float) -> str:
    return f"{datetime.fromtimestamp(t, tz=UTC).hour:02d}"
