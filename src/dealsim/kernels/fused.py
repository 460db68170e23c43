"""The numba kernel behind :mod:`dealsim.kernels.block` (imported only when numba is).

:func:`fused` only orchestrates: it runs the shared steps of :mod:`dealsim.kernels.steps`,
registered here with numba so that they compile on scalars, over one scenario at a
time, and calls the compiled per-row IRR (:data:`dealsim.kernels.irr_numba.irr_row`, the
steps of :mod:`dealsim.kernels.irr_core`) once per scenario.
"""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba.extending import register_jitable

from dealsim.kernels import irr_core as _irr_core
from dealsim.kernels import irr_roots as _irr_roots
from dealsim.kernels import steps as _steps
from dealsim.kernels.irr_core import NCOL
from dealsim.kernels.irr_numba import irr_row

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: Steps inlined into the kernel by numba (a call per period was measured to cost more
#: than the step).
_INLINE = ("funding_flows",)
# Every step becomes callable from compiled code, unchanged (numpy error semantics:
# inf/NaN, never an exception, as on the numpy path under np.errstate).
for _fn in vars(_steps).values():
    if inspect.isfunction(_fn) and _fn.__module__ == _steps.__name__:
        register_jitable(error_model="numpy",
                         inline="always" if _fn.__name__ in _INLINE else "never")(_fn)
_STEPS_DIGEST = hashlib.sha256(b"".join(
    Path(str(m.__file__)).read_bytes() for m in (_steps, _irr_core, _irr_roots))).hexdigest()[:16]


def _fused(lp: Any, sp: Any, pp: Any, delay: Any, overrun: Any, capacity: Any, price: Any,
           fuel: Any, utilisation: Any, usdjpy: Any, rate: Any, disc: Any, gp: Any, gr: Any,
           gx: Any, mat: Any, inv_path: Any, bal_path: Any,
           o_irr: Any, o_status: Any, o_inv_npv: Any, o_host_npv: Any, o_fee_pv: Any,
           o_fee_total: Any, o_received: Any, o_paid: Any, o_rec: Any) -> None:
    # dealsim.kernels.block.block_outputs, one scenario at a time: the shared steps on scalars
    horizon = lp.price.shape[0]
    lines = np.empty((6, horizon))
    inv = np.empty(horizon)
    bal = np.empty(horizon)
    vals = np.empty(NCOL)
    coef = np.empty(horizon)
    keep = inv_path.shape[0]
    # a scenario's market paths and their innovations (drawn a row at a time, in the
    # order of the numpy path's block draw: dealsim.model.market.block_generators)
    z2 = np.empty((horizon, 2))
    z1 = np.empty(horizon)
    power = np.empty(horizon)
    fuel_path = np.empty(horizon)
    fx = np.empty(horizon)
    deemed = np.empty(horizon)
    # the years a scenario reads: prices while it operates, USD/JPY while a yen fee is
    # paid (fee windows from the commercial operation date)
    fee_first, fee_last = _steps.yen_fee_years(lp)
    for i in range(delay.size):
        cod = lp.construction_years + delay[i]
        pf = price[i]
        ff = fuel[i]
        xf = usdjpy[i]
        rf = rate[i]
        if gp is not None:
            for t in range(horizon):
                z2[t, 0] = gp.standard_normal()
                z2[t, 1] = gp.standard_normal()
            _steps.price_paths(pp, np.log(pf[0]), np.log(ff[0]), z2, power, fuel_path, cod,
                               cod + lp.operating_life)
            pf = power
            ff = fuel_path
        if gr is not None:
            for t in range(horizon):
                z1[t] = gr.standard_normal()
            _steps.deemed_path(pp, rf[0] - pp.spread, z1, deemed)
            rf = deemed
        if gx is not None:
            for t in range(horizon):
                z1[t] = gx.standard_normal()
            _steps.fx_path(pp, np.log(xf[0]), z1, fx, cod + fee_first, cod + fee_last)
            xf = fx
        df = rf if disc is None else disc[i]
        _steps.scenario_lines(lp, delay[i], overrun[i], capacity[i], pf, ff, utilisation[i],
                              xf, lines)
        (o_inv_npv[i], o_host_npv[i], o_fee_pv[i], o_fee_total[i], o_received[i], o_paid[i],
         o_rec[i]) = _steps.scenario_split(sp, rf, df, lines, inv, bal)
        o_irr[i], o_status[i] = irr_row(inv, mat, vals, coef, False)  # the IRR, only here
        if i < keep:
            inv_path[i] = inv
            bal_path[i] = bal


# numba's on-disk cache keys a function by its own file only; the name carries a digest
# of the steps' and the IRR's sources too, so that an edit of dealsim/kernels/steps.py,
# irr_core.py or irr_roots.py recompiles the kernel.
_fused.__qualname__ = _fused.__name__ = "fused_" + _STEPS_DIGEST
_fused = _jit(_fused)


def _constant(flag: bool) -> bool | None:
    """``flag`` as numba should see it: True stays a run-time bool; False becomes
    ``None``, whose truth numba knows at compile time, so that the kernel compiled for
    the common case (flag off) has the flag's branch dropped, not tested each period."""
    return True if flag else None


def fused(lp: Any, sp: Any, pp: Any, *args: Any) -> None:
    """Run the fused kernel over one block (arguments as :func:`_fused`).

    Economic dispatch, dated calls, the scheduled reading and the investor's own tax
    are off in some runs; those
    flags are passed as compile-time constants (:func:`_constant`), so numba compiles one
    specialisation per combination of them, each running the same steps of
    :mod:`dealsim.kernels.steps` (same bits: only untaken branches are dropped).
    """
    _fused(lp._replace(economic_dispatch=_constant(lp.economic_dispatch)),
           sp._replace(dated=_constant(sp.dated), scheduled=_constant(sp.scheduled),
                       upfront=_constant(sp.upfront),
                       discount_apart=_constant(sp.discount_apart),
                       investor_tax=_constant(sp.investor_tax)), pp, *args)
