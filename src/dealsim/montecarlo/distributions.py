"""Marginal distributions: frozen values with a vectorised inverse CDF (``ppf``).

Each class is a frozen dataclass validated on construction, with a keyword ``source``
(a citation, or ``"assumption: ..."``). :meth:`Distribution.ppf` maps uniforms in the
open interval (0, 1) to draws; the Monte Carlo calls it once per variable and block.

The inverse CDFs are closed forms over the standard normal quantile where one exists
(``LogNormal``: ``median * exp(sigma z)``; ``Normal``, truncated or not:
``mu + sd z``; ``Triangular``: square roots; ``Uniform``: affine), with
``z = scipy.special.ndtri(u)``; ``Pert`` and ``LogStudentT`` use the regularised
incomplete beta and Student-t inverses of :mod:`scipy.special`. scipy is imported on
the first draw (or the first cdf or mean that needs it), so ``import dealsim`` does not
load it.
"""

from __future__ import annotations

import abc
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import serial as _serial
from dealsim.common import validate as _validate
from dealsim.common.seeds import U_MAX, U_MIN
from dealsim.errors import InvalidParameterError

__all__ = [
    "Distribution",
    "Fixed",
    "LogNormal",
    "LogStudentT",
    "Normal",
    "Pert",
    "PointMass",
    "Rounded",
    "Triangular",
    "Uniform",
]

FloatArray = NDArray[np.float64]


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


def _phi(x: float) -> float:
    """Standard normal CDF of a scalar (stdlib; the arrays go through scipy.special)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


_UNSOURCED = "unspecified"
#: Default ``max_sigma`` of :meth:`LogNormal.calibrated` (assumption; see its Notes).
CALIBRATED_MAX_SIGMA = 1.5
#: Largest LogNormal ``sigma`` / LogStudentT ``scale`` (assumption): beyond 10 the tails
#: overflow float64 (``exp(100 z)``) and say nothing a cost model can use.
MAX_SIGMA = 10.0
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


def _optional_bounds(dist: Any, *, strict: bool = True) -> None:
    """Validate a frozen distribution's optional ``low`` and ``high`` in place: each
    finite where given, and ``low < high`` (``<=`` unless ``strict``) where both are."""
    for name in ("low", "high"):
        if getattr(dist, name) is not None:
            object.__setattr__(dist, name, _validate.finite(name, getattr(dist, name)))
    if dist.low is not None and dist.high is not None:
        _bounds(dist.low, dist.high, strict=strict)


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
        _optional_bounds(self)
        a, b = self._ab()
        if _phi(b) - _phi(a) <= 0.0 and _phi(-a) - _phi(-b) <= 0:
            raise InvalidParameterError(
                f"low/high leave no probability mass for Normal(mu={self.mu!r}, sd={self.sd!r});"
                f" got low={self.low!r}, high={self.high!r}"
            )

    def _ab(self) -> tuple[float, float]:
        a = -math.inf if self.low is None else (self.low - self.mu) / self.sd
        b = math.inf if self.high is None else (self.high - self.mu) / self.sd
        return a, b

    def ppf(self, u: ArrayLike) -> FloatArray:
        from scipy import special

        uu = _as_u(u)
        a, b = self._ab()
        if a == -math.inf and b == math.inf:
            z = np.asarray(special.ndtri(uu))
            z *= self.sd
            z += self.mu  # mu + sd * z, in place
            return z[()]
        # same operations as mu + sd * ndtri(fa + u (fb - fa)), without temporaries
        if a > 0:  # whole support in the upper tail: work on the reflected side for accuracy
            fa, fb = special.ndtr(-b), special.ndtr(-a)
            t = np.asarray(uu * (fb - fa))
            np.subtract(fb, t, out=t)
            special.ndtri(t, out=t)
            np.negative(t, out=t)
        else:
            fa, fb = special.ndtr(a), special.ndtr(b)
            t = np.asarray(uu * (fb - fa))
            t += fa
            special.ndtri(t, out=t)
        t *= self.sd
        t += self.mu
        return np.clip(t, self.low, self.high, out=t)[()]

    def cdf(self, x: ArrayLike) -> FloatArray:
        from scipy import special

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
        from scipy import special

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
        object.__setattr__(self, "sigma", _validate.positive("sigma", self.sigma, high=MAX_SIGMA))

    def ppf(self, u: ArrayLike) -> FloatArray:
        from scipy import special

        z = np.asarray(special.ndtri(_as_u(u)))
        z *= self.sigma
        np.exp(z, out=z)
        z *= self.median  # median * exp(sigma * z), in place
        return z[()]

    def cdf(self, x: ArrayLike) -> FloatArray:
        from scipy import special

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
        s = _validate.positive("sigma", sigma, high=MAX_SIGMA)
        return cls(m * math.exp(-0.5 * s * s), s, source=source)

    @classmethod
    def calibrated(
        cls, value: float, quantile: float, *, sigma: float | None = None,
        mean: float | None = None, max_sigma: float = CALIBRATED_MAX_SIGMA,
        source: str = _UNSOURCED,
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
        max_sigma : float
            Largest sigma that ``mean`` may imply (default 1.5, an assumption; see Notes).
            Not applied to a ``sigma`` given outright.

        Raises
        ------
        InvalidParameterError
            Naming ``mean`` when no positive sigma exists (``mean`` below
            ``value * exp(-z**2/2)``, or ``mean <= value`` with ``quantile <= 0.5``);
            naming ``value``, ``quantile`` and ``mean`` when the sigma they imply exceeds
            ``max_sigma``; naming ``sigma``/``mean`` when both or neither are given.

        Notes
        -----
        **Rule: a calibration whose implied dispersion is implausible is refused.** A
        lognormal's mean sits at its quantile ``Phi(sigma / 2)``, so a mean *above* a value
        placed at a high quantile forces a very wide distribution whose median collapses:
        ``calibrated(1.755, 0.9, mean=2.2)`` (NuScale's x1.755 at the P90 with the nuclear
        class's mean x2.2) needs ``sigma = 2.73`` and puts the median overrun factor at
        0.053 -- half of all projects finishing at 5% of budget, which is not a cost
        overrun. Such inputs contradict each other for a lognormal, so when the sigma
        solved from ``mean`` exceeds ``max_sigma`` the call raises and says why; pass
        ``sigma=`` to choose the dispersion, or a larger ``max_sigma`` if the width is
        intended. The default bound 1.5 is an assumption: at sigma = 1.5 the P90 is
        already 6.8x the median and the mean 3.1x the median, far wider than every
        reference class here (0.15-0.54) and the default delay shape (0.8).

        Examples
        --------
        >>> d = LogNormal.calibrated(9.3 / 5.3, 0.5, mean=2.2)
        >>> round(float(d.ppf(0.5)), 12), round(d.mean, 12), round(d.sigma, 3)
        (1.754716981132, 2.2, 0.673)
        >>> LogNormal.calibrated(9.3 / 5.3, 0.9, mean=2.2)
        Traceback (most recent call last):
        ...
        dealsim.errors.InvalidParameterError: value=1.7547169811320757 at quantile=0.9 with \
mean=2.2 implies sigma=2.73 > max_sigma=1.5 (median 0.0531, 0.03x the value): the value \
and the mean contradict each other for a lognormal; give sigma= instead, or a larger \
max_sigma if this width is intended
        """
        v = _validate.positive("value", value)
        q = _validate.fraction("quantile", quantile, allow_one=False)
        bound = _validate.positive("max_sigma", max_sigma)
        if (sigma is None) == (mean is None):
            raise InvalidParameterError(
                f"give exactly one of sigma or mean; got sigma={sigma!r}, mean={mean!r}"
            )
        from scipy import special

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
        if s > bound:
            median = v * math.exp(-s * z)
            raise InvalidParameterError(
                f"value={value!r} at quantile={quantile!r} with mean={mean!r} implies "
                f"sigma={s:.3g} > max_sigma={max_sigma!r} (median {median:.3g}, "
                f"{median / v:.2g}x the value): the value and the mean contradict each other "
                "for a lognormal; give sigma= instead, or a larger max_sigma if this width is "
                "intended"
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
        from scipy import special

        a, b = self._ab()
        return self.low + (self.high - self.low) * special.betaincinv(a, b, _as_u(u))

    def cdf(self, x: ArrayLike) -> FloatArray:
        from scipy import special

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
        object.__setattr__(self, "scale", _validate.positive("scale", self.scale, high=MAX_SIGMA))
        object.__setattr__(self, "df", _validate.positive("df", self.df))
        if self.cap is not None:
            cap = _validate.positive("cap", self.cap)
            if cap <= self.center * 1e-12:
                raise InvalidParameterError(f"cap must be > 1e-12 * center; got {self.cap!r}")
            object.__setattr__(self, "cap", cap)

    def _t_cap(self) -> float:
        return math.inf if self.cap is None else math.log(self.cap / self.center) / self.scale

    def _mass(self) -> float:
        from scipy import special

        return float(special.stdtr(self.df, self._t_cap()))

    def ppf(self, u: ArrayLike) -> FloatArray:
        from scipy import special

        uu = _as_u(u)
        if self.cap is not None:
            uu = np.minimum(uu * self._mass(), U_MAX)
        # without a cap a tiny df can push the log past float64's range: clip it there,
        # so the result is the largest finite float rather than inf
        log_x = math.log(self.center) + self.scale * special.stdtrit(self.df, uu)
        x = np.exp(np.minimum(log_x, _LOG_MAX))
        return x if self.cap is None else np.minimum(x, self.cap)

    def cdf(self, x: ArrayLike) -> FloatArray:
        from scipy import special

        xx = np.maximum(_as_u(x), 0.0)
        with np.errstate(divide="ignore"):
            t = np.log(xx / self.center) / self.scale
        return np.minimum(special.stdtr(self.df, t) / self._mass(), 1.0)

    @property
    def mean(self) -> float:
        if self.cap is None:
            return math.inf
        from scipy import integrate, special

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
        _optional_bounds(self, strict=False)

    def _round(self, x: FloatArray) -> FloatArray:
        out = np.asarray(np.divide(x, self.step))
        out += 0.5
        np.floor(out, out=out)
        out *= self.step  # floor(x / step + 0.5) * step, in place
        if self.low is not None or self.high is not None:
            np.clip(out, self.low, self.high, out=out)
        return out[()]

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
        low = uu < q
        out = np.full(uu.shape, self.value, dtype=np.float64)
        # below.ppf only where it is used (elementwise, so the same values as on all of uu)
        out[low] = self.below.ppf(np.clip(uu[low] / q, U_MIN, U_MAX))
        return out

    @property
    def mean(self) -> float:
        if self.p == 1.0:
            return self.value
        return self.p * self.value + (1.0 - self.p) * self.below.mean

