"""Run one upload batch as a bare process (the crash test kills it): the library, not the CLI.

The crash test starts this some twenty times; skipping the CLI's imports keeps each start
short, and the code under test (upload_batch, the ledger, the index check) is the same.
Usage: python batch_driver.py PLAN DIST URL LEDGER   (credentials from TWINE_* variables)
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from reserver.plan.jsonfile import load_plan
from reserver.publish.batch import BatchEvent, upload_batch
from reserver.publish.twine_upload import Credentials


def main() -> None:
    plan_file, dist, url, ledger = sys.argv[1:5]

    def report(event: BatchEvent) -> None:
        sys.stdout.write(json.dumps(asdict(event)) + "\n")
        sys.stdout.flush()

    result = upload_batch(
        load_plan(Path(plan_file)),
        Path(dist),
        Credentials.from_environment(url),
        ledger_path=Path(ledger),
        rate=None,
        on_event=report,
    )
    sys.exit(0 if result.complete else 1)


if __name__ == "__main__":
    main()
