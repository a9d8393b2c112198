"""The service over a real store: what it accepts, refuses, counts and shows."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from reserver.placeholder import ci
from reserver.stats.store import StatsStore

from .conftest import HOLDER, NAMES, TOKEN, Clock, auth, ping_body


def test_a_valid_ping_for_a_held_name_is_counted(client: TestClient) -> None:
    assert client.post("/ping", json=ping_body()).status_code == 204
    summary = client.get("/api/summary").json()
    assert summary["total"] == 1
    assert summary["by_name"] == {"reqeusts": 1}
    assert summary["by_target"] == {"requests": 1}
    assert summary["by_installer"] == {"pip": 1}
    assert summary["by_ci"] == {"ci": 0, "interactive": 1}


def test_names_are_matched_after_normalisation(client: TestClient) -> None:
    assert client.post("/ping", json=ping_body("beautiful-soup")).status_code == 204
    assert client.get("/api/summary").json()["by_name"] == {"Beautiful_Soup": 1}


def test_unknown_names_are_refused_and_counted_not_stored(client: TestClient) -> None:
    response = client.post("/ping", json=ping_body("requests"))
    assert response.status_code == 404
    summary = client.get("/api/summary").json()
    assert summary["total"] == 0
    assert summary["by_name"] == {}
    assert rejected_counts(client) == {"unknown_name": 1}


@pytest.mark.parametrize(
    "body",
    [
        ping_body(extra="x"),
        ping_body(ci="false"),
        ping_body(installer="npm"),
        ping_body(python="3.12.1"),
        ping_body(version="1.0; DROP TABLE stats_counts"),
        {k: v for k, v in ping_body().items() if k != "ci"},
        ping_body(name="<script>alert(1)</script>"),
    ],
)
def test_malformed_pings_are_refused(client: TestClient, body: dict[str, object]) -> None:
    assert client.post("/ping", json=body).status_code == 422
    assert client.get("/api/summary").json()["total"] == 0


def test_oversized_and_non_json_bodies_are_refused(client: TestClient) -> None:
    big = client.post("/ping", content=b"{" + b" " * 5000 + b"}",
                      headers={"content-type": "application/json"})  # fmt: skip
    assert big.status_code == 413
    text = client.post("/ping", content=b"name=reqeusts", headers={"content-type": "text/plain"})
    assert text.status_code == 415
    summary = client.get("/api/summary").json()
    assert summary["total"] == 0
    assert rejected_counts(client, 2) == {"too_large": 1, "not_json": 1}


def rejected_counts(client: TestClient, expected: int = 1) -> dict[str, int]:
    """Rejections are counted with the writer's next batch, not before the 4xx is answered:
    wait (briefly) until ``expected`` of them are stored."""
    deadline = time.monotonic() + 5
    while True:
        rejected: dict[str, int] = client.get("/api/summary").json()["rejected"]
        if sum(rejected.values()) >= expected or time.monotonic() > deadline:
            return rejected
        time.sleep(0.05)


def test_a_source_is_rate_limited(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit="3/day")  # a fixed window that cannot turn mid-test
    codes = [client.post("/ping", json=ping_body()).status_code for _ in range(5)]
    assert codes == [204, 204, 204, 429, 429]
    summary = client.get("/api/summary").json()
    assert summary["total"] == 3
    assert rejected_counts(client, 2) == {"rate_limited": 2}


def test_unique_sources_are_counted_without_storing_the_address(
    client: TestClient, store: StatsStore, clock: Clock
) -> None:
    for _ in range(3):
        client.post("/ping", json=ping_body())
    days = client.get("/api/daily").json()["days"]
    assert days[0]["unique_sources"] == 1
    with store.engine.connect() as conn:
        dump = "\n".join(
            str(row) for table in store.t.values() for row in conn.execute(table.select())
        )
    assert "203.0.113.7" not in dump
    clock.day += timedelta(days=1)
    client.post("/ping", json=ping_body())
    days = client.get("/api/daily").json()["days"]
    assert [d["unique_sources"] for d in days] == [1, 1]


def test_admin_endpoints_need_the_token(make_client: Callable[..., TestClient]) -> None:
    client = make_client(register=False)
    body = {"holder": HOLDER, "names": NAMES}
    assert client.post("/admin/names", json=body).status_code == 401
    wrong = {"Authorization": "Bearer " + "x" * len(TOKEN)}
    assert client.post("/admin/names", json=body, headers=wrong).status_code == 401
    assert client.delete("/admin/names/pwd").status_code == 401
    assert client.get("/api/summary").json()["registered_names"] == 0
    assert client.post("/admin/names", json=body, headers=auth()).json()["known"] == len(NAMES)


def test_without_a_token_admin_is_disabled(make_client: Callable[..., TestClient]) -> None:
    client = make_client(register=False, token=None)
    response = client.post("/admin/names", json={"holder": HOLDER, "names": NAMES},
                           headers=auth())  # fmt: skip
    assert response.status_code == 403


def test_registration_refuses_markup_in_names_and_holder(client: TestClient) -> None:
    bad_name = {"holder": HOLDER, "names": [{"name": "<b>x</b>", "category": "stdlib"}]}
    assert client.post("/admin/names", json=bad_name, headers=auth()).status_code == 422
    bad_holder = {"holder": {**HOLDER, "name": "<script>x</script>"}, "names": NAMES}
    assert client.post("/admin/names", json=bad_holder, headers=auth()).status_code == 422
    assert client.get("/api/summary").json()["registered_names"] == len(NAMES)


def test_registration_refuses_names_that_make_no_sense_and_hidden_text(client: TestClient) -> None:
    bad = [
        [{"name": "reqeusts", "category": "typo"}],  # a typo of nothing
        [{"name": "requests", "target": "requests", "category": "typo"}],  # of itself
        [{"name": "Requests", "target": "requests", "category": "import"}],  # the same, PEP 503
    ]
    for names in bad:
        response = client.post("/admin/names", json={"holder": HOLDER, "names": names},
                               headers=auth())  # fmt: skip
        assert response.status_code == 422, names
    # A right-to-left override makes the holder read as someone else on /why.
    hidden = {"holder": {**HOLDER, "name": "ACME\u202eytiruceS"}, "names": NAMES}
    assert client.post("/admin/names", json=hidden, headers=auth()).status_code == 422
    assert client.get("/api/summary").json()["registered_names"] == len(NAMES)


def test_unregistered_names_stop_being_accepted(client: TestClient) -> None:
    assert client.post("/ping", json=ping_body("pwd")).status_code == 204
    assert client.delete("/admin/names/pwd", headers=auth()).status_code == 204
    assert client.post("/ping", json=ping_body("pwd")).status_code == 404
    assert client.delete("/admin/names/pwd", headers=auth()).status_code == 404


def test_csv_exports_carry_the_same_numbers_as_json(client: TestClient) -> None:
    for name, installer in (("reqeusts", "pip"), ("reqeusts", "uv"), ("pwd", "uv")):
        client.post("/ping", json=ping_body(name, installer=installer))
    summary = client.get("/api/summary").json()
    rows = list(csv.DictReader(io.StringIO(client.get("/api/summary.csv").text)))
    by_name = {r["key"]: int(r["count"]) for r in rows if r["dimension"] == "name"}
    assert by_name == summary["by_name"]
    assert next(r for r in rows if r["dimension"] == "total")["count"] == str(summary["total"])
    daily = list(csv.DictReader(io.StringIO(client.get("/api/daily.csv").text)))
    assert [int(r["total"]) for r in daily] == [
        d["total"] for d in client.get("/api/daily").json()["days"]
    ]
    export = list(csv.DictReader(io.StringIO(client.get("/api/export.csv").text)))
    assert sum(int(r["count"]) for r in export) == summary["total"]
    names = list(csv.DictReader(io.StringIO(client.get("/api/names.csv").text)))
    assert {r["name"]: int(r["count"]) for r in names}["reqeusts"] == 2


def test_per_name_api_and_page(client: TestClient) -> None:
    client.post("/ping", json=ping_body("reqeusts", installer="uv", ci=True))
    detail = client.get("/api/names/reqeusts").json()
    assert detail["total"] == 1
    assert detail["by_installer"] == {"uv": 1}
    assert detail["by_ci"] == {"ci": 1, "interactive": 0}
    page = client.get("/names/reqeusts")
    assert page.status_code == 200
    assert "requests" in page.text
    assert client.get("/api/names/nothing-here").status_code == 404


def test_why_page_says_what_to_install(client: TestClient) -> None:
    page = client.get("/why/reqeusts").text
    assert "You probably meant <strong>requests</strong>" in page
    assert "pip install requests" in page and "uv add requests" in page
    stdlib = client.get("/why/pwd").text
    assert "standard library" in stdlib and "import pwd" in stdlib
    removed = client.get("/why/telnetlib").text
    assert "3.13" in removed and "pip install telnetlib3" in removed
    # What is skipped and what is counted as automation: the placeholder's own lists.
    assert ci.described(ci.SKIP) in page and ci.described(ci.FLAG) in page


def test_pages_for_unknown_names_do_not_echo_them(client: TestClient) -> None:
    for path in ("/why/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/names/%3Cimg%20src%3Dx%3E"):
        response = client.get(path)
        assert response.status_code == 404
        assert "<script>alert" not in response.text and "<img" not in response.text


def test_pages_send_a_content_security_policy(client: TestClient) -> None:
    headers = client.get("/").headers
    policy = headers["content-security-policy"]
    # The charts are SVG in the page: no script runs and nothing is styled inline.
    assert "script-src 'none'" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/names/reqeusts", "/why/reqeusts", "/docs"])
def test_pages_carry_no_script_and_no_inline_style(client: TestClient, path: str) -> None:
    client.post("/ping", json=ping_body("reqeusts"))
    page = client.get(path).text
    assert "<script" not in page and "style=" not in page
    assert "plotly" not in page.lower()
    assert client.get("/static/plotly.min.js").status_code == 404


def test_healthz_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    client.post("/ping", json=ping_body())
    client.post("/ping", json=ping_body("nope"))
    metrics = client.get("/metrics").text
    assert 'reserver_pings_accepted_total{installer="pip"} 1.0' in metrics
    assert 'reserver_pings_rejected_total{reason="unknown_name"} 1.0' in metrics
    assert "reserver_commit_seconds_bucket" in metrics


def test_a_ping_the_store_cannot_commit_is_refused_not_acknowledged(
    make_client: Callable[..., TestClient], store: StatsStore
) -> None:
    client = make_client()
    store.drop()  # the tables vanish under a running service
    assert client.post("/ping", json=ping_body()).status_code == 503
    store.create()
    assert client.post("/ping", json=ping_body()).status_code == 204


def test_openapi_documents_the_ping_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/ping"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"name", "version", "installer", "python", "ci"}
    assert body["additionalProperties"] is False
    assert "/api/summary" in spec["paths"]


def test_why_page_for_private_names_and_stdlib_typos(client: TestClient) -> None:
    names = [
        {"name": "acme-internal-tools", "category": "internal"},
        {"name": "colections", "target": "collections", "category": "typo"},
    ]
    body = {"holder": HOLDER, "names": names}
    assert client.post("/admin/names", json=body, headers=auth()).status_code == 200
    private = client.get("/why/acme-internal-tools").text
    assert "private package" in private and "pip install" not in private
    typo = client.get("/why/colections").text
    assert "import collections" in typo and "pip install collections" not in typo
    client.post("/ping", json=ping_body("acme-internal-tools"))
    assert client.get("/api/summary").json()["by_target"] == {"(private package)": 1}


def test_the_hits_feed_names_each_kind_in_the_model_vocabulary(client: TestClient) -> None:
    for _ in range(3):
        assert client.post("/ping", json=ping_body("reqeusts")).status_code == 204
    assert client.post("/ping", json=ping_body("pwd")).status_code == 204
    rows = {row["name"]: row for row in client.get("/api/hits").json()["hits"]}
    assert rows["reqeusts"] == {"name": "reqeusts", "target": "requests", "category": "typo",
                                "kind": "transposition", "position": "late", "hits": 3}  # fmt: skip
    assert (rows["pwd"]["kind"], rows["pwd"]["hits"]) == ("stdlib", 1)
    assert rows["Beautiful_Soup"]["kind"] == "import_name"
    text = client.get("/api/hits.csv").text
    assert text.splitlines()[0] == "name,target,category,kind,position,hits"
    assert "reqeusts,requests,typo,transposition,late,3" in text.splitlines()


def test_one_names_daily_numbers_add_up(client: TestClient) -> None:
    client.post("/ping", json=ping_body("reqeusts", ci=True))
    client.post("/ping", json=ping_body("reqeusts"))
    client.post("/ping", json=ping_body("reqeusts", installer="uv"))
    client.post("/ping", json=ping_body("pwd"))
    [day] = client.get("/api/daily", params={"name": "reqeusts"}).json()["days"]
    assert (day["total"], day["ci"], day["interactive"]) == (3, 1, 2)
    # Sources are counted per day, not per name: unknown here, and said so (not a zero).
    assert day["unique_sources"] is None
    rows = list(csv.DictReader(io.StringIO(client.get("/api/daily.csv?name=reqeusts").text)))
    assert rows == [{"day": day["day"], "total": "3", "ci": "1", "interactive": "2",
                     "unique_sources": ""}]  # fmt: skip
    [everything] = client.get("/api/daily").json()["days"]
    assert (everything["total"], everything["ci"], everything["interactive"]) == (4, 1, 3)
    assert everything["unique_sources"] == 1


@pytest.mark.parametrize(
    "path",
    ["/", "/names/reqeusts", "/why/pwd", "/docs", "/api/summary", "/api/daily.csv",
     "/api/export.csv", "/healthz", "/metrics", "/openapi.json", "/static/dashboard.css"],
)  # fmt: skip
def test_head_works_wherever_get_does(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert get.status_code == head.status_code == 200, (path, head.status_code)
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in get.headers:
        assert head.headers["content-length"] == get.headers["content-length"]


def test_head_of_what_is_not_there_or_post_only(client: TestClient) -> None:
    assert client.head("/no-such-page").status_code == 404
    assert client.head("/ping").status_code == 405
    assert client.get("/api/summary").json()["total"] == 0  # HEAD /ping counted nothing


def test_the_api_page_is_served_here_and_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<a href="/api/summary"><code>/api/summary</code></a>' in page.text
    assert "/admin/names" in page.text and "/openapi.json" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN, no remote asset
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404


def test_chart_pages_are_gzipped_for_clients_that_take_it(client: TestClient, clock: Clock) -> None:
    # A month of days with pings: pages of SVG that compress well.
    for _ in range(30):
        assert client.post("/ping", json=ping_body()).status_code == 204
        clock.day += timedelta(days=1)
    for path in ("/", f"/names/{NAMES[0]['name']}"):
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers={"Accept-Encoding": "gzip, br"})
        refused = client.get(path, headers={"Accept-Encoding": "gzip;q=0"})
        assert plain.status_code == packed.status_code == 200
        assert "content-encoding" not in plain.headers
        assert "content-encoding" not in refused.headers
        assert packed.headers["content-encoding"] == "gzip"
        assert plain.headers["vary"] == packed.headers["vary"] == "Accept-Encoding"
        # The same page, in a third of the bytes or fewer; the page's own headers kept.
        assert packed.text == plain.text
        assert packed.num_bytes_downloaded * 3 < plain.num_bytes_downloaded
        assert packed.headers["content-security-policy"] == plain.headers["content-security-policy"]
