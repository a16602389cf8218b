"""The on-call commands and the operator HTTP endpoint, against a real Redis and real servers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis
from aiohttp import web
from click.testing import CliRunner

from crisiswatch.cli import main
from escalation.api import build_app
from escalation.engine import EscalationEngine
from escalation.lifecycle import load_incident
from escalation.plan import EscalationPlan, Level, Policy, ReceiverConfig
from state.keys import Keys
from tests.http_receivers import ReceiverServer
from tests.test_escalation_engine import Clock, alert

CONFIG = """\
escalation:
  wall_url: http://wall.test
  retry: {attempts: 2, backoff: 0.01s, timeout: 2s}
  receivers:
    console:
      type: console
    slack:
      type: slack
      enabled_if_env: TEST_SLACK_URL
      url: ${TEST_SLACK_URL}
  plan:
    emerging:
      levels: [{receivers: [console, slack], after: 0}]
    crisis:
      levels: [{receivers: [console, slack], after: 0}]
topics:
  outage: {}
  billing: {}
"""


def open_incident(client: redis.Redis, keys: Keys, incident: str = "outage-20240529T1626") -> None:
    console = ReceiverConfig("console", "console")
    policy = Policy((Level(("console",), 0.0),))
    plan = EscalationPlan({"console": console}, {"emerging": policy, "crisis": policy})

    async def go() -> None:
        engine = EscalationEngine(client, keys, plan, clock=Clock())
        await engine.handle(alert(incident=incident))
        await engine.tick()
        await engine.close()

    asyncio.run(go())


def cli(redis_server: Any, namespace: str, *args: str) -> Any:
    return CliRunner().invoke(main, [*args, "--redis-url", redis_server.url, "--namespace", namespace])


def test_ack_resolve_and_incidents_from_the_command_line(
    redis_server: Any, redis_client: redis.Redis, namespace: str,
) -> None:
    keys = Keys(namespace)
    open_incident(redis_client, keys)
    listed = cli(redis_server, namespace, "incidents")
    assert listed.exit_code == 0, listed.output
    assert "outage-20240529T1626" in listed.output and "NOT ACKED" in listed.output
    assert "paged: console (delivered)" in listed.output

    acked = cli(redis_server, namespace, "ack", "outage-2024", "--by", "maria")  # an unambiguous prefix is enough
    assert acked.exit_code == 0, acked.output
    assert "acknowledged outage-20240529T1626 (outage, crisis) by maria" in acked.output
    again = cli(redis_server, namespace, "ack", "outage-20240529T1626", "--by", "ion")
    assert "already acknowledged (acknowledged by maria)" in again.output

    resolved = cli(redis_server, namespace, "resolve", "outage-20240529T1626", "--by", "maria")
    assert resolved.exit_code == 0 and "resolved outage-20240529T1626" in resolved.output
    assert cli(redis_server, namespace, "incidents").output.strip() == "no open incidents"

    data = json.loads(cli(redis_server, namespace, "incidents", "--all", "--json").output)
    [record] = data["incidents"]
    assert (record["status"], record["acknowledged_by"], record["resolved_by"]) == ("resolved", "maria", "maria")
    assert record["acknowledged_at"].endswith("Z")


def test_unknown_incident_is_a_clear_error(redis_server: Any, namespace: str) -> None:
    result = cli(redis_server, namespace, "ack", "nope", "--by", "maria")
    assert result.exit_code == 1
    assert "no incident 'nope'" in result.output


def test_silence_add_list_remove(redis_server: Any, namespace: str, tmp_path: Path) -> None:
    config = tmp_path / "t.yaml"
    config.write_text(CONFIG)
    added = cli(redis_server, namespace, "silence", "add", "outage", "--for", "2h", "--reason", "planned maintenance",
                "--config", str(config))
    assert added.exit_code == 0, added.output
    silence_id = added.output.split()[1].rstrip(":")
    listed = cli(redis_server, namespace, "silence", "list")
    assert silence_id in listed.output and "planned maintenance" in listed.output
    typo = cli(redis_server, namespace, "silence", "add", "outgae", "--for", "2h", "--config", str(config))
    assert typo.exit_code == 2 and "'outgae' is not a topic" in typo.output
    bad = cli(redis_server, namespace, "silence", "add", "all", "--for", "soon", "--config", str(config))
    assert bad.exit_code == 2 and "not a duration" in bad.output
    assert cli(redis_server, namespace, "silence", "remove", silence_id).exit_code == 0
    assert cli(redis_server, namespace, "silence", "list").output.strip() == "no silences"


def test_page_test_sends_a_clearly_marked_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "t.yaml"
    config.write_text(CONFIG)
    with ReceiverServer.in_thread() as server:
        monkeypatch.setenv("TEST_SLACK_URL", server.url("slack/T1/B1/secretpart"))
        result = CliRunner().invoke(main, ["page-test", "slack", "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert "test page delivered to slack" in result.output
        [page] = server.ok("slack")
        assert page.body["text"].startswith(":test_tube: [TEST] crisiswatch test page")
        assert "no action needed" in page.body["text"]

        server.fail("slack", 500, 500)
        failed = CliRunner().invoke(main, ["page-test", "slack", "--config", str(config)])
        assert failed.exit_code == 1
        assert "failed after 2 tries: HTTP 500" in failed.output and "secretpart" not in failed.output


def test_page_test_names_the_missing_variable_of_a_disabled_receiver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEST_SLACK_URL", raising=False)
    config = tmp_path / "t.yaml"
    config.write_text(CONFIG)
    result = CliRunner().invoke(main, ["page-test", "slack", "--config", str(config)])
    assert result.exit_code == 1
    assert "receiver 'slack' is disabled: TEST_SLACK_URL is not set" in result.output


def test_configuration_error_names_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "t.yaml"
    emerging = "emerging:\n      levels: [{receivers: [console, slack]"
    config.write_text(CONFIG.replace(emerging, emerging.replace("slack", "slak")))
    result = CliRunner().invoke(main, ["page-test", "console", "--config", str(config)])
    assert result.exit_code == 1
    assert f"{config}:13: unknown receiver 'slak'; did you mean 'slack'?" in result.output


# -- the authenticated HTTP endpoint ---------------------------------------------------------

def test_operator_api_requires_the_token_and_acks_and_resolves(redis_client: redis.Redis, namespace: str) -> None:
    keys = Keys(namespace)
    open_incident(redis_client, keys, "billing-1")

    async def scenario() -> None:
        runner = web.AppRunner(build_app(redis_client, keys, "op-token"))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        auth = {"Authorization": "Bearer op-token"}
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/api/incidents") as r:
                    assert r.status == 401
                async with http.get(f"{base}/api/incidents", headers={"Authorization": "Bearer nope"}) as r:
                    assert r.status == 401
                async with http.post(f"{base}/api/incidents/billing-1/ack", json={"by": "x"}) as r:
                    assert r.status == 401
                async with http.get(f"{base}/api/incidents", headers=auth) as r:
                    assert r.status == 200
                    [listed] = (await r.json())["incidents"]
                    assert listed["incident_id"] == "billing-1" and listed["status"] == "open"
                async with http.post(f"{base}/api/incidents/billing-1/ack", json={}, headers=auth) as r:
                    assert r.status == 400
                async with http.post(f"{base}/api/incidents/billing-1/ack", json={"by": "maria"}, headers=auth) as r:
                    assert r.status == 200 and (await r.json())["acknowledged_by"] == "maria"
                async with http.post(f"{base}/api/incidents/nope/resolve", json={"by": "maria"}, headers=auth) as r:
                    assert r.status == 404
                async with http.post(f"{base}/api/incidents/billing-1/resolve", json={"by": "ion"},
                                     headers=auth) as r:
                    assert r.status == 200
                async with http.get(f"{base}/api/incidents", headers=auth) as r:
                    assert (await r.json())["incidents"] == []
                async with http.get(f"{base}/api/incidents/billing-1", headers=auth) as r:
                    assert (await r.json())["resolved_by"] == "ion"
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
    record = load_incident(redis_client, keys, "billing-1")
    assert record is not None and record.status == "resolved"


def test_operator_api_without_a_configured_token_refuses_everyone(redis_client: redis.Redis, namespace: str) -> None:
    async def scenario() -> None:
        runner = web.AppRunner(build_app(redis_client, Keys(namespace), None))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/api/incidents", headers={"Authorization": "Bearer "}) as r:
                    assert r.status == 401
                async with http.get(f"{base}/healthz") as r:
                    assert r.status == 200
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_escalation_api_command_needs_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRISISWATCH_OPERATOR_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["escalation-api"])
    assert result.exit_code == 1 and "set CRISISWATCH_OPERATOR_TOKEN" in result.output
