"""Every alert explains itself in one sentence a community manager can read aloud.

e.g. "214 voices in 30 min about outage, 9.1× the usual for Tuesday 14:00 (23.5); 5 languages;
3 high-reach authors".
"""

from __future__ import annotations

import math
from collections.abc import Mapping


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def span(seconds: float) -> str:
    """'30 min', '2 h', '1 h 30 min'."""
    minutes = int(round(seconds / 60))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def known_count(counts: Mapping[str, int]) -> int:
    """Distinct known values; an empty key means 'not given' and does not count as a language."""
    return sum(1 for k, n in counts.items() if k and n > 0)


def _usual(expected: float) -> str:
    return f"{expected:.1f}" if expected < 10 else f"{expected:,.0f}"


def _extras(languages: Mapping[str, int], high_reach: int) -> str:
    parts = []
    n_lang = known_count(languages)
    if n_lang:
        parts.append(plural(n_lang, "language"))
    if high_reach:
        parts.append(plural(high_reach, "high-reach author"))
    return "".join(f"; {p}" for p in parts)


def surge(
    topic: str, voices: int, window_s: float, ratio: float, expected: float, slot: str,
    languages: Mapping[str, int], high_reach: int,
) -> str:
    """Why the topic is (still) above a threshold."""
    return (
        f"{plural(voices, 'voice')} in {span(window_s)} about {topic}, {ratio:.1f}× the usual for {slot} "
        f"({_usual(expected)}){_extras(languages, high_reach)}"
    )


def opened(severity: str, base: str, threshold: int, reopened_after_s: float | None) -> str:
    head = f"{severity}: {base}; {severity} starts at {threshold:,} voices"
    if reopened_after_s is not None:
        head += f"; reopened {span(reopened_after_s)} after it resolved"
    return head


def escalated(base: str, threshold: int) -> str:
    return f"crisis: {base}; crisis starts at {threshold:,} voices"


def _level(x: float) -> str:
    """Voices are whole: fewer than 2.1 voices is fewer than 3."""
    return str(math.ceil(x - 1e-9))


def deescalated(base: str, exit_level: float, peak: int) -> str:
    return f"down to emerging: {base}; fewer than {_level(exit_level)} voices, peak was {plural(peak, 'voice')}"


def resolved(topic: str, voices: int, window_s: float, quiet_s: float, exit_level: float, peak: int) -> str:
    return (
        f"resolved: {topic} had fewer than {_level(exit_level)} voices for {span(quiet_s)} "
        f"({plural(voices, 'voice')} in the last {span(window_s)}); peak was {plural(peak, 'voice')}"
    )


def prominent(topic: str, followers: int, verified: bool, channel: str, lang: str) -> str:
    who = "a verified author" if verified else "an author"
    where = f" on {channel}" if channel else ""
    language = f" ({lang})" if lang else ""
    return f"prominent: {who} with {followers:,} followers complained about {topic}{where}{language}"


def status(severity: str, base: str, emerging_at: int, crisis_at: int) -> str:
    """The wall's one-liner for a topic, alerting or not."""
    if severity == "crisis":
        return f"crisis: {base}"
    if severity == "emerging":
        return f"emerging: {base}; crisis at {crisis_at:,} voices"
    if severity == "isolated":
        return f"isolated: {base}; emerging at {emerging_at:,} voices"
    return f"calm: {base}"
