"""``reserver watch``: new look-alike registrations are reported once, with their target."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reserver.guard.detect import Detector
from reserver.guard.watch import WatchError, load_state, new_names, watch_once
from reserver.index.listing import Listing, fetch_listing
from reserver.index.local import LocalIndex
from reserver.placeholder.build import build_plan
from reserver.plan.model import entry_for, make_plan
from reserver.publish.twine_upload import Credentials, TwineSession

from ..conftest import Cli
from ..fake_index import HOST, FakeIndex, Route
from .conftest import POPULAR


@pytest.fixture
def webhook() -> Iterator[FakeIndex]:
    """A receiver of the webhook on loopback (the shared fake): /hook answers 200."""
    with FakeIndex() as hook:
        hook.routes["/hook"] = Route()
        yield hook


def upload(index: LocalIndex, tmp_path: Path, *entries: tuple[str, str]) -> None:
    """Build real placeholder sdists and upload them to the index with twine."""
    plan = make_plan([entry_for(name, target) for name, target in entries])
    out = tmp_path / "dist" / entries[0][0]
    built = build_plan(plan, out)
    credentials = Credentials(index.url, username=index.username, password=index.password)
    with TwineSession(credentials) as session:
        for sdist in built:
            response = session.upload(sdist.path)
            assert response.ok, response


@pytest.mark.slow
def test_a_look_alike_uploaded_between_runs_is_reported_once_with_its_target(
    cli: Cli, fresh_index: LocalIndex, tmp_path: Path, corpus_file: Path, webhook: FakeIndex
) -> None:
    state = tmp_path / "watch.state"
    args = ["watch", fresh_index.url, "--state", str(state), "--once", "--corpus",
            str(corpus_file), "--webhook", f"{webhook.url}/hook", "--format", "json"]  # fmt: skip
    upload(fresh_index, tmp_path, ("acme-widgets", "acme-widget"))

    first = cli(*args)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == [] and "first run" in first.stderr
    assert load_state(state) is not None and "acme-widgets" in load_state(state).names  # type: ignore[union-attr]

    # A squat and an honest new project appear; the webhook fails the first time.
    upload(fresh_index, tmp_path, ("reqeusts", "requests"), ("acme-gadgets", "acme-gadget"))
    webhook.routes["/hook"] = Route(status=500)
    failed = cli(*args)
    assert failed.returncode == 2 and "webhook" in failed.stderr  # the run failed
    assert [f["name"] for f in json.loads(failed.stdout)] == ["reqeusts"]  # still shown
    assert len(webhook.requests) == 1  # tried once, refused
    webhook.routes["/hook"] = Route()

    second = cli(*args)  # the state did not advance, so the squat is still new
    assert second.returncode == 1, second.stderr  # look-alikes found, as check says it
    findings = json.loads(second.stdout)
    assert [(f["name"], f["target"]) for f in findings] == [("reqeusts", "requests")]
    tried, delivered = webhook.requests
    assert delivered.method == "POST" and delivered.body == tried.body
    body = json.loads(delivered.body)
    assert body["findings"][0]["name"] == "reqeusts"
    assert "reqeusts looks like two swapped letters of requests" in body["text"]  # Slack: "text"

    third = cli(*args)
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout) == []
    assert len(webhook.requests) == 2  # reported once


def static(*names: str) -> Any:
    return lambda index: Listing(tuple(names), index)


def test_diff_reports_new_projects_once_however_spelled(tmp_path: Path) -> None:
    state = tmp_path / "state"
    detector = Detector(POPULAR)
    first = watch_once("idx", state, detector, listing=static("requests", "Django"))
    assert first.first_run and first.findings == ()
    listing = static("requests", "django", "Reqeusts", "reqeusts", "my-app")
    second = watch_once("idx", state, detector, listing=listing)
    assert len(second.new_names) == 2 and "my-app" in second.new_names
    assert [(f.target, f.kind) for f in second.findings] == [("requests", "transposition")]
    third = watch_once("idx", state, detector, listing=static("requests", "django", "reqeusts"))
    assert third.new_names == () and third.findings == ()


def test_a_truncated_or_foreign_state_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    detector = Detector(POPULAR)
    watch_once("idx", state, detector, listing=static("a-name", "b-name", "c-name"))
    with pytest.raises(WatchError, match="belongs to idx"):
        watch_once("other", state, detector, listing=static("a-name"))
    state.write_text(state.read_text().rsplit("\n", 2)[0] + "\n")  # lose the last name
    with pytest.raises(WatchError, match="truncated"):
        watch_once("idx", state, detector, listing=static("a-name"))
    state.write_text("not json\n")
    with pytest.raises(WatchError, match=":1: not a reserver watch state"):
        watch_once("idx", state, detector, listing=static("a-name"))


def test_new_names_helper() -> None:
    added, keys = new_names(frozenset({"foo-bar"}), ["Foo_Bar", "baz.qux"])
    assert added == ["baz.qux"] and keys == ["foo-bar", "baz-qux"]


def test_watch_protects_your_own_names_from_a_saved_listing(cli: Cli, tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    state = tmp_path / "state"
    args = ["watch", str(listing), "--state", str(state), "--once", "--top", "0",
            "--target", "acme-billing-client", "--format", "json"]  # fmt: skip
    listing.write_text("acme-billing-client\nrequests\n")
    assert cli(*args).returncode == 0
    listing.write_text("acme-billing-client\nrequests\nacme-biling-client\nreqeusts\n")
    result = cli(*args)
    assert result.returncode == 1, result.stderr
    # Only the protected name counts with --top 0: the requests look-alike is not ours.
    assert [(f["name"], f["target"]) for f in json.loads(result.stdout)] == [
        ("acme-biling-client", "acme-billing-client")
    ]


def test_quiet_leaves_out_the_run_lines_and_verbose_names_each_new_project(
    cli: Cli,
    tmp_path: Path,
) -> None:
    listing = tmp_path / "listing.txt"
    args = ["watch", str(listing), "--state", str(tmp_path / "state"), "--once", "--top", "0",
            "--target", "acme-billing-client"]  # fmt: skip
    listing.write_text("acme-billing-client\nrequests\n")
    first = cli(*args, "-q")
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")  # no "first run: ..."
    listing.write_text("acme-billing-client\nrequests\nacme-biling-client\n")
    found = cli(*args, "-q")
    assert (found.returncode, found.stderr) == (1, "") and "acme-biling-client" in found.stdout
    listing.write_text(
        "acme-billing-client\nrequests\nacme-biling-client\nacme-billnig-client\nx\n"
    )
    verbose = cli(*args, "-v", "-f", "csv")
    assert verbose.returncode == 1, verbose.stderr
    rows = list(csv.DictReader(io.StringIO(verbose.stdout)))
    assert [(r["name"], r["target"]) for r in rows] == [
        ("acme-billnig-client", "acme-billing-client")
    ]
    assert "new: acme-billnig-client\nnew: x\n" in verbose.stderr
    assert f"{listing}: 5 names, 2 new, 1 look-alike(s)" in verbose.stderr


def test_csv_and_json_print_a_document_even_when_nothing_is_found(cli: Cli, tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text("requests\n")
    args = ["watch", str(listing), "--state", str(tmp_path / "state"), "--once", "-t", "acme"]
    assert cli(*args, "-f", "json").stdout == "[]\n"  # the first run
    assert cli(*args, "-f", "csv").stdout == "name,target,kind,score,level,detail,file,line\n"


def test_watch_with_nothing_to_protect_is_an_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("watch", "x", "--state", str(tmp_path / "s"), "--once", "--top", "0")
    assert result.returncode == 2 and "nothing to protect" in result.stderr


def pep691(names: list[str], serial: int) -> Route:
    """A PEP 691 JSON listing with PyPI's ``_last-serial``."""
    body = json.dumps({"meta": {"api-version": "1.1", "_last-serial": serial},
                       "projects": [{"name": n} for n in names]}).encode()  # fmt: skip
    return Route(body, headers={"Content-Type": "application/vnd.pypi.simple.v1+json"})


def test_an_unchanged_last_serial_means_nothing_new(tmp_path: Path) -> None:
    detector = Detector(POPULAR)
    state = tmp_path / "state.txt"
    index = FakeIndex()

    def listing(url: str) -> Listing:
        return fetch_listing(url, transport=index.transport())

    index.routes["/simple/"] = pep691(["requests", "django"], 1)
    assert watch_once(HOST, state, detector, listing=listing).first_run
    assert load_state(state).serial == 1  # type: ignore[union-attr]
    # Same serial: the index vouches that nothing changed, so the listing is not diffed.
    index.routes["/simple/"] = pep691(["requests", "django", "reqeusts"], 1)
    assert watch_once(HOST, state, detector, listing=listing).new_names == ()
    index.routes["/simple/"] = pep691(["requests", "django", "reqeusts"], 2)
    result = watch_once(HOST, state, detector, listing=listing)
    assert result.new_names == ("reqeusts",)
    assert [f.target for f in result.findings] == ["requests"]


def test_the_loop_rereads_the_index_each_interval_until_interrupted(tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    state = tmp_path / "state"
    listing.write_text("acme-billing-client\nrequests\n")
    # A process of its own: the loop ends only on a signal (SIGINT, as Ctrl-C sends).
    process = subprocess.Popen(
        [sys.executable, "-m", "reserver", "watch", str(listing), "--state", str(state),
         "--interval", "1", "--top", "0", "--target", "acme-billing-client", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not state.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert state.exists(), "the first run did not save its state"
        listing.write_text("acme-billing-client\nrequests\nacme-biling-client\n")
        while "acme-biling-client" not in state.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)  # a later run, without being started again, saw the new name
        assert "acme-biling-client" in state.read_text()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err.strip().splitlines()[-1] == "interrupted"  # one line, no traceback
    assert '"acme-biling-client"' in out and '"acme-billing-client"' in out
