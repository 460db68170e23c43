"""dealsim: what a sovereign investment deal is really worth, and to whom.

Conventions (used by every function in the package)
---------------------------------------------------
- Cash flows are float64 arrays with **time on the last axis** and scenarios on the
  leading axes (numpy-financial's convention). Metrics reduce the last axis:
  1-D in -> scalar out, ``(S, T)`` in -> ``(S,)`` out.
- Sign: negative is money paid in by the investor, positive is money paid out to it.
- Periods are years; rates are decimals per period (``0.055``), never percent; shares
  are decimals.
- Randomness enters only through a keyword ``seed`` (an int, a
  :class:`numpy.random.SeedSequence` or a :class:`numpy.random.Generator`, as in
  scipy's SPEC 7); the global numpy random state is never used.
- Bad input raises :class:`dealsim.errors.DealsimError` (a ``ValueError``) naming the
  argument. An undefined result inside one scenario (no IRR) is NaN plus a status.

Submodules
----------
``import dealsim`` loads the core only (numpy; no scipy, numba, pandas, matplotlib or
dask -- those are imported where first needed). The edge subpackages and modules
(:mod:`dealsim.presets`, :mod:`dealsim.plot`, :mod:`dealsim.io`, :mod:`dealsim.cli`,
:mod:`dealsim.scenario`, :mod:`dealsim.streaming`, :mod:`dealsim.fx`,
:mod:`dealsim.funding`, :mod:`dealsim.portfolio` with :func:`simulate_portfolio` and its
classes) are imported on first attribute access:

>>> import dealsim
>>> "ohio_gas_power" in dealsim.presets.catalog()
True
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._version import __version__
from .cashflows import CashflowLines, build_cashflows
from .deal import Deal, Evaluation, evaluate, evaluate_draws
from .errors import CorrelationError, DealsimError, InvalidCashflowsError, InvalidParameterError
from .fees import DeveloperFee
from .metrics import IrrResult, IrrStatus, irr, moic, npv, payback_period
from .montecarlo import BLOCK_SIZE, simulate, tornado
from .project import Project
from .results import SimulationResult, Summary
from .terms import DealTerms
from .uncertainty import (
    Fixed,
    LogNormal,
    LogStudentT,
    Normal,
    Pert,
    PointMass,
    Rounded,
    Triangular,
    Uncertainties,
    Uniform,
    default_uncertainties,
    overrun_distribution,
)
from .waterfall import WaterfallResult, waterfall

if _TYPE_CHECKING:  # imported on first use (see __getattr__)
    from .decision import FundOrDecline, TariffThreat, decide_portfolio, fund_or_decline
    from .portfolio import CommonFactor, FundingSplit, PortfolioResult, simulate_portfolio

__all__ = [
    "BLOCK_SIZE",
    "CashflowLines",
    "CommonFactor",
    "CorrelationError",
    "Deal",
    "DealTerms",
    "DealsimError",
    "DeveloperFee",
    "Evaluation",
    "Fixed",
    "FundOrDecline",
    "FundingSplit",
    "InvalidCashflowsError",
    "InvalidParameterError",
    "IrrResult",
    "IrrStatus",
    "LogNormal",
    "LogStudentT",
    "Normal",
    "Pert",
    "PointMass",
    "PortfolioResult",
    "Project",
    "Rounded",
    "SimulationResult",
    "Summary",
    "TariffThreat",
    "Triangular",
    "Uncertainties",
    "Uniform",
    "WaterfallResult",
    "__version__",
    "build_cashflows",
    "decide_portfolio",
    "default_uncertainties",
    "evaluate",
    "evaluate_draws",
    "fund_or_decline",
    "irr",
    "moic",
    "npv",
    "overrun_distribution",
    "payback_period",
    "simulate",
    "simulate_portfolio",
    "tornado",
    "waterfall",
]

#: Submodules imported on first attribute access (``dealsim.presets.catalog()``).
_LAZY_SUBMODULES = frozenset(
    {"cli", "decision", "funding", "fx", "io", "plot", "portfolio", "presets", "scenario",
     "streaming"}
)
#: Public names whose module is imported on first use: name -> submodule.
_LAZY_NAMES = {
    "CommonFactor": "portfolio",
    "FundingSplit": "portfolio",
    "PortfolioResult": "portfolio",
    "simulate_portfolio": "portfolio",
    "FundOrDecline": "decision",
    "TariffThreat": "decision",
    "decide_portfolio": "decision",
    "fund_or_decline": "decision",
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY_SUBMODULES:
        value = _importlib.import_module(f".{name}", __name__)
    elif name in _LAZY_NAMES:
        value = getattr(_importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY_SUBMODULES | set(_LAZY_NAMES))
