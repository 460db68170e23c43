"""What a portfolio run is given besides its deals: a :class:`CommonFactor` that
correlates the deals' overruns, the :class:`SharedMarket` its deals read in calendar
time, and the :class:`FundingSplit` that says who bears a loss (equity, JBIC, NEXI,
the banks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError
from dealsim.model.paths import gaussian_from_spearman

__all__ = ["PARTIES", "REGIONAL_RANK_CORRELATION", "CommonFactor", "FundingSplit",
           "SharedMarket"]

F64 = NDArray[np.float64]


#: Who bears Japan's loss, in the order :meth:`FundingSplit.allocate` reports them.
PARTIES: tuple[str, ...] = ("equity", "jbic", "nexi", "banks")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommonFactor:
    """A shock shared by every project in a scenario (Gaussian copula, one factor).

    For each name in ``variables`` one standard normal ``Z`` is drawn per scenario.
    Project ``k``'s latent normal for that variable, ``e_k = Phi^-1(u_k)``, becomes
    ``sqrt(strength) * Z + sqrt(1 - strength) * e_k`` before the project's own
    uncertainties map it to a draw. Each project's marginal distribution is unchanged;
    the latent correlation between two projects' variables is ``strength``.

    Parameters
    ----------
    strength : float
        Latent (normal-scale) correlation between projects, in [0, 1]. Default 0.5:
        **assumption** (no published estimate of how overruns of concurrent US energy
        projects co-move; the NuScale overrun's drivers -- steel and pipe +20-100%,
        interest rates -- were economy-wide, IEEFA, Reuters; ``docs/sources.md`` §4-5).
    variables : tuple of str
        Uncertainty names the factor acts on. Default ``("overrun",)``; add
        ``"delay"``, ``"price"``, ``"deemed_rate"``... to make those common too.

    Notes
    -----
    The factor acts on a variable's uniform column *before* the project's own copula
    (:class:`dealsim.Uncertainties`). A variable first in its project's copula order
    (``overrun`` in :func:`dealsim.default_uncertainties`) keeps the latent
    correlation ``strength`` exactly; its rank correlation is
    ``(6/pi) asin(strength / 2)`` (0.48 at 0.5). Variables correlated with it inside a
    project (``delay``) then co-move across projects too, more weakly.

    Examples
    --------
    >>> CommonFactor().strength, CommonFactor().variables
    (0.5, ('overrun',))
    """

    strength: float = 0.5
    variables: tuple[str, ...] = ("overrun",)

    def __post_init__(self) -> None:
        v.fraction("strength", self.strength, allow_zero=True)
        names = tuple(self.variables) if not isinstance(self.variables, str) else ()
        if not names or not all(isinstance(x, str) and x for x in names) or len(
                set(names)) != len(names):
            raise InvalidParameterError(
                f"variables must be distinct non-empty names; got {self.variables!r}")
        object.__setattr__(self, "variables", names)


#: Rank correlation of two regions' annual power-price innovations beyond the gas price
#: they share. Assumption (module :class:`SharedMarket`).
REGIONAL_RANK_CORRELATION = 0.5


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedMarket:
    """The market every deal of a portfolio reads, in calendar time.

    One term-SOFR (deemed-rate) path and one USD/JPY path for the whole portfolio, one
    gas (Henry Hub) path for every deal whose market has a ``region`` (a power plant),
    one power path per region; a deal reads the calendar years it lives in. A deal
    without a region keeps its own product prices (its own streams).

    Parameters
    ----------
    regional_correlation : float
        Rank (Spearman) correlation, in [0, 1], of two regions' annual power-price
        innovations net of the gas price they share (each region's power moves with
        gas at its own power-gas correlation, ``PricePaths.rank_correlation``, and
        beyond it with the other regions at this correlation). Default 0.5: an
        **assumption** (no source gives it; with the default power-gas correlation 0.7
        two gas-marginal regions' power innovations are rank-correlated about 0.75).

    Notes
    -----
    Innovations: region 1 (the first region read, in deal order) draws its power and
    gas innovations ``a``, ``b`` as a single deal does (gas ``g = rho a + rho_c b``);
    its power residual net of gas is ``w = rho_c a - rho b``. Region ``r >= 2``:
    ``p_r = rho_r g + sqrt(1 - rho_r**2) (k w + sqrt(k (1 - k)) h + sqrt(1 - k) e_r)``
    with ``k`` the Gaussian correlation of ``regional_correlation`` and ``h``, ``e_r``
    fresh normals, so the residuals are exchangeable with correlation ``k``.

    Examples
    --------
    >>> SharedMarket().regional_correlation
    0.5
    >>> round(SharedMarket().gaussian_correlation, 4)
    0.5176
    """

    regional_correlation: float = REGIONAL_RANK_CORRELATION

    def __post_init__(self) -> None:
        object.__setattr__(self, "regional_correlation", v.fraction(
            "regional_correlation", self.regional_correlation, allow_zero=True))

    @property
    def gaussian_correlation(self) -> float:
        """The latent (normal) correlation ``2 sin(pi rho_s / 6)`` of the residuals."""
        return gaussian_from_spearman(self.regional_correlation)


@dataclass(frozen=True, slots=True, kw_only=True)
class FundingSplit:
    """How Japan funds each project, and so who bears a loss on it.

    Parameters
    ----------
    equity_share : float
        Share of Japan's funding that is equity, in [0, 1). Default 0.015:
        **assumption**, the midpoint of Akazawa's "only ~1-2% equity" (§1 of
        ``docs/sources.md``).
    jbic_share : float
        JBIC's share of the debt, in [0, 1]; the rest is commercial banks. Default 0.5:
        **assumption** (the Ohio split between JBIC and banks is undecided, FT;
        ``docs/sources.md`` §1).
    nexi_cover : float
        Share of the commercial-bank debt guaranteed by NEXI, in [0, 1]. Default 0.9:
        FT reports "more than 90%" for Ohio (``docs/sources.md`` §1); 0.9 is the floor.
    equity_first_loss : bool
        ``True`` (default, **assumption**: the ordinary ranking of equity below debt):
        equity loses first, up to its amount; ``False``: equity shares pro rata.

    Notes
    -----
    Two losses are split the same way (:func:`simulate_portfolio` reports both). The
    **nominal capital shortfall** of a project is the capital Japan does not get back,
    undiscounted: ``max(paid in - received, 0)``; it ignores the decades of interest
    the money could have earned. The **economic loss** is the same shortfall in
    present value, ``max(PV(paid in) - PV(received), 0)`` at a discount rate (by
    default the deemed rate, at which it is the present value of the unrecovered
    Deemed Allocation Amount); equity then loses first up to its share of
    ``PV(paid in)``. Beyond equity, lenders share a loss **pro rata** to
    their funding: JBIC ``jbic_share``, NEXI ``(1 - jbic_share) * nexi_cover`` (it pays
    the banks under its guarantee), banks the uncovered rest. This is an allocation
    **assumption**: the actual seniority, recourse and guarantee terms are not public
    (``docs/sources.md``, known gaps). All four parties are Japanese; the loss is Japan's.

    Examples
    --------
    >>> f = FundingSplit()
    >>> {k: round(x, 5) for k, x in f.shares().items()}
    {'equity': 0.015, 'jbic': 0.4925, 'nexi': 0.44325, 'banks': 0.04925}
    >>> {k: float(x) for k, x in f.allocate(np.array(10.0), np.array(100.0)).items()}
    {'equity': 1.5, 'jbic': 4.25, 'nexi': 3.825, 'banks': 0.425}
    """

    equity_share: float = 0.015
    jbic_share: float = 0.5
    nexi_cover: float = 0.9
    equity_first_loss: bool = True

    def __post_init__(self) -> None:
        v.fraction("equity_share", self.equity_share, allow_zero=True, allow_one=False)
        v.fraction("jbic_share", self.jbic_share, allow_zero=True)
        v.fraction("nexi_cover", self.nexi_cover, allow_zero=True)

    def _debt_split(self) -> tuple[float, float, float]:
        commercial = 1.0 - self.jbic_share
        return self.jbic_share, commercial * self.nexi_cover, commercial * (1 - self.nexi_cover)

    def shares(self) -> dict[str, float]:
        """Each party's share of Japan's funding (sums to 1)."""
        debt = 1.0 - self.equity_share
        jbic, nexi, banks = self._debt_split()
        return {"equity": self.equity_share, "jbic": debt * jbic, "nexi": debt * nexi,
                "banks": debt * banks}

    def allocate(self, loss: F64, paid_in: F64) -> dict[str, F64]:
        """Split per-scenario losses (>= 0) of one project among :data:`PARTIES`.

        Parameters
        ----------
        loss, paid_in : ndarray
            Unrecovered capital and capital paid in, same shape (both nominal, or
            both present values for the economic loss).

        Returns
        -------
        dict of str to ndarray
            Keyed by :data:`PARTIES`; the parts sum to ``loss``.
        """
        if self.equity_first_loss:
            equity = np.minimum(loss, self.equity_share * paid_in)
        else:
            equity = self.equity_share * loss
        rest = loss - equity
        jbic, nexi, banks = self._debt_split()
        return {"equity": equity, "jbic": rest * jbic, "nexi": rest * nexi,
                "banks": rest * banks}
