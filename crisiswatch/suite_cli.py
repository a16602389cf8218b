"""``crisiswatch demo`` and ``crisiswatch backtest``: the built-in scenarios, played and scored."""

from __future__ import annotations

import asyncio
import os
import sys
import time

import click

from config.options import config_option
from crisiswatch.backtest import format_table, run_scenario
from crisiswatch.job import Job, clear_namespace
from crisiswatch.pipeline_cli import (
    echo_alert,
    load_or_exit,
    print_summary,
    reports_option,
    resolve_reports_dir,
    run_batches,
)
from state.options import state_options
from state.runtime import open_state
from stream.scenarios import SCENARIOS
from stream.scenarios import demo as demo_scenario
from stream.sources import Batch


@click.command()
@click.argument("names", nargs=-1)
@config_option
@state_options
def backtest(names: tuple[str, ...], config_path: str, redis_url: str | None, namespace: str) -> None:
    """Replay the scenario suite and print detections, misses, false alarms and delay per scenario."""
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise click.BadParameter(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    settings = load_or_exit(config_path)
    scores = []
    with open_state(redis_url, namespace) as state:
        for name in names or tuple(SCENARIOS):
            scores.append(run_scenario(settings, state, SCENARIOS[name]()))
    click.echo(format_table(scores))
    click.echo("\ndelay = alert time minus the event time of the threshold voice "
               "(200th distinct voice for a crisis); negative = earlier")
    if not all(s.passed for s in scores):
        sys.exit(1)


@click.command()
@config_option
@state_options
@click.option("--speed", type=float, default=60.0, show_default=True,
              help="Seconds of event time per second of wall time (0 = as fast as possible).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Where the wall listens.")
@click.option("--port", type=int, default=8050, show_default=True)
@click.option("--wall/--no-wall", default=True, show_default=True, help="Serve the war-room wall beside it.")
@click.option("--exit-when-done", is_flag=True, help="Exit when the scenario ends instead of keeping the wall up.")
@reports_option
def demo(
    config_path: str, redis_url: str | None, namespace: str, speed: float, host: str, port: int, wall: bool,
    exit_when_done: bool, reports_dir: str | None,
) -> None:
    """Play the built-in crisis story in accelerated time and show alerts and pages as they fire."""
    settings = load_or_exit(config_path)
    namespace = namespace if namespace != "default" else "demo"
    hours = 4.0
    scenario = demo_scenario(start=time.time() - hours * 3600)
    with open_state(redis_url, namespace) as state:
        clear_namespace(state)
        if wall:
            from dashboard.app import create_app
            from dashboard.server import serve_in_thread

            token = os.environ.get("CRISISWATCH_OPERATOR_TOKEN")
            served = serve_in_thread(create_app(state.url, namespace, token), host=host, port=port)
            note = "" if token else " (read-only: no CRISISWATCH_OPERATOR_TOKEN)"
            click.echo(f"war-room wall: {served.url}{note}")
        click.echo(f"playing '{scenario.description}' ({hours:g} h of event time at {speed:g}x)\n")
        job = Job(settings, state, echo=echo_alert, paging=True, reports_dir=resolve_reports_dir(reports_dir))
        started = time.perf_counter()
        step = 50 if speed > 0 else 2000
        batches = (Batch(scenario.lines[i : i + step], "demo", i + 1, 0)
                   for i in range(0, len(scenario.lines), step))
        asyncio.run(run_batches(job, batches, speed))
        print_summary(job.stats, time.perf_counter() - started)
        if wall and not exit_when_done:
            click.echo("\nscenario finished; the wall stays up — Ctrl-C to stop")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


COMMANDS: list[click.Command] = [backtest, demo]
