"""Uncertain inputs: marginal distributions, reference classes, rank correlation, samplers.

This module is the public face of four smaller ones, and re-exports every name they
define (``from dealsim.montecarlo.uncertainty import X`` works for each):

- :mod:`~dealsim.montecarlo.sampling`: samplers (:func:`sampler_uniforms`: random, LHS,
  Sobol); seeds are :func:`dealsim.common.seeds.as_seed_sequence`.
- :mod:`~dealsim.montecarlo.distributions`: the marginals (:class:`LogNormal`, ...).
- :mod:`~dealsim.montecarlo.reference_classes`: published overruns
  (:data:`REFERENCE_CLASSES`) and :func:`overrun_distribution`; figures in
  :mod:`dealsim.common.facts`.
- :mod:`~dealsim.montecarlo.copula`: :class:`Uncertainties` (Gaussian copula) and
  :func:`default_uncertainties`.

It turns ``(seed, scenario index)`` into named draws. The Monte Carlo engine uses it per
fixed block of scenarios::

    root = as_seed_sequence(seed)                                   # once per run
    u = sampler_uniforms(sampler, root, block=b, size=B, dim=unc.dim)  # (B, dim) in (0, 1)
    draws = unc.transform(u)                                        # name -> (B,) float64

The standard names the engine reads are listed in :mod:`dealsim.montecarlo.copula`
(:data:`STANDARD_NAMES`).

Reproducibility
---------------
Scenario ``i`` lives in block ``b = i // B`` at row ``i % B``; its uniforms depend only on
``(seed, b, row)`` for the fixed block size ``B`` -- not on the number of scenarios, the
order in which blocks are computed, or threads. See :func:`sampler_uniforms`.
"""

from __future__ import annotations

from dealsim.common.facts import _ASSUME, _FG, _SOV25
from dealsim.common.seeds import U_MAX, U_MIN, as_seed_sequence
from dealsim.montecarlo import copula, distributions, reference_classes, sampling
from dealsim.montecarlo.copula import *  # noqa: F403
from dealsim.montecarlo.copula import (
    _DELAY_DEFAULT,
    _DELAY_MAX,
    _DELAY_MEAN_SOURCE,
    _DELAY_SIGMA,
    _delay_distribution,
)
from dealsim.montecarlo.distributions import *  # noqa: F403
from dealsim.montecarlo.distributions import (
    _LOG_MAX,
    _UNSOURCED,
    FloatArray,
    _as_u,
    _bounds,
    _fmt,
    _numeric_mean,
)
from dealsim.montecarlo.reference_classes import *  # noqa: F403
from dealsim.montecarlo.reference_classes import (
    _ALL_SIGMA,
    _reference_class,
    _sigma_from_share_over,
)
from dealsim.montecarlo.sampling import *  # noqa: F403
from dealsim.montecarlo.sampling import (
    _MAX_BLOCK,
    _SOBOL_MAX_DIM,
    _SOBOL_MAX_POINTS,
    _SOBOL_SCRAMBLE_KEY,
    _child,
)

# the public names of the four modules, each listed once (in its module's __all__), but
# two that the facade has never exported (the tail table and the pair alias)
__all__ = ["as_seed_sequence"] + [
    name for module in (sampling, distributions, reference_classes, copula)
    for name in module.__all__ if name not in ("TAILS", "Pair")
]

# Names kept for code written against the single-module layout (private helpers and
# constants); new code imports them from their modules.
_COMPAT = (_ALL_SIGMA, _ASSUME, _DELAY_DEFAULT, _DELAY_MAX, _DELAY_MEAN_SOURCE, _DELAY_SIGMA,
           _FG, _LOG_MAX, _MAX_BLOCK, _SOBOL_MAX_DIM, _SOBOL_MAX_POINTS, _SOBOL_SCRAMBLE_KEY,
           _SOV25, _UNSOURCED, FloatArray, U_MAX, U_MIN, _as_u, _bounds, _child,
           _delay_distribution, _fmt, _numeric_mean, _reference_class, _sigma_from_share_over)
