"""dealsim: what a sovereign investment deal is really worth, and to whom.

Conventions (used by every function in the package)
---------------------------------------------------
- Cash flows are float64 arrays with **time on the last axis** and scenarios on the
  leading axes (numpy-financial's convention). Metrics reduce the last axis:
  1-D in -> scalar out, ``(S, T)`` in -> ``(S,)`` out.
- Sign: negative is money paid in by the investor, positive is money paid out to it.
- Periods are years; rates are decimals per period (``0.055``), never percent; shares
  and probabilities are decimals.
- Units: data carries stored units -- money in nominal USD, rates in decimals per year
  (``1/year``), multiples in ``x``, probabilities as decimals -- and says so:
  ``to_pandas()`` frames list every column's unit in ``df.attrs["units"]``,
  ``summary().to_dict()`` gives a ``unit`` per field. Only printed text and notebook
  tables scale for reading (IRRs in %, money in bn USD), and their labels say so. A
  tariff increase is a decimal too (``0.10`` is +10 points); the CLI refuses a flag
  given in the other unit. "Never" (a deemed allocation never recovered) is a missing
  value in frames and summaries; the int64 array ``recovered_at`` keeps ``-1``.
- Parties: code names say *investor* (Japan, which funds the projects) and *host*
  (the US); every label a reader sees says Japan and the US.
- Randomness enters only through a keyword ``seed`` (an int, a
  :class:`numpy.random.SeedSequence` or a :class:`numpy.random.Generator`, as in
  scipy's SPEC 7); the global numpy random state is never used. The default
  ``seed=None`` draws fresh OS entropy and records it: ``result.seed`` reproduces the
  run (``seed=int(result.seed)``).
- Every result has a short ``repr`` and a ``_repr_html_`` table for notebooks;
  ``summary()`` returns an object (``print`` it, ``to_dict()``, ``to_pandas()``) and
  ``to_pandas()`` one DataFrame. A run records what it changes from its preset
  (``result.changes``, also in its title); :func:`dealsim.compare` sets runs side by
  side.
- Bad input raises :class:`dealsim.errors.DealsimError` (a ``ValueError``) naming the
  argument. An undefined result inside one scenario (no IRR) is NaN plus a status.
- The first numba run in a fresh environment compiles the kernels (about 15 s, once);
  an INFO message on the ``dealsim`` logger says so
  (``logging.basicConfig(level=logging.INFO)`` shows it).

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
from dealsim.model.paths import MeanReverting, PricePaths, SofrPaths, UsdJpyPaths
from dealsim.model.project import Project
from dealsim.model.terms import DealTerms

if _TYPE_CHECKING:  # imported on first use (see __getattr__)
    from dealsim.analysis.compare import Comparison, compare
    from dealsim.analysis.decision import FundOrDecline, fund_or_decline
    from dealsim.analysis.policy import PortfolioDecision, decide_portfolio
    from dealsim.analysis.threat import TariffThreat
    from dealsim.model.portfolio import CommonFactor, FundingSplit, SharedMarket
    from dealsim.montecarlo.engine import BLOCK_SIZE
    from dealsim.montecarlo.portfolio import simulate_portfolio
    from dealsim.montecarlo.run import simulate, tornado
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
    from dealsim.results.portfolio import PortfolioResult
    from dealsim.results.simulation import SimulationResult
    from dealsim.results.summary import Summary

__all__ = [
    "BLOCK_SIZE",
    "CashflowLines",
    "CommonFactor",
    "Comparison",
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
    "MeanReverting",
    "Normal",
    "Operations",
    "Pert",
    "PointMass",
    "PortfolioDecision",
    "PortfolioResult",
    "PricePaths",
    "Project",
    "Rounded",
    "SharedMarket",
    "SimulationResult",
    "SofrPaths",
    "Summary",
    "TariffThreat",
    "Triangular",
    "Uncertainties",
    "Uniform",
    "UsdJpyPaths",
    "WaterfallResult",
    "__version__",
    "build_cashflows",
    "compare",
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
#: Public names whose module is imported on first use: name -> module. The Monte Carlo
#: (engine, distributions, results) loads with the first of them, so that ``import
#: dealsim`` costs only the model and its finance.
_LAZY_NAMES = {
    "BLOCK_SIZE": "dealsim.montecarlo.engine",
    "simulate": "dealsim.montecarlo.run",
    "tornado": "dealsim.montecarlo.run",
    **dict.fromkeys(("Fixed", "LogNormal", "LogStudentT", "Normal", "Pert", "PointMass",
                     "Rounded", "Triangular", "Uncertainties", "Uniform",
                     "default_uncertainties", "overrun_distribution"),
                    "dealsim.montecarlo.uncertainty"),
    "SimulationResult": "dealsim.results.simulation",
    "Summary": "dealsim.results.summary",
    "CommonFactor": "dealsim.model.portfolio",
    "FundingSplit": "dealsim.model.portfolio",
    "SharedMarket": "dealsim.model.portfolio",
    "PortfolioResult": "dealsim.results.portfolio",
    "simulate_portfolio": "dealsim.montecarlo.portfolio",
    "FundOrDecline": "dealsim.analysis.decision",
    "Comparison": "dealsim.analysis.compare",
    "compare": "dealsim.analysis.compare",
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
