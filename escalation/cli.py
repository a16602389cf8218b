"""Commands for the people on call: ack, resolve, incidents, silences, test pages, the API."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import time

import click
import redis

from config.errors import ConfigError
from config.options import config_option
from config.yaml_lines import LocatedYaml, load_yaml
from detectors.events import iso_utc
from escalation.engine import pending_summary
from escalation.lifecycle import acknowledge, find_incident, list_incidents, resolve
from escalation.messages import page_test_message
from escalation.model import Delivery, Incident
from escalation.notify import receiver_health, send_once
from escalation.plan import EscalationPlan, parse_escalation
from escalation.silence import ALL, add_silence, list_silences, parse_duration, remove_silence
from state.keys import Keys
from state.options import state_options
from state.runtime import open_state

TOKEN_ENV = "CRISISWATCH_OPERATOR_TOKEN"


def topic_names(doc: LocatedYaml) -> list[str]:
    """Topic names from the ``topics:`` section, whichever of its two shapes is used."""
    topics = doc.data.get("topics")
    if isinstance(topics, dict):
        return [str(name) for name in topics]
    if isinstance(topics, list):
        return [str(t["name"]) for t in topics if isinstance(t, dict) and "name" in t]
    return []


def load_plan(config_path: str) -> tuple[EscalationPlan, list[str]]:
    try:
        doc = load_yaml(config_path)
        names = topic_names(doc)
        return parse_escalation(doc, names), names
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def _find(client: redis.Redis, keys: Keys, incident_id: str) -> Incident:
    try:
        return find_incident(client, keys, incident_id)
    except KeyError:
        raise click.ClickException(f"no incident {incident_id!r}; see `crisiswatch incidents --all`") from None
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None


def _who() -> str:
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "operator"


@click.command()
@click.argument("incident_id")
@click.option("--by", required=True, help="Who takes it (shown on the wall and in the report).")
@state_options
def ack(incident_id: str, by: str, redis_url: str | None, namespace: str) -> None:
    """Acknowledge an incident: escalation stops, reminders go on until it is resolved."""
    with open_state(redis_url, namespace) as state:
        found = _find(state.client, state.keys, incident_id)
        incident = acknowledge(state.client, state.keys, found.incident_id, by)
    if incident.acknowledged_by != by:
        click.echo(f"{incident.incident_id} was already {incident.status}"
                   + (f" (acknowledged by {incident.acknowledged_by})" if incident.acknowledged_by else ""))
    else:
        click.echo(f"acknowledged {incident.incident_id} ({incident.topic}, {incident.severity}) by {by}")


@click.command(name="resolve")
@click.argument("incident_id")
@click.option("--by", default=None, help="Who resolved it; default: your user name.")
@state_options
def resolve_cmd(incident_id: str, by: str | None, redis_url: str | None, namespace: str) -> None:
    """Resolve an incident: no more pages; receivers that support it are told."""
    by = by or _who()
    with open_state(redis_url, namespace) as state:
        found = _find(state.client, state.keys, incident_id)
        was = found.status
        incident = resolve(state.client, state.keys, found.incident_id, by)
    if was == "resolved":
        click.echo(f"{incident.incident_id} was already resolved (by {incident.resolved_by})")
    else:
        click.echo(f"resolved {incident.incident_id} ({incident.topic}, {incident.severity}) by {by}")


def _since(ts: float | None, now: float) -> str:
    if ts is None:
        return "-"
    minutes = max(0, int((now - ts) // 60))
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Include resolved incidents.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@state_options
def incidents(show_all: bool, as_json: bool, redis_url: str | None, namespace: str) -> None:
    """Incidents with their status, who acknowledged, and who was paged (delivery problems too)."""
    with open_state(redis_url, namespace) as state:
        found = list_incidents(state.client, state.keys, open_only=not show_all)
        health = receiver_health(state.client, state.keys)
        pending = pending_summary(state.client, state.keys)
    if as_json:
        click.echo(json.dumps({"incidents": [i.to_json() for i in found], "receivers": health,
                               "pending_deliveries": pending}, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no open incidents" if not show_all else "no incidents")
    now = time.time()
    for inc in found:
        who = f"ack {inc.acknowledged_by}" if inc.acknowledged_by else ("resolved" if not inc.is_open else "NOT ACKED")
        muted = " MUTED" if inc.muted else ""
        click.echo(f"{inc.incident_id}  {inc.topic:<9} {inc.severity:<8} {inc.status:<12} L{inc.level}  "
                   f"opened {iso_utc(inc.opened_at)} ({_since(inc.opened_at, now)} ago)  {who}{muted}")
        last: dict[str, str] = {}
        for page in inc.pages:
            last[page.receiver] = page.status + (f": {page.error}" if page.status == "failed" and page.error else "")
        if last:
            click.echo("    paged: " + ", ".join(f"{r} ({s})" for r, s in last.items()))
    troubled = {n: h for n, h in health.items() if h.get("consecutive_failures")}
    for name, h in troubled.items():
        click.echo(f"receiver {name}: {h['consecutive_failures']} failures in a row — {h.get('last_error', '')}",
                   err=True)
    if pending:
        click.echo("deliveries waiting: " + ", ".join(f"{n} {c}" for n, c in pending.items()), err=True)


@click.group()
def silence() -> None:
    """Mute a topic (or all) for planned maintenance: alerts are recorded, nobody is paged."""


@silence.command(name="add")
@click.argument("topic")
@click.option("--for", "for_", required=True, help="How long: 30m, 2h, 1d.")
@click.option("--reason", default="", help="Shown with the silence, e.g. 'planned maintenance'.")
@click.option("--by", default=None, help="Who set it; default: your user name.")
@config_option
@state_options
def silence_add(topic: str, for_: str, reason: str, by: str | None, config_path: str, redis_url: str | None,
                namespace: str) -> None:
    """Mute TOPIC (or 'all')."""
    try:
        seconds = parse_duration(for_)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--for") from None
    if topic != ALL and os.path.exists(config_path):
        _, names = load_plan(config_path)
        if names and topic not in names:
            raise click.BadParameter(f"{topic!r} is not a topic; one of {', '.join(names)} or 'all'",
                                     param_hint="TOPIC")
    with open_state(redis_url, namespace) as state:
        s = add_silence(state.client, state.keys, topic, seconds, reason, by or _who())
    click.echo(f"silence {s.id}: {topic} muted until {iso_utc(s.ends_at)}" + (f" ({reason})" if reason else ""))


@silence.command(name="list")
@state_options
def silence_list(redis_url: str | None, namespace: str) -> None:
    """Silences in force now or planned."""
    with open_state(redis_url, namespace) as state:
        found = list_silences(state.client, state.keys)
    if not found:
        click.echo("no silences")
    for s in found:
        click.echo(f"{s.id}  {s.topic:<9} {iso_utc(s.starts_at)} → {iso_utc(s.ends_at)}  {s.by}  {s.reason}")


@silence.command(name="remove")
@click.argument("silence_id")
@state_options
def silence_remove(silence_id: str, redis_url: str | None, namespace: str) -> None:
    """End a silence now; still-open muted incidents are paged on the engine's next tick."""
    with open_state(redis_url, namespace) as state:
        if not remove_silence(state.client, state.keys, silence_id):
            raise click.ClickException(f"no silence {silence_id!r}; see `crisiswatch silence list`")
    click.echo(f"silence {silence_id} removed")


@click.command(name="page-test")
@click.argument("receiver")
@config_option
def page_test(receiver: str, config_path: str) -> None:
    """Send a clearly marked test page to RECEIVER, with the plan's retries."""
    plan, _ = load_plan(config_path)
    cfg = plan.receivers.get(receiver)
    if cfg is None:
        raise click.ClickException(f"no receiver {receiver!r}; defined: {', '.join(plan.receivers)}")
    if not cfg.enabled:
        raise click.ClickException(f"receiver {receiver!r} is disabled: {cfg.disabled_reason}")
    now = time.time()
    message = page_test_message(receiver, now, plan.wall_url)
    delivery = Delivery(f"test:{receiver}:{int(now * 1000)}", receiver, message.incident_id, message, created_at=now)
    ok, attempts, error = asyncio.run(send_once(cfg, delivery, plan))
    if not ok:
        raise click.ClickException(f"test page to {receiver} failed after {attempts} tries: {error}")
    click.echo(f"test page delivered to {receiver} ({cfg.type}) after {attempts} {'try' if attempts == 1 else 'tries'}")


@click.command(name="escalation-api")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8060, show_default=True)
@state_options
def escalation_api(host: str, port: int, redis_url: str | None, namespace: str) -> None:
    """Serve incidents/ack/resolve over HTTP (Bearer $CRISISWATCH_OPERATOR_TOKEN)."""
    from aiohttp import web

    from escalation.api import build_app

    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise click.ClickException(f"set {TOKEN_ENV}: without it nobody could use the endpoint")
    with open_state(redis_url, namespace) as state:
        click.echo(f"escalation API on http://{host}:{port}/api/incidents")
        web.run_app(build_app(state.client, state.keys, token), host=host, port=port, print=None)


@click.command(name="bench-paging")
@click.option("--alerts", type=int, default=300, show_default=True, help="New incidents to page.")
@click.option("--gap", type=float, default=0.005, show_default=True, help="Seconds between alerts.")
@state_options
def bench_paging_cmd(alerts: int, gap: float, redis_url: str | None, namespace: str) -> None:
    """Alert -> receiver HTTP request latency through the real engine and outbox (p50/p95/p99)."""
    from escalation.bench import bench_paging

    with open_state(redis_url, namespace) as state:
        result = asyncio.run(bench_paging(state.client, None, alerts, gap))
    click.echo(f"alerts {result.alerts}  received {result.received}")
    click.echo(f"alert -> receiver request: p50 {result.p50_ms:.1f} ms  p95 {result.p95_ms:.1f} ms  "
               f"p99 {result.p99_ms:.1f} ms  max {result.max_ms:.1f} ms  (target p99 < 1000 ms)")
    if result.received < result.alerts:
        raise click.ClickException(f"{result.alerts - result.received} pages never arrived")


COMMANDS: list[click.Command] = [
    ack, resolve_cmd, incidents, silence, page_test, escalation_api, bench_paging_cmd,
]
