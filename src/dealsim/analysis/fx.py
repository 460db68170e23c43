"""The yen view: the investor's dollar flows converted to yen under a USD/JPY scenario.

Japan pays in and is paid in dollars, but it raises and reports in yen. Converting at
one fixed rate scales every flow by the same number, so it scales the NPV and leaves
the IRR unchanged; what changes the yen IRR is a rate that moves **between** funding
and receipts. :func:`to_yen` therefore accepts a fixed rate, one rate per scenario or
a year-by-year path, and :func:`usdjpy_paths` simulates paths.

Rates are yen per dollar (``155.0``). Flows keep dealsim's conventions: time on the
last axis, negative = paid in by the investor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError
from dealsim.finance.metrics import irr, moic, npv
from dealsim.montecarlo.uncertainty import as_seed_sequence
from dealsim.results.simulation import SimulationResult

__all__ = ["YenMetrics", "to_yen", "usdjpy_paths", "yen_metrics", "yen_view"]

F64 = NDArray[np.float64]


def _rates(usdjpy: ArrayLike, shape: tuple[int, ...]) -> F64:
    """Validate rates; return them with the year on the last axis (broadcastable to flows)."""
    rate = v.as_factor("usdjpy", usdjpy, low=-np.inf)
    if (rate <= 0).any():
        raise InvalidParameterError(
            f"usdjpy must be yen per dollar > 0; got {float(rate[rate <= 0].flat[0])!r}")
    if rate.ndim and rate.ndim == len(shape) - 1:  # one rate per scenario
        rate = rate[..., None]
    try:
        np.broadcast_shapes(rate.shape, shape)
    except ValueError as exc:
        raise InvalidParameterError(
            f"usdjpy must be a scalar, one rate per scenario (shape {shape[:-1]}) or paths "
            f"with the year on the last axis (broadcastable to {shape}); got shape "
            f"{rate.shape}") from exc
    return rate


def to_yen(cashflows: ArrayLike, usdjpy: ArrayLike) -> F64:
    """Convert dollar flows to yen, period by period.

    Parameters
    ----------
    cashflows : array_like, shape (..., T)
        USD flows, time on the last axis.
    usdjpy : float or array_like
        Yen per dollar (> 0): a scalar (fixed rate); an array of shape
        ``cashflows.shape[:-1]`` (one fixed rate per scenario); or an array with as many
        or more axes than ``cashflows`` and the year on the last axis: paths,
        broadcast against the flows (``(S, T)`` paths with ``(S, T)`` flows pair them
        row by row; with ``(T,)`` flows they give ``S`` yen views of one set of flows).
        The number of axes decides: with ``(S, T)`` flows a 1-D array is always one
        rate per scenario (even when ``S == T``); pass one path for every scenario as
        shape ``(1, T)``.

    Returns
    -------
    ndarray
        JPY flows, shape ``np.broadcast_shapes(rates, cashflows.shape)``.

    Raises
    ------
    InvalidParameterError
        If a rate is not finite and > 0, or the shapes do not match.
    InvalidCashflowsError
        If ``cashflows`` is not a finite array with a time axis.

    Examples
    --------
    >>> to_yen([-100.0, 60.0, 60.0], 150.0)
    array([-15000.,   9000.,   9000.])
    >>> to_yen([[-1.0, 1.0], [-2.0, 2.0]], [100.0, 150.0])
    array([[-100.,  100.],
           [-300.,  300.]])
    >>> to_yen([-1.0, 1.0], [150.0, 140.0])  # a path: the yen strengthened
    array([-150.,  140.])
    >>> to_yen([-1.0, 1.0], -1.0)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: usdjpy must be yen per dollar > 0; got -1.0
    """
    cf = v.as_cashflows("cashflows", cashflows)
    return cf * _rates(usdjpy, cf.shape)


@dataclass(frozen=True, slots=True)
class YenMetrics:
    """The investor's metrics in yen (each of shape ``cashflows.shape[:-1]``).

    Attributes
    ----------
    irr : ndarray or float
        Yen IRR; NaN where undefined.
    npv : ndarray or float
        Yen NPV at the yen discount rate.
    paid_in, received : ndarray or float
        Yen paid in (positive number) and received.
    moic : ndarray or float
        ``received / paid_in``.
    flows : ndarray, shape (..., T)
        The yen flows.
    """

    irr: Any
    npv: Any
    paid_in: Any
    received: Any
    moic: Any
    flows: F64


def yen_metrics(cashflows: ArrayLike, usdjpy: ArrayLike, *, discount_rate: float) -> YenMetrics:
    """IRR, NPV, paid-in, received and MOIC of dollar flows measured in yen.

    Parameters
    ----------
    cashflows : array_like, shape (..., T)
        The investor's USD flows.
    usdjpy : float or array_like
        See :func:`to_yen`.
    discount_rate : float
        Yen discount rate per year (decimal, > -1). No default: the MOU names none,
        and a yen rate (JBIC's funding cost, JGB yields) is well below the 5.5%
        deemed dollar rate.

    Returns
    -------
    YenMetrics

    Notes
    -----
    With a fixed rate ``k`` the yen flows are ``k`` times the dollar flows: the IRR is
    the dollar IRR and the NPV is ``k`` times the dollar NPV at the same rate. A yen
    that strengthens after funding (a falling path) lowers the yen IRR.

    Examples
    --------
    >>> m = yen_metrics([-100.0, 110.0], 150.0, discount_rate=0.0)
    >>> round(float(m.irr), 12), float(m.npv), float(m.moic)
    (0.1, 1500.0, 1.1)
    >>> m = yen_metrics([-100.0, 110.0], [[150.0, 135.0]], discount_rate=0.0)
    >>> round(float(m.irr[0]), 12)  # 110 * 135 / (100 * 150) - 1
    -0.01
    """
    r = v.rate("discount_rate", discount_rate)
    jpy = to_yen(cashflows, usdjpy)
    paid_in = -np.minimum(jpy, 0.0).sum(axis=-1)
    received = np.maximum(jpy, 0.0).sum(axis=-1)
    return YenMetrics(irr=irr(jpy), npv=npv(r, jpy), paid_in=paid_in[()],
                      received=received[()], moic=moic(jpy), flows=jpy)


def usdjpy_paths(
    start: float,
    horizon: int,
    *,
    n: int,
    seed: int | np.random.SeedSequence | np.random.Generator,
    sigma: float = 0.10,
    drift: float = 0.0,
) -> F64:
    """Simulated yen-per-dollar paths: a lognormal random walk from ``start``.

    Parameters
    ----------
    start : float
        Rate in year 0 (> 0), e.g. a preset's pinned ``usdjpy``.
    horizon : int
        Years on the path (T >= 1).
    n : int
        Number of paths (>= 1).
    seed : int, SeedSequence or Generator
        Source of randomness (SPEC 7).
    sigma : float
        Annual log-volatility (assumption: 0.10, the order of the yen's historical
        annual volatility).
    drift : float
        Annual log-drift (default 0, a driftless random walk). The simulation's USD/JPY
        paths drift at the forward by default (:class:`dealsim.model.paths.UsdJpyPaths`,
        ``drift="forward"``); ``drift=UsdJpyPaths().log_drift`` (about -0.029: dollar
        rates 3.5 points above yen rates) gives the same law here.

    Returns
    -------
    ndarray, shape (n, horizon)
        ``rate[:, 0] == start``; ``log rate[:, t] = log start + drift t + sigma W_t``.

    Raises
    ------
    InvalidParameterError
        On a non-positive start, sigma < 0, or bad ``n``/``horizon``/``seed``.

    Examples
    --------
    >>> p = usdjpy_paths(155.0, 5, n=3, seed=1)
    >>> p.shape, bool((p[:, 0] == 155.0).all())
    ((3, 5), True)
    """
    s0 = v.positive("start", start)
    horizon = v.integer("horizon", horizon, minimum=1)
    n = v.integer("n", n, minimum=1)
    vol = v.positive("sigma", sigma, allow_zero=True)
    mu = v.finite("drift", drift)
    rng = np.random.Generator(np.random.PCG64(as_seed_sequence(seed)))
    steps = mu + vol * rng.standard_normal((n, horizon - 1))
    logs = np.concatenate([np.zeros((n, 1)), np.cumsum(steps, axis=1)], axis=1)
    return np.asarray(s0 * np.exp(logs), dtype=np.float64)


def yen_view(
    result: SimulationResult,
    *,
    discount_rate: float,
    usdjpy: ArrayLike | None = None,
) -> YenMetrics:
    """Yen metrics of the scenarios whose investor flows a simulation kept.

    Parameters
    ----------
    result : SimulationResult
        From :func:`dealsim.simulate` with ``paths=k`` (its first ``k`` scenarios keep
        their flows).
    discount_rate : float
        Yen discount rate.
    usdjpy : float or array_like, optional
        See :func:`to_yen` (against flows of shape ``(k, T)``). Default: each
        scenario's drawn ``usdjpy`` (``result.inputs["usdjpy"][:k]``), a fixed rate per
        scenario.

    Returns
    -------
    YenMetrics
        Of shape ``(k,)``.

    Raises
    ------
    InvalidParameterError
        If the result kept no flows, or ``usdjpy`` is missing from both the call and
        the result's inputs.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> r = dealsim.simulate(ohio_gas_power(), 50, seed=3, paths=50)
    >>> y = yen_view(r, discount_rate=0.01)
    >>> bool(np.allclose(y.irr, r.investor_irr, equal_nan=True))  # fixed rate: same IRR
    True
    """
    flows = result.paths.get("investor")
    if flows is None or flows.shape[0] == 0:
        raise InvalidParameterError(
            "result must keep investor flows; run simulate(..., paths=k) with k >= 1")
    if usdjpy is None:
        if "usdjpy" not in result.inputs:
            raise InvalidParameterError(
                "usdjpy must be given: the simulation drew no 'usdjpy' input")
        usdjpy = result.inputs["usdjpy"][: flows.shape[0]]
    return yen_metrics(flows, usdjpy, discount_rate=discount_rate)
