"""Uncertain inputs: marginal distributions, reference classes, rank correlation, samplers.

This module is the public face of four smaller ones, and re-exports every name they
define (``from dealsim.uncertainty import X`` works for each):

======================================= ===================================================
module                                  job
======================================= ===================================================
:mod:`dealsim.sampling`                 seeds (:func:`as_seed_sequence`) and samplers
                                        (:func:`sampler_uniforms`: random, LHS, Sobol)
:mod:`dealsim.distributions`            the marginals (:class:`LogNormal`, :class:`Pert`...)
:mod:`dealsim.reference_classes`        published overruns (:data:`REFERENCE_CLASSES`) and
                                        :func:`overrun_distribution`; figures in
                                        :mod:`dealsim._facts`
:mod:`dealsim.copula`                   :class:`Uncertainties` (Gaussian copula) and
                                        :func:`default_uncertainties`
======================================= ===================================================

It turns ``(seed, scenario index)`` into named draws. The Monte Carlo engine uses it per
fixed block of scenarios::

    root = as_seed_sequence(seed)                                   # once per run
    u = sampler_uniforms(sampler, root, block=b, size=B, dim=unc.dim)  # (B, dim) in (0, 1)
    draws = unc.transform(u)                                        # name -> (B,) float64

The standard names the engine reads are listed in :mod:`dealsim.copula`
(:data:`STANDARD_NAMES`).

Reproducibility
---------------
Scenario ``i`` lives in block ``b = i // B`` at row ``i % B``; its uniforms depend only on
``(seed, b, row)`` for the fixed block size ``B`` -- not on the number of scenarios, the
order in which blocks are computed, or threads. See :func:`sampler_uniforms`.
"""

from __future__ import annotations

from ._facts import _ASSUME, _FG, _SOV25
from .copula import (
    _DELAY_DEFAULT,
    _DELAY_MAX,
    _DELAY_MEAN_SOURCE,
    _DELAY_SIGMA,
    STANDARD_NAMES,
    Pair,
    Uncertainties,
    _delay_distribution,
    default_uncertainties,
)
from .distributions import (
    _LOG_MAX,
    _UNSOURCED,
    Distribution,
    Fixed,
    FloatArray,
    LogNormal,
    LogStudentT,
    Normal,
    Pert,
    PointMass,
    Rounded,
    Triangular,
    Uniform,
    _as_u,
    _bounds,
    _fmt,
    _numeric_mean,
)
from .reference_classes import (
    _ALL_SIGMA,
    NUSCALE_OVERRUN,
    NUSCALE_OVERRUN_SOURCE,
    REFERENCE_CLASSES,
    TAILS,
    ReferenceClass,
    _reference_class,
    _sigma_from_share_over,
    overrun_distribution,
)
from .sampling import (
    _MAX_BLOCK,
    _SOBOL_MAX_DIM,
    _SOBOL_MAX_POINTS,
    _SOBOL_SCRAMBLE_KEY,
    SAMPLERS,
    U_MAX,
    U_MIN,
    _child,
    as_seed_sequence,
    sampler_uniforms,
)

__all__ = [
    "NUSCALE_OVERRUN",
    "NUSCALE_OVERRUN_SOURCE",
    "REFERENCE_CLASSES",
    "SAMPLERS",
    "STANDARD_NAMES",
    "Distribution",
    "Fixed",
    "LogNormal",
    "LogStudentT",
    "Normal",
    "Pert",
    "PointMass",
    "ReferenceClass",
    "Rounded",
    "Triangular",
    "Uncertainties",
    "Uniform",
    "as_seed_sequence",
    "default_uncertainties",
    "overrun_distribution",
    "sampler_uniforms",
]

# Names kept for code written against the single-module layout (private helpers and
# constants); new code imports them from their modules.
_COMPAT = (_ALL_SIGMA, _ASSUME, _DELAY_DEFAULT, _DELAY_MAX, _DELAY_MEAN_SOURCE, _DELAY_SIGMA,
           _FG, _LOG_MAX, _MAX_BLOCK, _SOBOL_MAX_DIM, _SOBOL_MAX_POINTS, _SOBOL_SCRAMBLE_KEY,
           _SOV25, _UNSOURCED, FloatArray, Pair, TAILS, U_MAX, U_MIN, _as_u, _bounds, _child,
           _delay_distribution, _fmt, _numeric_mean, _reference_class, _sigma_from_share_over)
