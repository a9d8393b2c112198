"""The dashboard in a real headless Chromium (Debian's, driven by Playwright): it loads with
no console errors, draws its charts, and shows the numbers the API gives."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from reserver.stats.schema import Ping, RegisteredName
from reserver.stats.store import StatsStore

from .conftest import DAY, StatsServer

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SEEDED = {"reqeusts": "requests", "nunpy": "numpy", "djnago": "django", "flaks": "flask"}
#: Where the screenshot goes, to be looked at (a tmp folder unless set).
SCREENSHOT_DIR = os.environ.get("RESERVER_SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StatsServer]:
    """A served store seeded with 40 days of counts for a few names."""
    db = tmp_path_factory.mktemp("dash") / "stats.sqlite3"
    store = StatsStore.open(f"sqlite:///{db}")
    store.register(
        [RegisteredName(n, n, t, "typo") for n, t in SEEDED.items()]
        + [RegisteredName("pwd", "pwd", None, "stdlib")]
    )
    rng = random.Random(5)
    pings = []
    for offset in range(40):
        day = DAY - timedelta(days=offset)
        for name in [*SEEDED, "pwd"]:
            for _ in range(rng.randrange(0, 12)):
                pings.append((day, Ping(name, rng.choice(["pip", "pip", "uv", "poetry"]),
                                        rng.choice(["3.11", "3.12", "3.13"]),
                                        rng.random() < 0.2)))  # fmt: skip
    store.record(pings, sources=[(DAY, f"{i:032x}") for i in range(17)])
    store.engine.dispose()
    running = StatsServer(f"sqlite:///{db}")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


def open_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 1800})
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200
    return page, problems


def api(server: StatsServer, path: str) -> Any:
    return httpx.get(server.url + path).json()


def test_dashboard_draws_its_charts_without_errors(
    server: StatsServer, browser: Browser, tmp_path: Path
) -> None:
    page, problems = open_page(browser, server.url + "/")
    page.wait_for_selector("#chart-daily .main-svg")
    summary = api(server, "/api/summary")
    days = api(server, "/api/daily")["days"]
    # One bar per day in each of the two stacked traces, as many as the API has days.
    bars = page.locator("#chart-daily .cartesianlayer .trace.bars").first.locator(".point")
    assert bars.count() == len(days)
    assert page.locator("#chart-daily .rangeselector .button").count() == 4
    assert page.locator("#chart-installer .trace.bars .point").count() == len(
        summary["by_installer"]
    )
    assert page.locator("#chart-sources .scatterlayer .trace").count() == 1
    shot = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    page.screenshot(path=str(shot / "dashboard.png"), full_page=True)
    assert problems == []
    page.close()


def test_dashboard_numbers_match_the_api(server: StatsServer, browser: Browser) -> None:
    page, problems = open_page(browser, server.url + "/")
    summary = api(server, "/api/summary")
    assert int(page.locator("#total").get_attribute("data-value") or -1) == summary["total"]
    assert page.locator("#total").inner_text() == f"{summary['total']:,}"
    rows = page.locator("#top-names tbody tr")
    shown = {
        rows.nth(i).locator("td").first.inner_text(): int(
            rows.nth(i).locator("td.num").get_attribute("data-count") or -1
        )
        for i in range(rows.count())
    }
    assert shown == summary["by_name"]
    targets = page.locator("#top-targets tbody tr td:first-child").all_inner_texts()
    assert targets == list(summary["by_target"])
    assert problems == []
    page.close()


def test_range_selector_narrows_the_daily_chart(server: StatsServer, browser: Browser) -> None:
    page, problems = open_page(browser, server.url + "/")
    page.wait_for_selector("#chart-daily .rangeselector .button")
    before = page.evaluate("document.getElementById('chart-daily').layout.xaxis.range.slice()")
    page.locator("#chart-daily .rangeselector .button").first.click()  # "7 days"
    page.wait_for_timeout(300)
    after = page.evaluate("document.getElementById('chart-daily').layout.xaxis.range.slice()")
    assert after != before
    assert problems == []
    page.close()


def test_name_and_why_pages_load_cleanly(server: StatsServer, browser: Browser) -> None:
    page, problems = open_page(browser, server.url + "/names/reqeusts")
    page.wait_for_selector("#chart-name-daily .main-svg")
    detail = api(server, "/api/names/reqeusts")
    assert int(page.locator("#total").get_attribute("data-value") or -1) == detail["total"]
    page.goto(server.url + "/why/reqeusts", wait_until="networkidle")
    assert "pip install requests" in page.locator("main").inner_text()
    # The API page, the header's "API" link: served here, so it shows offline too.
    page.click("header nav >> text=API")
    page.wait_for_load_state("networkidle")
    assert "/api/summary" in page.locator("main").inner_text()
    assert problems == []
    page.close()


@pytest.fixture(scope="module", params=[1, 365], ids=["one-day", "a-year"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, StatsServer]]:
    """A new deployment (one day of pings, as every dashboard starts), and one a year old."""
    days = int(request.param)
    db = tmp_path_factory.mktemp(f"dash{days}") / "stats.sqlite3"
    store = StatsStore.open(f"sqlite:///{db}")
    store.register([RegisteredName(n, n, t, "typo") for n, t in SEEDED.items()])
    pings = [(DAY, Ping("reqeusts", "pip", version, False)) for version in
             ("3.10", "3.9", "3.13", "3.12", "3.9")]  # fmt: skip
    pings += [(DAY - timedelta(days=d), Ping("nunpy", "uv", "3.12", True)) for d in range(days)]
    store.record(pings)
    store.engine.dispose()
    running = StatsServer(f"sqlite:///{db}")
    yield days, running
    running.stop()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_dashboard_reads_in_whole_days_whole_counts_and_version_order(
    deployment: tuple[int, StatsServer], browser: Browser, width: int, tmp_path: Path
) -> None:
    days_of_data, server = deployment
    page = browser.new_page(viewport={"width": width, "height": 1600})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url + "/", wait_until="networkidle")
    page.wait_for_selector("#chart-daily .main-svg")
    # SVG text has no inner text: read its text content.
    days = page.locator("#chart-daily .xtick text").all_text_contents()
    counts = page.locator("#chart-daily .ytick text").all_text_contents()
    assert days and all(":" not in t and "." not in t for t in days), days
    assert counts and all(t.replace(",", "").isdigit() for t in counts), counts
    if days_of_data == 1:
        assert DAY.strftime("%b %d") in days
        # The day's bar is drawn wide enough to see (plotly's default for one date: 1 ms).
        bar = page.locator("#chart-daily .trace.bars .point path").first.bounding_box()
        assert bar is not None and bar["width"] > 10 and bar["height"] > 10, bar
    versions = page.evaluate("document.getElementById('chart-python').data[0].y.slice().reverse()")
    assert versions == ["3.9", "3.10", "3.12", "3.13"]
    bars_x = page.locator("#chart-python .xtick text").all_text_contents()
    assert bars_x and all(t.replace(",", "").isdigit() for t in bars_x), bars_x
    assert page.locator("#chart-daily .modebar").count() == 0  # no toolbar over the legend
    categories = page.evaluate("document.getElementById('chart-category').data[0].y")
    assert categories == ["typo"]
    # Every card says what its number is; the CI card says why it is low.
    assert page.locator(".card .hint").count() == page.locator(".card").count() == 5
    assert "CI, BUILD_ID, BUILD_BUILDID or PIP_IS_CI" in page.locator("#ci-hint").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    page.screenshot(path=str(shot / f"dashboard-{days_of_data}-days-{width}.png"), full_page=True)
    assert overflow <= 0, f"{overflow}px of horizontal overflow at {width}px"
    assert problems == []
    page.close()
