"""A deterministic mention simulator: the built-in source for the demo and the scenario suite.

Building blocks (chatter, isolated gripes, surges, spam, influencers, bad records) are
composed into scenarios; each scenario knows its ground truth so a backtest can score it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stream.simulator_texts import CHATTER, COMPLAINTS

LANGS = ("en", "es", "ro", "el", "id", "fa")
CHANNELS = ("twitter", "twitter", "twitter", "facebook", "instagram", "youtube", "blog", "review")
HANDLES = ("brand_help", "brandsupport", "ceo_brand", "newsdesk", "techreviewer")
BACKGROUND_WEIGHT = {"service": 4.0, "delivery": 4.0, "billing": 3.0, "quality": 3.0, "outage": 0.5, "safety": 0.3}
# A Monday, far enough back to pass the "absurd timestamp" check and to replay as history.
DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()


@dataclass
class Generator:
    """Accumulates mentions; every author and id it makes is unique unless asked otherwise."""

    seed: int = 7
    rng: random.Random = field(init=False)
    records: list[dict[str, Any]] = field(default_factory=list)
    raw_lines: list[tuple[float, str]] = field(default_factory=list)
    _ids: int = 0
    _authors: int = 0
    surge_voices: dict[str, dict[str, float]] = field(default_factory=dict)  # topic -> author -> first time

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def new_author(self, prefix: str = "u") -> str:
        self._authors += 1
        return f"{prefix}{self._authors:07d}"

    def _fill(self, template: str) -> str:
        return template.replace("{n}", str(self.rng.randint(2, 9))).replace(
            "{h}", self.rng.choice(HANDLES)
        )

    def mention(
        self, t: float, text: str, author: str | None = None, lang: str | None = None, *,
        followers: int | None = None, verified: bool = False, channel: str | None = None,
        give_lang: bool = True,
    ) -> dict[str, Any]:
        self._ids += 1
        record: dict[str, Any] = {
            "id": f"m{self.seed}-{self._ids:08d}",
            "created_at": round(t, 3),
            "author": author or self.new_author(),
            "text": self._fill(text),
            "channel": channel or self.rng.choice(CHANNELS),
            "followers": self.rng.randint(10, 3000) if followers is None else followers,
            "verified": verified,
        }
        if lang and give_lang:
            record["lang"] = lang
        self.records.append(record)
        return record

    def complaint(self, t: float, topic: str, lang: str, author: str | None = None, **kw: Any) -> dict[str, Any]:
        text = self.rng.choice(COMPLAINTS[topic][lang])
        return self.mention(t, text, author, lang, give_lang=self.rng.random() < 0.6, **kw)

    # -- building blocks -----------------------------------------------------------------
    def chatter(self, start: float, end: float, per_minute: float, langs: Iterable[str] = LANGS) -> None:
        """Everyday posts that mention the brand without complaining."""
        langs = tuple(langs)
        t = start
        while True:
            t += self.rng.expovariate(per_minute / 60.0)
            if t >= end:
                return
            lang = self.rng.choice(langs)
            self.mention(t, self.rng.choice(CHATTER[lang]), lang=lang, give_lang=self.rng.random() < 0.5)

    def isolated(self, start: float, end: float, per_hour: float, topics: Iterable[str]) -> None:
        """The normal trickle: one customer here, another there.

        Everyday gripes are mostly about service and delivery; outages and safety problems are
        rare in normal times (that is why a few of those voices are worth an alert).
        """
        topics = tuple(topics)
        weights = [BACKGROUND_WEIGHT.get(topic, 1.0) for topic in topics]
        t = start
        while True:
            t += self.rng.expovariate(per_hour / 3600.0)
            if t >= end:
                return
            self.complaint(t, self.rng.choices(topics, weights)[0], self.rng.choice(LANGS))

    def surge(
        self, topic: str, start: float, duration: float, voices: int, langs: Iterable[str] = LANGS,
        repeats: float = 0.3, shape: str = "ramp",
    ) -> list[float]:
        """``voices`` distinct customers complaining in ``duration`` seconds; returns their first times."""
        langs = tuple(langs)
        firsts: list[float] = []
        for i in range(voices):
            frac = (i + self.rng.random()) / voices
            offset = duration * (frac**0.5 if shape == "ramp" else frac)
            t = start + offset
            author = self.new_author()
            self.complaint(t, topic, self.rng.choice(langs), author)
            firsts.append(t)
            self.surge_voices.setdefault(topic, {})[author] = t
            if self.rng.random() < repeats:
                self.complaint(t + self.rng.uniform(10, 300), topic, self.rng.choice(langs), author)
        return sorted(firsts)

    def spam(self, topic: str, start: float, duration: float, authors: int, posts: int) -> None:
        """A few accounts posting the same gripe hundreds of times."""
        accounts = [self.new_author("spam") for _ in range(authors)]
        for i in range(posts):
            t = start + duration * i / posts
            self.complaint(t, topic, "en", self.rng.choice(accounts))

    def influencer(self, t: float, topic: str, followers: int = 2_400_000) -> None:
        self.complaint(t, topic, "en", self.new_author("star"), followers=followers, verified=True,
                       channel="twitter")

    def bad_records(self, start: float, end: float, count: int) -> None:
        """Records that break the contract in every way the ingest stage must survive."""
        kinds = [
            "{not json",
            "[1, 2, 3]",
            json.dumps({"id": "x", "author": "a", "text": "missing time"}),
            json.dumps({"id": "x", "created_at": "yesterday-ish", "author": "a", "text": "t"}),
            json.dumps({"id": "x", "created_at": "1970-01-01T00:00:00Z", "author": "a", "text": "t"}),
            json.dumps({"id": "x", "created_at": start, "author": "a", "text": ""}),
            json.dumps({"id": "x", "created_at": start, "author": 12.5, "text": "wrong type"}),
            json.dumps({"id": "x", "created_at": start, "author": "a", "text": "x" * 70_000}),
            '{"id": "x", "created_at": 1, "author": "a", "text": "nul\\u0000byte"}',
        ]
        for i in range(count):
            t = start + (end - start) * i / max(count, 1)
            self.raw_lines.append((t, kinds[i % len(kinds)]))

    def lines(self, duplicate: float = 0.0, late: float = 0.0, max_late_s: float = 300.0) -> list[str]:
        """JSON lines in arrival order: optionally some delivered twice and some minutes late."""
        timed = [(r["created_at"], r) for r in self.records]
        arrivals: list[tuple[float, int, str]] = []
        for i, (t, record) in enumerate(timed):
            line = json.dumps(record, ensure_ascii=False)
            arrive = t + (self.rng.uniform(60, max_late_s) if self.rng.random() < late else 0.0)
            arrivals.append((arrive, i, line))
            if self.rng.random() < duplicate:
                arrivals.append((arrive + self.rng.uniform(0, 120), i, line))
        arrivals += [(t, -1, line) for t, line in self.raw_lines]
        arrivals.sort(key=lambda a: (a[0], a[1]))
        return [line for _, _, line in arrivals]
