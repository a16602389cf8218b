"""Real receiver servers on 127.0.0.1 for the escalation tests.

``ReceiverServer`` answers like PagerDuty's Events API v2 (202, 400 on an invalid event, dedup
by ``dedup_key``), Opsgenie's Alert API (202, 401 without a GenieKey), a Slack incoming webhook
(200 ``ok``, 400 ``no_text``) and a generic webhook that checks the HMAC signature. Each route
can be told to answer the next requests with 500, 429, 400 or to hang past the client timeout.
``SmtpServer`` is a small real SMTP server (EHLO/MAIL/RCPT/DATA) that stores what it receives
and can refuse with 4xx/5xx replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiohttp import web

PD_SEVERITIES = {"critical", "error", "warning", "info"}


@dataclass
class Received:
    route: str
    body: Any
    headers: dict[str, str]
    status: int
    at: float = field(default_factory=time.perf_counter)
    path: str = ""


class ReceiverServer:
    def __init__(self, webhook_secret: str = "s3cret", hang_s: float = 3.0) -> None:
        self.webhook_secret = webhook_secret
        self.hang_s = hang_s
        self.requests: list[Received] = []
        self.script: dict[str, list[int | str]] = {}
        self.pd_alerts: dict[tuple[str, str], dict[str, Any]] = {}
        self.opsgenie_alerts: dict[str, dict[str, Any]] = {}
        self.arrivals: asyncio.Queue[Received] | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- scripting ---------------------------------------------------------------------------
    def fail(self, route: str, *answers: int | str) -> None:
        """The next requests on ``route`` get these answers in order (an int status or "timeout")."""
        self.script.setdefault(route, []).extend(answers)

    def ok(self, route: str) -> list[Received]:
        return [r for r in self.requests if r.route == route and 200 <= r.status < 300]

    def url(self, route: str) -> str:
        return f"http://127.0.0.1:{self.port}/{route}"

    # -- server ------------------------------------------------------------------------------
    async def start(self) -> ReceiverServer:
        app = web.Application()
        app.router.add_post("/pagerduty/v2/enqueue", self._pagerduty)
        app.router.add_post("/slack/{hook:.*}", self._slack)
        app.router.add_post("/webhook", self._webhook)
        app.router.add_post("/opsgenie/v2/alerts", self._opsgenie)
        app.router.add_post("/opsgenie/v2/alerts/{alias}/{action}", self._opsgenie)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> ReceiverServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def in_thread(cls, **kwargs: Any) -> Iterator[ReceiverServer]:
        """For code that runs its own event loop (CLI commands): the server in a thread."""
        server = cls(**kwargs)
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(server.start())
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        ready.wait(10)
        try:
            yield server
        finally:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    # -- behaviour ---------------------------------------------------------------------------
    async def _scripted(self, route: str, request: web.Request, body: Any) -> int | None:
        """The scripted answer; "timeout" hangs past the client's timeout, "slow" answers
        normally but only after ``hang_s`` (the client may be gone by then)."""
        answers = self.script.get(route)
        if not answers:
            return None
        answer = answers.pop(0)
        if answer == "slow":
            await asyncio.sleep(self.hang_s)
            return None
        if answer == "timeout":
            # Recorded on arrival: the client gives up long before this answer would come.
            await self._record(request, route, 504, body)
            await asyncio.sleep(self.hang_s)
            return -1
        return int(answer)

    async def _record(self, request: web.Request, route: str, status: int, body: Any) -> None:
        received = Received(route, body, dict(request.headers), status, path=request.path_qs)
        self.requests.append(received)
        if self.arrivals is not None:
            self.arrivals.put_nowait(received)

    async def _read(self, request: web.Request) -> tuple[bytes, Any]:
        raw = await request.read()
        try:
            return raw, json.loads(raw)
        except ValueError:
            return raw, None

    async def _pagerduty(self, request: web.Request) -> web.Response:
        _, body = await self._read(request)
        status = await self._scripted("pagerduty", request, body)
        if status == -1:
            return web.Response(status=504)
        if status is None:
            problem = _pd_problem(body)
            status = 400 if problem else 202
        await self._record(request, "pagerduty", status, body)
        if status == 202:
            key = (body["routing_key"], body["dedup_key"])
            alert = self.pd_alerts.setdefault(key, {"triggers": 0, "status": "triggered", "log": []})
            alert["log"].append(body["event_action"])
            if body["event_action"] == "trigger":
                alert["triggers"] += 1
                alert["summary"] = body["payload"]["summary"]
            elif body["event_action"] == "acknowledge":
                alert["status"] = "acknowledged"
            else:
                alert["status"] = "resolved"
            return web.json_response({"status": "success", "message": "Event processed",
                                      "dedup_key": body["dedup_key"]}, status=202)
        if status == 400:
            return web.json_response({"status": "invalid event", "message": "Event object is invalid",
                                      "errors": [_pd_problem(body) or "invalid"]}, status=400)
        headers = {"Retry-After": "0"} if status == 429 else {}
        return web.json_response({"status": "throttled" if status == 429 else "error"}, status=status,
                                 headers=headers)

    async def _slack(self, request: web.Request) -> web.Response:
        _, body = await self._read(request)
        status = await self._scripted("slack", request, body)
        if status == -1:
            return web.Response(status=504)
        if status is None:
            status = 200 if isinstance(body, dict) and (body.get("text") or body.get("blocks")) else 400
        await self._record(request, "slack", status, body)
        text = {200: "ok", 400: "no_text", 429: "rate_limited"}.get(status, "internal_error")
        headers = {"Retry-After": "0"} if status == 429 else {}
        return web.Response(text=text, status=status, headers=headers)

    async def _webhook(self, request: web.Request) -> web.Response:
        raw, body = await self._read(request)
        status = await self._scripted("webhook", request, body)
        if status == -1:
            return web.Response(status=504)
        if status is None:
            stamp = request.headers.get("X-Crisiswatch-Timestamp", "")
            expected = "sha256=" + hmac.new(self.webhook_secret.encode(), stamp.encode() + b"." + raw,
                                            hashlib.sha256).hexdigest()
            good = hmac.compare_digest(expected, request.headers.get("X-Crisiswatch-Signature", ""))
            status = 200 if good else 401
        await self._record(request, "webhook", status, body)
        return web.json_response({"ok": 200 <= status < 300}, status=status)

    async def _opsgenie(self, request: web.Request) -> web.Response:
        _, body = await self._read(request)
        status = await self._scripted("opsgenie", request, body)
        if status == -1:
            return web.Response(status=504)
        if status is None:
            status = 202 if request.headers.get("Authorization", "").startswith("GenieKey ") else 401
        await self._record(request, "opsgenie", status, body)
        if status == 202:
            action = request.match_info.get("action", "create")
            alias = request.match_info.get("alias") or body.get("alias")
            alert = self.opsgenie_alerts.setdefault(alias, {"creates": 0, "status": "open"})
            if action == "create":
                alert["creates"] += 1
            else:
                alert["status"] = {"acknowledge": "acknowledged", "close": "closed"}.get(action, action)
        return web.json_response({"result": "Request will be processed", "requestId": "r1"}, status=status)


def _pd_problem(body: Any) -> str | None:
    """What PagerDuty's Events API v2 would reject the event for."""
    if not isinstance(body, dict):
        return "body is not a JSON object"
    if not body.get("routing_key"):
        return "routing_key is missing"
    if body.get("event_action") not in ("trigger", "acknowledge", "resolve"):
        return "event_action must be trigger, acknowledge or resolve"
    if body["event_action"] != "trigger":
        return None if body.get("dedup_key") else "dedup_key is required to acknowledge or resolve"
    payload = body.get("payload")
    if not isinstance(payload, dict):
        return "payload is required for trigger"
    for key in ("summary", "source", "severity"):
        if not payload.get(key):
            return f"payload.{key} is missing"
    if payload["severity"] not in PD_SEVERITIES:
        return "payload.severity is invalid"
    if len(payload["summary"]) > 1024:
        return "payload.summary is longer than 1024"
    return None


class SmtpServer:
    """A real (small) SMTP server: enough of RFC 5321 for smtplib's send_message."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []
        self.script: list[tuple[str, str]] = []  # (command, reply) to answer instead, once each
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    def refuse(self, command: str, reply: str) -> None:
        self.script.append((command.upper(), reply))

    async def __aenter__(self) -> SmtpServer:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    def _scripted(self, command: str) -> str | None:
        for i, (cmd, reply) in enumerate(self.script):
            if cmd == command:
                del self.script[i]
                return reply
        return None

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        say("220 test.local ESMTP ready")
        sender, rcpts = "", []
        try:
            while line := await reader.readline():
                text = line.decode(errors="replace").rstrip("\r\n")
                command = text.split(" ", 1)[0].split(":", 1)[0].upper()
                if (reply := self._scripted(command)) is not None:
                    say(reply)
                elif command == "EHLO":
                    say("250-test.local")
                    say("250 8BITMIME")
                elif command == "HELO" or command in ("RSET", "NOOP"):
                    say("250 ok")
                elif command == "MAIL":
                    sender, rcpts = text.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                    say("250 ok")
                elif command == "RCPT":
                    rcpts.append(text.split(":", 1)[1].strip().strip("<>").split(">")[0])
                    say("250 ok")
                elif command == "DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    data = b""
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    self.messages.append((sender, rcpts, message_from_bytes(data)))
                    say("250 queued")
                elif command == "QUIT":
                    say("221 bye")
                    await writer.drain()
                    break
                else:
                    say("502 not implemented")
                await writer.drain()
        finally:
            writer.close()
