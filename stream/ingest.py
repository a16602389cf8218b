"""First stage: raw records in, pseudonymous complaints and dead letters out.

Only complaints travel on to detection; every other mention is just counted, so the
expensive stages see a small fraction of the firehose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stream.classify import Classifier
from stream.privacy import pseudonymise
from stream.schema import DeadLetter, parse_records

Raw = bytes | str | dict[str, Any]


class Complaint(NamedTuple):
    """One complaint about one topic; a tuple so it crosses a Kafka topic as plain JSON."""

    topic: str
    t: float
    mention_id: str
    voice: str
    lang: str
    channel: str
    followers: int
    verified: bool
    text: str


@dataclass(slots=True)
class IngestResult:
    complaints: list[Complaint] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    mentions: int = 0
    max_t: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "complaints": [list(c) for c in self.complaints],
            "dead_letters": [d.to_json() for d in self.dead_letters],
            "mentions": self.mentions,
            "max_t": self.max_t,
        }

    def split_by_topic(self, topics: Sequence[str]) -> dict[str, IngestResult]:
        """One part per configured topic, so each can be keyed to the partition that owns it.

        Every topic gets a part, empty or not, so each owner's event-time watermark moves on
        and quiet topics still resolve. The batch's counts travel with the first part only.
        """
        parts = {topic: IngestResult(max_t=self.max_t) for topic in topics}
        for c in self.complaints:
            parts[c.topic].complaints.append(c)
        if parts:
            next(iter(parts.values())).mentions = self.mentions
        return parts

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IngestResult:
        return cls(
            [Complaint(*c) for c in data["complaints"]],
            [DeadLetter(**d) for d in data["dead_letters"]],
            data["mentions"],
            data["max_t"],
        )


class Ingest:
    """Parse, validate, classify and pseudonymise a batch of raw records."""

    def __init__(self, classifier: Classifier, pseudonym_key: bytes, now: float | None = None) -> None:
        self.classifier = classifier
        self.key = pseudonym_key
        self._now = now
        self._voices: dict[str, str] = {}

    def _voice(self, author: str) -> str:
        voice = self._voices.get(author)
        if voice is None:
            if len(self._voices) > 200_000:
                self._voices.clear()
            voice = self._voices[author] = pseudonymise(author, self.key)
        return voice

    def process(
        self, records: Sequence[Raw], source: str = "", first_line: int | None = None
    ) -> IngestResult:
        mentions, dead_letters = parse_records(records, source, first_line, self._now)
        result = IngestResult(dead_letters=dead_letters, mentions=len(mentions))
        if not mentions:
            return result
        result.max_t = max(m.created_at for m in mentions)
        # One loop, no intermediate lists: this runs for every mention of the firehose.
        classify = self.classifier.classify
        complaints = result.complaints
        for mention in mentions:
            found = classify(mention.text, mention.lang)
            if not found.topics:
                continue
            voice = self._voice(mention.author)
            for topic in found.topics:
                complaints.append(
                    Complaint(
                        topic, mention.created_at, mention.id, voice, found.lang, mention.channel,
                        mention.followers, mention.verified, mention.text,
                    )
                )
        return result
