"""Bad input of every kind: no 5xx, nothing stored, nothing rendered unescaped.

Schemathesis fuzzes every operation of the service's own OpenAPI schema against a running
server; Hypothesis puts SQL, markup and wrong types into each field of an otherwise valid ping
for a held name, so a refusal can only come from the bad field.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from .conftest import HOLDER, StatsServer, auth, ping_body

HOSTILE = [
    "'; DROP TABLE stats_counts; --",
    "reqeusts' OR '1'='1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "reqeusts\x00",
    "../../etc/passwd",
    "{{7*7}}",
    "reqeusts\r\nX-Injected: 1",
    "x" * 5000,
]
FIELDS = ["name", "version", "installer", "python", "ci"]
WRONG_TYPES: list[Any] = [None, 1, 1.5, True, [], {}, ["reqeusts"], {"$gt": ""}]

bad_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(WRONG_TYPES),
    st.text(max_size=300),
    st.integers(),
    st.lists(st.text(max_size=5), max_size=3),
)


def stored_total(client: TestClient) -> int:
    total: int = client.get("/api/summary").json()["total"]
    return total


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(field=st.sampled_from(FIELDS), value=bad_values)
def test_a_bad_field_in_a_ping_is_refused_and_not_stored(
    client: TestClient, field: str, value: Any
) -> None:
    body = ping_body()
    body[field] = value
    if PingValid.accepts(body):
        return  # Hypothesis found a value that is valid for that field (e.g. "3.12")
    before = stored_total(client)
    response = client.post("/ping", content=json.dumps(body),
                           headers={"content-type": "application/json"})  # fmt: skip
    assert 400 <= response.status_code < 500, (body, response.text)
    assert stored_total(client) == before


class PingValid:
    """The few values a field legitimately takes, so generated ones are not misjudged."""

    @staticmethod
    def accepts(body: dict[str, Any]) -> bool:
        from pydantic import ValidationError

        from reserver.stats.schema import PingBody, name_key

        try:
            parsed = PingBody.model_validate_json(json.dumps(body))
        except (ValidationError, ValueError):
            return False
        return name_key(parsed.name) in {"reqeusts", "beautiful-soup", "pwd", "telnetlib"}


@pytest.mark.parametrize("field", FIELDS)
def test_hostile_text_in_each_field_is_refused(client: TestClient, field: str) -> None:
    for value in HOSTILE:
        response = client.post("/ping", json=ping_body(**{field: value}))
        assert response.status_code in (413, 422), (field, value)
    assert stored_total(client) == 0
    assert client.post("/ping", json=ping_body()).status_code == 204  # the control
    assert stored_total(client) == 1


def test_malformed_json_and_huge_declared_lengths_are_refused(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    for raw in (b"", b"{", b"null", b"[]", b'{"name": "reqeusts"', b"\xff\xfe", b"1e999999"):
        assert client.post("/ping", content=raw, headers=headers).status_code == 422
    huge = {**headers, "content-length": str(10**12)}
    response = client.post("/ping", content=b"{}", headers=huge)
    assert response.status_code in (400, 413)
    assert stored_total(client) == 0


def test_registration_with_markup_anywhere_is_refused(client: TestClient) -> None:
    for field in ("name", "target", "replacement"):
        for value in HOSTILE:
            entry = {"name": "safe-name", "target": "requests", "category": "typo", field: value}
            body = {"holder": HOLDER, "names": [entry]}
            assert client.post("/admin/names", json=body, headers=auth()).status_code == 422
    for field in ("name", "contact", "url"):
        for value in HOSTILE:
            if not any(c in value for c in '<>"\x00\r\n') and len(value) < 100:
                continue  # plain text such as SQL is data here; see the next test
            body = {"holder": {**HOLDER, field: value}, "names": []}
            assert client.post("/admin/names", json=body, headers=auth()).status_code == 422
    names = client.get("/api/names").json()["names"]
    assert "safe-name" not in {n["name"] for n in names}


def test_sql_in_a_holder_name_is_stored_as_text(client: TestClient) -> None:
    holder = {**HOLDER, "name": HOSTILE[0]}
    body = {"holder": holder, "names": [{"name": "pwd", "category": "stdlib"}]}
    assert client.post("/admin/names", json=body, headers=auth()).status_code == 200
    assert client.post("/ping", json=ping_body("pwd")).status_code == 204
    page = client.get("/why/pwd")
    assert "DROP TABLE stats_counts; --" in page.text
    assert stored_total(client) == 1  # the tables are all still there


@pytest.mark.parametrize("value", HOSTILE[:4])
def test_pages_never_render_request_text_unescaped(client: TestClient, value: str) -> None:
    for path in ("/why/", "/names/", "/api/names/"):
        response = client.get(
            path + httpx.URL("http://x/").copy_with(path="/" + value).raw_path.decode()[1:]
        )
        assert response.status_code in (404, 422), (path, value)
        assert "<script>alert" not in response.text and "<img src=x" not in response.text


# -- schemathesis over HTTP, against the service's own OpenAPI schema -------------------------

ACCEPTED: list[int] = []


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StatsServer]:
    server = StatsServer(
        f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}",
        extra=["--rate-limit", "off"],
    )
    server.register()
    yield server
    server.stop()


def fuzz_operations(server: StatsServer, mode: schemathesis.GenerationMode) -> int:
    """Run every operation's generated cases against ``server``; returns how many ran."""
    spec = schemathesis.openapi.from_url(server.url + "/openapi.json")
    ran = 0

    def check(case: Any) -> None:
        nonlocal ran
        ran += 1
        response = case.call(base_url=server.url, timeout=10)
        assert response.status_code < 500, (case.method, case.path, response.text[:300])
        if case.path == "/ping" and response.status_code == 204:
            ACCEPTED.append(1)
        assert "<script>alert" not in response.text

    for result in spec.get_all_operations():
        operation = result.ok()
        fuzz = given(case=operation.as_strategy(generation_mode=mode))(check)
        # No invalid input exists for an operation without parameters (/healthz).
        with contextlib.suppress(Unsatisfiable):
            settings(max_examples=25, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck))(fuzz)()  # fmt: skip
    return ran


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_no_generated_request_makes_the_service_fail(
    fuzz_server: StatsServer, mode: schemathesis.GenerationMode
) -> None:
    assert fuzz_operations(fuzz_server, mode) > 100


@pytest.mark.slow
def test_fuzzing_stored_only_what_it_was_told_was_counted(fuzz_server: StatsServer) -> None:
    # Runs after the fuzzing above (file order): every stored count was acknowledged with 204.
    assert fuzz_server.summary()["total"] == len(ACCEPTED)
    assert httpx.get(fuzz_server.url + "/healthz").json()["status"] == "ok"


def test_schema_file_is_valid_json(tmp_path: Path, client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    (tmp_path / "openapi.json").write_text(json.dumps(spec))
    assert spec["openapi"].startswith("3.")
