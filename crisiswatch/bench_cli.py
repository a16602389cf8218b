"""``crisiswatch bench``: throughput and memory measured on realistic generated streams."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Iterator

import click

from config.options import config_option
from crisiswatch.job import Job, clear_namespace
from crisiswatch.pipeline_cli import load_or_exit, run_files
from state.options import state_options
from state.runtime import open_state
from stream.ingest import Ingest
from stream.scenarios import DAY, HOUR, TOPICS
from stream.simulator import DEFAULT_START, LANGS, Generator
from stream.sources import Batch


def realistic_lines(n: int, seed: int = 3, per_day: int = 150_000) -> Iterator[bytes]:
    """``n`` JSON lines, one day at a time: ~85% chatter, a trickle of gripes, a surge every day."""
    produced = 0
    day = 0
    while produced < n:
        g = Generator(seed + day)
        start = DEFAULT_START + day * DAY
        todo = min(per_day, n - produced)
        g.chatter(start, start + DAY, per_minute=todo * 0.85 / 1440)
        g.isolated(start, start + DAY, per_hour=todo * 0.12 / 24, topics=TOPICS)
        g.surge(TOPICS[day % len(TOPICS)], start + 13 * HOUR, 20 * 60, voices=int(todo * 0.02), langs=LANGS)
        lines = g.lines()[:todo]
        produced += len(lines)
        day += 1
        yield from (line.encode() for line in lines)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@click.group()
def bench() -> None:
    """Benchmarks: commands that print numbers."""


@bench.command("ingest")
@config_option
@click.option("-n", "count", type=int, default=300_000, show_default=True)
@click.option("--batch", type=int, default=2000, show_default=True)
def bench_ingest(config_path: str, count: int, batch: int) -> None:
    """Parse + validate + classify throughput on one core (CPU time: a busy machine does not distort it).

    Two passes over the same mentions: the first also compiles the query branches the words it
    meets route to (once per word and language, for the life of the job), the second is the
    steady state.
    """
    settings = load_or_exit(config_path)
    lines = list(realistic_lines(count))
    ingest = Ingest(settings.classifier, b"bench-key")
    for name in ("first pass", "steady state"):
        complaints = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(lines), batch):
            complaints += len(ingest.process(lines[i : i + batch]).complaints)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
        click.echo(f"ingest, {name}: {len(lines):,} mentions in {cpu:.2f} s CPU ({wall:.2f} s wall) = "
                   f"{len(lines) / cpu:,.0f} mentions/s ({cpu / len(lines) * 1e6:.2f} µs each; "
                   f"{complaints:,} complaints)")


@bench.command("replay")
@config_option
@state_options
@click.option("-n", "count", type=int, default=1_000_000, show_default=True)
def bench_replay(config_path: str, redis_url: str | None, namespace: str, count: int) -> None:
    """End-to-end replay throughput (parse → classify → windows → ladder → Redis) and memory."""
    settings = load_or_exit(config_path)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.jsonl")
        with open(path, "wb") as fh:
            for line in realistic_lines(count):
                fh.write(line + b"\n")
        size_mb = os.path.getsize(path) / 1e6
        namespace = namespace if namespace != "default" else "bench"
        with open_state(redis_url, namespace) as state:
            clear_namespace(state)
            job = Job(settings, state, paging=False)
            samples: list[tuple[int, float]] = []
            every = max(count // 10, 1)

            def sample(_batch: Batch) -> None:
                if job.stats.records // every > len(samples):
                    samples.append((job.stats.records, rss_mb()))

            started = time.perf_counter()
            asyncio.run(run_files(job, [path], on_batch=sample))
            elapsed = time.perf_counter() - started
            redis_mb = int(state.client.info("memory")["used_memory"]) / 1e6
            clear_namespace(state)
    s = job.stats
    click.echo(f"replay: {s.records:,} mentions ({size_mb:.0f} MB) in {elapsed:.2f} s = "
               f"{s.records / elapsed:,.0f} mentions/s; {s.complaints:,} complaints, "
               f"{len(s.incidents)} incidents, {s.dead_letters} dead letters")
    click.echo("process memory (RSS) as the stream grows: " +
               ", ".join(f"{n // 1000:,}k: {mb:.0f} MB" for n, mb in samples))
    click.echo(f"redis memory at the end: {redis_mb:.1f} MB")


COMMANDS: list[click.Command] = [bench]
