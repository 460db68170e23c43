"""The Monte Carlo: distributions, reference classes, the Gaussian copula, samplers,
the default uncertainties, the engine (blocks, seeds, executors, deadlines),
:func:`simulate`, streaming statistics and :func:`simulate_portfolio`.

Layer 6 of 9. May import every layer below. Scenario ``i`` depends only on
``(seed, i)``: blocks of :data:`BLOCK_SIZE` scenarios draw from
``SeedSequence(seed, spawn_key=(block,))``.
"""

import importlib as _importlib
from typing import Any as _Any

#: Names importable from ``dealsim.montecarlo`` (its path before the subpackages).
_NAMES = {
    **dict.fromkeys(("simulate", "tornado", "PrecisionWarning"), "run"),
    "BLOCK_SIZE": "engine",
    "simulate_stream": "streaming",
    "simulate_portfolio": "portfolio",
}


def __getattr__(name: str) -> _Any:
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(_importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
