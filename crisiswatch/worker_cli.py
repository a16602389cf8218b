"""Distributed mode: ``crisiswatch worker`` and ``crisiswatch escalation-worker`` on Kafka.

Kafka and faust do the distribution: mentions are spread over partitions for ingest,
complaints are re-keyed by topic so each topic's window lives in one worker, and Redis holds
the shared, idempotent counts. A worker that takes over a topic after a rebalance restores
that topic's recent buckets from Redis before counting on.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
from typing import Any

import click
import redis.asyncio as aioredis

from config.options import config_option
from crisiswatch.job import Job
from crisiswatch.pipeline_cli import load_or_exit, reports_option, resolve_reports_dir
from detectors.events import AlertEvent
from escalation.engine import EscalationEngine
from reports.auto import write_on_resolve_safely
from state.keys import Keys
from state.options import state_options
from state.runtime import open_state
from stream.app import Stages, build_app


def _require(name: str, value: str | None) -> str:
    if not value:
        raise click.UsageError(f"distributed mode needs {name} (e.g. {name}=kafka://localhost:9092)"
                               if name == "KAFKA_URL" else f"distributed mode needs {name} (a shared Redis)")
    return value


def _run_faust(app: Any) -> None:
    from faust.worker import Worker

    Worker(app, loglevel=os.environ.get("CRISISWATCH_LOGLEVEL", "info")).execute_from_commandline()


@click.command()
@config_option
@state_options
@click.option("--kafka-url", envvar="KAFKA_URL", help="Kafka bootstrap, e.g. kafka://localhost:9092.")
def worker(config_path: str, redis_url: str | None, namespace: str, kafka_url: str | None) -> None:
    """Run one faust worker of the detection pipeline (join more for more throughput)."""
    kafka_url = _require("KAFKA_URL", kafka_url)
    redis_url = _require("REDIS_URL", redis_url or os.environ.get("REDIS_URL"))
    settings = load_or_exit(config_path)
    with open_state(redis_url, namespace) as state:
        job = Job(settings, state, paging=False, worker=f"{socket.gethostname()}:{os.getpid()}")

        async def no_sink(alert: AlertEvent) -> None:
            """Alerts go on the alerts topic; the escalation worker pages."""

        pipeline = build_app(Stages(job.ingest_stage, job.restoring_detect_stage, no_sink), kafka_url=kafka_url,
                             roles=frozenset({"ingest", "detect"}), topics=settings.classifier.topics)
        _run_faust(pipeline.app)


ALERT_GROUP = "escalation"


async def consume_alerts(
    url: str, keys: Keys, engine: EscalationEngine, stop: asyncio.Event, consumer: str, idle_ms: int = 60_000,
    reports_dir: str | None = None,
) -> None:
    """Hand every alert in the Redis alerts stream to the engine exactly once per consumer group.

    The stream is written in the same transaction as the detection state, so an alert is
    never lost between a worker's death and its restart; an entry is acknowledged only after
    the engine handled it, and entries a dead consumer left pending are claimed after
    ``idle_ms``.
    """
    client = aioredis.Redis.from_url(url, decode_responses=True)
    try:
        try:
            await client.xgroup_create(keys.alerts, ALERT_GROUP, id="0", mkstream=True)
        except aioredis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        backlog = "0"  # our own unacknowledged entries first, then new ones
        while not stop.is_set():
            claimed = (await client.xautoclaim(keys.alerts, ALERT_GROUP, consumer, idle_ms, "0-0", count=100))[1]
            reply = await client.xreadgroup(ALERT_GROUP, consumer, {keys.alerts: backlog}, count=100, block=500)
            entries = list(claimed) + [e for _, batch in reply for e in batch]
            if backlog == "0" and not entries:
                backlog = ">"
            for entry_id, fields in entries:
                alert = AlertEvent.from_json(json.loads(fields["json"]))
                await engine.handle(alert)
                if alert.event == "resolved" and reports_dir:
                    await asyncio.to_thread(write_on_resolve_safely, engine.client, keys, alert.incident_id,
                                            reports_dir)
                await client.xack(keys.alerts, ALERT_GROUP, entry_id)
    finally:
        await client.aclose()


@click.command("escalation-worker")
@config_option
@state_options
@reports_option
def escalation_worker(config_path: str, redis_url: str | None, namespace: str, reports_dir: str | None) -> None:
    """Page along the plan for every alert the detection workers recorded (several may run)."""
    redis_url = _require("REDIS_URL", redis_url or os.environ.get("REDIS_URL"))
    settings = load_or_exit(config_path)
    with open_state(redis_url, namespace) as state:
        engine = EscalationEngine(state.client, state.keys, settings.plan)
        stop = asyncio.Event()

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            consumer = f"{socket.gethostname()}:{os.getpid()}"
            try:
                await asyncio.gather(engine.run(stop), consume_alerts(
                    state.url, state.keys, engine, stop, consumer, reports_dir=resolve_reports_dir(reports_dir)))
            finally:
                await engine.close()

        asyncio.run(main())


COMMANDS: list[click.Command] = [worker, escalation_worker]
