"""How registry answers are read: PyPI's words decide between "taken" and "bad token"."""

from __future__ import annotations

import email.utils
import time

import pytest

from reserver.publish.batch import classify
from reserver.publish.index_check import simple_url_for
from reserver.publish.twine_upload import UploadResponse, parse_retry_after


@pytest.mark.parametrize(
    ("status", "reason", "outcome"),
    [
        (200, "OK", "reserved"),
        (403, "The user 'x' isn't allowed to upload to project 'reqeusts'.", "taken"),
        (403, "Invalid or non-existent authentication information.", "credentials"),
        (403, "Forbidden", "credentials"),  # pypiserver's wrong password
        (401, "Unauthorized", "credentials"),
        (400, "The name 'reqeusts' is too similar to an existing project.", "conflict"),
        (409, "Conflict", "conflict"),  # pypiserver: the file exists (ours, or not)
        (429, "Too many new projects created", "rate-limited"),
        (500, "Internal Server Error", "retry"),
        (503, "Service Unavailable", "retry"),
        (405, "Method Not Allowed", "endpoint"),
        (404, "Not Found", "endpoint"),
        (301, "redirected to https://pypi.org/", "endpoint"),
        (413, "Request Entity Too Large", "refused"),
    ],
)
def test_answers_are_classified(status: int, reason: str, outcome: str) -> None:
    assert classify(UploadResponse(status, reason)).value == outcome


@pytest.mark.parametrize(
    ("upload", "simple"),
    [
        ("https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
        ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/simple/"),
        ("https://index.example.org/legacy/", "https://index.example.org/simple/"),
    ],
)
def test_the_simple_index_is_derived_from_the_upload_url(upload: str, simple: str) -> None:
    assert simple_url_for(upload) == simple


def test_retry_after_is_read_as_seconds_or_as_a_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert parse_retry_after(later) == pytest.approx(60, abs=2)


def test_retry_after_is_finite_and_at_most_an_hour() -> None:
    # A registry (or anything in between) answering "1e9" or "inf" must not park a batch.
    assert parse_retry_after("1e9") == 3600.0
    assert parse_retry_after("inf") is None and parse_retry_after("nan") is None
    assert parse_retry_after("-30") == 0.0
    far = email.utils.formatdate(time.time() + 10 * 365 * 86400, usegmt=True)
    assert parse_retry_after(far) == 3600.0
