"""The simple-API client: a project's page as PEP 691 JSON or PEP 503 HTML, and its failures."""

from __future__ import annotations

import json

import httpx
import pytest

from reserver.index.simple import (
    JSON_TYPE,
    ProjectFile,
    SimpleAPIError,
    SimpleClient,
    parse_project_page,
)

PAGE_JSON = json.dumps(
    {
        "meta": {"api-version": "1.1"},
        "name": "reqeusts",
        "files": [
            {
                "filename": "reqeusts-0.0.1.tar.gz",
                "url": "../../packages/reqeusts-0.0.1.tar.gz",
                "hashes": {"sha256": "ab" * 32},
            },
            {"filename": "reqeusts-0.0.2.tar.gz", "url": "https://files.example/r2", "hashes": {}},
        ],
    }
).encode()
PAGE_HTML = b"""<!DOCTYPE html><html><body>
<a href="/packages/reqeusts-0.0.1.tar.gz#sha256=abab">reqeusts-0.0.1.tar.gz</a>
<a href="/packages/a?x=1&amp;y=2">   </a>
</body></html>"""


def client_for(handler: httpx.MockTransport, timeout: float = 5.0) -> SimpleClient:
    return SimpleClient("https://index.example/simple", timeout=timeout, transport=handler)


def serve(routes: dict[str, httpx.Response], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return routes.get(request.url.path, httpx.Response(404))

    return httpx.MockTransport(handle)


def test_a_json_page_lists_files_with_absolute_urls_and_their_sha256() -> None:
    seen: list[httpx.Request] = []
    page = httpx.Response(200, content=PAGE_JSON, headers={"Content-Type": JSON_TYPE})
    with client_for(serve({"/simple/reqeusts/": page}, seen)) as client:
        files = client.project("Reqeusts")
    assert files == [
        ProjectFile(
            "reqeusts-0.0.1.tar.gz",
            "https://index.example/packages/reqeusts-0.0.1.tar.gz",
            "ab" * 32,
        ),
        ProjectFile("reqeusts-0.0.2.tar.gz", "https://files.example/r2", None),
    ]
    # The name is asked canonical, and JSON is preferred to HTML.
    assert seen[0].url.path == "/simple/reqeusts/"
    assert seen[0].headers["accept"].startswith(JSON_TYPE)


def test_an_html_page_gives_the_hash_fragment_and_names_a_nameless_link_by_its_url() -> None:
    files = parse_project_page(PAGE_HTML, "text/html", "https://index.example/simple/reqeusts/")
    assert files == [
        ProjectFile(
            "reqeusts-0.0.1.tar.gz",
            "https://index.example/packages/reqeusts-0.0.1.tar.gz",
            "abab",
        ),
        ProjectFile("a?x=1&y=2", "https://index.example/packages/a?x=1&y=2", None),
    ]


def test_a_missing_project_is_none_and_does_not_exist() -> None:
    with client_for(serve({}, [])) as client:
        assert client.project("nothere") is None
        assert client.exists("nothere") is False


@pytest.mark.parametrize(
    ("status", "transient"), [(500, True), (503, True), (429, True), (401, False), (410, False)]
)
def test_other_answers_raise_with_their_status(status: int, transient: bool) -> None:
    routes = {"/simple/x/": httpx.Response(status)}
    with client_for(serve(routes, [])) as client, pytest.raises(SimpleAPIError) as caught:
        client.project("x")
    assert caught.value.status == status and caught.value.transient is transient
    assert str(caught.value).startswith("https://index.example/simple/x/: the index answered")


def test_a_page_that_is_not_json_says_so() -> None:
    bad = httpx.Response(200, content=b'{"files": [1]}', headers={"Content-Type": JSON_TYPE})
    with (
        client_for(serve({"/simple/x/": bad}, [])) as client,
        pytest.raises(SimpleAPIError) as caught,
    ):
        client.project("x")
    assert "not a PEP 691 project page" in str(caught.value)
    assert caught.value.status == 200 and not caught.value.transient


def test_no_answer_is_transient_and_names_the_timeout() -> None:
    def late(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    slow = client_for(httpx.MockTransport(late), timeout=0.5)
    with slow, pytest.raises(SimpleAPIError, match=r"did not answer within 0\.5 s") as caught:
        slow.exists("x")
    assert caught.value.status is None and caught.value.transient
    closed = client_for(httpx.MockTransport(refused))
    with (
        closed,
        pytest.raises(SimpleAPIError, match=r"cannot reach the index \(connection refused"),
    ):
        closed.project("x")


def test_a_file_is_downloaded_whatever_type_it_has() -> None:
    seen: list[httpx.Request] = []
    routes = {"/packages/x-1.tar.gz": httpx.Response(200, content=b"sdist bytes")}
    with client_for(serve(routes, seen)) as client:
        assert client.download("https://index.example/packages/x-1.tar.gz") == b"sdist bytes"
        with pytest.raises(SimpleAPIError) as caught:
            client.download("https://index.example/packages/gone.tar.gz")
    assert seen[0].headers["accept"] == "*/*" and caught.value.status == 404
