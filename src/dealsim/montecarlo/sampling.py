"""Seeds and samplers: ``(seed, block)`` -> uniforms in the open interval (0, 1).

The Monte Carlo engine calls, once per run and once per fixed block of ``B`` scenarios::

    root = as_seed_sequence(seed)
    u = sampler_uniforms(sampler, root, block=b, size=B, dim=unc.dim)  # (B, dim)

Scenario ``i`` lives in block ``b = i // B`` at row ``i % B``; its uniforms depend only on
``(seed, b, row)`` for the fixed block size ``B`` -- not on the number of scenarios, the
order in which blocks are computed, or threads.

scipy's quasi-Monte Carlo engines (``scipy.stats.qmc``) are imported on the first
``"lhs"`` or ``"sobol"`` draw, so ``import dealsim`` does not load scipy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as _validate
from dealsim.common.seeds import U_MAX, U_MIN
from dealsim.errors import InvalidParameterError

__all__ = ["SAMPLERS", "sampler_uniforms"]

FloatArray = NDArray[np.float64]


#: Allowed values of ``sampler``.
SAMPLERS: tuple[str, ...] = ("random", "lhs", "sobol")


# Spawn key (appended to the root's) that seeds the one Sobol scramble of a run. Block keys
# are one 32-bit word (block < 2**32 - 1), so this two-word key can never equal a block's.
_SOBOL_SCRAMBLE_KEY: tuple[int, int] = (2**32 - 1, 0x50B0)


_MAX_BLOCK: int = 2**32 - 2


# scipy's Sobol with the default 30 bits gives at most 2**30 distinct points (bits=64 is
# not used: ``fast_forward`` fails with it in scipy 1.17).
_SOBOL_MAX_POINTS: int = 2**30


_SOBOL_MAX_DIM: int = 21201


def _child(root: np.random.SeedSequence, key: tuple[int, ...]) -> np.random.Generator:
    # A fresh SeedSequence every call: scipy's qmc engines *spawn* from the generator's
    # seed sequence, which mutates it, so sharing one would break reproducibility.
    ss = np.random.SeedSequence(
        root.entropy, spawn_key=tuple(root.spawn_key) + key, pool_size=root.pool_size
    )
    return np.random.Generator(np.random.PCG64(ss))


def sampler_uniforms(
    sampler: str, root: np.random.SeedSequence, *, block: int, size: int, dim: int
) -> FloatArray:
    """Uniforms for one block of scenarios, shape ``(size, dim)``, in the open interval (0, 1).

    Parameters
    ----------
    sampler : {"random", "lhs", "sobol"}
        ``"random"``: PCG64 from ``SeedSequence(root.entropy, spawn_key=root.spawn_key +
        (block,))``; row ``r`` is the ``r``-th group of ``dim`` draws, so it does not even
        depend on ``size``.
        ``"lhs"``: :class:`scipy.stats.qmc.LatinHypercube` seeded the same way.
        Stratification is **per block**: within one block each column has exactly one point
        in each of the ``size`` strata; rows depend on ``size`` (the engine's fixed ``B``).
        ``"sobol"``: one scrambled Sobol sequence for the whole run, scrambled from the
        reserved spawn key ``root.spawn_key + (2**32 - 1, 0x50B0)`` that no block uses;
        block ``b`` is points ``[b*size, (b+1)*size)`` (via ``fast_forward``), so with a
        fixed ``size`` scenario ``i`` is Sobol point ``i``. Sobol balance holds for
        power-of-two prefixes; at most ``2**30`` points per run.
    root : numpy.random.SeedSequence
        The run's root, from :func:`as_seed_sequence`. Not mutated.
    block : int
        Block index, ``0 <= block < 2**32 - 1``.
    size : int
        Rows in the block (the engine uses a fixed power of two).
    dim : int
        Number of random dimensions (:attr:`Uncertainties.dim`).

    Returns
    -------
    ndarray, shape (size, dim), float64
        Values in ``[2**-53, 1 - 2**-53]``: exact 0 and 1 are clipped away.

    Raises
    ------
    InvalidParameterError
        Unknown ``sampler``, ``root`` not a SeedSequence, negative or too large
        ``block``/``size``/``dim``, or a Sobol run beyond ``2**30`` points.

    Examples
    --------
    >>> from dealsim.common.seeds import as_seed_sequence
    >>> root = as_seed_sequence(1)
    >>> u = sampler_uniforms("random", root, block=3, size=4, dim=2)
    >>> u.shape, bool(((u > 0) & (u < 1)).all())
    ((4, 2), True)
    >>> bool((sampler_uniforms("random", root, block=3, size=2, dim=2) == u[:2]).all())
    True
    """
    if sampler not in SAMPLERS:
        raise InvalidParameterError(
            f"sampler must be one of {', '.join(map(repr, SAMPLERS))}; got {sampler!r}"
        )
    if not isinstance(root, np.random.SeedSequence):
        raise InvalidParameterError(
            f"root must be a numpy.random.SeedSequence (see as_seed_sequence); got {root!r}"
        )
    block = _validate.integer("block", block)
    size = _validate.integer("size", size)
    dim = _validate.integer("dim", dim)
    if block > _MAX_BLOCK:
        raise InvalidParameterError(f"block must be <= {_MAX_BLOCK}; got {block!r}")
    if size == 0 or dim == 0:
        return np.empty((size, dim), dtype=np.float64)

    if sampler == "random":
        u = _child(root, (block,)).random((size, dim))
    elif sampler == "lhs":
        from scipy.stats import qmc

        u = qmc.LatinHypercube(dim, rng=_child(root, (block,))).random(size)
    else:
        if dim > _SOBOL_MAX_DIM:
            raise InvalidParameterError(
                f"dim must be <= {_SOBOL_MAX_DIM} for sampler='sobol'; got {dim!r}"
            )
        start = block * size
        if start + size > _SOBOL_MAX_POINTS:
            raise InvalidParameterError(
                f"sampler='sobol' supports at most 2**30 scenarios; block={block!r} with "
                f"size={size!r} reaches point {start + size}"
            )
        from scipy.stats import qmc

        engine = qmc.Sobol(dim, scramble=True, rng=_child(root, _SOBOL_SCRAMBLE_KEY))
        if start:
            engine.fast_forward(start)
            u = engine.random(size)
        else:
            # scipy warns when the first draw is not a power of two; draw the next power
            # of two (at most 2x the work) and keep the first `size` points: same values.
            m = 1 << (size - 1).bit_length()
            u = engine.random(m)[:size]
    return np.clip(u, U_MIN, U_MAX, out=np.ascontiguousarray(u, dtype=np.float64))
