"""``reserver stats serve`` and ``reserver stats register`` through the real command line."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from reserver.errors import ReserverError
from reserver.stats.ratelimit import PingRateLimiter, parse_rate

from ..conftest import Cli, CliResult
from .conftest import TOKEN, StatsServer


def refused(done: CliResult) -> bool:
    """The command stopped on the user's input: status 2, as for a usage error (1 is kept
    for findings, 3 for a bug; reserver/cli/__init__.py)."""
    return done.returncode == 2


def make_plan(tmp_path: Path) -> Path:
    from reserver.plan.jsonfile import save_plan
    from reserver.plan.model import entry_for, make_plan

    plan = tmp_path / "plan.json"
    save_plan(make_plan([entry_for("reqeusts", "requests"), entry_for("pwd")]), plan)
    return plan


@pytest.mark.slow
def test_register_makes_the_service_accept_the_plans_names(
    cli: Cli, stats_server: StatsServer, tmp_path: Path
) -> None:
    plan = make_plan(tmp_path)
    ping = {"name": "pwd", "version": "0.0.1", "installer": "uv", "python": "3.12", "ci": False}
    assert httpx.post(stats_server.url + "/ping", json=ping).status_code == 404
    done = cli("stats", "register", str(plan), "--url", stats_server.url, "--token", TOKEN)
    assert done.returncode == 0, done.stderr
    assert "registered 2 names" in done.stdout
    assert httpx.post(stats_server.url + "/ping", json=ping).status_code == 204
    why = httpx.get(stats_server.url + "/why/pwd").text
    assert "import pwd" in why


@pytest.mark.slow
def test_register_takes_the_token_from_the_environment(
    cli: Cli, stats_server: StatsServer, tmp_path: Path
) -> None:
    plan = make_plan(tmp_path)
    env = {"RESERVER_STATS_TOKEN": TOKEN}
    done = cli("stats", "register", str(plan), "--url", stats_server.url, env=env)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_a_wrong_token_is_a_one_line_error(
    cli: Cli, stats_server: StatsServer, tmp_path: Path
) -> None:
    plan = make_plan(tmp_path)
    done = cli("stats", "register", str(plan), "--url", stats_server.url,
               "--token", "wrong-token-but-long-enough")  # fmt: skip
    assert refused(done)
    assert done.stderr.startswith("error: the stats service refused the token (401)")
    assert "Traceback" not in done.stderr


def test_register_without_a_token_or_service_fails_cleanly(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = make_plan(tmp_path)
    monkeypatch.delenv("RESERVER_STATS_TOKEN", raising=False)
    done = cli("stats", "register", str(plan), "--url", "http://127.0.0.1:9")
    assert refused(done) and "--token" in done.stderr
    done = cli("stats", "register", str(plan), "--url", "http://127.0.0.1:9", "--token", TOKEN)
    assert refused(done)
    assert done.stderr.startswith("error: cannot reach the stats service")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "mysql://u@h/db"], "unsupported database"),
        (["--db", "sqlite://"], "in-memory"),
        (["--rate-limit", "lots"], "invalid rate limit"),
        (["--token", "short"], "at least 16 characters"),
        (["--forwarded-allow-ips", "*"], "every client"),
        (["--forwarded-allow-ips", "proxy.internal"], "not an IP address or network"),
    ],
)
def test_serve_refuses_bad_options_in_one_line_before_any_file_is_created(
    cli: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    base = ["stats", "serve", "--db", f"sqlite:///{tmp_path / 'never.sqlite3'}", "--port", "9"]
    done = cli(*base, *args)
    assert refused(done) and message in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # neither the database nor the secret file
    assert "serving stats on" not in done.stderr  # refused before it says it is serving


def test_rate_limits_parse_and_apply_per_window() -> None:
    assert parse_rate("30/minute") == (30, 60)
    now = [1000.0]
    limiter = PingRateLimiter("2/second", clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a")] == [True, True, False]
    assert limiter.allow("b") is True  # per source
    now[0] += 1.0
    assert limiter.allow("a") is True  # a new window


@pytest.mark.slow
def test_behind_a_trusted_proxy_each_forwarded_client_is_its_own_source(tmp_path: Path) -> None:
    server = StatsServer(
        f"sqlite:///{tmp_path / 'proxied.sqlite3'}",
        # Windows are fixed: with a day's window none turns between the pings below (a
        # minute's did once in a CI run, and the fifth ping was let through).
        ["--rate-limit", "2/day", "--forwarded-allow-ips", "127.0.0.1"],
    )
    try:
        server.register()
        ping = {"name": "pwd", "version": "0.0.1", "installer": "pip", "python": "3.12",
                "ci": False}  # fmt: skip

        def send(client: str) -> int:
            headers = {"X-Forwarded-For": client}
            return httpx.post(server.url + "/ping", json=ping, headers=headers).status_code

        # Two clients behind the same proxy each get their own allowance...
        assert [send("203.0.113.1") for _ in range(2)] == [204, 204]
        assert [send("203.0.113.2") for _ in range(2)] == [204, 204]
        # ...and the limit still applies to each of them.
        assert send("203.0.113.1") == 429
        assert server.summary()["total"] == 4
    finally:
        server.stop()


@pytest.mark.slow
def test_two_workers_on_one_postgresql_share_names_and_counts() -> None:
    import secrets
    import time

    import psycopg

    schema = f"reserver_workers_{secrets.token_hex(4)}"
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    first = StatsServer(url, ["--db-schema", schema, "--rate-limit", "off"])
    second = StatsServer(url, ["--db-schema", schema, "--rate-limit", "off"])
    try:
        first.register()
        ping = {"name": "pwd", "version": "0.0.1", "installer": "uv", "python": "3.13",
                "ci": False}  # fmt: skip
        deadline = time.monotonic() + 10
        status = httpx.post(second.url + "/ping", json=ping).status_code
        while status == 404 and time.monotonic() < deadline:  # the other worker's names cache
            time.sleep(0.5)
            status = httpx.post(second.url + "/ping", json=ping).status_code
        assert status == 204
        assert httpx.post(first.url + "/ping", json=ping).status_code == 204
        assert first.summary()["by_name"] == {"pwd": 2} == second.summary()["by_name"]
    finally:
        first.stop()
        second.stop()
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as db:
            db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_register_refuses_plain_http_to_another_host(cli: Cli, tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    # Refused before any connection is tried (the host does not even resolve).
    done = cli("stats", "register", str(plan), "--url", "http://stats.invalid", "--token", TOKEN)
    assert refused(done)
    assert "plain http" in done.stderr and "--insecure" in done.stderr
    assert TOKEN not in done.stderr


def test_register_sends_the_token_over_https_loopback_or_when_told_to() -> None:
    from reserver.plan.model import entry_for, make_plan
    from reserver.stats.client import register_plan

    plan = make_plan([entry_for("reqeusts", "requests")])
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"registered": 1, "known": 1})

    mock = httpx.MockTransport(answer)  # nothing leaves this process
    for url in ("https://stats.example.org", "http://127.0.0.1:8000", "http://localhost:1",
                "http://127.8.9.10"):  # fmt: skip
        assert register_plan(plan, url, TOKEN, transport=mock) == 1
    with pytest.raises(ReserverError, match="plain http"):
        register_plan(plan, "http://stats.example.org", TOKEN, transport=mock)
    with pytest.raises(ReserverError, match="plain http"):
        register_plan(plan, "http://127.0.0.1.example.org", TOKEN, transport=mock)
    assert register_plan(plan, "http://stats.example.org", TOKEN, transport=mock,
                         insecure=True) == 1  # fmt: skip
    assert seen[-1] == "http://stats.example.org/admin/names"
    assert len(seen) == 5


@pytest.mark.slow
def test_register_quietly_says_nothing_and_verbosely_where_it_registers(
    cli: Cli, stats_server: StatsServer, tmp_path: Path
) -> None:
    plan = make_plan(tmp_path)
    args = ("stats", "register", str(plan), "--url", stats_server.url, "--token", TOKEN)
    quiet = cli(*args, "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    verbose = cli(*args, "-v")
    assert verbose.returncode == 0 and "registered 2 names" in verbose.stdout
    assert f"registering 2 names at {stats_server.url}/admin/names" in verbose.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("flag", "said", "unsaid"), [
    ("-q", "note: created the secret file", "serving stats on"),
    ("-v", "Application startup complete", None),
])  # fmt: skip
def test_serve_says_only_its_notes_with_q_and_uvicorns_own_lines_with_v(
    tmp_path: Path, flag: str, said: str, unsaid: str | None
) -> None:
    server = StatsServer(f"sqlite:///{tmp_path / 'said.sqlite3'}", [flag])
    server.stop()
    assert server.process.stderr is not None
    stderr = server.process.stderr.read().decode()
    assert said in stderr, stderr
    assert unsaid is None or unsaid not in stderr, stderr


def test_the_ping_limit_takes_the_upload_rates_syntax() -> None:
    # One syntax for both (reserver._rates); the counter's window is whole seconds.
    assert parse_rate("100/2m") == (100, 120) and parse_rate("5/2s") == (5, 2)
    for bad in ("off", "1/0.5s", "30/fortnight"):
        with pytest.raises(ReserverError, match="invalid rate limit"):
            parse_rate(bad)
