"""Placeholder packages: the message, escaping, metadata and reproducible PEP 625 sdists."""

from __future__ import annotations

import ast
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reserver.errors import ReserverError, ValidationError
from reserver.placeholder import ci
from reserver.placeholder.message import render_message, summary
from reserver.placeholder.render import render
from reserver.placeholder.sdist import sdist_bytes, write_sdist_fast, write_sdist_with_build
from reserver.placeholder.validate import validate_sdist
from reserver.plan.holder import Holder
from reserver.plan.model import PlanEntry, entry_for

HOLDER = Holder("Example Volunteers", "names@example.org", "https://example.org/why")


def test_a_typo_message_names_the_target_and_the_command_of_each_installer() -> None:
    entry = entry_for("reqeusts", "requests")
    assert "pip install requests" in render_message(entry, HOLDER, "pip")
    assert "uv add requests" in render_message(entry, HOLDER, "uv")
    assert "poetry add requests" in render_message(entry, HOLDER, "poetry")
    assert "Did you mean 'requests'?" in render_message(entry, HOLDER, "pip")


def test_a_stdlib_message_says_no_install_is_needed() -> None:
    text = render_message(entry_for("pwd"), HOLDER, "pip")
    assert "standard library" in text and "needs no install" in text
    assert "pip install" not in text


def test_a_removed_module_message_names_version_and_replacement() -> None:
    text = render_message(entry_for("telnetlib"), HOLDER, "pip")
    assert "removed in Python 3.13" in text and "pip install telnetlib3" in text
    # Who still has it, and the unchanged code (a row of data/standard_dropins.csv) first.
    assert "Python 3.12 and older still ship it" in text
    assert text.index("pip install standard-telnetlib") < text.index("pip install telnetlib3")
    assert "uv add standard-telnetlib" in render_message(entry_for("telnetlib"), HOLDER, "uv")
    # A module with no drop-in copy says nothing of one.
    assert "install standard-" not in render_message(entry_for("imp"), HOLDER, "pip")


def test_a_stdlib_message_keeps_each_sentence_on_one_line() -> None:
    lines = render_message(entry_for("pwd"), HOLDER, "pip").splitlines()
    assert any("remove it from your requirements" in line for line in lines)
    assert all(line.rstrip().endswith((".", ":", ")")) or line.startswith(" ") for line in lines)


def test_an_import_name_message_names_the_distribution() -> None:
    text = render_message(entry_for("yaml"), HOLDER, "uv")
    assert "'PyYAML'" in text and "uv add PyYAML" in text


def test_summary_names_the_intended_package_and_fits_the_limit() -> None:
    text = summary(entry_for("reqeusts", "requests"))
    assert "requests" in text and len(text) <= 512


def test_placeholder_code_is_valid_python_and_holds_only_the_message() -> None:
    package = render(entry_for("reqeusts", "requests"), HOLDER, "0.0.1")
    tree = ast.parse(package.files["_placeholder.py"])
    imports = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imports == {"os", "sys"}  # no network code without --stats-url
    assert b"urllib" not in package.files["_placeholder.py"]
    ast.parse(package.files["_reserver_backend.py"])
    ast.parse(package.files["setup.py"])


def test_backend_declares_no_build_requirements() -> None:
    package = render(entry_for("pwd"), HOLDER, "0.0.1")
    pyproject = package.files["pyproject.toml"].decode()
    assert "requires = []" in pyproject and 'backend-path = ["."]' in pyproject


@pytest.mark.parametrize(
    "holder_name", ['Evil"\nimport os', "a<script>alert(1)</script>", "x\\", "\x00"]
)
def test_holder_text_that_could_inject_is_refused(holder_name: str) -> None:
    with pytest.raises(ReserverError):
        Holder(holder_name, "a@example.org", "https://example.org")


@pytest.mark.parametrize("url", ["javascript:alert(1)", 'https://x/"onload=', "ftp://x"])
def test_stats_url_must_be_a_plain_http_url(url: str) -> None:
    with pytest.raises(ReserverError):
        render(entry_for("pwd"), HOLDER, "0.0.1", stats_url=url)


def test_rendering_refuses_a_name_that_bypassed_validation() -> None:
    entry = entry_for("reqeusts", "requests")
    object.__setattr__(entry, "target", "requests'); import os; ('")
    with pytest.raises(ReserverError):
        render(entry, HOLDER, "0.0.1")


@settings(max_examples=40, deadline=None)
@given(
    st.text(
        # What Holder accepts: no markup, no control or invisible format characters.
        alphabet=st.characters(
            min_codepoint=32,
            max_codepoint=0x2FF,
            blacklist_characters='<>"`\\',
            blacklist_categories=("Cc", "Cf"),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_any_accepted_holder_name_stays_inside_its_string(holder_name: str) -> None:
    holder = Holder(holder_name, "a@example.org", "https://example.org")
    package = render(entry_for("reqeusts", "requests"), holder, "0.0.1")
    tree = ast.parse(package.files["_placeholder.py"])
    assigned = {
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    assert assigned == {"NAME", "VERSION", "MESSAGES", "STATS_URL", "TOOLS", "SHELLS"}


def test_the_same_placeholder_gives_the_same_bytes() -> None:
    first = sdist_bytes(render(entry_for("reqeusts", "requests"), HOLDER, "0.0.1"))
    second = sdist_bytes(render(entry_for("reqeusts", "requests"), HOLDER, "0.0.1"))
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_sdist_layout_obeys_pep_625(tmp_path: Path) -> None:
    package = render(PlanEntry("Foo.Bar_baz", "foobar", "typo"), HOLDER, "0.0.1")
    path = write_sdist_fast(package, tmp_path)
    assert path.name == "foo_bar_baz-0.0.1.tar.gz"
    with tarfile.open(path) as tar:
        names = tar.getnames()
        assert {n.split("/")[0] for n in names} == {"foo_bar_baz-0.0.1"}
        assert all(m.mtime == tar.getmembers()[0].mtime and m.uid == 0 for m in tar)
    info = validate_sdist(path)
    assert (info.name, info.version) == ("foo-bar-baz", "0.0.1")
    assert "Metadata-Version: 2.2" in package.files["PKG-INFO"].decode()
    assert "Classifier: Development Status :: 7 - Inactive" in package.files["PKG-INFO"].decode()


@pytest.mark.slow
def test_the_build_frontend_and_the_fast_path_give_identical_files(tmp_path: Path) -> None:
    package = render(
        entry_for("reqeusts", "requests"), HOLDER, "0.0.1", "https://stats.example.org"
    )
    fast = write_sdist_fast(package, tmp_path / "fast")
    slow = write_sdist_with_build(package, tmp_path / "slow")
    assert fast.name == slow.name
    assert fast.read_bytes() == slow.read_bytes()


def _tar_gz(members: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


GOOD_PKG_INFO = b"Metadata-Version: 2.2\nName: foo\nVersion: 0.0.1\nSummary: s\n"


@pytest.mark.parametrize(
    ("filename", "members", "complaint"),
    [
        ("Foo-0.0.1.tar.gz", {"Foo-0.0.1/PKG-INFO": GOOD_PKG_INFO}, "PEP 625"),
        ("foo-0.0.1.tar.gz", {"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO, "x/y": b""}, "one top-level"),
        ("foo-0.0.1.tar.gz", {"foo-0.0.1/setup.py": b""}, "PKG-INFO"),
        (
            "foo-0.0.1.tar.gz",
            {"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO.replace(b"2.2", b"2.1")},
            "Metadata-Version",
        ),
        (
            "foo-0.0.1.tar.gz",
            {"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO.replace(b"2.2", b"2.6")},
            "Metadata-Version",
        ),
        (
            "foo-0.0.1.tar.gz",
            {"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO.replace(b"Summary: s", b"Summary: " + b"s" * 600)},
            "summary",
        ),
        (
            "foo-0.0.1.tar.gz",
            {"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO.replace(b"foo", b"bar")},
            "does not match",
        ),
        ("foo-0.0.2.tar.gz", {"foo-0.0.2/PKG-INFO": GOOD_PKG_INFO}, "differs"),
        # Bounded before they are read whole: a tar of many members, a huge PKG-INFO.
        (
            "foo-0.0.1.tar.gz",
            {"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO, **{f"foo-0.0.1/f{i}": b"" for i in range(64)}},
            "more than 64 files",
        ),
        (
            "foo-0.0.1.tar.gz",
            {"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO + b"x" * (2 * 1024 * 1024)},
            "PKG-INFO is larger than 1 MiB",
        ),
    ],
)
def test_validation_names_the_broken_rule(
    tmp_path: Path, filename: str, members: dict[str, bytes], complaint: str
) -> None:
    path = tmp_path / filename
    path.write_bytes(_tar_gz(members))
    with pytest.raises(ValidationError, match=complaint):
        validate_sdist(path)


def test_a_truncated_archive_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "foo-0.0.1.tar.gz"
    path.write_bytes(_tar_gz({"foo-0.0.1/PKG-INFO": GOOD_PKG_INFO})[:40])
    with pytest.raises(ValidationError, match="readable"):
        validate_sdist(path)


def test_a_typo_of_a_stdlib_module_says_nothing_needs_installing() -> None:
    entry = PlanEntry("jsno", "json", "typo")
    text = render_message(entry, HOLDER, "pip")
    assert "Did you mean 'json'?" in text and "needs no install" in text
    assert "pip install json" not in text
    readme = render(entry, HOLDER, "0.0.1").files["README.md"].decode()
    assert "standard library" in readme and "pip install json" not in readme


def test_a_module_of_one_platform_says_so() -> None:
    # The Windows user who typed "pip install pwd" has just seen "import pwd" fail.
    pwd = render_message(entry_for("pwd"), HOLDER, "pip")
    assert "It exists on Unix only (Linux, macOS): Windows has no 'pwd' module." in pwd
    winreg = render_message(entry_for("winreg"), HOLDER, "pip")
    assert "It exists on Windows only: Linux and macOS have no 'winreg' module." in winreg
    assert "exists on" not in render_message(entry_for("json"), HOLDER, "pip")
    typo = render_message(PlanEntry("pdw", "pwd", "typo"), HOLDER, "pip")
    assert "Did you mean 'pwd'?" in typo and "Unix only" in typo
    for text in (pwd, winreg, typo):
        assert all(
            line.rstrip().endswith((".", ":", ")", "pwd", "winreg")) for line in text.splitlines()
        )


def test_the_platform_table_agrees_with_this_interpreter() -> None:
    # The rows come from CPython's documentation; this Linux interpreter has every
    # Unix-only module it ships and none of the Windows-only ones.
    import importlib.util
    import sys

    from reserver.names.stdlib import _platforms

    table = _platforms()
    assert table["pwd"] == "Unix" and table["winreg"] == "Windows"
    shipped = set(sys.stdlib_module_names)
    for module, platform in table.items():
        top = module.split(".")[0]
        if top not in shipped:
            continue  # removed before this Python
        found = importlib.util.find_spec(top) is not None
        assert found == (platform == "Unix"), (module, platform)


def test_an_internal_name_warns_of_dependency_confusion() -> None:
    entry = PlanEntry("acme-billing", None, "internal")
    text = render_message(entry, HOLDER, "pip")
    assert "dependency confusion" in text and "organisation's own index" in text
    package = render(entry, HOLDER, "0.0.1")
    assert b"dependency confusion" in package.files["README.md"]
    assert "private name" in summary(entry)


def test_the_ping_and_its_readme_name_the_same_automation_variables() -> None:
    package = render(entry_for("reqeusts", "requests"), HOLDER, "0.0.1",
                     stats_url="https://stats.reserver.test")  # fmt: skip
    tree = ast.parse(package.files["_placeholder.py"])
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("CI_MARKERS", "CI_FLAG_MARKERS")
    }  # fmt: skip
    assert assigned == {"CI_MARKERS": ci.SKIP, "CI_FLAG_MARKERS": ci.FLAG}
    readme = package.files["README.md"].decode()
    assert ci.described(ci.SKIP) in readme and ci.described(ci.FLAG) in readme


def test_poetry_is_named_only_when_poetry_runs_the_build(tmp_path: Path) -> None:
    # A POETRY_* variable in the shell, or a virtualenv that Poetry made, says nothing about
    # who runs the build: without pip's or uv's own variable the advice stays generic.
    package = render(entry_for("reqeusts", "requests"), HOLDER, "0.0.1")
    (tmp_path / "_placeholder.py").write_bytes(package.files["_placeholder.py"])
    env = {k: v for k, v in os.environ.items()
           if k not in ("UV", "PIP_BUILD_TRACKER") and not k.startswith("POETRY_")}  # fmt: skip
    env["POETRY_HOME"] = str(tmp_path / "poetry-home")
    child = "import _placeholder; print(_placeholder.installer())"
    # The parent's command line names a Poetry-made virtualenv's python, not poetry.
    parent = f"import subprocess; subprocess.run([{sys.executable!r}, '-c', {child!r}])"
    done = subprocess.run(
        ["/home/user/.cache/pypoetry/virtualenvs/app-x-py3.11/bin/python", "-c", parent],
        executable=sys.executable, cwd=tmp_path, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "other"


def test_the_stats_service_accepts_every_installer_a_placeholder_sends() -> None:
    from reserver.placeholder.message import INSTALLERS as SENT
    from reserver.stats.schema import INSTALLERS as ACCEPTED

    assert set(SENT) == set(ACCEPTED)
    assert all(len(name) <= 8 for name in SENT)  # the store's column
