"""The one table of per-scenario outputs and of run metadata (a low-level module).

Everything that allocates, collects, prints, saves or exports a Monte Carlo output reads
this table: block collection and :class:`dealsim.SimulationResult` fields
(:data:`ARRAYS`), :meth:`dealsim.SimulationResult.summary` and streaming statistics
(:data:`SUMMARISED`, with units and print scales), :mod:`dealsim.interfaces.io` (:data:`ARRAYS` and
:data:`RUN_META`) and ``to_pandas`` (column order). Adding an output is one row here
plus the code that computes it. This module imports only numpy.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = ["ARRAYS", "OUTPUT_TABLE", "RUN_META", "SUMMARISED", "Output", "RunField", "allocate",
           "complete_requested"]


class Output(NamedTuple):
    """One per-scenario output: one value per scenario, shape ``(n,)``."""

    name: str
    dtype: str
    unit: str  # unit of the stored value ("" for codes and flags)
    scale: float  # multiply the stored value by this to print it in ``print_unit``
    print_unit: str
    summarised: bool  # a continuous output with mean, std and quantiles in the summary
    meaning: str


#: Every per-scenario output, in column order (``to_pandas``, files, block dictionaries).
OUTPUT_TABLE: tuple[Output, ...] = (
    Output("investor_irr", "float64", "1/year", 100.0, "%", True,
           "investor's internal rate of return of its annual flows (calls booked at the "
           "year's end); NaN where undefined (see irr_status)"),
    Output("irr_status", "int8", "", 1.0, "", False,
           "dealsim.IrrStatus code of investor_irr"),
    Output("investor_npv", "float64", "USD", 1e-9, "bn USD", True,
           "investor's net present value at the deal's discount rate, each call valued "
           "from its funding days"),
    Output("investor_moic", "float64", "x", 1.0, "x", True,
           "investor's multiple on invested capital (received / paid in)"),
    Output("host_npv", "float64", "USD", 1e-9, "bn USD", True,
           "host's net present value at the deal's discount rate"),
    Output("recovered_at", "int64", "grid year", 1.0, "", False,
           "grid index at which the deemed allocation is recovered; -1 if never"),
    Output("fee_paid", "bool", "", 1.0, "", False,
           "developer fee paid (capacity target reached)"),
    Output("fee_pv", "float64", "USD", 1e-9, "bn USD", True,
           "present value of the developer fee"),
)

#: Names of the per-scenario output arrays, in column order.
ARRAYS: tuple[str, ...] = tuple(o.name for o in OUTPUT_TABLE)

#: The continuous outputs a summary reports: ``name -> (print unit, print scale)``.
SUMMARISED: dict[str, tuple[str, float]] = {
    o.name: (o.print_unit, o.scale) for o in OUTPUT_TABLE if o.summarised
}


class RunField(NamedTuple):
    """One item of run metadata carried by results, summaries and files."""

    name: str
    type: type
    meaning: str


#: Run metadata, in the order files store it. Results, streaming summaries, summaries'
#: ``to_dict`` and :mod:`dealsim.interfaces.io` use these names.
RUN_META: tuple[RunField, ...] = (
    RunField("title", str, "deal name"),
    RunField("seed", str, "how to reproduce the run (seed=int(seed) for a plain seed)"),
    RunField("sampler", str, "random, lhs or sobol"),
    RunField("first_year", int, "calendar year of grid index 0"),
    RunField("within_years", int, "horizon of p_recover_daa_within, years"),
    RunField("backend", str, "numpy or numba: which path computed the outputs"),
    RunField("requested", int, "scenarios asked for (n is fewer when the run stopped early)"),
    RunField("partial", bool, "the run stopped early (deadline or cancel): a prefix of the run"),
)


def complete_requested(result: Any) -> None:
    """Set a frozen result's ``requested`` to its ``n`` when not given (a complete run)."""
    if result.requested is None:
        object.__setattr__(result, "requested", result.n)


def allocate(n: int) -> dict[str, Any]:
    """Uninitialised ``(n,)`` arrays for every output of :data:`OUTPUT_TABLE`, by name."""
    return {o.name: np.empty(n, dtype=o.dtype) for o in OUTPUT_TABLE}
