"""A report written the moment an incident resolves, so nobody has to remember to make one.

Wire it after the escalation engine has recorded the resolution (the report then carries who
resolved it), off the event loop because rendering PNGs drives a browser::

    if alert.event == "resolved":
        await asyncio.to_thread(write_on_resolve_safely, client, keys, alert.incident_id, out_dir)
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import redis

from reports.build import incidents_from_alerts
from reports.from_state import build_from_state, read_alerts
from reports.write import write_report
from state.keys import Keys
from state.runtime import data_home

AUTO_FORMATS = ("html", "md", "json")


def default_report_dir() -> Path:
    return data_home() / "reports"


def write_on_resolve(
    client: redis.Redis, keys: Keys, incident_id: str, out_dir: str | Path | None = None,
    formats: Iterable[str] = AUTO_FORMATS, thresholds: dict[str, Any] | None = None,
) -> list[Path]:
    """Build the incident's report from state and write it; raises ``LookupError`` if unknown."""
    groups = incidents_from_alerts(read_alerts(client, keys))
    if incident_id not in groups:
        raise LookupError(f"no alerts recorded for incident {incident_id!r}")
    report = build_from_state(client, keys, incident_id, groups[incident_id], thresholds)
    return write_report(report, out_dir or default_report_dir(), formats)


def write_on_resolve_safely(
    client: redis.Redis, keys: Keys, incident_id: str, out_dir: str | Path | None = None,
    formats: Iterable[str] = AUTO_FORMATS,
) -> list[Path]:
    """The pipeline's entry point: a failed report is reported on stderr, never stops detection."""
    try:
        paths = write_on_resolve(client, keys, incident_id, out_dir, formats)
    except Exception as exc:  # noqa: BLE001 - the stream must keep flowing whatever the report does
        print(f"report for {incident_id} not written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return []
    print(f"report for {incident_id}: {paths[0].parent}", file=sys.stderr)
    return paths
