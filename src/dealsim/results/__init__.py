"""What a run returns: :class:`SimulationResult` (one array per output and input),
its :class:`Summary` with intervals, the sensitivity views (tornado bars) and a
portfolio's :class:`PortfolioResult`.

Layer 5 of 9. May import the layers below (:mod:`dealsim.finance`,
:mod:`dealsim.model`, :mod:`dealsim.kernels`, :mod:`dealsim.common`); results are
computed from their arrays only, never by running the model again.
"""

import importlib as _importlib
from typing import Any as _Any

#: Names importable from ``dealsim.results`` (its path before the subpackages).
_NAMES = {
    **dict.fromkeys(("SimulationResult",), "simulation"),
    **dict.fromkeys(("OUTPUTS", "PROBABILITIES", "INPUT_EVENTS", "TOTAL_LOSS_IRR", "Statistic",
                     "Probability", "Summary", "irr_for_statistics"), "summary"),
    **dict.fromkeys(("TORNADO_METHODS", "PATH_MEASURES", "MIN_CONDITIONAL_ROWS", "TornadoBar",
                     "conditional_bars"), "sensitivity"),
    "PortfolioResult": "portfolio",
}


def __getattr__(name: str) -> _Any:
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(_importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
