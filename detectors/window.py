"""Event-time sliding window of exact distinct voices, built from per-minute buckets.

Each bucket keeps the voices and mention ids heard in its minute; a refcount of voices over the
buckets inside the window gives the exact number of distinct voices in O(1) per mention, and a
bucket leaving the window costs O(its size). Keeping mention ids per bucket makes counting
idempotent: a re-delivered mention lands in the same bucket and is recognised there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# what ``VoiceWindow.add`` did with a mention
NEW_VOICE = 0  # a voice not yet heard in the window: the count went up
COUNTED = 1  # counted as a mention; its voice was already in the window (or the bucket is past the window)
DUPLICATE = 2  # this mention id was already counted: nothing changed
TOO_LATE = 3  # its minute is older than window + late allowance: dropped


@dataclass(frozen=True, slots=True)
class Observation:
    """One complaint as detection sees it; ``voice`` is the already pseudonymised author."""

    t: float
    mention_id: str
    voice: str
    lang: str = ""
    channel: str = ""
    followers: int = 0
    verified: bool = False


class Bucket:
    __slots__ = ("voices", "ids", "langs", "channels", "high_reach")

    def __init__(self) -> None:
        self.voices: set[str] = set()
        self.ids: set[str] = set()
        self.langs: dict[str, int] = {}
        self.channels: dict[str, int] = {}
        self.high_reach: set[str] = set()


class VoiceWindow:
    """Buckets ``index = floor(t / bucket_s)``; the window is the last ``size`` buckets up to ``current``.

    Buckets older than the window are kept for ``retain - size`` more buckets so late mentions still
    land in their own minute (and the caller's per-minute timeline stays right), then evicted.
    """

    __slots__ = ("bucket_s", "size", "retain", "current", "buckets", "refs", "mentions")

    def __init__(self, bucket_s: int, size: int, retain: int) -> None:
        self.bucket_s = bucket_s
        self.size = size
        self.retain = max(retain, size)
        self.current: int | None = None
        self.buckets: dict[int, Bucket] = {}
        self.refs: dict[str, int] = {}
        self.mentions = 0  # complaint mentions in the window

    @property
    def voices(self) -> int:
        return len(self.refs)

    def in_window(self, index: int) -> bool:
        return self.current is not None and self.current - self.size < index <= self.current

    def add(self, index: int, obs: Observation, high_reach: bool) -> int:
        """Count ``obs`` in bucket ``index`` (which must not be ahead of ``current``)."""
        bucket = self.buckets.get(index)
        if bucket is None:
            if self.current is None or index <= self.current - self.retain:
                return TOO_LATE
            bucket = self.buckets[index] = Bucket()
        ids = bucket.ids
        mid = obs.mention_id
        if mid in ids:
            return DUPLICATE
        ids.add(mid)
        langs = bucket.langs
        langs[obs.lang] = langs.get(obs.lang, 0) + 1
        channels = bucket.channels
        channels[obs.channel] = channels.get(obs.channel, 0) + 1
        voice = obs.voice
        if high_reach:
            bucket.high_reach.add(voice)
        inside = index > self.current - self.size  # type: ignore[operator]
        if inside:
            self.mentions += 1
        voices = bucket.voices
        if voice in voices:
            return COUNTED
        voices.add(voice)
        if not inside:
            return COUNTED
        refs = self.refs
        seen = refs.get(voice, 0)
        refs[voice] = seen + 1
        return COUNTED if seen else NEW_VOICE

    def slide_to(self, index: int) -> None:
        """Move ``current`` forward one bucket at a time: release the bucket leaving, evict the expired."""
        if self.current is None:
            self.current = index
            return
        while self.current < index:
            self.current += 1
            leaving = self.buckets.get(self.current - self.size)
            if leaving is not None:
                self._release(leaving)
            expired = self.current - self.retain
            if expired in self.buckets:
                del self.buckets[expired]
        if len(self.buckets) > self.retain:  # after a jump, drop whatever is now too old
            cutoff = self.current - self.retain
            for old in [i for i in self.buckets if i <= cutoff]:
                del self.buckets[old]

    def jump_to(self, index: int) -> None:
        """Skip to ``index`` when nothing is retained: O(1) instead of one step per bucket."""
        if self.buckets:
            raise ValueError("jump_to needs an empty window")
        self.current = index

    def _release(self, bucket: Bucket) -> None:
        refs = self.refs
        for voice in bucket.voices:
            left = refs[voice] - 1
            if left:
                refs[voice] = left
            else:
                del refs[voice]
        self.mentions -= len(bucket.ids)

    def restore(self, index: int, voices: Iterable[str], ids: Iterable[str]) -> bool:
        """Merge persisted sets into bucket ``index``; False if it is outside what is retained."""
        if self.current is None:
            self.current = index
        if index > self.current or index <= self.current - self.retain:
            return False
        bucket = self.buckets.get(index)
        if bucket is None:
            bucket = self.buckets[index] = Bucket()
        inside = self.in_window(index)
        fresh_ids = set(ids) - bucket.ids
        bucket.ids |= fresh_ids
        if inside:
            self.mentions += len(fresh_ids)
        for voice in voices:
            if voice in bucket.voices:
                continue
            bucket.voices.add(voice)
            if inside:
                self.refs[voice] = self.refs.get(voice, 0) + 1
        return True

    def window_buckets(self) -> Iterable[Bucket]:
        if self.current is None:
            return ()
        low = self.current - self.size
        return (b for i, b in self.buckets.items() if i > low)

    def languages(self) -> dict[str, int]:
        return _merge(b.langs for b in self.window_buckets())

    def channels(self) -> dict[str, int]:
        return _merge(b.channels for b in self.window_buckets())

    def high_reach(self) -> int:
        """Distinct high-reach voices in the window."""
        seen: set[str] = set()
        for b in self.window_buckets():
            seen |= b.high_reach
        return len(seen)


def _merge(counters: Iterable[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for counter in counters:
        for key, n in counter.items():
            out[key] = out.get(key, 0) + n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))
