"""Allow ``python -m reserver``."""

from reserver.cli import main

if __name__ == "__main__":  # not when imported (pytest's doctest collection imports it)
    main()
