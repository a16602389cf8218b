"""``crisiswatch dashboard`` (serve the wall) and ``crisiswatch bench-wall`` (time one refresh)."""

from __future__ import annotations

import time

import click
import redis

from dashboard.app import create_app
from dashboard.options import WallOptions, parse_duration
from dashboard.server import serve_in_thread
from state.keys import Keys
from state.options import state_options
from state.runtime import open_state
from state.server import EmbeddedRedis


@click.command("dashboard")
@state_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for a TV).")
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--refresh", "refresh_s", default=5.0, show_default=True, type=float, help="Seconds between updates.")
@click.option("--stale-after", "stale_after_s", default=30.0, show_default=True, type=float,
              help="Say the data is stale after this many seconds without a pipeline heartbeat.")
@click.option("--operator-token", envvar="CRISISWATCH_OPERATOR_TOKEN", default=None,
              help="Token that allows acknowledge/resolve from the wall [env CRISISWATCH_OPERATOR_TOKEN]. "
                   "Without it the wall is read-only.")
def dashboard_cmd(redis_url: str | None, namespace: str, host: str, port: int, refresh_s: float,
                  stale_after_s: float, operator_token: str | None) -> None:
    """Serve the war-room wall. URL options: ?topics=a,b&theme=light&range=6h&refresh=10&token=..."""
    with open_state(redis_url, namespace) as state:
        app = create_app(state.url, namespace, operator_token, refresh_s, stale_after_s)
        served = serve_in_thread(app, host, port)
        mode = "acknowledge with the operator token" if operator_token else "read-only"
        click.echo(f"wall: {served.url}  (namespace {namespace}, {mode}; Ctrl-C to stop)")
        try:
            while served.thread.is_alive():
                served.thread.join(timeout=0.5)
        except KeyboardInterrupt:
            click.echo("stopping the wall")
        finally:
            served.stop()


@click.command("bench-wall")
@click.option("--topics", default=50, show_default=True, type=int)
@click.option("--runs", default=30, show_default=True, type=int)
@click.option("--range", "range_text", default="6h", show_default=True, help="Chart range, e.g. 6h, 90m.")
@click.option("--redis-url", envvar="REDIS_URL", default=None,
              help="Use this Redis (a scratch namespace is written and deleted); default: a private embedded one.")
def bench_wall(topics: int, runs: int, range_text: str, redis_url: str | None) -> None:
    """Time one wall refresh (Redis read + every figure) on synthetic state; target <= 200 ms at 50 topics."""
    from dashboard.bench import bench, write_synthetic

    range_s = parse_duration(range_text) or 6 * 3600
    embedded = None if redis_url else EmbeddedRedis().start()
    url = redis_url or embedded.url  # type: ignore[union-attr]
    client = redis.Redis.from_url(url, decode_responses=True)
    keys = Keys(f"bench-wall-{int(time.time())}")
    try:
        write_synthetic(client, keys, topics, range_s, end=time.time())
        result = bench(client, keys, WallOptions(range_s=range_s), runs)
        click.echo(f"wall refresh, {topics} topics, {range_text} range ({int(range_s // 60)} minutes each), "
                   f"{result.runs} runs")
        click.echo(f"  total (read + figures + JSON): median {result.median_ms:.1f} ms   p95 {result.p95_ms:.1f} ms")
        click.echo(f"  Redis read alone:              median {result.read_median_ms:.1f} ms")
        click.echo(f"  payload to the browser:        {result.payload_kb:.0f} KiB")
    finally:
        for key in client.scan_iter(keys.scan_pattern(), count=1000):
            client.delete(key)
        client.close()
        if embedded:
            embedded.stop()


COMMANDS = [dashboard_cmd, bench_wall]
