"""Annual paths of the market factors: power and fuel prices, term SOFR, USD/JPY.

A scenario's market is a path, one value per year of the grid, not a single level.
Every path here is an Ornstein-Uhlenbeck process sampled exactly at annual steps
(an AR(1)), on the log of a price factor or on the level of a rate::

    x[t] = mean + phi * (x[t-1] - mean) + volatility * eps[t],   phi = 2 ** (-1 / half_life)

``half_life`` (years) is the time a deviation from the mean takes to halve;
``volatility`` the standard deviation of one year's innovation. The stationary standard
deviation is ``volatility / sqrt(1 - phi**2)``. Two limits are special cases:
``half_life=None`` (or inf) is a random walk, and ``half_life=None, volatility=0``
(:meth:`MeanReverting.full_persistence`) holds the start for ever -- one
level per scenario (``Market()``, the levels model of earlier versions).

Start (a decision, documented)
------------------------------
Paths start **stationary** by default: year 0 is a draw from the stationary
distribution, so every year has the same marginal distribution and only the
persistence is new. Inside a simulation the start is the scenario's existing level
draw (``price``, ``fuel``, ``deemed_rate``, ``usdjpy`` of
:func:`dealsim.montecarlo.uncertainty.default_uncertainties`), whose log-sd the default price
processes match (0.2 and 0.3), so the existing draws *are* the stationary start and
stay unchanged. ``start="mean"`` starts at the mean instead. A random walk has no
stationary law and needs a given start.

Price factors are centred (:class:`PricePaths`, ``centre=True``): the stationary law of
a log factor has log-mean ``-sd**2 / 2``, so that ``E[factor] = 1`` and prices revert to
their base in expectation (with log-mean 0 the mean factor was ``exp(sd**2 / 2)``: 1.020
for power, 1.046 for gas); a draw of median 1 is read as the stationary median
``exp(-sd**2 / 2)``. The power and fuel draws, independent, are mixed into a start with
the stationary correlation, so year 0 is correlated like every other year.

Reproducibility
---------------
Innovations for block ``b`` come from ``SeedSequence(root.entropy,
spawn_key=root.spawn_key + (b, tag))`` with a fixed ``tag`` per family
(:data:`PRICE_TAG`, :data:`SOFR_TAG`, :data:`USDJPY_TAG`). The scalar draws use the
spawn key ``(b,)``, so adding paths leaves every existing draw unchanged, and scenario
``i`` (row ``i % BLOCK_SIZE`` of block ``i // BLOCK_SIZE``) depends only on
``(seed, i)``: rows are drawn in C order, so row ``r`` does not depend on how many rows
are drawn.

Inside a simulation the paths are not built as ``(S, T)`` arrays: each block's pass
generates them (:func:`dealsim.model.market.block_generators`; the steps
:func:`dealsim.kernels.steps.price_paths`, :func:`~dealsim.kernels.steps.deemed_path` and
:func:`~dealsim.kernels.steps.fx_path`). The numpy path draws a block's innovations at once,
in the layout above; the compiled path draws a scenario's row at a time from the same
generator, which gives the same numbers (numba's ``Generator.standard_normal`` is
numpy's ziggurat, bit for bit: tested), so the streams are those of :meth:`sample`
whichever backend or thread runs a block. The AR(1) step carries the deviation from
the mean (``d = phi d + volatility eps``); the compiled path evaluates a price factor
only in the years the model reads it (operating years; a yen fee's installment years).

Arrays are ``(S, T)`` float64: scenarios first, years on the last axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from dealsim.common import validate as v
from dealsim.common.arrays import F64
from dealsim.common.seeds import as_seed_sequence
from dealsim.errors import InvalidParameterError
from dealsim.kernels import steps as _steps
from dealsim.kernels.steps import PathParams

__all__ = [
    "DEEMED_SPREAD",
    "FUEL_PROCESS",
    "GAS_MARGINAL_RANK_CORRELATION",
    "POWER_PROCESS",
    "PRICE_TAG",
    "SOFR_PROCESS",
    "SOFR_TAG",
    "USDJPY_PROCESS",
    "USDJPY_TAG",
    "JPY_RATE",
    "USD_RATE",
    "MeanReverting",
    "PricePaths",
    "SofrPaths",
    "UsdJpyPaths",
    "gaussian_from_spearman",
    "ou_paths",
    "path_generator",
    "spearman_from_gaussian",
]

Start = Literal["stationary", "mean"]

#: Spawn-key tags of the path streams (the second word after the block index). The
#: scalar draws use one word, the Sobol scramble ``(2**32 - 1, 0x50B0)``; block indices
#: are below ``2**32 - 1``, so no key collides.
PRICE_TAG: int = 0x9A7E
SOFR_TAG: int = 0x50F7
USDJPY_TAG: int = 0x1E4D


def gaussian_from_spearman(rho_s: float) -> float:
    """Pearson correlation of a bivariate normal with Spearman rank correlation ``rho_s``.

    ``rho = 2 sin(pi rho_s / 6)`` (Pearson 1907; Kruskal 1958); rank correlation is
    unchanged by the monotone ``exp``, so it is also the rank correlation of the
    lognormal price factors.

    Examples
    --------
    >>> round(gaussian_from_spearman(0.5), 4)
    0.5176
    >>> round(spearman_from_gaussian(gaussian_from_spearman(0.7)), 12)
    0.7
    """
    r = v.finite("rank_correlation", rho_s)
    if not -1.0 <= r <= 1.0:
        raise InvalidParameterError(f"rank_correlation must be in [-1, 1]; got {rho_s!r}")
    return 2.0 * math.sin(math.pi * r / 6.0)


def spearman_from_gaussian(rho: float) -> float:
    """Inverse of :func:`gaussian_from_spearman`: ``(6 / pi) arcsin(rho / 2)``."""
    return 6.0 / math.pi * math.asin(rho / 2.0)


def path_generator(root: np.random.SeedSequence, block: int, tag: int) -> np.random.Generator:
    """The generator of one family's innovations in one block (see the module notes).

    Examples
    --------
    >>> root = np.random.SeedSequence(7)
    >>> a = path_generator(root, 0, PRICE_TAG).standard_normal(3)
    >>> bool((a == path_generator(root, 0, PRICE_TAG).standard_normal(3)).all())
    True
    """
    if not isinstance(root, np.random.SeedSequence):
        raise InvalidParameterError(f"root must be a numpy.random.SeedSequence; got {root!r}")
    key = tuple(root.spawn_key) + (v.integer("block", block), v.integer("tag", tag))
    ss = np.random.SeedSequence(root.entropy, spawn_key=key, pool_size=root.pool_size)
    return np.random.Generator(np.random.PCG64(ss))


def _root(seed: Any) -> np.random.SeedSequence:
    return as_seed_sequence(seed)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeanReverting:
    """An Ornstein-Uhlenbeck process observed once a year.

    Parameters
    ----------
    half_life : float or None
        Years for a deviation from ``mean`` to halve (> 0). ``None`` (or ``math.inf``,
        stored as ``None`` so that it serialises): no reversion, a random walk.
    volatility : float
        Standard deviation of one year's innovation (>= 0), in the unit of the state
        (log points for a price factor, decimal rate for a rate).
    mean : float
        Long-run mean of the state.
    source : str
        Where the numbers come from, or "assumption: ...".

    Examples
    --------
    >>> p = MeanReverting(half_life=1.0, volatility=0.3)
    >>> p.phi, round(p.stationary_sd, 6)
    (0.5, 0.34641)
    >>> MeanReverting.full_persistence().phi
    1.0
    >>> MeanReverting(half_life=0.0, volatility=0.1)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: half_life must be > 0 (years; None or inf: no \
reversion); got 0.0
    """

    half_life: float | None
    volatility: float
    mean: float = 0.0
    source: str = "assumption"

    def __post_init__(self) -> None:
        h = self.half_life
        if h is not None and (
                isinstance(h, (bool, np.bool_)) or not isinstance(h, (int, float, np.number))
                or math.isnan(float(h)) or float(h) <= 0):
            raise InvalidParameterError(
                f"half_life must be > 0 (years; None or inf: no reversion); got {h!r}")
        object.__setattr__(self, "half_life",
                           None if h is None or math.isinf(float(h)) else float(h))
        object.__setattr__(self, "volatility",
                           v.positive("volatility", self.volatility, allow_zero=True))
        object.__setattr__(self, "mean", v.finite("mean", self.mean))

    @classmethod
    def with_stationary_sd(cls, *, half_life: float, sd: float, mean: float = 0.0,
                           source: str = "assumption") -> MeanReverting:
        """The process with the given stationary standard deviation (finite half-life).

        Examples
        --------
        >>> round(MeanReverting.with_stationary_sd(half_life=1.0, sd=0.2).volatility, 6)
        0.173205
        """
        p = cls(half_life=half_life, volatility=0.0, mean=mean, source=source)
        if p.half_life is None:
            raise InvalidParameterError(
                f"half_life must be finite for a stationary sd; got {half_life!r}")
        vol = v.positive("sd", sd, allow_zero=True) * math.sqrt(1.0 - p.phi**2)
        return cls(half_life=half_life, volatility=vol, mean=mean, source=source)

    @classmethod
    def full_persistence(cls, mean: float = 0.0) -> MeanReverting:
        """No reversion and no innovation: the path holds its start (one level)."""
        return cls(half_life=None, volatility=0.0, mean=mean,
                   source="full persistence: one level per scenario")

    @property
    def phi(self) -> float:
        """Annual autoregression coefficient ``2 ** (-1 / half_life)`` (1 without
        reversion)."""
        return 1.0 if self.half_life is None else 2.0 ** (-1.0 / self.half_life)

    @property
    def stationary_sd(self) -> float:
        """``volatility / sqrt(1 - phi**2)``; inf for a random walk, 0 without volatility."""
        if self.volatility == 0.0:
            return 0.0
        if self.phi == 1.0:
            return math.inf
        return self.volatility / math.sqrt(1.0 - self.phi**2)

    def autocorrelation(self, lag: int) -> float:
        """Stationary correlation of ``x[t]`` and ``x[t + lag]``: ``phi ** lag``."""
        return self.phi ** v.integer("lag", lag)

    def start(self, how: Start, z: F64) -> F64:
        """Year-0 states from standard normals ``z``: stationary draw or the mean."""
        if how == "mean":
            return np.full_like(z, self.mean)
        if how != "stationary":
            raise InvalidParameterError(f"start must be 'stationary' or 'mean'; got {how!r}")
        sd = self.stationary_sd
        if math.isinf(sd):
            raise InvalidParameterError(
                "start='stationary' needs a finite half_life (a random walk has no "
                "stationary law); pass start levels or start='mean'")
        return self.mean + sd * z


def ou_paths(process: MeanReverting, start: ArrayLike, innovations: ArrayLike) -> F64:
    """Paths of ``process`` from year-0 states ``start`` and standard-normal innovations.

    Parameters
    ----------
    process : MeanReverting
    start : array_like, shape (S,)
        States in year 0.
    innovations : array_like, shape (S, T - 1)
        Standard normals for years 1 .. T - 1.

    Returns
    -------
    ndarray, shape (S, T)
        ``x[:, 0] = start``; ``x[:, t] = mean + phi (x[:, t-1] - mean) + volatility *
        innovations[:, t-1]`` (evaluated on the deviation from ``mean``:
        :func:`dealsim.kernels.steps.ou_step`).

    Examples
    --------
    >>> p = MeanReverting(half_life=1.0, volatility=1.0)
    >>> ou_paths(p, [4.0], [[0.0, 1.0]])
    array([[4., 2., 2.]])
    >>> ou_paths(MeanReverting.full_persistence(), [0.3], [[5.0, -5.0]])
    array([[0.3, 0.3, 0.3]])
    """
    x0 = np.asarray(start, dtype=np.float64)
    eps = np.asarray(innovations, dtype=np.float64)
    if x0.ndim != 1 or eps.ndim != 2 or eps.shape[0] != x0.shape[0]:
        raise InvalidParameterError(
            f"start must be (S,) and innovations (S, T - 1); got shapes {x0.shape} and "
            f"{eps.shape}")
    # years on the first axis while stepping, so that each step reads and writes
    # contiguous rows (measured ~3x faster than stepping the columns of (S, T))
    out = np.empty((eps.shape[1] + 1, x0.shape[0]))
    out[0] = x0
    phi, mu, vol = process.phi, process.mean, process.volatility
    shocks = np.multiply(eps.T, vol)
    dev = x0 - mu
    for t in range(1, out.shape[0]):
        dev = _steps.ou_step(dev, phi, shocks[t - 1])
        out[t] = mu + dev
    return np.ascontiguousarray(out.T)


def _levels(name: str, levels: ArrayLike | None, size: int, *, log: bool,
            allow_zero: bool = True) -> F64 | None:
    """Validate given start levels (S,) and return the start states (logs if ``log``)."""
    if levels is None:
        return None
    arr = np.asarray(v.as_factor(name, levels, low=-np.inf if not log else 0.0),
                     dtype=np.float64)
    if arr.shape != (size,):
        raise InvalidParameterError(f"{name} must have shape ({size},); got {arr.shape}")
    if log:
        bad = arr < 0 if allow_zero else arr <= 0
        if bad.any():
            raise InvalidParameterError(
                f"{name} must be {'>=' if allow_zero else '>'} 0; got {float(arr[bad][0])!r}")
        with np.errstate(divide="ignore"):  # a factor of 0 stays 0: log -inf, exp 0
            return np.log(arr)
    return arr


def _sizes(size: int, horizon: int, block: int) -> tuple[int, int, int]:
    return (v.integer("size", size, minimum=1), v.integer("horizon", horizon, minimum=1),
            v.integer("block", block))


def _check_start(start: Any) -> Start:
    if start not in ("stationary", "mean"):
        raise InvalidParameterError(f"start must be 'stationary' or 'mean'; got {start!r}")
    return start  # type: ignore[no-any-return]


#: Power: log factor, stationary log-sd 0.2 (= the ``price`` level's log-sd in
#: ``default_uncertainties``), half-life 3 years. Assumption.
POWER_PROCESS = MeanReverting.with_stationary_sd(
    half_life=3.0, sd=0.2,
    source="assumption: log power-price factor reverts to the escalated base with a "
    "3-year half-life; stationary log-sd 0.2 as the default 'price' level (mean reversion "
    "of energy prices to a slowly moving trend: Pindyck 1999)")
#: Fuel (gas): log factor, stationary log-sd 0.3 (= the ``fuel`` level's), half-life 3
#: years. Assumption.
FUEL_PROCESS = MeanReverting.with_stationary_sd(
    half_life=3.0, sd=0.3,
    source="assumption: log gas-price factor reverts to the escalated base with a 3-year "
    "half-life; stationary log-sd 0.3 as the default 'fuel' level (Pindyck 1999)")
#: Rank correlation of power and gas in a gas-marginal market. Assumption.
GAS_MARGINAL_RANK_CORRELATION = 0.7


@dataclass(frozen=True, slots=True, kw_only=True)
class PricePaths:
    """Power and fuel price factors as correlated annual log-OU paths.

    Parameters
    ----------
    power, fuel : MeanReverting
        Processes of the *log* factors: ``mean`` is the log of the draws' median (0: the
        default draws, median 1 on the escalated base). Defaults :data:`POWER_PROCESS`,
        :data:`FUEL_PROCESS` (assumptions).
    rank_correlation : float
        Spearman correlation of the power and fuel innovations, and of a stationary
        start, in [-1, 1]. Default 0.7, an assumption about a gas-marginal market such
        as PJM (the market monitor reports gas-fired units as the usual marginal
        resource and fuel cost as the largest part of the LMP); use 0 for a plant whose
        fuel does not set the power price (nuclear, a market on the margin of coal).
    start : {"stationary", "mean"}
        Year 0 when no start levels are given (module notes).
    centre : bool
        ``True`` (default): the factors revert to their base in expectation,
        ``E[factor] = exp(mean)`` (1 by default) under the stationary law, whose
        log-mean is therefore ``mean - sd**2 / 2`` (``sd`` the stationary log-sd: -0.02
        for power, -0.045 for gas); a start at the median ``exp(mean)`` is read as the
        stationary law's median ``exp(mean - sd**2 / 2)``. ``False``: log-mean
        ``mean``, so the median is ``exp(mean)`` and the mean ``exp(sd**2 / 2)`` times
        it (1.020 for power, 1.046 for gas: the model before this option). A random
        walk has no stationary law and is not centred.

    Notes
    -----
    With equal half-lives (the default) the rank correlation of power and fuel in every
    year equals ``rank_correlation`` exactly in the stationary state. With phis
    ``p != q`` the Gaussian correlation of the stationary logs is
    ``rho sqrt((1 - p**2)(1 - q**2)) / (1 - p q)``, lower than ``rho``.

    The start is stationary and already correlated: the year-0 draws (the scenario's
    ``price`` and ``fuel`` levels, independent in the default uncertainties, with
    log-sds equal to the stationary ones) are read as independent standard normals of
    the stationary law and mixed like an innovation, the fuel's year-0 log deviation
    being ``r (sd_fuel / sd_power) dx_0 + sqrt(1 - r**2) dy_0`` with ``r`` the
    stationary correlation above. So every year, year 0 included, has the stationary
    correlation (without it, year 0 was independent and the correlation built up to 0.7
    only over a decade). A copula correlation between the ``price`` and ``fuel`` draws
    would come on top of this one: leave it out when prices are paths.

    Examples
    --------
    >>> pp = PricePaths()
    >>> power, fuel = pp.sample(seed=1, size=4, horizon=6)
    >>> power.shape, bool((power > 0).all())
    ((4, 6), True)
    >>> flat = PricePaths.full_persistence()
    >>> p, f = flat.sample(seed=1, size=2, horizon=3, power_start=[1.2, 0.8],
    ...                    fuel_start=[0.9, 1.1])
    >>> p
    array([[1.2, 1.2, 1.2],
           [0.8, 0.8, 0.8]])
    """

    power: MeanReverting = field(default_factory=lambda: POWER_PROCESS)
    fuel: MeanReverting = field(default_factory=lambda: FUEL_PROCESS)
    rank_correlation: float = GAS_MARGINAL_RANK_CORRELATION
    start: Start = "stationary"
    centre: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.centre, bool):
            raise InvalidParameterError(f"centre must be True or False; got {self.centre!r}")
        for name in ("power", "fuel"):
            if not isinstance(getattr(self, name), MeanReverting):
                raise InvalidParameterError(
                    f"{name} must be a MeanReverting; got {getattr(self, name)!r}")
        gaussian_from_spearman(self.rank_correlation)  # validates
        object.__setattr__(self, "rank_correlation", float(self.rank_correlation))
        _check_start(self.start)

    @classmethod
    def full_persistence(cls) -> PricePaths:
        """One level per scenario for the whole life (the levels model of earlier versions)."""
        return cls(power=MeanReverting.full_persistence(),
                   fuel=MeanReverting.full_persistence(), rank_correlation=0.0, start="mean")

    @property
    def gaussian_correlation(self) -> float:
        """Correlation of the normal innovations that gives ``rank_correlation``."""
        return gaussian_from_spearman(self.rank_correlation)

    def sample(
        self, *, seed: Any, size: int, horizon: int, block: int = 0,
        power_start: ArrayLike | None = None, fuel_start: ArrayLike | None = None,
    ) -> tuple[F64, F64]:
        """Power and fuel factor paths ``(S, T)`` for rows ``0 .. size - 1`` of ``block``.

        Parameters
        ----------
        seed : int, SeedSequence or Generator
            The run's seed (a simulation passes its root SeedSequence).
        size, horizon, block : int
            Rows, years on the grid, block index.
        power_start, fuel_start : array_like, shape (size,), optional
            Year-0 factors (>= 0: a factor of 0 stays 0), e.g. the scenario's
            ``price`` and ``fuel`` draws. Default: ``start``.

        Returns
        -------
        (ndarray, ndarray)
            Factors on the escalated base prices, each ``(size, horizon)``.
        """
        size, horizon, block = _sizes(size, horizon, block)
        p0 = _levels("power_start", power_start, size, log=True)
        f0 = _levels("fuel_start", fuel_start, size, log=True)
        z = path_generator(_root(seed), block, PRICE_TAG).standard_normal((size, horizon, 2))
        pp = PathParams(**self.path_fields())
        # year-0 logs on the draws' scale (median exp(mean)), independent: the steps
        # correlate and centre them
        x0 = self.power.start(self.start, z[:, 0, 0]) if p0 is None else p0
        y0 = self.fuel.start(self.start, z[:, 0, 1]) if f0 is None else f0
        power, fuel = np.empty((horizon, size)), np.empty((horizon, size))
        _steps.price_paths(pp, x0, y0, z.transpose(1, 2, 0), power, fuel, 0, horizon)
        return np.ascontiguousarray(power.T), np.ascontiguousarray(fuel.T)

    def path_fields(self) -> dict[str, float]:
        """This model's fields of :class:`dealsim.kernels.steps.PathParams` (the numbers the
        simulation's steps read)."""
        rho = self.gaussian_correlation
        sp, sf = self.power.stationary_sd, self.fuel.stationary_sd
        stationary = 0.0 < sp < math.inf and 0.0 < sf < math.inf
        p, q = self.power.phi, self.fuel.phi
        # the stationary correlation of the logs (= rho with equal half-lives)
        r = rho * math.sqrt((1.0 - p * p) * (1.0 - q * q)) / (1.0 - p * q) if stationary else 0.0

        def centre(process: MeanReverting, sd: float) -> float:
            ok = self.centre and math.isfinite(sd)
            return process.mean - 0.5 * sd * sd if ok else process.mean

        return {"power_mean": self.power.mean, "power_phi": self.power.phi,
                "power_vol": self.power.volatility, "fuel_mean": self.fuel.mean,
                "fuel_phi": self.fuel.phi, "fuel_vol": self.fuel.volatility,
                "rho": rho, "rho_c": math.sqrt(max(1.0 - rho * rho, 0.0)),
                "power_centre": centre(self.power, sp), "fuel_centre": centre(self.fuel, sf),
                "fuel_start_power": r * sf / sp if stationary else 0.0,
                "fuel_start_own": math.sqrt(max(1.0 - r * r, 0.0))}


#: Term SOFR: level OU, long-run mean 4.5% (the OhmyNews example's SOFR), stationary sd
#: 1 pp (the default ``deemed_rate`` draw's sd), half-life 4 years. Assumptions anchored
#: on the sourced level.
SOFR_PROCESS = MeanReverting.with_stationary_sd(
    half_life=4.0, sd=0.01, mean=0.045,
    source="mean 4.5%: OhmyNews worked example (6-month term SOFR 4.5% + 1% spread = 5.5%); "
    "half-life 4 years and stationary sd 1 pp are assumptions (sd as the default "
    "deemed_rate draw)")
#: Spread of the deemed rate over term SOFR (OhmyNews example: 4.5% + 1% = 5.5%).
DEEMED_SPREAD = 0.01


@dataclass(frozen=True, slots=True, kw_only=True)
class SofrPaths:
    """Term-SOFR paths and the floating deemed rate ``max(sofr, floor) + spread``.

    Parameters
    ----------
    process : MeanReverting
        Level process of term SOFR (decimal). Default :data:`SOFR_PROCESS`.
    spread : float
        Deemed-rate spread over SOFR, default 1% (OhmyNews example); in [-0.5, 10], the
        bounds of a deemed rate (:class:`~dealsim.model.terms.DealTerms`).
    floor : float or None
        Floor on SOFR before the spread; default 0 (assumption: US policy rates have
        not gone below zero; the DAA formula's floor is not public). ``None``: none.
    start : {"stationary", "mean"}

    Examples
    --------
    >>> sp = SofrPaths()
    >>> sofr, deemed = sp.sample(seed=2, size=3, horizon=5)
    >>> bool(np.allclose(deemed, np.maximum(sofr, 0.0) + 0.01))
    True
    >>> SofrPaths.constant(0.055).sample(seed=2, size=1, horizon=3)[1]
    array([[0.055, 0.055, 0.055]])
    """

    process: MeanReverting = field(default_factory=lambda: SOFR_PROCESS)
    spread: float = DEEMED_SPREAD
    floor: float | None = 0.0
    start: Start = "stationary"

    def __post_init__(self) -> None:
        if not isinstance(self.process, MeanReverting):
            raise InvalidParameterError(f"process must be a MeanReverting; got {self.process!r}")
        object.__setattr__(self, "spread", v.finite("spread", self.spread))
        if self.floor is not None:
            object.__setattr__(self, "floor", v.finite("floor", self.floor))
            if self.floor + self.spread <= -1.0:  # a deemed rate <= -100% is no rate
                raise InvalidParameterError(
                    f"spread must keep the deemed rate above -100% (floor + spread > -1); "
                    f"got spread={self.spread!r} with floor={self.floor!r}")
        v.bounded("spread", self.spread, v.DISCOUNT_MIN, v.RATE_MAX)  # as a deemed rate
        _check_start(self.start)

    @classmethod
    def constant(cls, deemed_rate: float, spread: float = DEEMED_SPREAD) -> SofrPaths:
        """A constant deemed rate: the special case of the levels model of earlier versions."""
        rate = v.rate("deemed_rate", deemed_rate)
        return cls(process=MeanReverting.full_persistence(mean=rate - spread), spread=spread,
                   floor=None, start="mean")

    def deemed(self, sofr: ArrayLike) -> F64:
        """The deemed rate of SOFR values: ``max(sofr, floor) + spread``."""
        s = np.asarray(sofr, dtype=np.float64)
        return (s if self.floor is None else np.maximum(s, self.floor)) + self.spread

    def sample(self, *, seed: Any, size: int, horizon: int, block: int = 0,
               deemed_start: ArrayLike | None = None) -> tuple[F64, F64]:
        """``(sofr, deemed)`` paths ``(S, T)``; ``deemed_start``: year-0 deemed rates
        (e.g. the scenario's ``deemed_rate`` draw), SOFR starting at it less the spread."""
        size, horizon, block = _sizes(size, horizon, block)
        d0 = _levels("deemed_start", deemed_start, size, log=False)
        z = path_generator(_root(seed), block, SOFR_TAG).standard_normal((size, horizon))
        x0 = self.process.start(self.start, z[:, 0]) if d0 is None else d0 - self.spread
        sofr = ou_paths(self.process, x0, z[:, 1:])
        return sofr, self.deemed(sofr)

    def path_fields(self) -> dict[str, float]:
        """This model's fields of :class:`dealsim.kernels.steps.PathParams`."""
        return {"sofr_mean": self.process.mean, "sofr_phi": self.process.phi,
                "sofr_vol": self.process.volatility, "spread": self.spread,
                "floor": -math.inf if self.floor is None else self.floor}


#: USD/JPY: a log random walk with 10% annual volatility (the assumption of
#: :func:`dealsim.analysis.fx.usdjpy_paths`), from the scenario's drawn level.
USDJPY_PROCESS = MeanReverting(
    half_life=None, volatility=0.10, mean=math.log(155.0),
    source="assumption: log random walk, annual volatility 10% (the order of the yen's "
    "historical annual volatility; as dealsim.analysis.fx.usdjpy_paths); start at the scenario's "
    "usdjpy draw (median 155 yen/$)")


#: Dollar interest rate of the USD/JPY forward: 4.5%, the long-run term SOFR of
#: :data:`SOFR_PROCESS` (OhmyNews worked example).
USD_RATE = 0.045
#: Yen interest rate of the USD/JPY forward: 1.0%. Assumption (no source in the
#: repository gives a long-run yen rate).
JPY_RATE = 0.01
_RATES_SOURCE = ("USD rate 4.5%: the long-run term SOFR (OhmyNews worked example, as "
                 "SOFR_PROCESS); JPY rate 1.0%: assumption")


@dataclass(frozen=True, slots=True, kw_only=True)
class UsdJpyPaths:
    """Yen-per-dollar paths: a log process (default a random walk) from a start level,
    drifting at the forward.

    Parameters
    ----------
    process : MeanReverting
        Process of ``log(usdjpy)``. Default :data:`USDJPY_PROCESS`.
    start : {"stationary", "mean"}
        Used without start levels; a random walk only allows ``"mean"`` (¥155).
    drift : {"forward", "none"}
        ``"forward"`` (default): covered interest parity, the forward yen-per-dollar
        rate falls by ``(1 + jpy_rate) / (1 + usd_rate)`` a year, and the log rate
        drifts by ``log((1 + jpy_rate) / (1 + usd_rate)) + volatility**2 / 2`` a year so
        that ``E[1 / usdjpy_t] = 1 / forward_t``: a yen amount's expected dollar value is
        its value hedged at the forward. ``"none"``: no drift, the rate wanders around
        its start (the model before this option; it ignores the interest differential).
    usd_rate, jpy_rate : float
        Annual interest rates (decimals, > -1) of the forward. Defaults
        :data:`USD_RATE` 4.5% (the long-run term SOFR, as :data:`SOFR_PROCESS`) and
        :data:`JPY_RATE` 1.0% (assumption): a 3.5-point differential, the yen
        strengthening about 3.3% a year along the forward.
    source : str
        Where the rates come from.

    Examples
    --------
    >>> fx = UsdJpyPaths().sample(seed=3, size=2, horizon=4, usdjpy_start=[150.0, 160.0])
    >>> fx[:, 0]
    array([150., 160.])
    >>> round(UsdJpyPaths().log_drift, 6)  # log(1.01 / 1.045) + 0.1**2 / 2
    -0.029067
    >>> UsdJpyPaths(drift="none").log_drift
    0.0
    """

    process: MeanReverting = field(default_factory=lambda: USDJPY_PROCESS)
    start: Start = "mean"
    drift: Literal["forward", "none"] = "forward"
    usd_rate: float = USD_RATE
    jpy_rate: float = JPY_RATE
    source: str = _RATES_SOURCE

    def __post_init__(self) -> None:
        if not isinstance(self.process, MeanReverting):
            raise InvalidParameterError(f"process must be a MeanReverting; got {self.process!r}")
        _check_start(self.start)
        if self.drift not in ("forward", "none"):
            raise InvalidParameterError(
                f"drift must be 'forward' or 'none'; got {self.drift!r}")
        object.__setattr__(self, "usd_rate", v.rate("usd_rate", self.usd_rate))
        object.__setattr__(self, "jpy_rate", v.rate("jpy_rate", self.jpy_rate))
        v.text("source", self.source)

    @property
    def log_drift(self) -> float:
        """Annual drift of ``log(usdjpy)``: ``log((1 + jpy_rate) / (1 + usd_rate)) +
        volatility**2 / 2`` at the forward, 0 without drift."""
        if self.drift == "none":
            return 0.0
        return (math.log1p(self.jpy_rate) - math.log1p(self.usd_rate)
                + 0.5 * self.process.volatility ** 2)

    def sample(self, *, seed: Any, size: int, horizon: int, block: int = 0,
               usdjpy_start: ArrayLike | None = None) -> F64:
        """USD/JPY paths ``(S, T)``, yen per dollar."""
        size, horizon, block = _sizes(size, horizon, block)
        x0 = _levels("usdjpy_start", usdjpy_start, size, log=True, allow_zero=False)
        z = path_generator(_root(seed), block, USDJPY_TAG).standard_normal((size, horizon))
        start = self.process.start(self.start, z[:, 0]) if x0 is None else x0
        out = np.empty((horizon, size))
        _steps.fx_path(PathParams(**self.path_fields()), start, z.T, out, 0, horizon)
        return np.ascontiguousarray(out.T)

    def path_fields(self) -> dict[str, float]:
        """This model's fields of :class:`dealsim.kernels.steps.PathParams`."""
        return {"fx_mean": self.process.mean, "fx_phi": self.process.phi,
                "fx_vol": self.process.volatility, "fx_drift": self.log_drift}
