"""The dashboard in a real headless Chromium (Debian's, driven by Playwright): it loads with
no console errors and no script, draws its charts (SVG from the service), and shows the
numbers the API gives, in whole days and whole counts, at a phone's width and a laptop's."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from reserver.stats.schema import Ping, RegisteredName
from reserver.stats.store import StatsStore

from ..conftest import seeded
from .conftest import DAY, StatsServer

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SEEDED = {"reqeusts": "requests", "nunpy": "numpy", "djnago": "django", "flaks": "flask"}
#: Where the screenshot goes, to be looked at (a tmp folder unless set).
SCREENSHOT_DIR = os.environ.get("RESERVER_SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StatsServer]:
    """A served store seeded with 40 days of counts for a few names."""
    db = tmp_path_factory.mktemp("dash") / "stats.sqlite3"
    store = StatsStore.open(f"sqlite:///{db}")
    store.register(
        [RegisteredName(n, n, t, "typo") for n, t in SEEDED.items()]
        + [RegisteredName("pwd", "pwd", None, "stdlib")]
    )
    rng = seeded(request.node.nodeid)
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


def open_page(browser: Browser, url: str, width: int = 1280) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 1800})
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


def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    shot = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    page.screenshot(path=str(shot / name), full_page=True)


def day_groups(page: Page, chart: str) -> dict[str, str]:
    """Each day the chart draws (YYYY-MM-DD) and its tooltip."""
    drawn: dict[str, str] = page.evaluate(
        """chart => Object.fromEntries([...document.querySelectorAll(chart + ' g.day')]
            .map(g => [g.dataset.day, g.querySelector('title').textContent]))""",
        chart,
    )
    return drawn


def tooltip_at(page: Page, chart: str, day: str) -> str:
    """What a reader gets pointing at the middle of the day's bar: the browser's tooltip (the
    title of the day under the pointer), asserted to be what the chart's readout shows too."""
    box = page.locator(f"{chart} g.day[data-day='{day}'] rect.bar").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pointed: dict[str, Any] = page.evaluate(
        """chart => {
          const day = [...document.querySelectorAll(':hover')].pop().closest('g.day');
          const readout = day.querySelector('.readout');
          return {day: day.dataset.day, title: day.querySelector('title').textContent,
                  shown: getComputedStyle(readout).visibility === 'visible',
                  lines: [...readout.querySelectorAll('tspan')].map(t => t.textContent)};
        }""",
        chart,
    )
    assert pointed["day"] == day and pointed["shown"], pointed
    assert pointed["title"] == pointed["lines"][0] + "".join(
        f" ({line})" for line in pointed["lines"][1:]
    )
    title: str = pointed["title"]
    return title


def read_day_axis(page: Page, chart: str) -> list[tuple[str, str, float]]:
    """The ticks a reader sees: (day, label, distance in px from the day's column centre),
    after checking that no two labels overlap and none leaves the screen."""
    ticks: list[dict[str, Any]] = page.evaluate(
        """chart => [...document.querySelectorAll(chart + ' .x-tick')]
            .filter(t => t.getBoundingClientRect().width > 0)
            .map(t => {
              const day = t.dataset.day;
              const mark = t.querySelector('line').getBoundingClientRect();
              const column = document.querySelector(
                chart + ` g.day[data-day="${day}"] rect.hit`).getBoundingClientRect();
              const text = t.querySelector('tspan').getBoundingClientRect();
              return {day, label: t.querySelector('tspan').textContent,
                      off: Math.abs(mark.x - (column.x + column.width / 2)),
                      left: text.left, right: text.right};
            })""",
        chart,
    )
    width = page.evaluate("window.innerWidth")
    for a, b in pairwise(ticks):
        assert a["right"] < b["left"], f"labels overlap: {a} {b}"
    assert all(t["left"] >= 0 and t["right"] <= width for t in ticks), ticks
    return [(t["day"], t["label"], t["off"]) for t in ticks]


def panels_scrolling(page: Page) -> list[str]:
    """The panels a reader would have to scroll sideways (a panel scrolls rather than widen
    the page, so the page's own overflow does not show it)."""
    scrolling: list[str] = page.evaluate(
        """[...document.querySelectorAll('.panel')]
            .filter(p => p.scrollWidth > p.clientWidth)
            .map(p => p.querySelector('h2').textContent)"""
    )
    return scrolling


def whole_counts(page: Page, selector: str) -> list[int]:
    """A count axis's visible labels, each asserted to be a whole number ("1,200")."""
    labels = [t for t in page.locator(selector).all() if t.is_visible()]
    texts = [t.text_content() or "" for t in labels]
    assert texts and all(re.fullmatch(r"\d{1,3}(,\d{3})*", t) for t in texts), texts
    return [int(t.replace(",", "")) for t in texts]


def test_dashboard_draws_its_charts_without_errors(
    server: StatsServer, browser: Browser, tmp_path: Path
) -> None:
    page, problems = open_page(browser, server.url + "/")
    summary = api(server, "/api/summary")
    days = api(server, "/api/daily")["days"]
    # No script at all: the charts are SVG in the page.
    assert page.evaluate("document.scripts.length") == 0
    # A column per day, from the first day with counts to the last, each saying its numbers.
    drawn = day_groups(page, "#chart-daily")
    assert list(drawn) == [d["day"] for d in days]  # the 40 days, none missing
    for day in days:
        title = drawn[day["day"]]
        assert title.startswith(f"{date.fromisoformat(day['day']):%b} ")
        assert f": {day['total']:,} install" in title, title
        assert f"({day['interactive']:,} interactive, {day['ci']:,} CI / automation)" in title
    last = days[-1]
    bars = page.locator(f"#chart-daily g.day[data-day='{last['day']}'] rect.bar")
    assert [b.get_attribute("data-count") for b in bars.all()] == [
        str(n) for n in (last["interactive"], last["ci"]) if n
    ]
    assert page.locator("#chart-daily .legend text").all_text_contents() == [
        "interactive", "CI / automation",
    ]  # fmt: skip
    # 40 days: a week, 30 days and all (90 would be all of them).
    assert page.locator(".ranges a").all_inner_texts() == ["7 days", "30 days", "all"]
    assert page.locator("#chart-installer g.row").count() == len(summary["by_installer"])
    sources = day_groups(page, "#chart-sources")
    assert sources[DAY.isoformat()] == "Mar 14, 2026: 17 unique sources"
    assert page.locator("#chart-sources .line").count() == len(days) - 1
    screenshot(page, tmp_path, "dashboard.png")
    assert problems == []
    page.close()


def test_a_tap_shows_a_days_numbers_on_a_phone(server: StatsServer, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 900}, has_touch=True,
                                  is_mobile=True)  # fmt: skip
    page = context.new_page()
    page.goto(server.url + "/?from=" + (DAY - timedelta(days=6)).isoformat())
    last = api(server, "/api/daily")["days"][-1]
    readout = page.locator(f"#chart-daily g.day[data-day='{DAY}'] .readout")
    assert not readout.is_visible()
    page.locator(f"#chart-daily g.day[data-day='{DAY}'] rect.bar").first.tap()
    assert readout.is_visible()  # touch screens show no tooltips: the readout is the tooltip
    assert readout.locator("tspan").all_text_contents() == [
        f"Mar 14, 2026: {last['total']:,} installs",
        f"{last['interactive']:,} interactive, {last['ci']:,} CI / automation",
    ]
    page.locator("h1").tap()
    assert not readout.is_visible()
    # Focus alone shows it too: some phones give a tapped element focus and no hover.
    page.evaluate(f"document.querySelector(`#chart-daily g.day[data-day='{DAY}']`).focus()")
    assert readout.is_visible()
    context.close()


def test_one_readout_at_a_time_the_pointed_days(server: StatsServer, browser: Browser) -> None:
    page, problems = open_page(browser, server.url + "/")
    days = [(DAY - timedelta(days=d)).isoformat() for d in (0, 5)]
    page.locator(f"#chart-daily g.day[data-day='{days[0]}'] rect.bar").first.click()
    page.locator(f"#chart-daily g.day[data-day='{days[1]}'] rect.bar").first.hover()
    # The clicked day keeps focus, yet the day under the pointer is the one that speaks.
    shown = page.locator("#chart-daily .readout").evaluate_all(
        "rs => rs.filter(r => getComputedStyle(r).visibility === 'visible')"
        ".map(r => r.closest('g.day').dataset.day)"
    )
    assert shown == [days[1]]
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
    installers = page.locator("#chart-installer g.row title").all_text_contents()
    assert installers == [f"{k}: {n:,} installs" for k, n in summary["by_installer"].items()]
    written = page.locator("#chart-installer text.count").all_text_contents()
    assert written == [f"{n:,}" for n in summary["by_installer"].values()]
    assert problems == []
    page.close()


def test_range_links_and_the_form_narrow_the_daily_charts(
    server: StatsServer, browser: Browser
) -> None:
    page, problems = open_page(browser, server.url + "/")
    assert len(day_groups(page, "#chart-daily")) == 40
    page.click(".ranges >> text=7 days")
    page.wait_for_load_state("networkidle")
    week = [(DAY - timedelta(days=d)).isoformat() for d in range(6, -1, -1)]
    assert list(day_groups(page, "#chart-daily")) == week
    assert list(day_groups(page, "#chart-sources")) == week
    assert page.locator(".ranges a[aria-current]").inner_text() == "7 days"
    # Any range, from the form: the days the reader asked for, whatever the order.
    page.fill("input[name=from]", (DAY - timedelta(days=3)).isoformat())
    page.fill("input[name=to]", (DAY - timedelta(days=12)).isoformat())
    page.click(".range-form button")
    page.wait_for_load_state("networkidle")
    assert len(day_groups(page, "#chart-daily")) == 10
    assert page.locator(".ranges a[aria-current]").count() == 0
    page.click(".ranges >> text=all")
    page.wait_for_load_state("networkidle")
    assert len(day_groups(page, "#chart-daily")) == 40
    assert problems == []
    page.close()


def test_name_and_why_pages_load_cleanly(server: StatsServer, browser: Browser) -> None:
    page, problems = open_page(browser, server.url + "/names/reqeusts")
    detail = api(server, "/api/names/reqeusts")
    assert int(page.locator("#total").get_attribute("data-value") or -1) == detail["total"]
    drawn = day_groups(page, "#chart-name-daily")
    for day in detail["daily"]:
        assert drawn[day["day"]].endswith(f": {day['total']:,} install" + "s" * (day["total"] != 1))
    assert page.locator("#chart-python text.label").all_text_contents() == list(detail["by_python"])
    assert page.locator("#chart-installer g.row").count() == len(detail["by_installer"])
    page.goto(server.url + "/why/reqeusts", wait_until="networkidle")
    assert "pip install requests" in page.locator("main").inner_text()
    # The API page, the header's "API" link: served here, so it shows offline too.
    page.click("header nav >> text=API")
    page.wait_for_load_state("networkidle")
    assert "/api/summary" in page.locator("main").inner_text()
    assert problems == []
    page.close()


@pytest.fixture(scope="module", params=[1, 7, 365], ids=["one-day", "a-week", "a-year"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, StatsServer]]:
    """A new deployment (one day of pings, as every dashboard starts), one a week old and one
    a year old."""
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
    page, problems = open_page(browser, server.url + "/", width)
    ticks = read_day_axis(page, "#chart-daily")
    # Whole days: each tick a day (YYYY-MM-DD) at the middle of that day's column, its label
    # a date ("Mar 14", "May"), never a time.
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) for day, _, _ in ticks), ticks
    assert all(":" not in label and "." not in label for _, label, _ in ticks), ticks
    assert all(off < 1 for _, _, off in ticks), ticks
    if days_of_data == 1:
        assert [label for _, label, _ in ticks] == [DAY.strftime("%b %d")]
        # The day's bar is drawn wide enough to see (plotly used to make it 1 ms wide).
        bar = page.locator("#chart-daily rect.bar").first.bounding_box()
        assert bar is not None and bar["width"] > 10 and bar["height"] > 10, bar
    elif days_of_data == 7:  # a tick a day, every other one on a phone; the latest always
        assert len(ticks) == (7 if width > 800 else 4) and ticks[-1][0] == DAY.isoformat()
    else:  # a year: the first of every other month
        assert 3 <= len(ticks) <= 8 and all(day.endswith("-01") for day, _, _ in ticks)
    assert whole_counts(page, "#chart-daily .y-tick")[0] == 0
    # Python versions in version order (3.9 before 3.10), on a whole-count axis.
    versions = page.locator("#chart-python text.label").all_text_contents()
    assert versions == ["3.9", "3.10", "3.12", "3.13"]
    whole_counts(page, "#chart-python .x-tick")
    assert page.locator("#chart-category text.label").all_text_contents() == ["typo"]
    assert page.locator("#chart-category rect.bar").count() == 1
    # Every card says what its number is; the CI card says why it is low.
    assert page.locator(".card .hint").count() == page.locator(".card").count() == 5
    assert "CI, BUILD_ID, BUILD_BUILDID or PIP_IS_CI" in page.locator("#ci-hint").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, tmp_path, f"dashboard-{days_of_data}-days-{width}.png")
    assert overflow <= 0, f"{overflow}px of horizontal overflow at {width}px"
    assert panels_scrolling(page) == []
    # The latest day as a reader points at it: date, total, and the split. A year on a phone
    # leaves a day under a pixel: the reader narrows it to a week first.
    column = page.locator(f"#chart-daily g.day[data-day='{DAY}'] rect.hit").bounding_box()
    if column is not None and column["width"] < 2:
        page.click(".ranges >> text=7 days")
        page.wait_for_load_state("networkidle")
        assert len(day_groups(page, "#chart-daily")) == 7
        assert read_day_axis(page, "#chart-daily")[-1][0] == DAY.isoformat()
    expected = "Mar 14, 2026: 6 installs (5 interactive, 1 CI / automation)"
    assert tooltip_at(page, "#chart-daily", DAY.isoformat()) == expected
    assert problems == []
    page.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_names_page_reads_the_same_way(
    deployment: tuple[int, StatsServer], browser: Browser, width: int, tmp_path: Path
) -> None:
    days_of_data, server = deployment
    page, problems = open_page(browser, server.url + "/names/nunpy", width)
    ticks = read_day_axis(page, "#chart-name-daily")
    assert ticks and all(off < 1 and ":" not in label for _, label, off in ticks), ticks
    assert len(day_groups(page, "#chart-name-daily")) == days_of_data
    assert tooltip_at(page, "#chart-name-daily", DAY.isoformat()) == "Mar 14, 2026: 1 install"
    assert whole_counts(page, "#chart-name-daily .y-tick") == [0, 1]
    assert page.locator("#chart-installer text.label").all_text_contents() == ["uv"]
    assert page.locator(".card .hint").count() == page.locator(".card").count() == 3
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, tmp_path, f"name-{days_of_data}-days-{width}.png")
    assert overflow <= 0, f"{overflow}px of horizontal overflow at {width}px"
    assert panels_scrolling(page) == []
    assert problems == []
    page.close()
