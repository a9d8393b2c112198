#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run the whole suite.
# Usage: bash scripts/test.sh [pytest arguments]     (e.g. -m "not slow" for a quick run)
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: Chromium for the dashboard's browser tests, PostgreSQL for the stats store.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The tests use a real PostgreSQL on 127.0.0.1:5432 with trust auth and a database "test".
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    for version in /etc/postgresql/*; do
        as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
    done
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    as_root su postgres -c "psql -c 'create database test'" >/dev/null 2>&1 || true
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[all]' --group test
# A wheelhouse of reserver's runtime dependencies (every extra), so the tests that install
# reserver in a fresh virtual environment (the README's first command, the install sizes)
# install from this folder, not from the network.
.venv/bin/python -m pip wheel -q --wheel-dir .wheelhouse '.[all]' hatchling
# An old pip for the installer-matrix test (tests/test_installer_matrix.py).
.venv/bin/python -m pip download -q --no-deps --dest .wheelhouse/old-pip pip==22.3.1

set +e
# Lint and type checks first (short output), then the suite; any failure fails the run.
.venv/bin/ruff check reserver tests benchmarks noxfile.py
lint=$?
.venv/bin/mypy reserver
types=$?
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when nothing was collected: that is a failure of the suite, not a pass.
if [ $status -eq 0 ] && { [ $lint -ne 0 ] || [ $types -ne 0 ]; }; then
    echo "ruff or mypy failed (see above)" >&2
    status=1
fi
exit $status
