"""Uncertain inputs: marginal distributions, reference classes, rank correlation, samplers.

This module turns ``(seed, scenario index)`` into named draws. The Monte Carlo engine
uses it per fixed block of scenarios::

    root = as_seed_sequence(seed)                                   # once per run
    u = sampler_uniforms(sampler, root, block=b, size=B, dim=unc.dim)  # (B, dim) in (0, 1)
    draws = unc.transform(u)                                        # name -> (B,) float64

Standard names
--------------
The engine reads these keys from :class:`Uncertainties` and refuses any other name (a
misspelling such as ``overun`` would otherwise leave its input at the default); ``usdjpy``
is drawn for reporting only (``dealsim._names.REPORT_ONLY``):

=============== ===================================================== ===========
name            meaning                                                domain
=============== ===================================================== ===========
``overrun``     capital-cost factor (1 + overrun)                      > 0
``delay``       whole years of commissioning delay                     >= 0
``capacity``    achieved fraction of the design capacity               (0, 1]
``price``       factor on the product (power) price                    > 0
``fuel``        factor on the fuel price                               > 0
``utilisation`` factor on the design capacity factor                   > 0
``deemed_rate`` deemed interest rate of the DAA, per-year decimal      any
``usdjpy``      yen per dollar                                         > 0
=============== ===================================================== ===========

Reproducibility
---------------
Scenario ``i`` lives in block ``b = i // B`` at row ``i % B``; its uniforms depend only on
``(seed, b, row)`` for the fixed block size ``B`` -- not on the number of scenarios, the
order in which blocks are computed, or threads. See :func:`sampler_uniforms`.
"""

from __future__ import annotations

import abc
import dataclasses
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, optimize, special
from scipy.stats import qmc

from . import _names, _serial, _validate
from .errors import CorrelationError, InvalidParameterError

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

FloatArray = NDArray[np.float64]

#: Smallest and largest uniforms handed to an inverse CDF: exact 0 and 1 are clipped away.
U_MIN: float = 2.0**-53
U_MAX: float = 1.0 - 2.0**-53

#: Allowed values of ``sampler``.
SAMPLERS: tuple[str, ...] = ("random", "lhs", "sobol")

#: Names the Monte Carlo engine reads from :meth:`Uncertainties.transform`.
STANDARD_NAMES: tuple[str, ...] = _names.STANDARD_NAMES

# Spawn key (appended to the root's) that seeds the one Sobol scramble of a run. Block keys
# are one 32-bit word (block < 2**32 - 1), so this two-word key can never equal a block's.
_SOBOL_SCRAMBLE_KEY: tuple[int, int] = (2**32 - 1, 0x50B0)
_MAX_BLOCK: int = 2**32 - 2
# scipy's Sobol with the default 30 bits gives at most 2**30 distinct points (bits=64 is
# not used: ``fast_forward`` fails with it in scipy 1.17).
_SOBOL_MAX_POINTS: int = 2**30
_SOBOL_MAX_DIM: int = 21201


# --------------------------------------------------------------------------- seeds, samplers


def as_seed_sequence(seed: Any) -> np.random.SeedSequence:
    """Return the root :class:`numpy.random.SeedSequence` of a run.

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        ``int >= 0``: ``SeedSequence(seed)``. ``SeedSequence``: returned as is.
        ``Generator``: a new ``SeedSequence`` whose entropy is 128 bits drawn from it --
        this **advances the generator**, so passing the same generator twice gives two
        different runs.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    InvalidParameterError
        For anything else: negative ints, bools, floats, strings, ``None`` (dealsim never
        uses fresh OS entropy implicitly; pass ``SeedSequence()`` for that).

    Notes
    -----
    scipy's SPEC 7 ``rng`` convention, minus ``None``.

    Examples
    --------
    >>> as_seed_sequence(42).entropy
    42
    >>> ss = np.random.SeedSequence(7)
    >>> as_seed_sequence(ss) is ss
    True
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        words = seed.integers(0, 2**32, size=4, dtype=np.uint64)
        entropy = sum(int(w) << (32 * k) for k, w in enumerate(words))
        return np.random.SeedSequence(entropy)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        if int(seed) < 0:
            raise InvalidParameterError(f"seed must be an integer >= 0; got {seed!r}")
        return np.random.SeedSequence(int(seed))
    raise InvalidParameterError(
        "seed must be an integer >= 0, a numpy.random.SeedSequence or a "
        f"numpy.random.Generator; got {seed!r} ({type(seed).__name__})"
    )


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


# --------------------------------------------------------------------------- distributions


def _as_u(u: ArrayLike) -> FloatArray:
    return np.asarray(u, dtype=np.float64)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class Distribution(_serial.Plain, abc.ABC):
    """Base of the marginal distributions: a frozen value with a vectorised inverse CDF.

    Subclasses are frozen dataclasses validated on construction. Every one has a keyword
    ``source`` (a citation, or ``"assumption: ..."``).

    Attributes
    ----------
    median : float
        ``ppf(0.5)``.
    mean : float
        Analytic where it exists (``inf`` where it does not); a few wrappers compute it
        numerically and say so.
    """

    __slots__ = ()
    source: str
    #: Whether it consumes one random dimension (False only for :class:`Fixed`).
    random: ClassVar[bool] = True

    @abc.abstractmethod
    def ppf(self, u: ArrayLike) -> FloatArray:
        """Inverse CDF, elementwise; ``u`` in the open interval (0, 1). Not range-checked."""

    def cdf(self, x: ArrayLike) -> FloatArray:
        """CDF, elementwise (continuous distributions only)."""
        raise NotImplementedError(f"{type(self).__name__} has no closed-form cdf")

    @property
    def median(self) -> float:
        return float(self.ppf(0.5))

    @property
    def mean(self) -> float:
        return _numeric_mean(self)

    def __str__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name == "source" or value is None:
                continue
            parts.append(f"{f.name}={_fmt(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def describe(self) -> str:
        """One line: the distribution, its median and mean, and its source."""
        return f"{self}: median {self.median:.4g}, mean {self.mean:.4g} [{self.source}]"


def _numeric_mean(dist: Distribution, n: int = 2**20) -> float:
    # Midpoint rule over n quantiles: exact for the bounded wrappers up to O(1/n).
    u = (np.arange(n, dtype=np.float64) + 0.5) / n
    return float(np.mean(dist.ppf(u)))


_UNSOURCED = "unspecified"
_LOG_MAX = math.log(np.finfo(np.float64).max)


@dataclass(frozen=True, slots=True)
class Fixed(Distribution):
    """A constant. Consumes no random dimension and cannot be correlated.

    >>> Fixed(2.0).ppf([0.1, 0.9])
    array([2., 2.])
    """

    value: float
    source: str = field(default=_UNSOURCED, kw_only=True)
    random: ClassVar[bool] = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _validate.finite("value", self.value))

    def ppf(self, u: ArrayLike) -> FloatArray:
        return np.full_like(_as_u(u), self.value)

    def cdf(self, x: ArrayLike) -> FloatArray:
        return (_as_u(x) >= self.value).astype(np.float64)

    @property
    def mean(self) -> float:
        return self.value


def _bounds(low: Any, high: Any, *, strict: bool = True) -> tuple[float, float]:
    lo = _validate.finite("low", low)
    hi = _validate.finite("high", high)
    if hi < lo or (strict and hi == lo):
        rel = ">" if strict else ">="
        raise InvalidParameterError(f"high must be {rel} low; got low={low!r}, high={high!r}")
    return lo, hi


@dataclass(frozen=True, slots=True)
class Uniform(Distribution):
    """Uniform on ``[low, high]``.

    >>> Uniform(0.7, 1.0).mean
    0.85
    """

    low: float
    high: float
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        lo, hi = _bounds(self.low, self.high)
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)

    def ppf(self, u: ArrayLike) -> FloatArray:
        return self.low + (self.high - self.low) * _as_u(u)

    def cdf(self, x: ArrayLike) -> FloatArray:
        return np.clip((_as_u(x) - self.low) / (self.high - self.low), 0.0, 1.0)

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)


@dataclass(frozen=True, slots=True)
class Normal(Distribution):
    """Normal(``mu``, ``sd``), optionally truncated to ``[low, high]``.

    ``mu`` and ``sd`` are the parameters of the untruncated normal; :attr:`mean` is the mean
    after truncation.

    >>> Normal(0.055, 0.01, low=0.0, high=0.15).median
    0.055
    """

    mu: float
    sd: float
    low: float | None = None
    high: float | None = None
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu", _validate.finite("mu", self.mu))
        object.__setattr__(self, "sd", _validate.positive("sd", self.sd))
        if self.low is not None:
            object.__setattr__(self, "low", _validate.finite("low", self.low))
        if self.high is not None:
            object.__setattr__(self, "high", _validate.finite("high", self.high))
        if self.low is not None and self.high is not None:
            _bounds(self.low, self.high)
        a, b = self._ab()
        if special.ndtr(b) - special.ndtr(a) <= 0.0 and special.ndtr(-a) - special.ndtr(-b) <= 0:
            raise InvalidParameterError(
                f"low/high leave no probability mass for Normal(mu={self.mu!r}, sd={self.sd!r});"
                f" got low={self.low!r}, high={self.high!r}"
            )

    def _ab(self) -> tuple[float, float]:
        a = -math.inf if self.low is None else (self.low - self.mu) / self.sd
        b = math.inf if self.high is None else (self.high - self.mu) / self.sd
        return a, b

    def ppf(self, u: ArrayLike) -> FloatArray:
        uu = _as_u(u)
        a, b = self._ab()
        if a == -math.inf and b == math.inf:
            return self.mu + self.sd * special.ndtri(uu)
        if a > 0:  # whole support in the upper tail: work on the reflected side for accuracy
            fa, fb = special.ndtr(-b), special.ndtr(-a)
            z = -special.ndtri(fb - uu * (fb - fa))
        else:
            fa, fb = special.ndtr(a), special.ndtr(b)
            z = special.ndtri(fa + uu * (fb - fa))
        return np.clip(self.mu + self.sd * z, self.low, self.high)

    def cdf(self, x: ArrayLike) -> FloatArray:
        a, b = self._ab()
        fa, fb = special.ndtr(a), special.ndtr(b)
        z = (_as_u(x) - self.mu) / self.sd
        return np.clip((special.ndtr(z) - fa) / (fb - fa), 0.0, 1.0)

    @property
    def mean(self) -> float:
        a, b = self._ab()
        if a == -math.inf and b == math.inf:
            return self.mu
        pdf = lambda t: 0.0 if math.isinf(t) else math.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)  # noqa: E731
        mass = special.ndtr(b) - special.ndtr(a) if a <= 0 else special.ndtr(-a) - special.ndtr(-b)
        return float(self.mu + self.sd * (pdf(a) - pdf(b)) / mass)


@dataclass(frozen=True, slots=True)
class LogNormal(Distribution):
    """Lognormal: ``log X ~ Normal(log(median), sigma)``.

    Notes
    -----
    ``mean = median * exp(sigma**2 / 2)``.

    Examples
    --------
    >>> d = LogNormal.from_mean(1.663, 0.54)
    >>> round(d.mean, 12)
    1.663
    """

    median: float = field()  # type: ignore[assignment]  # shadows the base property
    sigma: float
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "median", _validate.positive("median", self.median))
        object.__setattr__(self, "sigma", _validate.positive("sigma", self.sigma))

    def ppf(self, u: ArrayLike) -> FloatArray:
        return self.median * np.exp(self.sigma * special.ndtri(_as_u(u)))

    def cdf(self, x: ArrayLike) -> FloatArray:
        xx = _as_u(x)
        with np.errstate(divide="ignore"):
            return special.ndtr(np.log(np.maximum(xx, 0.0) / self.median) / self.sigma)

    @property
    def mean(self) -> float:
        return self.median * math.exp(0.5 * self.sigma**2)

    @classmethod
    def from_mean(cls, mean: float, sigma: float, *, source: str = _UNSOURCED) -> LogNormal:
        """The lognormal with the given mean and log-scale ``sigma``:
        ``median = mean * exp(-sigma**2 / 2)``."""
        m = _validate.positive("mean", mean)
        s = _validate.positive("sigma", sigma)
        return cls(m * math.exp(-0.5 * s * s), s, source=source)

    @classmethod
    def calibrated(
        cls, value: float, quantile: float, *, sigma: float | None = None,
        mean: float | None = None, source: str = _UNSOURCED,
    ) -> LogNormal:
        """The lognormal whose ``quantile``-quantile is exactly ``value``.

        Parameters
        ----------
        value : float
            Positive value placed at ``quantile``.
        quantile : float
            In the open interval (0, 1).
        sigma, mean : float, optional
            Exactly one. With ``sigma`` the location is solved:
            ``median = value * exp(-sigma z)``, ``z = Phi^-1(quantile)``. With ``mean``,
            sigma solves ``sigma**2/2 - z sigma - log(mean/value) = 0``:
            ``sigma = z + sqrt(z**2 + 2 log(mean/value))``; when ``mean < value`` (and
            ``quantile > 0.5``) both roots can be positive and the *smaller* one,
            ``z - sqrt(...)``, is returned.

        Raises
        ------
        InvalidParameterError
            Naming ``mean`` when no positive sigma exists (``mean`` below
            ``value * exp(-z**2/2)``, or ``mean <= value`` with ``quantile <= 0.5``), and
            naming ``sigma``/``mean`` when both or neither are given.

        Examples
        --------
        >>> d = LogNormal.calibrated(9.3 / 5.3, 0.9, mean=2.2)
        >>> round(float(d.ppf(0.9)), 12), round(d.mean, 12)
        (1.754716981132, 2.2)
        """
        v = _validate.positive("value", value)
        q = _validate.fraction("quantile", quantile, allow_one=False)
        if (sigma is None) == (mean is None):
            raise InvalidParameterError(
                f"give exactly one of sigma or mean; got sigma={sigma!r}, mean={mean!r}"
            )
        z = float(special.ndtri(q))
        if sigma is not None:
            s = _validate.positive("sigma", sigma)
            return cls(v * math.exp(-s * z), s, source=source)
        m = _validate.positive("mean", mean)
        c = math.log(m / v)
        disc = z * z + 2.0 * c
        lowest = v * math.exp(-0.5 * z * z)
        if disc < 0:
            raise InvalidParameterError(
                f"mean={mean!r} is impossible for a lognormal with value {v!r} at quantile "
                f"{q!r}: mean must be >= {lowest!r}"
            )
        root = math.sqrt(disc)
        s = z + root if c > 0 else z - root
        if not s > 0:
            raise InvalidParameterError(
                f"mean={mean!r} is impossible for a lognormal with value {v!r} at quantile "
                f"{q!r}: at a quantile <= 0.5 the mean must exceed the value"
            )
        return cls(v * math.exp(-s * z), s, source=source)


@dataclass(frozen=True, slots=True)
class Triangular(Distribution):
    """Triangular on ``[low, high]`` with mode ``mode``; mean ``(low + mode + high) / 3``.

    >>> Triangular(0.0, 1.0, 2.0).median
    1.0
    """

    low: float
    mode: float
    high: float
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        lo, hi = _bounds(self.low, self.high)
        mode = _validate.finite("mode", self.mode)
        if not lo <= mode <= hi:
            raise InvalidParameterError(
                f"mode must be in [low, high] = [{lo:g}, {hi:g}]; got {self.mode!r}"
            )
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "high", hi)

    def ppf(self, u: ArrayLike) -> FloatArray:
        uu = _as_u(u)
        lo, m, hi = self.low, self.mode, self.high
        fc = (m - lo) / (hi - lo)
        left = lo + np.sqrt(uu * (hi - lo) * (m - lo))
        right = hi - np.sqrt((1.0 - uu) * (hi - lo) * (hi - m))
        return np.where(uu < fc, left, right)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0


@dataclass(frozen=True, slots=True)
class Pert(Distribution):
    """Beta-PERT on ``[low, high]`` with mode ``mode`` and shape ``lamb`` (4 is classic PERT).

    Notes
    -----
    ``low + (high - low) * Beta(a, b)`` with ``a = 1 + lamb (mode - low) / (high - low)``,
    ``b = 1 + lamb (high - mode) / (high - low)``; mean
    ``(low + lamb * mode + high) / (lamb + 2)``.

    >>> Pert(1.0, 2.0, 6.0).mean
    2.5
    """

    low: float
    mode: float
    high: float
    lamb: float = 4.0
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        Triangular.__post_init__(self)  # type: ignore[arg-type]
        object.__setattr__(self, "lamb", _validate.positive("lamb", self.lamb))

    def _ab(self) -> tuple[float, float]:
        w = self.high - self.low
        return (1.0 + self.lamb * (self.mode - self.low) / w,
                1.0 + self.lamb * (self.high - self.mode) / w)

    def ppf(self, u: ArrayLike) -> FloatArray:
        a, b = self._ab()
        return self.low + (self.high - self.low) * special.betaincinv(a, b, _as_u(u))

    def cdf(self, x: ArrayLike) -> FloatArray:
        a, b = self._ab()
        t = np.clip((_as_u(x) - self.low) / (self.high - self.low), 0.0, 1.0)
        return special.betainc(a, b, t)

    @property
    def mean(self) -> float:
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2.0)


@dataclass(frozen=True, slots=True)
class LogStudentT(Distribution):
    """Fat-tailed factor: ``log(X / center) / scale`` is Student-t with ``df`` degrees of freedom,
    optionally truncated above at ``cap``.

    The right tail is polynomial on the log scale, so much heavier than the lognormal's:
    without a cap **the mean is infinite** for every ``df`` (``E[exp(s T)] = inf``), which is
    why overrun models that must match a published mean use a ``cap``. With a cap the
    distribution is the log-t conditioned on ``X <= cap`` and its mean is computed by
    quadrature. ``center`` is the median of the untruncated distribution. Without a cap,
    quantiles beyond float64's range (tiny ``df``, ``u`` near 1) come back as the largest
    finite float, not ``inf``.

    >>> d = LogStudentT(1.0, 0.5, 3.0)
    >>> d.median, d.mean
    (1.0, inf)
    """

    center: float
    scale: float
    df: float
    cap: float | None = None
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "center", _validate.positive("center", self.center))
        object.__setattr__(self, "scale", _validate.positive("scale", self.scale))
        object.__setattr__(self, "df", _validate.positive("df", self.df))
        if self.cap is not None:
            cap = _validate.positive("cap", self.cap)
            if cap <= self.center * 1e-12:
                raise InvalidParameterError(f"cap must be > 1e-12 * center; got {self.cap!r}")
            object.__setattr__(self, "cap", cap)

    def _t_cap(self) -> float:
        return math.inf if self.cap is None else math.log(self.cap / self.center) / self.scale

    def _mass(self) -> float:
        return float(special.stdtr(self.df, self._t_cap()))

    def ppf(self, u: ArrayLike) -> FloatArray:
        uu = _as_u(u)
        if self.cap is not None:
            uu = np.minimum(uu * self._mass(), U_MAX)
        # without a cap a tiny df can push the log past float64's range: clip it there,
        # so the result is the largest finite float rather than inf
        log_x = math.log(self.center) + self.scale * special.stdtrit(self.df, uu)
        x = np.exp(np.minimum(log_x, _LOG_MAX))
        return x if self.cap is None else np.minimum(x, self.cap)

    def cdf(self, x: ArrayLike) -> FloatArray:
        xx = np.maximum(_as_u(x), 0.0)
        with np.errstate(divide="ignore"):
            t = np.log(xx / self.center) / self.scale
        return np.minimum(special.stdtr(self.df, t) / self._mass(), 1.0)

    @property
    def mean(self) -> float:
        if self.cap is None:
            return math.inf
        df, s, tc = self.df, self.scale, self._t_cap()
        logc = (special.gammaln((df + 1) / 2) - special.gammaln(df / 2)
                - 0.5 * math.log(df * math.pi))

        def integrand(t: float) -> float:
            return math.exp(s * t + logc - (df + 1) / 2 * math.log1p(t * t / df))

        lower = min(tc, 0.0)
        total = integrate.quad(integrand, -math.inf, lower, limit=200)[0]
        if tc > 0:
            total += integrate.quad(integrand, 0.0, tc, limit=200)[0]
        return float(self.center * total / self._mass())


@dataclass(frozen=True, slots=True)
class Rounded(Distribution):
    """``base`` rounded to the nearest multiple of ``step`` (halves up), clipped to
    ``[low, high]`` -- e.g. whole years of delay.

    The mean is exact when ``base`` has a cdf (a sum over the grid), else numeric.

    >>> d = Rounded(Uniform(-0.5, 3.5), low=0.0, high=2.0)
    >>> d.ppf([0.01, 0.3, 0.99])
    array([0., 1., 2.])
    >>> round(d.mean, 12)
    1.25
    """

    base: Distribution
    step: float = 1.0
    low: float | None = None
    high: float | None = None
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.base, Distribution):
            raise InvalidParameterError(f"base must be a Distribution; got {self.base!r}")
        object.__setattr__(self, "step", _validate.positive("step", self.step))
        if self.low is not None:
            object.__setattr__(self, "low", _validate.finite("low", self.low))
        if self.high is not None:
            object.__setattr__(self, "high", _validate.finite("high", self.high))
        if self.low is not None and self.high is not None:
            _bounds(self.low, self.high, strict=False)

    def _round(self, x: FloatArray) -> FloatArray:
        out = np.floor(x / self.step + 0.5) * self.step
        if self.low is not None or self.high is not None:
            out = np.clip(out, self.low, self.high)
        return out

    def ppf(self, u: ArrayLike) -> FloatArray:
        return self._round(self.base.ppf(u))

    @property
    def mean(self) -> float:
        ends = self._round(self.base.ppf(np.array([U_MIN, U_MAX])))
        k0, k1 = (int(round(e / self.step)) for e in ends)
        if k1 - k0 > 100_000:
            return _numeric_mean(self)
        k = np.arange(k0, k1 + 1, dtype=np.float64)
        try:
            upper = self.base.cdf((k + 0.5) * self.step)
        except NotImplementedError:
            return _numeric_mean(self)
        upper[-1] = 1.0
        probs = np.diff(upper, prepend=0.0)
        return float(np.dot(self._round(k * self.step), probs))


@dataclass(frozen=True, slots=True)
class PointMass(Distribution):
    """``value`` with probability ``p``, otherwise a draw from ``below``.

    For achieved capacity: "all of the design capacity commissioned" (``value=1``) with
    probability ``p``, else a shortfall drawn from ``below``. ``below`` must not exceed
    ``value`` (so the inverse CDF stays monotone, as the copula needs): the upper ``p`` of the
    uniform maps to ``value``, the lower ``1 - p`` to ``below.ppf(u / (1 - p))``.

    >>> d = PointMass(1.0, 0.8, Uniform(0.7, 1.0))
    >>> round(d.mean, 12), d.median
    (0.97, 1.0)
    """

    value: float
    p: float
    below: Distribution
    source: str = field(default=_UNSOURCED, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _validate.finite("value", self.value))
        object.__setattr__(self, "p", _validate.fraction("p", self.p, allow_zero=True))
        if not isinstance(self.below, Distribution):
            raise InvalidParameterError(f"below must be a Distribution; got {self.below!r}")
        top = float(self.below.ppf(U_MAX))
        if top > self.value:
            raise InvalidParameterError(
                f"below must not exceed value={self.value!r}; got {self.below} reaching {top!r}"
            )

    def ppf(self, u: ArrayLike) -> FloatArray:
        uu = _as_u(u)
        q = 1.0 - self.p
        if q <= 0.0:
            return np.full_like(uu, self.value)
        inner = self.below.ppf(np.clip(uu / q, U_MIN, U_MAX))
        return np.where(uu < q, inner, self.value)

    @property
    def mean(self) -> float:
        if self.p == 1.0:
            return self.value
        return self.p * self.value + (1.0 - self.p) * self.below.mean


# --------------------------------------------------------------------------- reference classes


#: NuScale/UAMPS Carbon Free Power Project: $5.3bn -> $9.3bn (Jan 2023, 462 MWe), x1.755.
NUSCALE_OVERRUN: float = 9.3 / 5.3
NUSCALE_OVERRUN_SOURCE: str = (
    "IEEFA (D. Schlissel), Jan 2023: UAMPS/NuScale CFPP cost estimate $5.3bn -> $9.3bn "
    "for 462 MWe (deal-facts section 4)"
)


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
    k = float(special.ndtri(share_over))
    return -k + math.sqrt(k * k + 2.0 * math.log(mean_factor))


_FG = "Flyvbjerg & Gardner 2023, How Big Things Get Done (reference-class table)"
_SOV25 = "Sovacool et al. 2025 (662 projects; press release)"
_ALL_SIGMA = _sigma_from_share_over(1.663, 0.75)  # = 0.5388...
_ASSUME = "assumption: not published per class; chosen so that the implied share of projects"

REFERENCE_CLASSES: Mapping[str, ReferenceClass] = types.MappingProxyType({
    "nuclear": ReferenceClass(
        name="nuclear", mean_overrun=1.20, source=_FG, confidence="press",
        sigma=0.54,
        sigma_basis="assumption: the all_electricity dispersion (0.54, pinned by 3 of 4 over "
        "budget) reused; implies ~88% of projects over budget",
        other_estimates=((1.025, _SOV25),),
    ),
    "hydro": ReferenceClass(
        name="hydro", mean_overrun=0.75, source=_FG, confidence="press",
        sigma=0.54,
        sigma_basis="assumption: the all_electricity dispersion (0.54) reused; implies ~78% "
        "of projects over budget",
        other_estimates=((0.367, _SOV25),),
    ),
    "fossil_thermal": ReferenceClass(
        name="fossil_thermal", mean_overrun=0.16, source=_FG, confidence="press",
        sigma=0.25, sigma_basis=f"{_ASSUME} over budget is ~68%",
    ),
    "wind": ReferenceClass(
        name="wind", mean_overrun=0.13, source=_FG, confidence="press",
        sigma=0.20, sigma_basis=f"{_ASSUME} over budget is ~70%",
        other_estimates=((0.052, _SOV25),),
    ),
    "solar": ReferenceClass(
        name="solar", mean_overrun=0.01, source=_FG, confidence="press",
        sigma=0.15, sigma_basis=f"{_ASSUME} over budget is ~50% (solar is the most reliable "
        "class)",
        other_estimates=((-0.022, _SOV25),),
    ),
    "transmission": ReferenceClass(
        name="transmission", mean_overrun=0.08, source=_FG + " (lower reliability)",
        confidence="press",
        sigma=0.20, sigma_basis=f"{_ASSUME} over budget is ~61%",
        other_estimates=((-0.036, _SOV25),),
    ),
    "all_electricity": ReferenceClass(
        name="all_electricity", mean_overrun=0.663,
        source="Sovacool, Gilbert & Nugent 2014, Energy Research & Social Science (401 "
        "electricity projects; 3 of 4 over budget)",
        confidence="official abstract",
        sigma=_ALL_SIGMA,
        sigma_basis="derived: lognormal with mean 1.663 and P(factor > 1) = 0.75 gives "
        "sigma = -k + sqrt(k^2 + 2 ln 1.663), k = Phi^-1(0.75) = 0.6745, so sigma = 0.539",
        share_over_budget=0.75,
        other_estimates=((0.40, "Sovacool et al. 2025 (mean +40%, ~2 years late)"),),
    ),
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


# --------------------------------------------------------------------------- the container


Pair = tuple[str, str]


class Uncertainties:
    """Named marginals with an optional rank (Spearman) correlation, as a Gaussian copula.

    Parameters
    ----------
    marginals : mapping of str to Distribution
        Order is kept: it fixes the column of each random variable in ``u``.
    correlation : mapping of (str, str) to float, optional
        Target Spearman rank correlations, e.g. ``{("overrun", "delay"): 0.6}``. Unlisted
        pairs are independent. :class:`Fixed` variables cannot be correlated.

    Attributes
    ----------
    names : tuple of str
        All names, in order.
    random_names : tuple of str
        The non-:class:`Fixed` names, in order: column ``j`` of ``u`` drives
        ``random_names[j]``.
    dim : int
        ``len(random_names)``.
    rank_matrix, normal_matrix : ndarray, shape (dim, dim)
        Target Spearman matrix and the normal-scale matrix ``2 sin(pi rho_s / 6)``.

    Raises
    ------
    CorrelationError
        A correlation value outside [-1, 1], a pair naming an unknown or Fixed variable or
        the same variable twice, conflicting duplicates, or a matrix that is not positive
        semi-definite (the message gives the smallest eigenvalue).

    Notes
    -----
    :meth:`transform` maps ``u`` to ``z = Phi^-1(u)``, correlates ``z @ L.T`` (``L`` the
    Cholesky factor of ``normal_matrix``), maps back ``u' = Phi(z)`` and applies each
    marginal's ``ppf``. Because each ``u'`` column is still exactly uniform, **every marginal
    is preserved exactly**; the rank correlation of continuous marginals equals the target
    **in expectation** (for a bivariate normal, ``rho_s = (6/pi) asin(rho_p / 2)``). For
    discrete or atom-carrying marginals (:class:`Rounded`, :class:`PointMass`) ties
    attenuate the achieved Spearman correlation below the target: the target applies to the
    latent continuous variable. Columns not involved in any correlation skip the copula.

    Examples
    --------
    >>> unc = Uncertainties({"overrun": LogNormal(1.1, 0.3), "fx": Fixed(155.0),
    ...                      "delay": Rounded(LogNormal(1.5, 0.8), low=0.0)},
    ...                     correlation={("overrun", "delay"): 0.6})
    >>> unc.random_names, unc.dim
    (('overrun', 'delay'), 2)
    >>> d = unc.transform(np.full((3, 2), 0.5))
    >>> d["overrun"], d["fx"]
    (array([1.1, 1.1, 1.1]), array([155., 155., 155.]))
    """

    __slots__ = ("_chol", "_copula_cols", "_corr", "_marginals", "normal_matrix",
                 "rank_matrix", "random_names")

    def __init__(
        self, marginals: Mapping[str, Distribution],
        correlation: Mapping[Pair, float] | None = None,
    ) -> None:
        if not isinstance(marginals, Mapping) or not marginals:
            raise InvalidParameterError(
                f"marginals must be a non-empty mapping of name -> Distribution; got {marginals!r}"
            )
        margs: dict[str, Distribution] = {}
        for name, dist in marginals.items():
            if not isinstance(name, str) or not name:
                raise InvalidParameterError(
                    f"marginal names must be non-empty strings; got {name!r}"
                )
            if not isinstance(dist, Distribution):
                raise InvalidParameterError(
                    f"marginal {name!r} must be a Distribution; got {dist!r}"
                )
            margs[name] = dist
        self._marginals = types.MappingProxyType(margs)
        self.random_names = tuple(n for n, d in margs.items() if d.random)
        corr = self._check_pairs(correlation or {})
        self._corr = types.MappingProxyType(corr)
        self._build_matrices()

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its arguments, so it pickles (process pools, dask workers) even
        # though it keeps its mappings read-only.
        return (Uncertainties, (dict(self._marginals), dict(self._corr)))

    # -- construction helpers
    def _check_pairs(self, correlation: Mapping[Pair, float]) -> dict[Pair, float]:
        if not isinstance(correlation, Mapping):
            raise CorrelationError(
                f"correlation must be a mapping of (name, name) -> rank correlation; "
                f"got {correlation!r}"
            )
        known = ", ".join(map(repr, self._marginals))
        out: dict[Pair, float] = {}
        for pair, value in correlation.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise CorrelationError(f"correlation keys must be (name, name) pairs; got {pair!r}")
            for name in pair:
                if name not in self._marginals:
                    raise CorrelationError(
                        f"correlation names unknown variable {name!r}; known: {known}"
                    )
                if not self._marginals[name].random:
                    raise CorrelationError(
                        f"correlation names {name!r}, which is Fixed and cannot be correlated"
                    )
            a, b = pair
            if a == b:
                raise CorrelationError(f"correlation pair {pair!r} names {a!r} twice")
            try:  # "0.5" and True are refused, not converted
                arr = _validate.numeric_array(f"correlation[{pair!r}]", value)
            except InvalidParameterError as exc:
                raise CorrelationError(str(exc)) from None
            if arr.ndim:
                raise CorrelationError(f"correlation[{pair!r}] must be a number; got {value!r}")
            rho = float(arr)
            if not (math.isfinite(rho) and -1.0 <= rho <= 1.0):
                raise CorrelationError(f"correlation[{pair!r}] must be in [-1, 1]; got {value!r}")
            ia, ib = self.random_names.index(a), self.random_names.index(b)
            key = (a, b) if ia < ib else (b, a)
            if key in out and out[key] != rho:
                raise CorrelationError(
                    f"correlation gives {key!r} twice with different values: {out[key]!r} and "
                    f"{rho!r}"
                )
            out[key] = rho
        return out

    def _build_matrices(self) -> None:
        n = len(self.random_names)
        idx = {name: j for j, name in enumerate(self.random_names)}
        rs = np.eye(n)
        for (a, b), rho in self._corr.items():
            rs[idx[a], idx[b]] = rs[idx[b], idx[a]] = rho
        rp = 2.0 * np.sin(np.pi * rs / 6.0)
        np.fill_diagonal(rp, 1.0)
        for label, mat in (("rank (Spearman)", rs), ("normal-scale", rp)):
            if n and (lam := float(np.linalg.eigvalsh(mat)[0])) < -1e-10:
                raise CorrelationError(
                    f"the {label} correlation matrix over {self.random_names} is not positive "
                    f"semi-definite: smallest eigenvalue {lam:.6g}"
                )
        cols = sorted({idx[x] for pair in self._corr for x in pair})
        sub = rp[np.ix_(cols, cols)]
        try:
            chol = np.linalg.cholesky(sub) if cols else np.zeros((0, 0))
        except np.linalg.LinAlgError:
            # singular but PSD (e.g. rho = 1): a symmetric square-root factor
            evals, vec = np.linalg.eigh(sub)
            chol = vec * np.sqrt(np.clip(evals, 0.0, None))
        self.rank_matrix = rs
        self.normal_matrix = rp
        self._copula_cols = np.asarray(cols, dtype=np.intp)
        self._chol = chol
        for arr in (rs, rp, chol):
            arr.setflags(write=False)

    # -- read-only views
    @property
    def marginals(self) -> Mapping[str, Distribution]:
        """Read-only name -> Distribution mapping."""
        return self._marginals

    @property
    def correlation(self) -> Mapping[Pair, float]:
        """Read-only normalised pair -> target Spearman correlation."""
        return self._corr

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._marginals)

    @property
    def dim(self) -> int:
        return len(self.random_names)

    def __getitem__(self, name: str) -> Distribution:
        return self._marginals[name]

    def __contains__(self, name: object) -> bool:
        return name in self._marginals

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Uncertainties):
            return NotImplemented
        return dict(self._marginals) == dict(other._marginals) and dict(self._corr) == dict(
            other._corr
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        corr = f", correlation={dict(self._corr)!r}" if self._corr else ""
        return f"Uncertainties({dict(self._marginals)!r}{corr})"

    def to_dict(self) -> dict[str, Any]:
        """``{"marginals": {name: distribution data}, "correlation": [{"pair", "rho"}]}``."""
        return {"marginals": _serial.dump(self._marginals),
                "correlation": [{"pair": list(p), "rho": r} for p, r in self._corr.items()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Uncertainties:
        """Inverse of :meth:`to_dict`; errors name the path of the bad field."""
        return _serial.load_uncertainties(cls, Distribution, data)

    def describe(self) -> str:
        """One line per variable (with its source), then the correlations."""
        lines = [f"{name}: {dist.describe()}" for name, dist in self._marginals.items()]
        lines += [f"rank corr({a}, {b}) = {r:g}" for (a, b), r in self._corr.items()]
        return "\n".join(lines)

    # -- use
    def transform(self, u: ArrayLike) -> dict[str, FloatArray]:
        """Map uniforms ``u`` of shape ``(n, dim)`` to draws: name -> ``(n,)`` float64.

        Column ``j`` drives ``random_names[j]``; :class:`Fixed` variables come back as
        constant arrays. ``u`` must lie in the open interval (0, 1) (as
        :func:`sampler_uniforms` returns).

        Raises
        ------
        InvalidParameterError
            If ``u`` is not 2-D with ``dim`` columns.
        """
        uu = np.asarray(u, dtype=np.float64)
        if uu.ndim != 2 or uu.shape[1] != self.dim:
            raise InvalidParameterError(
                f"u must have shape (n, {self.dim}) (one column per random variable "
                f"{self.random_names}); got shape {uu.shape}"
            )
        cols = self._copula_cols
        if cols.size:
            z = special.ndtri(uu[:, cols]) @ self._chol.T
            uu = uu.copy()
            uu[:, cols] = np.clip(special.ndtr(z), U_MIN, U_MAX)
        n = uu.shape[0]
        out: dict[str, FloatArray] = {}
        j = 0
        for name, dist in self._marginals.items():
            if dist.random:
                out[name] = np.asarray(dist.ppf(uu[:, j]), dtype=np.float64)
                j += 1
            else:
                out[name] = np.full(n, dist.mean, dtype=np.float64)
        return out

    def quantiles(self, q: float) -> dict[str, float]:
        """Each marginal at quantile ``q`` (Fixed at its value): name -> float.

        For the tornado chart: swing one variable from ``quantiles(0.1)`` to
        ``quantiles(0.9)`` with the rest at ``quantiles(0.5)``.

        >>> Uncertainties({"a": Uniform(0.0, 10.0), "b": Fixed(3.0)}).quantiles(0.1)
        {'a': 1.0, 'b': 3.0}
        """
        qq = _validate.fraction("q", q, allow_one=False)
        return {name: float(d.ppf(qq)) for name, d in self._marginals.items()}

    def medians(self) -> dict[str, float]:
        """``quantiles(0.5)``."""
        return self.quantiles(0.5)

    def with_(
        self, *, correlation: Mapping[Pair, float] | None = None, **changes: Distribution
    ) -> Uncertainties:
        """A copy with some marginals replaced or added (and optionally a new correlation).

        Correlation pairs naming a variable that ``changes`` made :class:`Fixed` are dropped
        (a constant has no rank); pass ``correlation=`` to replace the pairs outright.

        >>> base = default_uncertainties()
        >>> base.with_(delay=Fixed(0.0)).correlation
        mappingproxy({})
        """
        margs = dict(self._marginals)
        margs.update(changes)
        if correlation is None:
            correlation = {
                pair: rho for pair, rho in self._corr.items()
                if all(isinstance(margs.get(x), Distribution) and margs[x].random for x in pair)
            }
        return Uncertainties(margs, correlation)

    replace = with_


# --------------------------------------------------------------------------- defaults


_DELAY_MEAN_SOURCE = {
    "nuclear": (3.0, "EIA 1986: 75 US nuclear plants >= 3 years late on average (deal-facts "
                     "section 5)"),
}
_DELAY_DEFAULT = (2.0, "Sovacool et al. 2025: electricity projects ~2 years late on average "
                       "(deal-facts section 5; no gas-CC-specific statistic published)")
_DELAY_SIGMA = 0.8
_DELAY_MAX = 10.0


def _delay_distribution(mean_years: float, source: str) -> Rounded:
    def make(median: float) -> Rounded:
        return Rounded(LogNormal(median, _DELAY_SIGMA), step=1.0, low=0.0, high=_DELAY_MAX,
                       source=source)

    median = optimize.brentq(lambda m: make(m).mean - mean_years, 1e-3, _DELAY_MAX,
                             xtol=1e-13, rtol=1e-13)
    return make(median)


def default_uncertainties(
    reference_class: str = "fossil_thermal", *,
    correlation: Mapping[Pair, float] | None = None, **overrides: Distribution,
) -> Uncertainties:
    """A labelled default set of uncertainties for one power project.

    ============== ============================================================== =====
    name           distribution                                                   label
    ============== ============================================================== =====
    overrun        :func:`overrun_distribution` (``reference_class``), lognormal  cited
    delay          whole years, ``Rounded(LogNormal(m, 0.8), low=0, high=10)``,   cited
                   ``m`` solved so the mean is 2.0 years (3.0 for nuclear)        mean
    capacity       ``PointMass(1.0, p=0.8, below=Uniform(0.7, 1.0))``             assum.
    price          ``LogNormal(1.0, 0.2)``                                        assum.
    fuel           ``LogNormal(1.0, 0.3)``                                        assum.
    utilisation    ``Normal(1.0, 0.05, low=0.8, high=1.2)``                       assum.
    deemed_rate    ``Normal(0.055, 0.01, low=0.0, high=0.15)``                    assum.
    usdjpy         ``LogNormal(155.0, 0.1)``                                      assum.
    ============== ============================================================== =====

    Rank correlation ``overrun``-``delay`` = +0.6 (assumption); all else independent.

    Parameters
    ----------
    reference_class : str
        Key of :data:`REFERENCE_CLASSES` for the overrun (and the delay mean for nuclear).
    correlation : mapping, optional
        Replaces the default correlation.
    **overrides : Distribution
        Replace marginals by name (a name of :data:`STANDARD_NAMES`).

    Raises
    ------
    UnknownNameError
        If an override's name is not a standard name (``overun=...``).

    Examples
    --------
    >>> unc = default_uncertainties()
    >>> unc.names
    ('overrun', 'delay', 'capacity', 'price', 'fuel', 'utilisation', 'deemed_rate', 'usdjpy')
    >>> round(unc["overrun"].mean, 12), round(unc["delay"].mean, 9)
    (1.16, 2.0)
    """
    _names.check_names(overrides)
    rc = _reference_class(reference_class)
    delay_mean, delay_src = _DELAY_MEAN_SOURCE.get(rc.name, _DELAY_DEFAULT)
    marginals: dict[str, Distribution] = {
        "overrun": overrun_distribution(rc),
        "delay": _delay_distribution(
            delay_mean, f"mean {delay_mean:g} years: {delay_src}; lognormal shape sigma "
            f"{_DELAY_SIGMA:g} and cap {_DELAY_MAX:g} years are assumptions"),
        "capacity": PointMass(
            1.0, 0.8, Uniform(0.7, 1.0, source="assumption: shortfall uniform on 70-100%"),
            source="assumption: full design capacity (e.g. all 9.2 GW at Ohio) with "
            "probability 0.8, otherwise 70-100%"),
        "price": LogNormal(1.0, 0.2, source="assumption: product price factor, median 1, "
                           "log-sd 0.2"),
        "fuel": LogNormal(1.0, 0.3, source="assumption: fuel price factor, median 1, log-sd 0.3"),
        "utilisation": Normal(1.0, 0.05, low=0.8, high=1.2,
                              source="assumption: +-5% on the design capacity factor, "
                              "truncated at +-20%"),
        "deemed_rate": Normal(0.055, 0.01, low=0.0, high=0.15,
                              source="assumption after the OhmyNews example: 6-month term SOFR "
                              "4.5% + 1% spread = 5.5%, sd 1pp, truncated to [0, 15%]"),
        "usdjpy": LogNormal(155.0, 0.1, source="assumption: median 155 yen/$ (articles used "
                            "145-159, deal-facts section 1), log-sd 0.1"),
    }
    base_corr = {("overrun", "delay"): 0.6}
    unc = Uncertainties(marginals, base_corr)
    return unc.with_(correlation=correlation, **overrides)
