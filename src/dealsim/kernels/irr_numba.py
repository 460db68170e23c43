"""numba compilation of :mod:`dealsim.kernels.irr_core` (imported only when numba is).

Nothing here does arithmetic of its own: the per-row IRR steps and the row driver
live in :mod:`dealsim.kernels.irr_core`, and this module compiles those very functions for
scalars (its :func:`~dealsim.kernels.irr_core.where` and :func:`~dealsim.kernels.irr_core.not_`
become plain selections) and splits large batches over threads.

For a compiled caller (the fused Monte Carlo kernel) the entry point is
:data:`irr_row`::

    rate, status = irr_row(cf, mat, vals, coef, closest)

``cf`` the row ``(T,)`` float64 (any scale, finite, not modified); ``mat`` =
``dealsim.kernels.irr_core.grid_matrix(T)`` and ``vals`` float64 ``(NCOL,)`` =
``(dealsim.kernels.irr_core.NCOL,)`` (no longer read; kept for existing callers);
``coef`` scratch float64 ``(T,)``; ``closest`` a bool
(False: numpy-financial 1.1's rule, :func:`dealsim.irr`'s default). Returns a float
and an :class:`~dealsim.kernels.irr.IrrStatus` member (stores into an ``int8`` array).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numba
import numpy as np
from numba.extending import overload, register_jitable
from numpy.typing import NDArray

from dealsim.kernels import irr_core as core
from dealsim.kernels import irr_roots as roots

__all__ = ["irr_2d", "irr_row", "irr_rows"]

#: Fewest rows per thread for which :func:`irr_2d` splits the work (below it a thread's
#: start-up costs more than it saves).
ROWS_PER_THREAD = 8192


# numba compares the typing function's parameters (annotations included) with the
# implementation's, so these two stay unannotated.
@overload(core.where)
def _where(cond, a, b):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    return lambda cond, a, b: a if cond else b


@overload(core.not_)
def _not(cond):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    return lambda cond: not cond


for _fn in (core.chain_start, core.chain_step, core.chains_end, core.fourth_power,
            core.horner, core.newton_update, core.rate_from_var, core.var_from_rate,
            core.representable, core.one_change_side, core.moic_start,
            core.inside_or_mid, core.choose, core.status_of, core.scale_basis,
            core.scale_pair, core.polish_row, core._fill_coef, core._row_stats,
            roots.raise_step, roots.casteljau_step, roots.deflate_step, roots.error_factor,
            roots.leaf_counts, roots.to_bernstein, roots.deflate, roots.split_at,
            roots.classify, roots.explore, core.falsi_start, core._fill_shifted,
            core._candidate, core.several_changes_row, core.irr_row):
    register_jitable(nogil=True, error_model="numpy")(_fn)

register_jitable(nogil=True, error_model="numpy")(core.irr_rows)

# numba's on-disk cache keys a function by its own file only; the entries' names carry a
# digest of the steps' two source files, so that an edit of either recompiles them.
_DIGEST = hashlib.sha256(b"".join(
    Path(str(m.__file__)).read_bytes() for m in (core, roots))).hexdigest()[:16]


def _irr_row(cf, mat, vals, coef, closest):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    return core.irr_row(cf, mat, vals, coef, closest)


def _irr_rows(cf, mat, rate, status, closest):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    core.irr_rows(cf, mat, rate, status, closest)


_irr_row.__qualname__ = _irr_row.__name__ = "irr_row_" + _DIGEST
_irr_rows.__qualname__ = _irr_rows.__name__ = "irr_rows_" + _DIGEST
#: The per-row entry for compiled callers (see the module docstring):
#: :func:`dealsim.kernels.irr_core.irr_row` compiled.
irr_row = numba.njit(_irr_row, cache=True, nogil=True, error_model="numpy")
#: :func:`dealsim.kernels.irr_core.irr_rows` compiled: the rows of ``cf`` into ``rate``/``status``.
irr_rows = numba.njit(_irr_rows, cache=True, nogil=True, error_model="numpy")


def irr_2d(cf: NDArray[np.float64], closest: bool) -> tuple[NDArray[np.float64],
                                                           NDArray[np.int8]]:
    """IRR and status of every row of ``(S, T)``, on threads for large inputs.

    The kernel releases the GIL, so large inputs are split into contiguous chunks
    that a thread pool made for the call (one thread per CPU) takes in turn. Rows are
    independent and each is solved by the same code whatever the split, so the result
    does not depend on the number of rows or threads.
    """
    rows = np.ascontiguousarray(cf, dtype=np.float64)
    n_rows = rows.shape[0]
    rate = np.empty(n_rows)
    status = np.empty(n_rows, dtype=np.int8)
    mat = core.grid_matrix(rows.shape[1])
    workers = min(os.cpu_count() or 1, n_rows // ROWS_PER_THREAD)
    if workers <= 1:
        irr_rows(rows, mat, rate, status, closest)
        return rate, status
    # chunks of about ROWS_PER_THREAD rows, taken in turn by the threads: a thread
    # slowed by another process takes fewer
    edges = np.linspace(0, n_rows, n_rows // ROWS_PER_THREAD + 1).astype(int)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(
            lambda a, b: irr_rows(rows[a:b], mat, rate[a:b], status[a:b], closest),
            edges[:-1], edges[1:]))
    return rate, status
