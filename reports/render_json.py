"""JSON for other tools: the report's data with ISO-8601 UTC times and a schema number."""

from __future__ import annotations

import json

from reports.model import Report


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
