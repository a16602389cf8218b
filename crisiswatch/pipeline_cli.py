"""Subcommands that run the streaming pipeline: replay files through it."""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click

from config.errors import ConfigError
from config.options import config_option
from crisiswatch.job import Job, JobStats, clear_namespace
from crisiswatch.settings import Settings, load_settings
from detectors.events import AlertEvent, iso_utc
from reports.auto import default_report_dir
from state.options import state_options
from state.runtime import open_state
from stream.schema import Invalid, mention_from_dict, parse_line
from stream.sources import Batch, read_batches, total_bytes


def load_or_exit(config_path: str) -> Settings:
    """Start-up stops on a bad configuration with the file, the line and what is wrong."""
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
    # The settings live as long as the process; their ~100k objects (compiled query trees) need
    # not be scanned again by every full garbage collection the firehose's allocations trigger.
    gc.collect()
    gc.freeze()
    return settings


def reports_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--reports-dir", default=None, type=click.Path(file_okay=False),
                     help="Where reports of resolved incidents go [default: $CRISISWATCH_HOME/reports].")(f)
    return click.option("--no-reports", "reports_dir", flag_value="", help="Write no report on resolution.")(f)


def resolve_reports_dir(value: str | None) -> str | None:
    """None = the default folder, '' = no reports."""
    if value == "":
        return None
    return value or str(default_report_dir())


SEVERITY_MARK = {"emerging": "▲", "crisis": "■"}


def echo_alert(alert: AlertEvent) -> None:
    mark = SEVERITY_MARK.get(alert.severity, "•")
    click.echo(
        f"{iso_utc(alert.at)}  {mark} {alert.event.upper():<11} {alert.severity:<8} "
        f"{alert.topic:<10} {alert.reason}",
        err=False,
    )


@contextmanager
def _alerts_file(path: str | None) -> Iterator[TextIO | None]:
    if not path:
        yield None
        return
    with open(path, "w", encoding="utf-8") as fh:
        yield fh


def _batch_time(records: list[Any]) -> float | None:
    """Event time of a batch's first valid record, for pacing."""
    for record in records:
        try:
            return (mention_from_dict(record) if isinstance(record, dict) else parse_line(record)).created_at
        except Invalid:
            continue
    return None


async def run_batches(
    job: Job, batches: Iterable[Batch], speed: float = 0.0, on_batch: Callable[[Batch], None] | None = None,
) -> None:
    """Feed batches through the job; ``speed`` > 0 paces by event time (60 = a minute per second)."""
    await job.start()
    first_t: float | None = None
    started = time.monotonic()
    try:
        for batch in batches:
            if speed > 0 and (t := _batch_time(batch.records)) is not None:
                first_t = t if first_t is None else first_t
                delay = started + (t - first_t) / speed - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            await job.feed(batch.records, batch.source, batch.first_line)
            if on_batch:
                on_batch(batch)
    finally:
        await job.close()


async def run_files(
    job: Job, files: list[str], speed: float = 0.0, on_batch: Callable[[Batch], None] | None = None,
) -> None:
    """Replay files, with a progress bar on long ones when stderr is a terminal."""
    total = total_bytes(files)
    bar = (
        click.progressbar(length=total, label="replaying", file=sys.stderr)
        if total > 5_000_000 and sys.stderr.isatty() else None
    )
    seen: dict[str, int] = {}

    def progress(batch: Batch) -> None:
        if bar:
            bar.update(batch.bytes_read - seen.get(batch.source, 0))
            seen[batch.source] = batch.bytes_read
        if on_batch:
            on_batch(batch)

    batch_size = 200 if speed > 0 else 2000
    batches = (b for path in files for b in read_batches(path, batch_size))
    try:
        await run_batches(job, batches, speed, progress)
    finally:
        if bar:
            bar.render_finish()


def print_summary(stats: JobStats, wall_s: float) -> None:
    rate = stats.records / wall_s if wall_s > 0 else 0.0
    rows = [
        ("records read", f"{stats.records:,}"),
        ("valid mentions", f"{stats.mentions:,}"),
        ("dead letters", f"{stats.dead_letters:,}"),
        ("complaints", f"{stats.complaints:,}"),
        ("incidents", f"{len(stats.incidents):,}"),
        ("event time", f"{iso_utc(stats.first_event)} → {iso_utc(stats.last_event)}" if stats.last_event else "-"),
        ("wall time", f"{wall_s:.2f} s ({rate:,.0f} records/s)"),
    ]
    rows += [(f"  complaints: {t}", f"{n:,}") for t, n in sorted(stats.complaints_by_topic.items())]
    rows += [(f"  alerts: {e}", f"{n:,}") for e, n in sorted(stats.alerts_by_event.items())]
    rows += [(f"  dead: {r}", f"{n:,}") for r, n in stats.dead_reasons.most_common(5)]
    width = max(len(k) for k, _ in rows)
    click.echo("\nsummary", err=True)
    for key, value in rows:
        click.echo(f"  {key:<{width}}  {value}", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@config_option
@state_options
@click.option("--alerts-out", type=click.Path(dir_okay=False), help="Write alert events as JSON lines.")
@click.option("--speed", type=float, default=0.0, show_default=True,
              help="0 = as fast as possible; X = X seconds of event time per second.")
@click.option("--keep-state", is_flag=True, help="Continue from the namespace's state instead of clearing it.")
@click.option("--no-paging", is_flag=True, help="Detect and record only; page nobody.")
@click.option("--quiet", is_flag=True, help="Do not print alerts as they fire.")
@reports_option
def replay(
    files: tuple[str, ...], config_path: str, redis_url: str | None, namespace: str, alerts_out: str | None,
    speed: float, keep_state: bool, no_paging: bool, quiet: bool, reports_dir: str | None,
) -> None:
    """Replay JSONL/CSV files of mentions through the pipeline (event time, from empty state)."""
    settings = load_or_exit(config_path)
    with open_state(redis_url, namespace) as state, _alerts_file(alerts_out) as out:
        if not keep_state:
            clear_namespace(state)
        job = Job(settings, state, alerts_out=out, echo=None if quiet else echo_alert, paging=not no_paging,
                  reports_dir=resolve_reports_dir(reports_dir))
        started = time.perf_counter()
        asyncio.run(run_files(job, list(files), speed))
        print_summary(job.stats, time.perf_counter() - started)


COMMANDS: list[click.Command] = [replay]
