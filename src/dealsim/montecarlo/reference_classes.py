"""Reference classes: published cost overruns of classes of projects, as distributions.

The figures (Flyvbjerg & Gardner 2023; Sovacool, Gilbert & Nugent 2014; Sovacool et al.
2025; NuScale's x1.755) live in :mod:`dealsim.common.facts` beside the presets' other facts;
this module turns them into :class:`ReferenceClass` records and
:func:`overrun_distribution` into a distribution whose mean is the published mean.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dealsim.common import facts as _facts
from dealsim.common import validate as _validate
from dealsim.errors import InvalidParameterError
from dealsim.montecarlo.distributions import Distribution, LogNormal, LogStudentT

__all__ = [
    "NUSCALE_OVERRUN",
    "NUSCALE_OVERRUN_SOURCE",
    "REFERENCE_CLASSES",
    "TAILS",
    "ReferenceClass",
    "overrun_distribution",
]

#: NuScale/UAMPS Carbon Free Power Project: $5.3bn -> $9.3bn (Jan 2023, 462 MWe), x1.755.
NUSCALE_OVERRUN: float = _facts.NUSCALE_BUDGET_AFTER_BN / _facts.NUSCALE_BUDGET_BEFORE_BN
NUSCALE_OVERRUN_SOURCE: str = _facts.NUSCALE_OVERRUN_SOURCE

@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceClass:
    """Published mean cost overrun of a class of projects (a decimal: 1.20 is +120%).

    ``sigma`` is the default log-scale dispersion used by :func:`overrun_distribution`; it is
    not published per class, and ``sigma_basis`` says where it comes from.
    """

    name: str
    mean_overrun: float
    source: str
    confidence: str
    sigma: float
    sigma_basis: str
    share_over_budget: float | None = None
    other_estimates: tuple[tuple[float, str], ...] = ()

    def __post_init__(self) -> None:
        _validate.rate("mean_overrun", self.mean_overrun)
        _validate.positive("sigma", self.sigma)

    @property
    def mean_factor(self) -> float:
        """``1 + mean_overrun``."""
        return 1.0 + self.mean_overrun


def _sigma_from_share_over(mean_factor: float, share_over: float) -> float:
    """Lognormal sigma with mean ``mean_factor`` and ``P(X > 1) = share_over``.

    ``P(log X > 0) = Phi(mu / sigma) = share`` gives ``mu = k sigma``, ``k = Phi^-1(share)``;
    the mean gives ``mu + sigma**2 / 2 = log(mean)``; so ``sigma = -k + sqrt(k**2 + 2 log m)``.
    """
    k = _probit(share_over)
    return -k + math.sqrt(k * k + 2.0 * math.log(mean_factor))


def _probit(p: float) -> float:
    """The standard normal quantile of ``p`` in (0, 1), by Newton's method on
    ``math.erf`` (to rounding; ``statistics.NormalDist().inv_cdf`` agrees, tested), so
    that ``import dealsim`` loads neither scipy nor :mod:`statistics` (with its
    fractions and decimal)."""
    x = 0.0
    for _ in range(100):
        step = (0.5 * (1.0 + math.erf(x / math.sqrt(2.0))) - p) * math.sqrt(2.0 * math.pi) \
            * math.exp(0.5 * x * x)
        x -= step
        if abs(step) < 1e-15 * max(1.0, abs(x)):
            break
    return x


_ALL_SIGMA = _sigma_from_share_over(1.663, 0.75)  # = 0.5388...


def _build(name: str, figures: Mapping[str, Any]) -> ReferenceClass:
    kw = dict(figures)
    if kw["sigma"] is None:
        kw["sigma"] = _sigma_from_share_over(1.0 + kw["mean_overrun"], kw["share_over_budget"])
    return ReferenceClass(name=name, **kw)


#: Published mean overrun by class (figures and sources in :mod:`dealsim.common.facts`).
REFERENCE_CLASSES: Mapping[str, ReferenceClass] = types.MappingProxyType({
    name: _build(name, figures) for name, figures in _facts.REFERENCE_CLASS_FIGURES.items()
})

#: Tail options of :func:`overrun_distribution`.
TAILS: tuple[str, ...] = ("lognormal", "student_t")


def _reference_class(name: Any) -> ReferenceClass:
    if isinstance(name, ReferenceClass):
        return name
    if not isinstance(name, str) or name not in REFERENCE_CLASSES:
        raise InvalidParameterError(
            f"reference_class must be one of {', '.join(map(repr, REFERENCE_CLASSES))}; "
            f"got {name!r}"
        )
    return REFERENCE_CLASSES[name]


def overrun_distribution(
    reference_class: str | ReferenceClass, *, sigma: float | None = None,
    tail: str = "lognormal", df: float = 3.0, cap: float = 10.0,
) -> Distribution:
    """Capital-cost overrun **factor** (1 + overrun) whose mean is the class's published mean.

    Parameters
    ----------
    reference_class : str or ReferenceClass
        A key of :data:`REFERENCE_CLASSES`.
    sigma : float, optional
        Log-scale dispersion; default the class's labelled ``sigma`` (see ``sigma_basis``).
    tail : {"lognormal", "student_t"}
        ``"lognormal"``: :meth:`LogNormal.from_mean`. ``"student_t"``: a :class:`LogStudentT`
        with ``df`` degrees of freedom, the same log-scale interquartile range as the
        lognormal (``scale = sigma * Phi^-1(0.75) / t_df^-1(0.75)``), truncated at ``cap``
        (its mean is infinite otherwise), and its centre solved so the mean matches.
    df : float
        Student-t degrees of freedom (assumption: 3). Only for ``tail="student_t"``.
    cap : float
        Largest factor represented (assumption: 10x; beyond it a project would be cancelled,
        which this model does not represent). Only for ``tail="student_t"``.

    Returns
    -------
    Distribution
        With ``mean == 1 + reference_class.mean_overrun``.

    References
    ----------
    Flyvbjerg & Gardner (2023); Sovacool, Gilbert & Nugent (2014); Sovacool et al. (2025).

    Examples
    --------
    >>> d = overrun_distribution("all_electricity")
    >>> round(d.mean, 12), round(d.sigma, 3)
    (1.663, 0.539)
    >>> round(overrun_distribution("nuclear", tail="student_t").mean, 9)
    2.2
    """
    rc = _reference_class(reference_class)
    s = rc.sigma if sigma is None else _validate.positive("sigma", sigma)
    target = rc.mean_factor
    if target <= 0:
        raise InvalidParameterError(
            f"reference_class mean factor must be > 0; got {target!r}"
        )
    basis = "sigma given by the user" if sigma is not None else rc.sigma_basis
    src = (f"reference class {rc.name!r}: mean overrun {rc.mean_overrun:+.1%} ({rc.source}); "
           f"sigma {s:.3g} ({basis})")
    if tail == "lognormal":
        return LogNormal.from_mean(target, s, source=src)
    if tail != "student_t":
        raise InvalidParameterError(
            f"tail must be one of {', '.join(map(repr, TAILS))}; got {tail!r}"
        )
    d = _validate.positive("df", df)
    c = _validate.positive("cap", cap)
    from scipy import optimize, special

    scale = s * float(special.ndtri(0.75)) / float(special.stdtrit(d, 0.75))
    src += f"; Student-t tail df={d:g} (assumption), capped at {c:g}x (assumption)"

    def gap(center: float) -> float:
        return LogStudentT(center, scale, d, c).mean - target

    lo, hi = target * 1e-6, c * (1.0 - 1e-9)
    if not target < c or gap(lo) > 0 or gap(hi) < 0:
        raise InvalidParameterError(
            f"cap={cap!r} is too low to reach mean factor {target!r} with scale {scale:.3g} "
            f"and df={df!r}"
        )
    center = optimize.brentq(gap, lo, hi, xtol=1e-14, rtol=1e-13)
    return LogStudentT(center, scale, d, c, source=src)
