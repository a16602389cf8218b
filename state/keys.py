"""The Redis key layout, in one place, so writers and readers cannot drift apart.

Every key starts with ``cw:<namespace>:`` so several runs (a replay, a demo, tests) can share
one server without mixing. Values are JSON strings unless noted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    namespace: str = "default"

    @property
    def prefix(self) -> str:
        return f"cw:{self.namespace}:"

    # -- pipeline health -------------------------------------------------------------------
    @property
    def heartbeat(self) -> str:
        """Hash: ``wall`` (epoch s of the last pipeline heartbeat), ``event`` (last event time),
        ``mentions``, ``complaints``, ``dead_letters``, ``worker`` (who wrote it)."""
        return self.prefix + "heartbeat"

    @property
    def dead_letters(self) -> str:
        """Stream: one entry per rejected record, fields ``reason``, ``raw``, ``source``, ``at``."""
        return self.prefix + "deadletters"

    @property
    def config(self) -> str:
        """Hash: ``topics`` (JSON list of {name,label,priority,thresholds}), ``window_s``, ``loaded_at``."""
        return self.prefix + "config"

    # -- per topic, written by the detection stage ------------------------------------------
    def topic_state(self, topic: str) -> str:
        """Hash: the ladder's current view of one topic (severity, since, voices, mentions,
        baseline, ratio, emerging_threshold, crisis_threshold, incident_id, trend, languages, channels, reason)."""
        return f"{self.prefix}topic:{topic}"

    def timeline(self, topic: str) -> str:
        """Hash: field = minute (epoch s, multiple of 60), value = JSON
        {"m": complaint mentions, "v": distinct voices that minute, "w": window voices,
        "b": baseline voices, "e": emerging threshold, "c": crisis threshold, "s": severity}."""
        return f"{self.prefix}timeline:{topic}"

    @property
    def baselines(self) -> str:
        """Hash: topic -> JSON of its learned hour-of-week baseline, saved hourly so a worker
        that takes the topic over does not learn from scratch."""
        return self.prefix + "baselines"

    def voices_bucket(self, topic: str, minute: int) -> str:
        """Set of pseudonymous voices heard on ``topic`` in that minute (idempotent by nature)."""
        return f"{self.prefix}v:{topic}:{minute}"

    def ids_bucket(self, topic: str, minute: int) -> str:
        """Set of mention ids counted on ``topic`` in that minute (re-delivery changes nothing)."""
        return f"{self.prefix}i:{topic}:{minute}"

    def samples(self, topic: str) -> str:
        """List (newest first, trimmed): JSON {at, text (redacted), lang, channel, followers,
        verified, voice}."""
        return f"{self.prefix}samples:{topic}"

    def mix(self, topic: str) -> str:
        """Hash: field = "<hour epoch s>|channel|<name>" or "<hour>|lang|<code>", value = complaint
        count, so a report can break any incident span down by channel and language."""
        return f"{self.prefix}mix:{topic}"

    def heatmap(self, topic: str) -> str:
        """Hash: field = hour of week 0..167 (Monday 00 UTC = 0), value = complaint count."""
        return f"{self.prefix}heatmap:{topic}"

    @property
    def prominent(self) -> str:
        """List (newest first, trimmed): JSON prominent voices {at, topic, voice, followers,
        verified, channel, lang, text (redacted)}."""
        return self.prefix + "prominent"

    # -- alerts and incidents -----------------------------------------------------------------
    @property
    def alerts(self) -> str:
        """Stream: one entry per AlertEvent, field ``json`` = AlertEvent.to_json()."""
        return self.prefix + "alerts"

    @property
    def incidents(self) -> str:
        """Hash: incident_id -> JSON incident record (owned by escalation/)."""
        return self.prefix + "incidents"

    def scan_pattern(self) -> str:
        return self.prefix + "*"
