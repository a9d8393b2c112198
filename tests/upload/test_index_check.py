"""Who holds a name, read from the index's simple pages: ours, another's, or nobody's."""

from __future__ import annotations

import hashlib
import json
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import requests

from reserver.errors import UploadError
from reserver.index.simple import JSON_TYPE, SimpleClient
from reserver.publish.batch import upload_batch
from reserver.publish.index_check import Holding, IndexAnswer, IndexCheck, IndexReadError
from reserver.publish.twine_upload import environment_verify, httpx_verify

from .conftest import FAST_RETRY, Batch, credentials_of
from .faultserver import FaultServer

OURS = b"our placeholder sdist"
SHA = hashlib.sha256(OURS).hexdigest()


def json_page(*files: tuple[str, str | None]) -> httpx.Response:
    entries = [
        {"filename": name, "url": f"/packages/{name}", "hashes": {"sha256": sha} if sha else {}}
        for name, sha in files
    ]
    body = json.dumps({"meta": {"api-version": "1.1"}, "files": entries}).encode()
    return httpx.Response(200, content=body, headers={"Content-Type": JSON_TYPE})


def checker(
    routes: dict[str, httpx.Response], seen: list[str] | None = None, *, use_listing: bool = False
) -> IndexCheck:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request.url.path)
        return routes.get(request.url.path, httpx.Response(404))

    client = SimpleClient("http://index.test/simple/", transport=httpx.MockTransport(handle))
    return IndexCheck(client, use_listing=use_listing)


def test_a_name_without_a_page_is_absent() -> None:
    assert checker({}).held("reqeusts", "reqeusts-0.0.1.tar.gz", SHA).holding is Holding.ABSENT


def test_our_file_with_our_sha256_is_ours_and_other_bytes_are_another_s() -> None:
    ours = checker({"/simple/reqeusts/": json_page(("reqeusts-0.0.1.tar.gz", SHA))})
    answer = ours.held("Reqeusts", "reqeusts-0.0.1.tar.gz", SHA)
    assert (
        answer.holding is Holding.OURS and answer.detail == "reqeusts-0.0.1.tar.gz is on the index"
    )
    theirs = checker({"/simple/reqeusts/": json_page(("reqeusts-0.0.1.tar.gz", "00" * 32))})
    answer = theirs.held("reqeusts", "reqeusts-0.0.1.tar.gz", SHA)
    assert answer.holding is Holding.OTHER and "other content" in answer.detail


def test_a_project_without_our_file_is_another_s_and_its_files_are_named() -> None:
    check = checker({"/simple/reqeusts/": json_page(("reqeusts-9.0.tar.gz", None))})
    answer = check.held("reqeusts", "reqeusts-0.0.1.tar.gz", SHA)
    assert answer == IndexAnswer(Holding.OTHER, "project exists on the index (reqeusts-9.0.tar.gz)")


def test_a_page_without_hashes_is_settled_by_downloading_the_file() -> None:
    seen: list[str] = []
    routes = {
        "/simple/reqeusts/": json_page(("reqeusts-0.0.1.tar.gz", None)),
        "/packages/reqeusts-0.0.1.tar.gz": httpx.Response(200, content=OURS),
    }
    assert checker(routes, seen).held("reqeusts", "reqeusts-0.0.1.tar.gz", SHA).holding is (
        Holding.OURS
    )
    assert seen == ["/simple/reqeusts/", "/packages/reqeusts-0.0.1.tar.gz"]
    routes["/packages/reqeusts-0.0.1.tar.gz"] = httpx.Response(502)
    with pytest.raises(IndexReadError, match=r"cannot download .*reqeusts-0.0.1.tar.gz: 502"):
        checker(routes).held("reqeusts", "reqeusts-0.0.1.tar.gz", SHA)


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (503, IndexReadError, r"cannot read http://index.test/simple/x/: 503 Service Unavailable"),
        (429, IndexReadError, r"cannot read .*: 429 Too Many Requests"),
        (401, UploadError, r"the index refused to show .* \(401 Unauthorized\); give --simple-url"),
        (403, UploadError, r"refused to show .*credentials that may read it"),
        (410, UploadError, r"is not a simple index page \(410 Gone\); give the right --simple"),
    ],
)
def test_a_failed_read_is_retried_later_or_stops_with_what_to_fix(
    status: int, error: type[Exception], message: str
) -> None:
    check = checker({"/simple/x/": httpx.Response(status)})
    with pytest.raises(error, match=message):
        check.held("x", "x-0.0.1.tar.gz", SHA)


def test_no_answer_is_retried_later() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = SimpleClient("http://index.test/simple/", transport=httpx.MockTransport(refused))
    with pytest.raises(IndexReadError, match=r"cannot read .*/x/: cannot reach the index"):
        IndexCheck(client).held("x", "x-0.0.1.tar.gz", SHA)


def test_with_the_listing_a_name_it_lacks_needs_no_request_of_its_own() -> None:
    seen: list[str] = []
    listing = b'<html><body><a href="held/">held</a></body></html>'
    routes = {
        "/simple/": httpx.Response(200, content=listing, headers={"Content-Type": "text/html"}),
        "/simple/held/": json_page(("held-1.0.tar.gz", None)),
    }
    check = checker(routes, seen, use_listing=True)
    assert check.held("free-one", "free_one-0.0.1.tar.gz", SHA).holding is Holding.ABSENT
    assert check.held("free-two", "free_two-0.0.1.tar.gz", SHA).holding is Holding.ABSENT
    assert check.held("held", "held-0.0.1.tar.gz", SHA).holding is Holding.OTHER
    assert seen == ["/simple/", "/simple/held/"]  # the listing once, within its time to live
    # A fresh look, after a lost answer, always reads the page itself.
    check.remember("free-one")
    assert check.held("free-one", "free_one-0.0.1.tar.gz", SHA, fresh=True).holding is (
        Holding.ABSENT
    )
    assert seen[-1] == "/simple/free-one/"


def test_an_index_without_a_readable_listing_is_asked_page_by_page() -> None:
    seen: list[str] = []
    routes = {"/simple/": httpx.Response(200, content=b"<html>Please log in</html>")}
    check = checker(routes, seen, use_listing=True)
    assert check.held("a", "a-0.0.1.tar.gz", SHA).holding is Holding.ABSENT
    assert check.held("b", "b-0.0.1.tar.gz", SHA).holding is Holding.ABSENT
    assert seen == ["/simple/", "/simple/a/", "/simple/b/"]


def test_a_private_index_is_read_with_the_upload_login(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(3)
    with FaultServer(private=True) as server:
        for run in ("first", "second"):
            result = upload_batch(
                batch.plan, batch.dist, credentials_of(server), retry=FAST_RETRY, rate=None,
                ledger_path=tmp_path / f"{run}.sqlite",
            )  # fmt: skip
            assert result.complete and result.stopped is None
        # The second run, on a new ledger, found every name ours on the index: nothing sent.
        assert result.uploaded == 0 and result.counts["reserved"] == 3
        assert server.reads and all(server.authorised(login) for _, login in server.reads)


def test_credentials_never_travel_to_an_index_on_another_host(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(2)
    with FaultServer() as upload, FaultServer() as index:
        result = upload_batch(
            batch.plan, batch.dist, credentials_of(upload), retry=FAST_RETRY, rate=None,
            simple_url=index.simple_url, ledger_path=tmp_path / "ledger.sqlite",
        )  # fmt: skip
    assert result.uploaded == 2
    assert index.reads and all(login is None for _, login in index.reads)


def test_the_index_is_read_with_the_tls_trust_the_upload_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert httpx_verify(False) is False and httpx_verify(True) is True
    bundle = requests.utils.DEFAULT_CA_BUNDLE_PATH  # what twine's requests trust by default
    context = httpx_verify(bundle)
    assert isinstance(context, ssl.SSLContext) and context.verify_mode is ssl.CERT_REQUIRED
    with pytest.raises(UploadError, match="cannot read the CA bundle"):
        httpx_verify(str(tmp_path / "missing.pem"))
    # requests' own variables, read as requests reads them for a session of its own
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    assert isinstance(environment_verify(), ssl.SSLContext)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    assert environment_verify() is True
