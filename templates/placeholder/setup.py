# A placeholder package held against typosquatting: see README.md.
# For tools that run setup.py directly; installers use the in-tree backend instead.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _placeholder import fail  # noqa: E402

fail()
