"""``crisiswatch report``: post-incident reports from the pipeline's state or from files."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from config.errors import ConfigError
from config.options import config_option
from config.values import get
from config.yaml_lines import LocatedYaml, load_yaml
from reports.build import choose, incidents_from_alerts
from reports.model import Report
from reports.thresholds import thresholds_for
from reports.write import parse_formats, write_report
from state.options import state_options

DEFAULT_OUT = "incident-reports"


def parse_since(text: str) -> float:
    """``2026-03-01`` or ``2026-03-01T12:00``; no zone means UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date; write e.g. 2026-03-01 or 2026-03-01T12:00Z") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _doc(config_path: str, required: bool) -> LocatedYaml | None:
    if not required and not os.path.exists(config_path):
        return None
    try:
        return load_yaml(config_path)
    except (ConfigError, OSError) as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def _from_files(
    alerts_path: str, inputs: tuple[str, ...], doc: LocatedYaml, incident_id: str | None, latest: bool,
    since: float | None,
) -> list[Report]:
    from reports.from_files import build_from_files, load_alerts, load_items
    from stream.classify import build_classifier
    from stream.privacy import pseudonym_key_from_env

    try:
        groups = incidents_from_alerts(load_alerts(alerts_path))
        chosen = choose(groups, incident_id, latest, since)
    except (ValueError, LookupError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        classifier = build_classifier(doc)
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
    key, _ = pseudonym_key_from_env(str(get(doc, ("privacy", "pseudonym_key_env"), "CRISISWATCH_PSEUDONYM_KEY")))
    items = load_items(list(inputs), classifier, key) if inputs else {}
    return [
        build_from_files(i, groups[i], items, thresholds_for(doc, groups[i][0].topic),
                         classifier.labels.get(groups[i][0].topic, ""))
        for i in chosen
    ]


def _from_state(
    redis_url: str | None, namespace: str, doc: LocatedYaml | None, incident_id: str | None, latest: bool,
    since: float | None,
) -> list[Report]:
    from reports.from_state import build_from_state, read_alerts
    from state.runtime import open_state

    with open_state(redis_url, namespace) as state:
        groups = incidents_from_alerts(read_alerts(state.client, state.keys))
        try:
            chosen = choose(groups, incident_id, latest, since)
        except LookupError as exc:
            raise click.ClickException(f"{exc} (namespace {namespace!r})") from None
        return [
            build_from_state(state.client, state.keys, i, groups[i],
                             thresholds_for(doc, groups[i][0].topic) if doc else None)
            for i in chosen
        ]


@click.command()
@click.argument("incident_id", required=False)
@click.option("--latest", is_flag=True, help="The most recently opened incident.")
@click.option("--since", help="Every incident opened since this date (UTC), one report each.")
@click.option("--alerts", "alerts_path", type=click.Path(exists=True, dir_okay=False),
              help="Build from this alerts file (JSON lines) instead of the state store.")
@click.option("--input", "inputs", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="The mention files that were replayed (with --alerts; repeat for several).")
@click.option("--format", "formats", default="html,md,json", show_default=True, help="Any of html, md, json.")
@click.option("--out", "out_dir", default=DEFAULT_OUT, show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the reports to.")
@click.option("--no-images", is_flag=True, help="Markdown without PNG charts (no browser needed).")
@config_option
@state_options
def report(
    incident_id: str | None, latest: bool, since: str | None, alerts_path: str | None, inputs: tuple[str, ...],
    formats: str, out_dir: str, no_images: bool, config_path: str, redis_url: str | None, namespace: str,
) -> None:
    """Write a post-incident report: what happened, how fast it was seen and answered, and why."""
    if sum(bool(x) for x in (incident_id, latest, since)) != 1:
        raise click.UsageError("give exactly one of INCIDENT_ID, --latest or --since DATE")
    if inputs and not alerts_path:
        raise click.UsageError("--input goes with --alerts (the alerts file of that replay)")
    try:
        wanted = parse_formats(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    since_t = parse_since(since) if since else None
    if alerts_path:
        doc = _doc(config_path, required=True)
        assert doc is not None
        reports = _from_files(alerts_path, inputs, doc, incident_id, latest, since_t)
    else:
        reports = _from_state(redis_url, namespace, _doc(config_path, required=False), incident_id, latest,
                              since_t)
    for r in reports:
        paths = write_report(r, Path(out_dir), wanted, images=not no_images)
        shown = [str(p) for p in paths if p.suffix != ".png"]
        click.echo(f"{r.incident_id}: {r.label}, {r.peak_severity}, peak {r.peak_voices} voices -> "
                   + ", ".join(shown))


COMMANDS: list[click.Command] = [report]
