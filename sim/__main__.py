"""``python -m sim``: the same program as ``corridor-sim``."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
