"""Pacing: rates as people write them, PyPI's default, and the sliding window's arithmetic."""

from __future__ import annotations

import pytest

from reserver._rates import Rate, parse_rate
from reserver.errors import ReserverError
from reserver.publish.pacing import SlidingWindow, default_rate


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/hour", Rate(20, 3600)),
        ("5/2s", Rate(5, 2)),
        ("100/min", Rate(100, 60)),
        ("40 / 1h", Rate(40, 3600)),
        ("none", None),
        ("0/hour", None),
    ],
)
def test_rates_parse(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "20/fortnight", "-1/hour", "20", "/hour"])
def test_a_bad_rate_is_a_clear_error(text: str) -> None:
    with pytest.raises(ReserverError, match="invalid rate"):
        parse_rate(text)


@pytest.mark.parametrize(
    ("url", "paced"),
    [
        ("https://upload.pypi.org/legacy/", True),
        ("https://test.pypi.org/legacy/", True),
        ("http://127.0.0.1:8080/", False),
        ("https://devpi.example.org/root/prod/", False),
    ],
)
def test_only_pypi_is_paced_by_default(url: str, paced: bool) -> None:
    assert (default_rate(url) == Rate(20, 3600)) is paced


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_allows_count_then_waits_for_the_oldest() -> None:
    clock = FakeClock()
    window = SlidingWindow(Rate(3, 10.0), clock=clock)
    for step in range(3):
        assert window.delay() == 0
        window.record()
        clock.now += 1.0 + step
    # uploads ended at 1000, 1001, 1003; now 1006: the oldest leaves the window at 1010.
    assert window.delay() == pytest.approx(4.0, abs=0.06)
    clock.now = 1010.1
    assert window.delay() == 0


def test_history_from_a_killed_run_is_respected() -> None:
    clock = FakeClock()
    window = SlidingWindow(Rate(2, 60.0), history=[50.0, 5.0], clock=clock)
    # two uploads 50 s and 5 s ago fill the window until the older one is 60 s old.
    assert window.delay() == pytest.approx(10.0, abs=0.5)
