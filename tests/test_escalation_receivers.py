"""Opsgenie, e-mail, the signed webhook and the console, each through the engine and its outbox."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import pytest
import redis

from escalation.engine import EscalationEngine
from escalation.lifecycle import acknowledge, load_incident, resolve
from escalation.plan import EscalationPlan, Level, Policy, ReceiverConfig, RetryPolicy
from state.keys import Keys
from tests.http_receivers import ReceiverServer, SmtpServer
from tests.test_escalation_engine import FAST_RETRY, T0, Clock, alert, settle


def single(cfg: ReceiverConfig, retry: RetryPolicy = FAST_RETRY) -> EscalationPlan:
    policy = Policy((Level((cfg.name,), 0.0),))
    return EscalationPlan({cfg.name: cfg}, {"emerging": policy, "crisis": policy}, wall_url="http://wall.test",
                          retry=retry)


def test_opsgenie_alert_is_created_acknowledged_and_closed_by_alias(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer() as server:
            cfg = ReceiverConfig("opsgenie", "opsgenie", options={"url": server.url("opsgenie")},
                                 secrets={"api_key": "genie-SECRET"})
            engine = EscalationEngine(redis_client, keys, single(cfg), clock=Clock())
            await engine.handle(alert())
            await engine.handle(alert())
            acknowledge(redis_client, keys, "outage-1", by="maria")
            await engine.tick()
            resolve(redis_client, keys, "outage-1", by="maria")
            await engine.tick()
            await engine.close()
            create, ack, close = server.ok("opsgenie")
            assert create.headers["Authorization"] == "GenieKey genie-SECRET"
            assert create.body["alias"] == "outage-1" and create.body["priority"] == "P1"
            assert create.body["message"].startswith("CRISIS outage: 240 voices")
            assert ack.path == "/opsgenie/v2/alerts/outage-1/acknowledge?identifierType=alias"
            assert ack.body["user"] == "maria"
            assert close.path == "/opsgenie/v2/alerts/outage-1/close?identifierType=alias"
            assert server.opsgenie_alerts == {"outage-1": {"creates": 1, "status": "closed"}}

    asyncio.run(scenario())


def test_webhook_is_signed_with_hmac_sha256(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with ReceiverServer(webhook_secret="hook-secret") as server:
            wrong = ReceiverConfig("webhook", "webhook", secrets={"url": server.url("webhook"), "secret": "other"})
            engine = EscalationEngine(redis_client, keys, single(wrong), clock=Clock())
            await engine.handle(alert(incident="outage-wrong"))
            await settle(engine, lambda: engine.outbox.pending() == 0)
            await engine.close()
            assert [r.status for r in server.requests] == [401]  # the server refuses a bad signature

            good = ReceiverConfig("webhook", "webhook", secrets={"url": server.url("webhook"), "secret": "hook-secret"})
            engine = EscalationEngine(redis_client, keys, single(good), clock=Clock())
            await engine.handle(alert())
            await engine.tick()
            await engine.close()
            [ok] = server.ok("webhook")
            assert ok.body["kind"] == "trigger" and ok.body["page"]["topic"] == "outage"
            assert ok.body["page"]["voices"] == 240 and ok.body["page"]["link"] == "http://wall.test/?incident=outage-1"
            body = json.dumps(ok.body, ensure_ascii=False, separators=(",", ":")).encode()
            stamp = ok.headers["X-Crisiswatch-Timestamp"]
            expected = hmac.new(b"hook-secret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            assert ok.headers["X-Crisiswatch-Signature"] == f"sha256={expected}"

    asyncio.run(scenario())
    assert load_incident(redis_client, keys, "outage-wrong").pages[0].status == "failed"  # type: ignore[union-attr]


def email_receiver(port: int) -> ReceiverConfig:
    return ReceiverConfig("mail", "email", options={"host": "127.0.0.1", "port": port, "from": "cw@example.com",
                                                    "to": ["pr-lead@example.com", "ceo@example.com"]})


def test_email_is_sent_over_smtp_retried_on_4xx_and_resolved(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with SmtpServer() as smtp:
            smtp.refuse("MAIL", "451 4.3.0 try again later")
            engine = EscalationEngine(redis_client, keys, single(email_receiver(smtp.port)), clock=Clock())
            await engine.handle(alert())
            await settle(engine, lambda: len(smtp.messages) == 1)
            acknowledge(redis_client, keys, "outage-1", by="maria")  # not mailed: mail goes to non-on-call
            await engine.tick()
            await engine.handle(alert("resolved", at=T0 + 3600, severity="emerging", voices=2))
            await settle(engine, lambda: len(smtp.messages) == 2)
            await engine.close()
            (sender, rcpts, first), (_, _, second) = smtp.messages
            assert sender == "cw@example.com" and rcpts == ["pr-lead@example.com", "ceo@example.com"]
            assert first["Subject"] == "[crisiswatch] CRISIS outage: 240 voices"
            assert "War-room wall: http://wall.test/?incident=outage-1" in first.get_payload()
            assert second["Subject"].startswith("[crisiswatch] resolved: outage")

    asyncio.run(scenario())
    page = load_incident(redis_client, keys, "outage-1").pages[0]  # type: ignore[union-attr]
    assert (page.status, page.attempts) == ("delivered", 2)


def test_email_rejected_recipient_is_not_retried(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        async with SmtpServer() as smtp:
            smtp.refuse("DATA", "554 5.7.1 message rejected")
            engine = EscalationEngine(redis_client, keys, single(email_receiver(smtp.port)), clock=Clock())
            await engine.handle(alert())
            await settle(engine, lambda: engine.outbox.pending() == 0)
            await engine.close()
            assert smtp.messages == []

    asyncio.run(scenario())
    page = load_incident(redis_client, keys, "outage-1").pages[0]  # type: ignore[union-attr]
    assert (page.status, page.attempts) == ("failed", 1)
    assert page.error == "SMTP 554: 5.7.1 message rejected"


def test_console_prints_the_page(redis_client: redis.Redis, namespace: str, capsys: pytest.CaptureFixture[str]) -> None:
    keys = Keys(namespace)

    async def scenario() -> None:
        engine = EscalationEngine(redis_client, keys, single(ReceiverConfig("console", "console")), clock=Clock())
        await engine.handle(alert())
        await engine.tick()
        await engine.close()

    asyncio.run(scenario())
    out = capsys.readouterr().out
    assert "→ page TRIGGER L1 [console] CRISIS outage: 240 voices  http://wall.test/?incident=outage-1" in out
