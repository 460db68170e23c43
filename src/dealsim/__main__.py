"""``python -m dealsim``: the command line of :mod:`dealsim.interfaces.cli`."""

from dealsim.interfaces.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
