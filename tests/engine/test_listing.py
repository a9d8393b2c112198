"""The index listing: one request, PEP 691 or 503, cached with ETag, saved files, and failures.

The index is pypiserver where a real one can answer, else the fake of tests/fake_index.py
through the transport ``fetch_listing`` and ``NameLookup`` take.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reserver.index.listing import ListingError, NameLookup, fetch_listing, load_listing_file
from reserver.index.local import LocalIndex
from reserver.index.simple import JSON_TYPE, simple_url

from ..fake_index import HOST, FakeIndex, Route

PEP691 = json.dumps(
    {"meta": {"api-version": "1.1"}, "projects": [{"name": "Requests"}, {"name": "flask_login"}]}
).encode()
PEP503 = b"""<!DOCTYPE html><html><body>
<a href="/simple/requests/">requests</a>
<a href="/simple/flask-login/">Flask_Login</a>
</body></html>"""


@pytest.mark.slow
def test_a_real_pypiserver_listing_is_read_in_one_request(fresh_index: LocalIndex) -> None:
    for filename in ("acme_tools-1.0.tar.gz", "Acme.Widgets-2.0.tar.gz"):
        (fresh_index.packages / filename).write_bytes(b"not really an sdist")
    listing = fetch_listing(fresh_index.simple_url)
    known = listing.known()
    assert "acme-tools" in known and "acme-widgets" in known
    assert "acme-tool" not in known and known.complete


@pytest.fixture
def fake() -> FakeIndex:
    return FakeIndex()


def test_pep691_json_is_asked_for_and_cached_with_its_etag(fake: FakeIndex, tmp_path: Path) -> None:
    fake.routes["/simple/"] = Route(PEP691, headers={"Content-Type": JSON_TYPE}, etag='"v1"')
    first = fetch_listing(HOST, tmp_path, transport=fake.transport())
    assert set(first.names) == {"Requests", "flask_login"} and not first.from_cache
    assert fake.requests[0].headers["accept"].startswith(JSON_TYPE)
    again = fetch_listing(HOST, tmp_path, transport=fake.transport())
    assert fake.requests[1].headers["if-none-match"] == '"v1"'
    assert again.from_cache and again.names == first.names


@pytest.mark.parametrize(("cache_control", "requests"), [("max-age=600", 1), ("no-cache", 2)])
def test_a_listing_without_validators_is_reused_while_the_server_says_fresh(
    fake: FakeIndex, tmp_path: Path, cache_control: str, requests: int
) -> None:
    # No ETag, no Last-Modified: only the server's max-age lets a second run skip the 40 MB.
    headers = {"Content-Type": JSON_TYPE, "Cache-Control": cache_control}
    fake.routes["/simple/"] = Route(PEP691, headers=headers)
    first = fetch_listing(HOST, tmp_path, transport=fake.transport())
    again = fetch_listing(HOST, tmp_path, transport=fake.transport())
    assert len(fake.requests) == requests
    assert again.names == first.names and again.from_cache == (requests == 1)


def test_pep503_html_is_accepted_when_json_is_not_offered(fake: FakeIndex) -> None:
    fake.routes["/simple/"] = Route(PEP503, headers={"Content-Type": "text/html"})
    listing = fetch_listing(HOST + "/simple", transport=fake.transport())
    assert listing.names == ("requests", "Flask_Login")


def test_html_when_json_was_demanded_is_an_error(fake: FakeIndex) -> None:
    fake.routes["/simple/"] = Route(PEP503, headers={"Content-Type": "text/html"})
    with pytest.raises(ListingError, match="asked for PEP 691 JSON"):
        fetch_listing(HOST, require_json=True, transport=fake.transport())


def test_a_slow_index_times_out_with_a_clear_message(fake: FakeIndex) -> None:
    fake.routes["/simple/"] = Route(PEP691, headers={"Content-Type": JSON_TYPE}, delay=2)
    with pytest.raises(ListingError, match=r"did not answer within 0\.3 s"):
        fetch_listing(HOST, timeout=0.3, transport=fake.transport())
    # Within a longer timeout the same answer is read: the timeout given is the one applied.
    assert fetch_listing(HOST, timeout=3, transport=fake.transport()).names


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(b"oops", status=500), "answered 500"),
        (Route(b'{"projects": [', headers={"Content-Type": JSON_TYPE}), "not a PEP 691"),
        (
            Route(b"<html><body>Sign in</body></html>", headers={"Content-Type": "text/html"}),
            "no project links",
        ),
    ],
)
def test_broken_answers_are_errors(fake: FakeIndex, route: Route, message: str) -> None:
    fake.routes["/simple/"] = route
    with pytest.raises(ListingError, match=message):
        fetch_listing(HOST, transport=fake.transport())


def test_an_empty_simple_index_is_an_empty_listing(fake: FakeIndex) -> None:
    empty = b"<html><head><title>Simple Index</title></head><body></body></html>"
    fake.routes["/simple/"] = Route(empty, headers={"Content-Type": "text/html"})
    assert fetch_listing(HOST, transport=fake.transport()).names == ()


def test_an_index_without_a_listing_may_be_asked_name_by_name(fake: FakeIndex) -> None:
    fake.routes["/simple/requests/"] = Route(b"<html></html>")
    with pytest.raises(ListingError) as caught:
        fetch_listing(HOST, transport=fake.transport())
    assert caught.value.fallback_ok
    lookup = NameLookup(HOST, limit=2, transport=fake.transport())
    assert lookup.exists("requests") and not lookup.exists("reqeusts")
    with pytest.raises(ListingError, match="more than 2 per-name look-ups"):
        lookup.exists("another")
    lookup.close()


@pytest.mark.parametrize(
    ("filename", "body"),
    [("simple.json", PEP691), ("simple.html", PEP503), ("names.txt", b"requests\nflask-login\n")],
)
def test_saved_listings_work_offline(tmp_path: Path, filename: str, body: bytes) -> None:
    path = tmp_path / filename
    path.write_bytes(body)
    known = load_listing_file(path).known()
    assert "requests" in known and "flask-login" in known


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b'{"projects": [{"nom": 1}]}', "not a PEP 691"),
        (b"requests\nnot a name\n", "line 2"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_corrupt_listing_files_are_refused(tmp_path: Path, body: bytes, message: str) -> None:
    path = tmp_path / "listing"
    path.write_bytes(body)
    with pytest.raises(ListingError, match=message):
        load_listing_file(path)


def test_missing_listing_file() -> None:
    with pytest.raises(ListingError, match="no such listing file"):
        load_listing_file(Path("/nonexistent/simple.json"))


def test_simple_url_forms() -> None:
    assert simple_url("https://pypi.org") == "https://pypi.org/simple/"
    assert simple_url("https://h/root/pypi/+simple") == "https://h/root/pypi/+simple/"


def test_listed_names_longer_than_we_generate_are_still_read(tmp_path: Path) -> None:
    long_name = "a" + "-b" * 100
    path = tmp_path / "simple.html"
    path.write_text(f'<html><body><a href="/simple/x/">{long_name}</a></body></html>')
    assert load_listing_file(path).names == (long_name,)
