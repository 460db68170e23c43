"""The container of uncertain inputs: named marginals joined by a Gaussian copula.

:class:`Uncertainties` maps uniforms ``u`` of shape ``(n, dim)`` (from
:func:`dealsim.montecarlo.sampling.sampler_uniforms`) to named draws, correlating the variables
that have a target rank correlation. :func:`default_uncertainties` is the labelled
default set for one power project.

Standard names
--------------
The engine reads these keys from :class:`Uncertainties` and refuses any other name (a
misspelling such as ``overun`` would otherwise leave its input at the default); ``usdjpy``
is drawn for reporting only (``dealsim.common.names.REPORT_ONLY``):

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
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dealsim.common import facts as _facts
from dealsim.common import names as _names
from dealsim.common import serial as _serial
from dealsim.common import validate as _validate
from dealsim.common.arrays import F64
from dealsim.common.seeds import U_MAX, U_MIN
from dealsim.errors import CorrelationError, InvalidParameterError
from dealsim.montecarlo.distributions import (  # Fixed: the doctests use it
    Distribution,
    Fixed,  # noqa: F401
    LogNormal,
    Normal,
    PointMass,
    Rounded,
    Uniform,
)
from dealsim.montecarlo.reference_classes import _reference_class, overrun_distribution

__all__ = ["STANDARD_NAMES", "Pair", "Uncertainties", "default_uncertainties"]


#: Names the Monte Carlo engine reads from :meth:`Uncertainties.transform`.
STANDARD_NAMES: tuple[str, ...] = _names.STANDARD_NAMES

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
        return _serial.load_uncertainties(cls, Distribution, data)  # type: ignore[no-any-return]

    def describe(self) -> str:
        """One line per variable (with its source), then the correlations."""
        lines = [f"{name}: {dist.describe()}" for name, dist in self._marginals.items()]
        lines += [f"rank corr({a}, {b}) = {r:g}" for (a, b), r in self._corr.items()]
        return "\n".join(lines)

    # -- use
    def transform(self, u: ArrayLike) -> dict[str, F64]:
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
        # column j of u drives random_names[j]; the copula replaces its columns (no copy of u)
        columns = [uu[:, j] for j in range(self.dim)]
        cols = self._copula_cols
        if cols.size:
            from scipy import special

            z = special.ndtri(uu[:, cols]) @ self._chol.T
            w = special.ndtr(z, out=z)
            np.clip(w, U_MIN, U_MAX, out=w)
            for k, j in enumerate(cols):
                columns[j] = w[:, k]
        n = uu.shape[0]
        out: dict[str, F64] = {}
        j = 0
        for name, dist in self._marginals.items():
            if dist.random:
                out[name] = np.asarray(dist.ppf(columns[j]), dtype=np.float64)
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


_DELAY_MEAN_SOURCE: Mapping[str, tuple[float, str]] = types.MappingProxyType(
    _facts.DELAY_MEAN_BY_CLASS)
_DELAY_DEFAULT: tuple[float, str] = _facts.DELAY_DEFAULT
_DELAY_SIGMA: float = _facts.DELAY_SIGMA
_DELAY_MAX: float = _facts.DELAY_MAX


def _delay_distribution(mean_years: float, source: str) -> Rounded:
    def make(median: float) -> Rounded:
        return Rounded(LogNormal(median, _DELAY_SIGMA), step=1.0, low=0.0, high=_DELAY_MAX,
                       source=source)

    from scipy import optimize

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
                            "145-159), log-sd 0.1"),
    }
    base_corr = {("overrun", "delay"): 0.6}
    unc = Uncertainties(marginals, base_corr)
    return unc.with_(correlation=correlation, **overrides)
