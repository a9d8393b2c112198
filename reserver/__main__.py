"""Allow ``python -m reserver``."""

from reserver.cli import main

main()
