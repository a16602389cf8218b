"""The embedded streaming job: faust agents on in-memory channels, state in Redis, pages out.

The same stages run in distributed mode; only the channels become Kafka topics.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from crisiswatch.settings import Settings
from detectors.detector import Detector
from detectors.events import AlertEvent
from detectors.window import Observation
from escalation.engine import EscalationEngine
from reports.auto import write_on_resolve_safely
from state.runtime import State
from stream.app import PipelineApp, Stages, build_app
from stream.ingest import Ingest, IngestResult
from stream.privacy import pseudonym_key_from_env
from stream.state_writer import StateWriter

AlertEcho = Callable[[AlertEvent], None]
_warned: list[bool] = []  # the missing-key note is said once per process


@dataclass
class JobStats:
    records: int = 0
    mentions: int = 0
    complaints: int = 0
    dead_letters: int = 0
    dead_reasons: Counter[str] = field(default_factory=Counter)
    complaints_by_topic: Counter[str] = field(default_factory=Counter)
    alerts_by_event: Counter[str] = field(default_factory=Counter)
    incidents: set[str] = field(default_factory=set)
    first_event: float = 0.0
    last_event: float = 0.0


def clear_namespace(state: State) -> int:
    """Start from empty state: delete every key of this namespace (and only those)."""
    removed = 0
    batch: list[str] = []
    for key in state.client.scan_iter(match=state.keys.scan_pattern(), count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            removed += state.client.unlink(*batch)
            batch = []
    if batch:
        removed += state.client.unlink(*batch)
    return removed


class Job:
    """Feed batches in, get alerts to the alerts file, the console and the escalation engine."""

    def __init__(
        self,
        settings: Settings,
        state: State,
        *,
        alerts_out: TextIO | None = None,
        echo: AlertEcho | None = None,
        paging: bool = True,
        now: float | None = None,
        worker: str = "embedded",
        reports_dir: str | None = None,
        live: bool = False,
    ) -> None:
        self.settings = settings
        self.state = state
        self.alerts_out = alerts_out
        self.reports_dir = reports_dir
        self.echo = echo
        self.stats = JobStats()
        key, from_env = pseudonym_key_from_env(settings.privacy.pseudonym_key_env)
        if not from_env and not _warned:
            _warned.append(True)
            print(
                f"note: {settings.privacy.pseudonym_key_env} is not set; author pseudonyms use a random "
                "key for this run only",
                file=sys.stderr,
            )
        self.ingest = Ingest(settings.classifier, key, now=now)
        self.detector = Detector(settings.detection)
        params = next(iter(settings.detection.values()))
        self.writer = StateWriter(
            state.client,
            state.keys,
            retain_s=max(p.window_s + p.late_allowance_s for p in settings.detection.values()) + 120,
            samples_per_topic=settings.privacy.samples_per_topic,
            sample_ttl_s=settings.privacy.sample_retention_s,
            prominent=params,
            worker=worker,
        )
        self.writer.write_config(settings.topics_json(), params.window_s)
        self.watermark = 0.0
        # Escalation timeouts run on event time, so a replay of last month escalates on its own
        # timeline; a live job runs on the wall clock, so nobody acknowledging still escalates.
        clock = time.time if live else (lambda: self.watermark or time.time())
        self.engine = EscalationEngine(state.client, state.keys, settings.plan, clock=clock) if paging else None
        self._restored: set[str] = set()
        self._sent = 0
        self._done = 0
        self._pending_alerts = 0
        self._progress = asyncio.Event()
        self._stop = asyncio.Event()
        self._engine_task: asyncio.Task[None] | None = None
        self.pipeline: PipelineApp = build_app(
            Stages(self.ingest_stage, self.detect_stage, self._on_alert), on_batch_done=self._batch_done
        )

    # -- stages (plain Python, called by the agents) ------------------------------------
    def ingest_stage(self, records: list[Any], source: str, first_line: int | None) -> IngestResult:
        result = self.ingest.process(records, source, first_line)
        self.writer.write_ingest(result)
        return result

    def detect_stage(self, result: IngestResult) -> list[AlertEvent]:
        alerts: list[AlertEvent] = []
        learn = self.detector.learn_one
        for c in result.complaints:
            alerts += learn(c.topic, Observation(c.t, c.mention_id, c.voice, c.lang, c.channel,
                                                 c.followers, c.verified))
        if result.max_t > self.watermark:
            hour = int(self.watermark // 3600)
            self.watermark = result.max_t
            alerts += self.detector.advance(self.watermark)
            if int(self.watermark // 3600) != hour:
                self._save_baselines()
        self.writer.write_batch(
            result, self.watermark, self.detector.state_fields(), self.detector.take_timeline(), alerts
        )
        self._account(result, alerts)
        self._pending_alerts += len(alerts)
        return alerts

    def restoring_detect_stage(self, result: IngestResult) -> list[AlertEvent]:
        """Distributed mode: a topic new to this worker resumes from the counts in Redis."""
        for topic in {c.topic for c in result.complaints} - self._restored:
            self._restored.add(topic)
            self.restore_topic(topic, result.max_t)
        return self.detect_stage(result)

    def _save_baselines(self) -> None:
        baselines = self.detector.baselines()
        if baselines:
            self.state.client.hset(
                self.state.keys.baselines, mapping={t: json.dumps(b) for t, b in baselines.items()}
            )

    def restore_topic(self, topic: str, now: float) -> int:
        """Resume a topic another worker had: its baseline, retained buckets and open incident."""
        client, keys = self.state.client, self.state.keys
        saved = client.hget(keys.baselines, topic)
        if saved:
            self.detector.restore_baselines({topic: json.loads(saved)})
        params = self.settings.detection[topic]
        first = int((now - params.window_s - params.late_allowance_s) // 60) * 60
        minutes = range(first, int(now // 60) * 60 + 60, 60)
        pipe = client.pipeline(transaction=False)
        for minute in minutes:
            pipe.smembers(keys.voices_bucket(topic, minute))
            pipe.smembers(keys.ids_bucket(topic, minute))
        replies = pipe.execute()
        restored = 0
        for i, minute in enumerate(minutes):
            voices, ids = replies[2 * i], replies[2 * i + 1]
            if ids and self.detector.restore_bucket(topic, minute, voices, ids):
                restored += 1
        ladder = client.hgetall(keys.topic_state(topic))
        if ladder.get("incident_id") and ladder.get("severity") in ("emerging", "crisis"):
            self.detector.restore_incident(topic, ladder["incident_id"], ladder["severity"], float(ladder["since"]))
        return restored

    async def _on_alert(self, alert: AlertEvent) -> None:
        try:
            if self.alerts_out:
                self.alerts_out.write(json.dumps(alert.to_json(), ensure_ascii=False) + "\n")
            if self.echo:
                self.echo(alert)
            if self.engine:
                await self.engine.handle(alert)
            if alert.event == "resolved" and self.reports_dir:
                # after the engine recorded the resolution, so the report says who resolved it
                await asyncio.to_thread(
                    write_on_resolve_safely, self.state.client, self.state.keys, alert.incident_id, self.reports_dir
                )
        finally:
            self._pending_alerts -= 1
            self._progress.set()

    def _batch_done(self, n: int) -> None:
        self._done += n
        self._progress.set()

    def _account(self, result: IngestResult, alerts: list[AlertEvent]) -> None:
        s = self.stats
        s.mentions += result.mentions
        s.dead_letters += len(result.dead_letters)
        s.dead_reasons.update(d.reason.split(":")[0] for d in result.dead_letters)
        s.complaints += len(result.complaints)
        s.complaints_by_topic.update(c.topic for c in result.complaints)
        for alert in alerts:
            s.alerts_by_event[alert.event] += 1
            if alert.event != "prominent":
                s.incidents.add(alert.incident_id)
        if result.max_t:
            s.last_event = max(s.last_event, result.max_t)
            first = min((c.t for c in result.complaints), default=result.max_t)
            s.first_event = min(s.first_event, first) if s.first_event else first

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> Job:
        await self.pipeline.start()
        if self.engine:
            self._engine_task = asyncio.create_task(self.engine.run(self._stop, interval=0.2))
        return self

    async def feed(self, records: list[Any], source: str = "", first_line: int | None = None) -> None:
        self._sent += len(records)
        self.stats.records += len(records)
        await self.pipeline.send_raw(records, source, first_line)

    async def advance(self, t: float) -> None:
        """Live mode: time passes even when nobody posts, so quiet topics still calm down."""
        await self.pipeline.complaints.send(value=IngestResult(max_t=t))

    async def drain(self) -> None:
        """Wait until every record fed so far is processed and every alert handled."""
        while self._done < self._sent or self._pending_alerts > 0:
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), timeout=1.0)
        if self.engine:
            await self.engine.tick()

    async def close(self) -> None:
        await self.drain()
        self.writer.heartbeat()
        self._save_baselines()
        self._stop.set()
        if self._engine_task:
            await self._engine_task
        if self.engine:
            await self.engine.close()
        await self.pipeline.stop()
