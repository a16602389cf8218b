"""The wall's commands: the benchmark prints its numbers; the server helper serves the wall."""

from __future__ import annotations

import re
import urllib.request

from click.testing import CliRunner

from dashboard.app import create_app
from dashboard.cli import bench_wall
from dashboard.server import serve_in_thread
from state.server import EmbeddedRedis


def test_bench_wall_prints_median_and_p95(redis_server: EmbeddedRedis) -> None:
    result = CliRunner().invoke(bench_wall, ["--topics", "5", "--runs", "3", "--redis-url", redis_server.url])
    assert result.exit_code == 0, result.output
    assert re.search(r"median \d+\.\d ms\s+p95 \d+\.\d ms", result.output)
    assert "5 topics" in result.output


def test_serve_in_thread_answers_on_its_url_and_stops(redis_server: EmbeddedRedis, namespace: str) -> None:
    served = serve_in_thread(create_app(redis_server.url, namespace, None), "127.0.0.1", 0)
    try:
        assert served.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(served.url, timeout=5) as response:
            page = response.read().decode()
        assert "crisiswatch wall" in page
    finally:
        served.stop()
    assert not served.thread.is_alive()
