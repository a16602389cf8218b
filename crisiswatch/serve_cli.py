"""``crisiswatch serve``: the embedded pipeline live, fed over HTTP by a collector."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

import click
from aiohttp import web

from config.options import config_option
from crisiswatch.job import Job
from crisiswatch.pipeline_cli import echo_alert, load_or_exit, print_summary, reports_option, resolve_reports_dir
from state.options import state_options
from state.runtime import open_state
from stream.http_ingest import build_ingest_app

TICK_S = 5.0


async def run_live(job: Job, host: str, port: int, token: str | None, stop: asyncio.Event) -> None:
    """Serve ``POST /mentions`` until ``stop``; move event time on with the wall clock meanwhile."""
    await job.start()
    runner = web.AppRunner(build_ingest_app(job.feed, token))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    click.echo(f"ingest: POST JSON lines to http://{host}:{port}/mentions" + (" (Bearer token)" if token else ""))
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=TICK_S)
            if not stop.is_set():
                await job.advance(time.time())
    finally:
        await runner.cleanup()
        await job.close()


@click.command()
@config_option
@state_options
@reports_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Where the ingest endpoint listens.")
@click.option("--port", type=int, default=8040, show_default=True)
@click.option("--wall/--no-wall", default=True, show_default=True, help="Serve the war-room wall beside it.")
@click.option("--wall-port", type=int, default=8050, show_default=True)
def serve(
    config_path: str, redis_url: str | None, namespace: str, reports_dir: str | None, host: str, port: int,
    wall: bool, wall_port: int,
) -> None:
    """Run the pipeline live: mentions POSTed to /mentions, alerts and pages as they happen."""
    settings = load_or_exit(config_path)
    with open_state(redis_url, namespace) as state:
        if wall:
            from dashboard.app import create_app
            from dashboard.server import serve_in_thread

            served = serve_in_thread(create_app(state.url, namespace, os.environ.get("CRISISWATCH_OPERATOR_TOKEN")),
                                     host=host, port=wall_port)
            click.echo(f"war-room wall: {served.url}")
        job = Job(settings, state, echo=echo_alert, paging=True, reports_dir=resolve_reports_dir(reports_dir),
                  live=True)
        started = time.perf_counter()

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await run_live(job, host, port, os.environ.get("CRISISWATCH_INGEST_TOKEN"), stop)

        asyncio.run(main())
        print_summary(job.stats, time.perf_counter() - started)


COMMANDS: list[click.Command] = [serve]
