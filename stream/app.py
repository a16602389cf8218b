"""The faust app: three thin agents around plain-Python stages.

    raw batches ──ingest──► complaint batches ──detect──► alerts ──on_alert──► sinks

Embedded mode binds the agents to in-memory channels and starts them without a broker;
distributed mode binds the same agents to Kafka topics and runs them in ``faust worker``.
Batches, not single mentions, travel between agents: a channel hop costs tens of µs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import ChannelT

from detectors.events import AlertEvent
from stream.ingest import IngestResult

IngestFn = Callable[[list[Any], str, int | None], IngestResult]
DetectFn = Callable[[IngestResult], list[AlertEvent]]
AlertFn = Callable[[AlertEvent], Awaitable[None]]
ALL_ROLES = frozenset({"ingest", "detect", "alerts"})


@dataclass
class Stages:
    """The plain-Python work each agent delegates to."""

    ingest: IngestFn
    detect: DetectFn
    on_alert: AlertFn


@dataclass
class PipelineApp:
    app: faust.App
    raw: ChannelT
    complaints: ChannelT
    alerts: ChannelT
    agents: list[Any]

    async def start(self) -> None:
        """Start the agents on in-memory channels without a broker (embedded mode)."""
        self.app.flow_control.resume()
        for agent in self.agents:
            await agent.start()

    async def stop(self) -> None:
        for agent in reversed(self.agents):
            await agent.stop()

    async def send_raw(self, records: list[Any], source: str = "", first_line: int | None = None) -> None:
        await self.raw.send(value={"records": records, "source": source, "first_line": first_line})


def build_app(
    stages: Stages,
    *,
    kafka_url: str | None = None,
    app_id: str = "crisiswatch",
    on_batch_done: Callable[[int], None] | None = None,
    roles: frozenset[str] = ALL_ROLES,
    topics: Sequence[str] = (),
) -> PipelineApp:
    """Wire the agents to channels (``kafka_url`` None) or to Kafka topics.

    ``roles`` picks the agents this process runs: a detection worker runs ingest and detect,
    the escalation worker only the alert sink. ``topics`` are the configured complaint topics,
    the keys complaints are partitioned by in distributed mode.
    """
    dead: ChannelT | None = None
    if kafka_url:
        app = faust.App(app_id, broker=kafka_url, value_serializer="json", web_enabled=False)
        raw: ChannelT = app.topic("mentions-raw", value_serializer="json")
        complaints: ChannelT = app.topic("complaints", value_serializer="json")
        alerts: ChannelT = app.topic("alerts", value_serializer="json")
        dead = app.topic("deadletters", value_serializer="json")
    else:
        app = faust.App(app_id, broker="kafka://localhost:9092", web_enabled=False)
        # bounded queues: a fast reader waits for the pipeline instead of buffering the whole file
        raw, complaints, alerts = app.channel(maxsize=4), app.channel(maxsize=4), app.channel()

    async def ingest(stream: Any) -> None:
        async for batch in stream:
            result = stages.ingest(batch["records"], batch.get("source", ""), batch.get("first_line"))
            if not kafka_url:
                await complaints.send(value=result)
                continue
            # Keyed by topic: each topic's window and ladder live in exactly one worker.
            for topic, part in result.split_by_topic(topics).items():
                await complaints.send(key=topic.encode(), value=part.to_json())
            for letter in result.dead_letters:
                await dead.send(value=letter.to_json())  # type: ignore[union-attr]

    async def detect(stream: Any) -> None:
        async for value in stream:
            result = IngestResult.from_json(value) if isinstance(value, dict) else value
            for alert in stages.detect(result):
                if kafka_url:
                    await alerts.send(key=alert.topic.encode(), value=alert.to_json())
                else:
                    await alerts.send(value=alert)
            if on_batch_done:
                on_batch_done(result.mentions + len(result.dead_letters))

    async def on_alert(stream: Any) -> None:
        async for value in stream:
            alert = AlertEvent.from_json(value) if isinstance(value, dict) else value
            await stages.on_alert(alert)

    wiring = {"ingest": (raw, ingest), "detect": (complaints, detect), "alerts": (alerts, on_alert)}
    agents = [app.agent(channel)(fn) for role, (channel, fn) in wiring.items() if role in roles]
    return PipelineApp(app, raw, complaints, alerts, agents)
