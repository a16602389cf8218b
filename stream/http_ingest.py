"""The HTTP ingest endpoint: mentions POSTed by a collector, in the same contract as a file line.

The body is JSON lines, a JSON array of mentions, or one mention object. Records are not
validated here: they travel to the ingest stage like file lines, so a bad one becomes a dead
letter with its reason and never costs the good records around it.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

MAX_BODY_BYTES = 16 * 1024 * 1024
Feed = Callable[[list[Any], str, int | None], Awaitable[None]]


def split_body(body: bytes) -> list[Any]:
    """Raw records from a body: array elements (dicts), else non-empty lines (bytes)."""
    stripped = body.strip()
    if stripped.startswith(b"["):
        try:
            records = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            pass  # not one array after all: treat it as lines, each judged on its own
        else:
            if isinstance(records, list):  # a non-object element is re-encoded so it dead-letters
                return [r if isinstance(r, dict) else orjson.dumps(r) for r in records]
    return [line.strip() for line in stripped.splitlines() if line.strip()]


def build_ingest_app(feed: Feed, token: str | None = None) -> web.Application:
    """``POST /mentions`` (Bearer ``token`` when set) and ``GET /healthz``."""

    async def mentions(request: web.Request) -> web.Response:
        if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
            return web.json_response({"error": "missing or wrong bearer token"}, status=401)
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.json_response({"error": f"body larger than {MAX_BODY_BYTES // 2**20} MB"}, status=413)
        body = await request.read()
        records = split_body(body)
        if records:
            await feed(records, f"http:{request.remote}", 1)
        return web.json_response({"received": len(records)}, status=202)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/mentions", mentions)
    app.router.add_get("/healthz", healthz)
    return app
