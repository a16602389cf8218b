"""Write one report in the asked formats next to each other: ``incident-<id>.{html,md,json}``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from reports import charts
from reports.model import Report
from reports.render_html import render_html
from reports.render_json import render_json
from reports.render_md import render_markdown

FORMATS = ("html", "md", "json")


def parse_formats(text: str) -> list[str]:
    """``html,md`` -> ["html", "md"]; an unknown name raises ``ValueError`` naming the choices."""
    names = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in names if f not in FORMATS]
    if unknown or not names:
        raise ValueError(f"unknown format {', '.join(unknown) or text!r}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(names))


def stem(incident_id: str) -> str:
    """A file name that is safe on every system, still recognisably the incident id."""
    return "incident-" + (re.sub(r"[^A-Za-z0-9._-]+", "_", incident_id).strip("._") or "unknown")


def write_report(report: Report, out_dir: str | Path, formats: Iterable[str] = FORMATS,
                 images: bool = True) -> list[Path]:
    """The written files; Markdown's PNG charts go to ``<stem>-charts/`` beside it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = stem(report.incident_id)
    formats = list(formats)
    written: list[Path] = []
    figures = charts.figures(report) if {"html", "md"} & set(formats) else []
    if "json" in formats:
        written.append(_write(out / f"{name}.json", render_json(report)))
    if "html" in formats:
        written.append(_write(out / f"{name}.html", render_html(report, figures)))
    if "md" in formats:
        pngs, note = (charts.write_pngs(figures, out / f"{name}-charts") if images
                      else ({}, "charts not rendered (images off)"))
        written += list(pngs.values())
        written.append(_write(out / f"{name}.md", render_markdown(report, pngs, out, note)))
    return written


def _write(path: Path, text: str) -> Path:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
