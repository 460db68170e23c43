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
(:mod:`dealsim.presets`, :mod:`dealsim.analysis.plot`, :mod:`dealsim.interfaces.io`,
:mod:`dealsim.interfaces.cli`,
:mod:`dealsim.interfaces.scenario`, :mod:`dealsim.montecarlo.streaming`, :mod:`dealsim.analysis.fx`,
:mod:`dealsim.finance.funding`, :mod:`dealsim.montecarlo.portfolio` with
:func:`simulate_portfolio` and its
classes) are imported on first attribute access:

>>> import dealsim
>>> "ohio_gas_power" in dealsim.presets.catalog()
True
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from dealsim import _compat
from dealsim._version import __version__
from dealsim.errors import (
    CorrelationError,
    DealsimError,
    InvalidCashflowsError,
    InvalidParameterError,
)
from dealsim.finance.cashflows import CashflowLines, build_cashflows
from dealsim.finance.evaluation import Evaluation, evaluate, evaluate_draws
from dealsim.finance.metrics import IrrResult, irr, moic, npv, payback_period
from dealsim.finance.waterfall import WaterfallResult, waterfall
from dealsim.kernels.irr_core import IrrStatus
from dealsim.model.deal import Deal
from dealsim.model.fees import DeveloperFee
from dealsim.model.market import Market
from dealsim.model.operations import Operations
from dealsim.model.project import Project
from dealsim.model.terms import DealTerms
from dealsim.montecarlo.run import BLOCK_SIZE, simulate, tornado
from dealsim.montecarlo.uncertainty import (
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
from dealsim.results.simulation import SimulationResult
from dealsim.results.summary import Summary

if _TYPE_CHECKING:  # imported on first use (see __getattr__)
    from dealsim.analysis.decision import FundOrDecline, fund_or_decline
    from dealsim.analysis.policy import PortfolioDecision, decide_portfolio
    from dealsim.analysis.threat import TariffThreat
    from dealsim.model.portfolio import CommonFactor, FundingSplit, SharedMarket
    from dealsim.montecarlo.portfolio import simulate_portfolio
    from dealsim.results.portfolio import PortfolioResult

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
    "Market",
    "Normal",
    "Operations",
    "Pert",
    "PointMass",
    "PortfolioDecision",
    "PortfolioResult",
    "Project",
    "Rounded",
    "SharedMarket",
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

#: Public namespaces and modules imported on first attribute access
#: (``dealsim.presets.catalog()``, ``dealsim.analysis.plot.plot_distribution``): name -> module.
_LAZY_SUBMODULES = {
    "analysis": "dealsim.analysis",
    "cli": "dealsim.interfaces.cli",
    "common": "dealsim.common",
    "finance": "dealsim.finance",
    "interfaces": "dealsim.interfaces",
    "io": "dealsim.interfaces.io",
    "kernels": "dealsim.kernels",
    "model": "dealsim.model",
    "montecarlo": "dealsim.montecarlo",
    "plot": "dealsim.analysis.plot",
    "presets": "dealsim.presets",
    "results": "dealsim.results",
    "scenario": "dealsim.interfaces.scenario",
    "streaming": "dealsim.montecarlo.streaming",
    "uncertainty": "dealsim.montecarlo.uncertainty",
}
#: Public names whose module is imported on first use: name -> module.
_LAZY_NAMES = {
    "CommonFactor": "dealsim.model.portfolio",
    "FundingSplit": "dealsim.model.portfolio",
    "SharedMarket": "dealsim.model.portfolio",
    "PortfolioResult": "dealsim.results.portfolio",
    "simulate_portfolio": "dealsim.montecarlo.portfolio",
    "FundOrDecline": "dealsim.analysis.decision",
    "TariffThreat": "dealsim.analysis.threat",
    "PortfolioDecision": "dealsim.analysis.policy",
    "decide_portfolio": "dealsim.analysis.policy",
    "fund_or_decline": "dealsim.analysis.decision",
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY_SUBMODULES:
        value = _importlib.import_module(_LAZY_SUBMODULES[name])
    elif name in _LAZY_NAMES:
        value = getattr(_importlib.import_module(_LAZY_NAMES[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES) | set(_LAZY_NAMES))


_compat.install()
