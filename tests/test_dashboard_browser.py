"""The wall in a real headless Chromium, served on 127.0.0.1 from a real Redis.

Screenshots land in artifacts/wall/ for a human to look at.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from wall_fixtures import TopicSpec, WallWriter, write_scene

from crisiswatch.backtest import run_lines
from crisiswatch.job import Job
from crisiswatch.settings import load_settings
from dashboard.app import create_app
from dashboard.server import ServedWall, serve_in_thread
from state.keys import Keys
from state.runtime import State
from state.server import EmbeddedRedis
from stream.scenarios import multilingual_outage

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "wall"
TOKEN = "op-secret-token"
REFRESH_S = 1.0
WAIT_MS = 15_000  # generous upper bound for slow CI; the wall normally updates within REFRESH_S

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@dataclass
class Wall:
    page: object
    url: str
    writer: WallWriter
    errors: list[str] = field(default_factory=list)

    def open(self, query: str = "") -> None:
        self.page.goto(self.url + query)
        self.page.wait_for_selector(".tile", timeout=WAIT_MS)

    def tile(self, topic: str) -> object:
        return self.page.locator(f'.tile:has(.tile-name:text-is("{topic}"))')

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def wall_factory(browser: object, redis_server: EmbeddedRedis, redis_client: redis.Redis,
                 namespace: str) -> Iterator[Callable[..., Wall]]:
    served: list[ServedWall] = []
    walls: list[Wall] = []

    def make(redis_url: str | None = None, token: str | None = TOKEN) -> Wall:
        app = create_app(redis_url or redis_server.url, namespace, token, refresh_s=REFRESH_S, stale_after_s=30)
        server = serve_in_thread(app, "127.0.0.1", 0)
        served.append(server)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        wall = Wall(page, server.url, WallWriter(redis_client, namespace))
        page.on("console", lambda msg: wall.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: wall.errors.append(str(exc)))
        walls.append(wall)
        return wall

    yield make
    for wall in walls:
        wall.page.context.close()
    for server in served:
        server.stop()


def test_tiles_show_severity_words_and_the_page_is_clean(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory()
    write_scene(wall.writer, end=time.time())
    wall.open()
    sync_api.expect(wall.tile("Outage").locator(".sev")).to_have_text("◆CRISIS")
    sync_api.expect(wall.tile("Billing").locator(".sev")).to_have_text("▲EMERGING")
    sync_api.expect(wall.tile("Delivery").locator(".sev")).to_have_text("●CALM")
    sync_api.expect(wall.tile("Product safety").locator(".sev")).to_have_text("●CALM")
    sync_api.expect(wall.page.locator("#incidents")).to_contain_text("NOT ACKNOWLEDGED")
    sync_api.expect(wall.page.locator("#complaints")).to_contain_text("App down again")
    assert "jane.doe@example.com" not in wall.page.locator("#complaints").inner_text()
    sync_api.expect(wall.page.locator("#banner")).to_be_hidden()
    wall.page.wait_for_selector("#chart .main-svg")
    wall.page.wait_for_selector("#heatmap .main-svg")
    wall.shot("wall-dark-1080p")
    assert wall.errors == []


def test_a_crisis_appears_within_one_refresh_without_reloading(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory()
    end = time.time()
    write_scene(wall.writer, end=end)
    wall.open()
    sync_api.expect(wall.tile("Delivery")).to_have_attribute("data-severity", "calm")
    wall.page.evaluate("window.__sameDocument = true")

    wall.writer.topic(TopicSpec("delivery", "Delivery", "crisis", 310, since_ago_s=60, trend="up"), end=end + 30)
    wall.writer.heartbeat(event=end + 30)

    sync_api.expect(wall.tile("Delivery")).to_have_attribute("data-severity", "crisis", timeout=WAIT_MS)
    sync_api.expect(wall.tile("Delivery").locator(".tile-voices")).to_have_text("310")
    assert wall.page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded
    wall.shot("wall-crisis-appeared")
    assert wall.errors == []


def test_refreshes_leave_unchanged_parts_of_the_page_alone(wall_factory: Callable[..., Wall]) -> None:
    """A button under the operator's finger must not be swapped out by a refresh that changed nothing."""
    wall = wall_factory()
    write_scene(wall.writer, end=time.time())
    wall.open()
    wall.page.wait_for_selector("#incidents button")
    wall.page.evaluate("""() => { window.__button = document.querySelector('#incidents button');
                                  window.__tile = document.querySelector('.tile'); }""")
    before = wall.page.locator("#heartbeat").inner_text()
    # two more refreshes have happened once the heartbeat age has moved on twice
    wall.page.wait_for_function("t => document.querySelector('#heartbeat').textContent !== t", arg=before)
    after = wall.page.locator("#heartbeat").inner_text()
    wall.page.wait_for_function("t => document.querySelector('#heartbeat').textContent !== t", arg=after)
    assert wall.page.evaluate("window.__button.isConnected && window.__tile.isConnected") is True
    assert wall.errors == []


def test_acknowledge_needs_the_operator_token(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory()
    write_scene(wall.writer, end=time.time())
    wall.open()
    ack = wall.page.locator("#incidents button", has_text="Acknowledge")

    ack.first.click()
    sync_api.expect(wall.page.locator("#action-msg")).to_contain_text("Refused", timeout=WAIT_MS)
    assert wall.writer.incident_record("outage-1")["status"] == "open"

    wall.page.locator(".operator summary").click()
    wall.page.fill("#token-input", "not-the-token")
    wall.page.locator("#token-save").click()
    sync_api.expect(wall.page.locator("#operator-status")).to_contain_text("not accepted")
    ack.first.click()
    sync_api.expect(wall.page.locator("#action-msg")).to_contain_text("Refused")
    assert wall.writer.incident_record("outage-1")["status"] == "open"

    wall.page.fill("#token-input", TOKEN)
    wall.page.fill("#name-input", "Ioana")
    wall.page.locator("#token-save").click()
    sync_api.expect(wall.page.locator("#operator-status")).to_contain_text("operator mode")
    ack.first.click()
    sync_api.expect(wall.page.locator("#action-msg")).to_contain_text("Acknowledged by Ioana", timeout=WAIT_MS)
    record = wall.writer.incident_record("outage-1")
    assert record["status"] == "acknowledged" and record["acknowledged_by"] == "Ioana"
    sync_api.expect(wall.page.locator("#incidents")).to_contain_text("ACK Ioana", timeout=WAIT_MS)
    wall.shot("wall-acknowledged")
    assert wall.errors == []


def test_token_in_the_kiosk_url_allows_resolving(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory()
    write_scene(wall.writer, end=time.time())
    wall.open(f"?token={TOKEN}")
    sync_api.expect(wall.page.locator("#operator-status")).to_contain_text("operator mode")
    wall.page.locator("#incidents button", has_text="Resolve").first.click()
    sync_api.expect(wall.page.locator("#incidents")).to_contain_text("No open incidents", timeout=WAIT_MS)
    assert wall.writer.incident_record("outage-1")["status"] == "resolved"
    assert wall.errors == []


def test_stale_banner_when_the_heartbeat_stops(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory()
    end = time.time()
    write_scene(wall.writer, end=end)
    wall.open()
    sync_api.expect(wall.page.locator("#banner")).to_be_hidden()

    wall.writer.heartbeat(event=end, wall=time.time() - 600)  # the pipeline went quiet ten minutes ago

    banner = wall.page.locator("#banner")
    sync_api.expect(banner).to_contain_text("DATA STALE", timeout=WAIT_MS)
    sync_api.expect(banner).to_contain_text("not live")
    sync_api.expect(wall.page.locator("#wall-body")).to_have_class("wall-body is-stale")
    wall.shot("wall-stale")
    assert wall.errors == []


def test_unreachable_redis_is_said_plainly(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory(redis_url="redis://127.0.0.1:1/0")
    wall.page.goto(wall.url)
    sync_api.expect(wall.page.locator("#banner")).to_contain_text("UNREACHABLE", timeout=WAIT_MS)
    sync_api.expect(wall.page.locator("#heartbeat")).to_have_text("unreachable")
    assert wall.page.locator(".tile").count() == 0  # no numbers pretending to be live
    wall.shot("wall-unreachable")
    assert wall.errors == []


def test_kiosk_options_light_theme_and_topic_choice(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory()
    write_scene(wall.writer, end=time.time())
    wall.open("?topics=billing,outage&theme=light&range=3h")
    sync_api.expect(wall.page.locator("#root")).to_have_class("theme-light")
    sync_api.expect(wall.page.locator(".tile .tile-name")).to_have_text(["Billing", "Outage"])
    wall.page.wait_for_selector("#chart .main-svg")
    wall.shot("wall-light-two-topics")
    assert wall.errors == []


def test_fifty_topics_all_get_a_tile_and_the_chart_keeps_the_most_severe(wall_factory: Callable[..., Wall]) -> None:
    wall = wall_factory()
    severities = ["calm", "calm", "emerging", "calm", "isolated", "calm", "calm", "calm", "calm", "crisis"]
    topics = [TopicSpec(f"t{i:02d}", f"Topic {i:02d}", severities[i % 10], voices=5 + i * 3) for i in range(50)]
    write_scene(wall.writer, end=time.time(), topics=topics)
    wall.open()
    sync_api.expect(wall.page.locator(".tile")).to_have_count(50)
    sync_api.expect(wall.page.locator("#summary")).to_contain_text("5 CRISIS")
    sync_api.expect(wall.page.locator("#chart-note")).to_contain_text("6 of 50 topics")
    wall.page.wait_for_selector("#chart .main-svg")
    wall.shot("wall-fifty-topics")
    assert wall.errors == []


def test_wall_fed_by_a_replay_shows_the_crisis_and_takes_an_ack(
    wall_factory: Callable[..., Wall], redis_server: EmbeddedRedis, redis_client: redis.Redis, namespace: str
) -> None:
    """The real pipeline writes the state: replay an outage up to its crisis, then look at the wall."""
    settings = load_settings(str(Path(__file__).resolve().parents[1] / "thresholds.yaml"))
    scenario = multilingual_outage(start=time.time() - 6 * 3600)
    crisis_at = scenario.expected[0].threshold_t
    cut = next(i for i, line in enumerate(scenario.lines) if json.loads(line)["created_at"] > crisis_at)
    state = State(redis_client, Keys(namespace), redis_server.url)
    job = Job(settings, state, paging=True)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        pool.submit(asyncio.run, run_lines(job, scenario.lines[:cut])).result()

    wall = wall_factory()
    wall.open()
    outage = wall.tile("Outage / site problems")
    sync_api.expect(outage.locator(".sev")).to_have_text("◆CRISIS")
    voices = int(redis_client.hget(state.keys.topic_state("outage"), "voices"))
    sync_api.expect(outage.locator(".tile-voices")).to_have_text(str(voices))
    for quiet in ("Delivery", "Customer service", "Product quality"):
        sync_api.expect(wall.tile(quiet).locator(".sev")).not_to_contain_text("CRISIS")
    sync_api.expect(wall.page.locator("#incidents")).to_contain_text("NOT ACKNOWLEDGED")
    sync_api.expect(wall.page.locator("#incidents")).to_contain_text("console")

    wall.page.locator(".operator summary").click()
    wall.page.fill("#token-input", TOKEN)
    wall.page.fill("#name-input", "Andrei")
    wall.page.locator("#token-save").click()
    wall.page.locator("#incidents button", has_text="Acknowledge").first.click()
    sync_api.expect(wall.page.locator("#action-msg")).to_contain_text("Acknowledged by Andrei", timeout=WAIT_MS)
    incident_id = redis_client.hget(state.keys.topic_state("outage"), "incident_id")
    record = json.loads(redis_client.hget(state.keys.incidents, incident_id))
    assert (record["status"], record["acknowledged_by"]) == ("acknowledged", "Andrei")
    wall.shot("wall-replayed-outage")
    assert wall.errors == []
