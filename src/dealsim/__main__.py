"""``python -m dealsim``: the command line of :mod:`dealsim.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
