"""Mentions POSTed to the live ingest endpoint reach detection like file lines do."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

import aiohttp
import orjson
import redis

from crisiswatch.job import Job
from crisiswatch.serve_cli import run_live
from crisiswatch.settings import load_settings
from state.keys import Keys
from state.runtime import State
from state.server import EmbeddedRedis
from stream.http_ingest import split_body
from stream.scenarios import flash_crisis

CONFIG = str(Path(__file__).resolve().parent.parent / "thresholds.yaml")
TOKEN = "ingest-secret"


def test_body_forms_split_into_records() -> None:
    line = {"id": "1", "created_at": 1, "author": "a", "text": "t"}
    assert split_body(b'{"id": 1}\n\n{"id": 2}\n') == [b'{"id": 1}', b'{"id": 2}']
    assert split_body(orjson.dumps([line, 5, "x"])) == [line, b"5", b'"x"']
    assert split_body(b"[1, 2\n{broken") == [b"[1, 2", b"{broken"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_posted_crisis_is_detected_and_bad_posts_are_refused_or_dead_lettered(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, namespace: str
) -> None:
    settings = load_settings(CONFIG)
    state = State(redis_client, Keys(namespace), redis_server.url)
    lines = flash_crisis(start=time.time() - 4 * 3600).lines
    job = Job(settings, state, paging=False, live=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/mentions"

    async def scenario() -> None:
        stop = asyncio.Event()
        server = asyncio.create_task(run_live(job, "127.0.0.1", port, TOKEN, stop))
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as reply:
                        if reply.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            async with http.post(url, data="\n".join(lines[:10])) as reply:
                assert reply.status == 401
            for i in range(0, len(lines), 500):
                body = "\n".join(lines[i : i + 500]) + ("\n{not json" if i == 0 else "")
                async with http.post(url, data=body.encode(), headers=auth) as reply:
                    assert reply.status == 202
                    assert (await reply.json())["received"] == len(lines[i : i + 500]) + (i == 0)
        await job.drain()
        stop.set()
        await server

    asyncio.run(scenario())
    alerts = [json.loads(f["json"]) for _, f in redis_client.xrange(state.keys.alerts)]
    assert any(a["topic"] == "delivery" and a["severity"] == "crisis" for a in alerts)
    assert int(redis_client.hget(state.keys.heartbeat, "dead_letters")) == 1
    assert job.stats.records == len(lines) + 1
