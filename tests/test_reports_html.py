"""The HTML report opens offline in headless Chromium: charts drawn, no console errors, prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from detectors.events import AlertEvent
from reports.build import Item
from reports.charts import figures
from reports.from_files import build_from_files
from reports.render_html import render_html

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def small_incident() -> tuple[list[AlertEvent], dict[str, list[Item]]]:
    t0 = 1_772_416_800.0
    items = [Item(t0 + 20 * i, f"voice{i:04d}", ["en", "ro"][i % 2], ["twitter", "review"][i % 2],
                  250_000 if i == 7 else 50, i == 7, f"checkout page frozen again <b>{i}</b> @brand_help")
             for i in range(60)]
    items += [Item(t0 - 7200 + 300 * i, f"calm{i}", "en", "blog", 10, False, "love the colours") for i in range(20)]
    alerts = [
        AlertEvent("opened", "billing-1", "billing", "emerging", t0 + 200, 10, 11, "10 voices", 1800, 0.4),
        AlertEvent("escalated", "billing-1", "billing", "crisis", t0 + 1000, 50, 51, "50 voices", 1800, 0.4),
        AlertEvent("resolved", "billing-1", "billing", "emerging", t0 + 5000, 0, 0, "quiet", 1800, 0.4),
    ]
    return alerts, {"billing": items}


@pytest.fixture(scope="module")
def html_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    alerts, items = small_incident()
    report = build_from_files("billing-1", alerts, items, {"crisis_voices": 50, "window": "30m"}, "Billing")
    figs = figures(report)
    path = tmp_path_factory.mktemp("html") / "incident.html"
    path.write_text(render_html(report, figs), encoding="utf-8")
    return path, len(figs)


def test_html_opens_offline_without_console_errors(html_file: tuple[Path, int]) -> None:
    path, n_figures = html_file
    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))

            def block(route):  # type: ignore[no-untyped-def]
                if not route.request.url.startswith("file://"):
                    outside.append(route.request.url)
                    route.abort()
                else:
                    route.continue_()

            page.route("**/*", block)
            page.goto(path.as_uri())
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_figures}", timeout=20_000
            )
            drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
            headings = page.evaluate("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
            cells = page.evaluate("document.body.innerText")
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    assert problems == []
    assert outside == [], "the report must not need the network"
    assert drawn == n_figures == 3
    assert {"Summary", "Timings", "Paging log", "Thresholds in force", "What drove it"} <= set(headings)
    assert "<b>" in cells and "@brand_help" not in cells  # text is escaped and redacted
    assert pdf[:4] == b"%PDF"


def test_plotly_js_is_inlined_once(html_file: tuple[Path, int]) -> None:
    path, n_figures = html_file
    text = path.read_text(encoding="utf-8")
    assert "<script src=" not in text
    assert text.count("window.PlotlyConfig") == 1  # the library once, not once per chart
    assert text.count("Plotly.newPlot") == n_figures
    assert "@media print" in text
