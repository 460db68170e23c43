"""The model's arithmetic, one period at a time, written once for both paths.

Every function here is plain arithmetic with ``np.minimum``/``np.maximum``/``np.where``
and ``np.logical_not``, so it runs unchanged

- on **vectors of scenarios** (the numpy path loops over periods and calls each step on
  a block of scenarios at once), and
- on **scalars** inside the compiled kernel (:mod:`dealsim.kernels.fused` registers
  these functions with numba and loops over scenarios, then periods).

One edit here changes both paths. This module imports nothing else from dealsim:
parameters arrive as the NamedTuples :class:`LineParams` and :class:`SplitParams`,
built by the callers from a :class:`~dealsim.model.project.Project`, its fees and its
:class:`~dealsim.model.terms.DealTerms`. Nothing here validates (the public functions
checked their inputs); nothing here warns (callers run it under ``np.errstate``).

Conventions: ``delay`` is an integer (or integer array) of whole years; money is
nominal USD; costs are positive amounts; ``net`` < 0 is a capital call.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FEE_TOLERANCE",
    "Discard",
    "FeeAndNet",
    "LINE_ITEMS",
    "LineParams",
    "PathParams",
    "SplitParams",
    "aggregate_step",
    "cash_line",
    "deemed_interest",
    "dated_accrual",
    "discount_add",
    "dispatch_step",
    "funding_flows",
    "investor_tax_step",
    "next_factor",
    "ou_step",
    "period_metrics",
    "fee_installment",
    "fee_share",
    "mark_recovered",
    "deemed_path",
    "fx_path",
    "yen_fee_years",
    "price_paths",
    "scenario_constants",
    "scenario_lines",
    "scenario_split",
    "scheduled_step",
    "split_tiers",
    "upfront_total",
    "waterfall_start",
]

#: Relative tolerance of the all-or-nothing fee test ``achieved >= target``: absorbs the
#: float noise of ``capacity * capacity_achieved`` (an assumption: 1e-9 is far below
#: any metered capacity difference and far above double rounding).
FEE_TOLERANCE = 1e-9
#: Largest float64; the running discount factor is held at or below it so that a zero
#: flow discounted at a rate near -1 contributes 0, not ``0 * inf = NaN``.
_FLOAT_MAX = float(np.finfo(np.float64).max)


class FeeAndNet:
    """The rows of ``lines`` that :func:`scenario_split` reads (``lines[3, t]``: tax, read
    only with ``SplitParams.investor_tax``; ``lines[4, t]``: fee; ``lines[5, t]``: net
    cash), for numpy callers that hold them as ``(T, S)`` arrays (or no fee, no tax).
    Writes of other rows (:func:`scenario_lines`) are dropped."""

    def __init__(self, fee: Any, net: Any, tax: Any = None) -> None:
        self.fee, self.net, self.tax = fee, net, tax
        self.shape = (6, *net.shape)

    def __getitem__(self, key: tuple[int, int]) -> Any:
        row = self.net if key[0] == 5 else self.fee if key[0] == 4 else self.tax
        return 0.0 * self.net[key[1]] if row is None else row[key[1]]

    def __setitem__(self, key: tuple[int, int], value: Any) -> None:
        if key[0] == 5:
            self.net[key[1]] = value
        elif key[0] == 4 and self.fee is not None:
            self.fee[key[1]] = value
        elif key[0] == 3 and self.tax is not None:
            self.tax[key[1]] = value


class Discard:
    """Stands in for per-period rows nobody reads (numpy callers)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class LineParams(NamedTuple):
    """What the cash-flow line needs from a project and its fees (grid of ``T`` years).

    Built by :func:`dealsim.finance.cashflows._line_params`; ``spend`` rows are indexed by the
    delay in whole years, fee arrays by fee (``k`` of them, possibly 0).
    """

    construction_years: int
    operating_life: int
    depreciation_years: int
    capex: float
    output: float                      # output per operating year at design capacity
    capacity: float                    # design capacity (the fee's unit)
    tax_rate: float
    spend: NDArray[np.float64]         # (max_delay + 1, T): capex share per year
    spend_total: NDArray[np.float64]   # (max_delay + 1,): row sums of ``spend``
    price: NDArray[np.float64]         # (T,) escalated sale price
    variable_cost: NDArray[np.float64]  # (T,) escalated non-fuel variable cost
    fuel_cost: NDArray[np.float64]     # (T,) escalated fuel cost per output unit
    fixed_om: NDArray[np.float64]      # (T,) escalated fixed cost per operating year
    fee_amount: NDArray[np.float64]    # (k,) one installment of the full fee
    fee_count: NDArray[np.int64]       # (k,) installments
    fee_start: NDArray[np.int64]       # (k,) years from operation to the first one
    fee_target: NDArray[np.float64]    # (k,) capacity target
    fee_pro_rata: NDArray[np.bool_]    # (k,) pro-rata (True) or all-or-nothing
    fee_yen: NDArray[np.bool_]         # (k,) amount in yen, converted at each year's USD/JPY
    economic_dispatch: bool            # run a year only where price covers fuel + variable O&M
    mothball_after: int                # consecutive idle years before mothballing (0: never)
    mothball_fixed_share: float        # share of fixed O&M a mothballed plant still pays
    terminal: NDArray[np.float64]      # (T,) end-of-life amount if the life ends in year t


class SplitParams(NamedTuple):
    """What the two-tier split needs from :class:`~dealsim.model.terms.DealTerms` and the
    funding calendar (:mod:`dealsim.finance.capital_calls`)."""

    share_before: float
    share_after: float
    scheduled: bool
    amortisation_periods: int
    dated: bool = False                 # calls accrue deemed interest from funding dates
    call_tau: NDArray[np.float64] = np.zeros((0, 1))  # (T, Q): years funding -> period end
    upfront_period: int = -1            # period of the upfront funding (-1: as spent)
    upfront: bool = False               # funded upfront (upfront_period >= 0)
    upfront_tau: float = 0.0            # years from the upfront funding to its period's end
    discount_apart: bool = False        # NPVs discount at a rate other than the deemed rate
    investor_tax: bool = False          # pass-through: the investor pays the tax on its share


class PathParams(NamedTuple):
    """The market's path models (:mod:`dealsim.model.paths`) as numbers, built by
    :func:`dealsim.model.market.path_params`: each family is an AR(1) ``(mean, phi, vol)``;
    a family without a model keeps its level and is not read."""

    power_mean: float = 0.0
    power_phi: float = 1.0
    power_vol: float = 0.0
    fuel_mean: float = 0.0
    fuel_phi: float = 1.0
    fuel_vol: float = 0.0
    rho: float = 0.0          # fuel innovation: rho * z_power + rho_c * z_own
    rho_c: float = 1.0
    power_centre: float = 0.0  # log-mean of the path (power_mean - sd**2 / 2: E[factor] = 1)
    fuel_centre: float = 0.0
    fuel_start_power: float = 0.0  # fuel's year-0 deviation: this * power's deviation
    fuel_start_own: float = 1.0    # + this * the fuel draw's own deviation (correlated start)
    sofr_mean: float = 0.0
    sofr_phi: float = 1.0
    sofr_vol: float = 0.0
    floor: float = -np.inf    # deemed rate = max(sofr, floor) + spread
    spread: float = 0.0
    fx_mean: float = 0.0
    fx_phi: float = 1.0
    fx_vol: float = 0.0
    fx_drift: float = 0.0     # log USD/JPY drifts by this a year (the forward's)


# --- market paths --------------------------------------------------------------------
# A path of year t reads its state of year t - 1 and the year's innovation; a scenario
# (compiled: rows (T,)) or a block (numpy: rows (T, S), innovations read as z[t]). The
# state carried is the deviation from the long-run mean (one multiply-add per year on
# the recursion's critical path). A factor is written where the model reads it, years
# ``first <= t < last``, and 1.0 elsewhere (the compiled path passes a scenario's
# operating years and skips the exponentials of the others; numpy passes 0 and T).


def ou_step(deviation: Any, phi: float, shock: Any) -> Any:
    """One year of an Ornstein-Uhlenbeck state observed annually (an AR(1)), as its
    deviation from the long-run mean: ``phi * deviation + shock`` (``shock`` =
    volatility times the year's standard normal)."""
    return deviation * phi + shock


def price_paths(pp: PathParams, x: Any, y: Any, z: Any, power: Any, fuel: Any, first: int,
                last: int) -> None:
    """Power and fuel factors ``power[t] = exp(centre + dx_t)``, ``fuel[t] = exp(centre +
    dy_t)`` from the year-0 logs ``x``, ``y`` of the draws and innovations ``z[t, 0]``,
    ``z[t, 1]`` (years >= 1; the fuel's is ``rho z[t, 0] + rho_c z[t, 1]``), in years
    ``first <= t < last``.

    The deviations start at the draws' deviations from their medians ``exp(power_mean)``,
    ``exp(fuel_mean)``, the fuel's mixed with the power's like an innovation
    (``dy_0 = fuel_start_power dx_0 + fuel_start_own (y - fuel_mean)``), so that
    independent draws give a correlated start; a power factor of 0 (log -inf) stays 0
    and does not move the fuel's start."""
    dx = x - pp.power_mean
    dy = pp.fuel_start_power * np.minimum(np.maximum(dx, -1e3), 1e3) * (dx > -np.inf)
    if pp.fuel_start_own > 0.0:
        dy = dy + pp.fuel_start_own * (y - pp.fuel_mean)
    for t in range(power.shape[0]):
        if t > 0:
            zp = z[t, 0]
            dx = ou_step(dx, pp.power_phi, zp * pp.power_vol)
            dy = ou_step(dy, pp.fuel_phi, (pp.rho * zp + pp.rho_c * z[t, 1]) * pp.fuel_vol)
        if first <= t < last:
            power[t] = np.exp(pp.power_centre + dx)
            fuel[t] = np.exp(pp.fuel_centre + dy)
        else:
            power[t] = 1.0
            fuel[t] = 1.0


def deemed_path(pp: PathParams, s: Any, z: Any, rate: Any) -> None:
    """The deemed rate ``rate[t] = max(sofr_t, floor) + spread`` of a term-SOFR path from
    year-0 SOFR ``s`` and innovations ``z[t]`` (years >= 1)."""
    d = s - pp.sofr_mean
    rate[0] = np.maximum(s, pp.floor) + pp.spread
    for t in range(1, rate.shape[0]):
        d = ou_step(d, pp.sofr_phi, z[t] * pp.sofr_vol)
        rate[t] = np.maximum(pp.sofr_mean + d, pp.floor) + pp.spread


def yen_fee_years(lp: LineParams) -> tuple[int, int]:
    """Years after the commercial operation date in which a yen fee may be paid,
    ``[first, last)`` (``first >= last``: no yen fee): where USD/JPY is read."""
    first = lp.price.shape[0]
    last = 0
    for k in range(lp.fee_amount.shape[0]):
        if lp.fee_yen[k]:
            first = min(first, lp.fee_start[k])
            last = max(last, lp.fee_start[k] + lp.fee_count[k])
    return first, last


def fx_path(pp: PathParams, x: Any, z: Any, usdjpy: Any, first: int, last: int) -> None:
    """Yen per dollar ``usdjpy[t] = exp(fx_mean + fx_drift t + d_t)`` from the year-0 log
    ``x`` (``d_0 = x - fx_mean``) and innovations ``z[t]`` (years >= 1), in years
    ``first <= t < last``: the process's deviation around a level that drifts with the
    forward."""
    d = x - pp.fx_mean
    for t in range(usdjpy.shape[0]):
        if t > 0:
            d = ou_step(d, pp.fx_phi, z[t] * pp.fx_vol)
        usdjpy[t] = np.exp(pp.fx_mean + pp.fx_drift * t + d) if first <= t < last else 1.0


# --- fees ----------------------------------------------------------------------------


def fee_share(ratio: Any, pro_rata: Any) -> Any:
    """Share of a fee earned at ``ratio = achieved capacity / target``.

    Pro-rata: ``min(ratio, 1)``; all-or-nothing: 1 where ``ratio >= 1 - FEE_TOLERANCE``,
    else 0.
    """
    if pro_rata:
        return np.minimum(ratio, 1.0)
    return 1.0 * (ratio >= 1.0 - FEE_TOLERANCE)


def fee_installment(t: Any, cod: Any, start: Any, count: Any, amount: Any) -> Any:
    """``amount`` in the ``count`` years from ``cod + start`` (period ``t``), else 0."""
    offset = t - cod - start
    return amount * ((offset >= 0) & (offset < count))


# --- one year's cash-flow line -------------------------------------------------------


def scenario_constants(lp: LineParams, delay: Any, overrun: Any, capacity: Any,
                       utilisation: Any) -> tuple[Any, Any, Any, Any]:
    """Per-scenario quantities fixed over time.

    Returns ``(cod, scale, output, depreciation)``: the first operating year's index,
    the capex actually spent, output per operating year, and the straight-line tax
    depreciation per year.
    """
    cod = lp.construction_years + delay
    scale = lp.capex * overrun
    output = lp.output * capacity * utilisation
    depreciation = scale * lp.spend_total[delay] / lp.depreciation_years
    return cod, scale, output, depreciation


def dispatch_step(economic: bool, mothball_after: int, unit_margin: Any, op: Any, idle: Any,
                  mothballed: Any) -> tuple[Any, Any, Any]:
    """Whether the plant runs this year: ``(run, idle, mothballed)``.

    Must-run (``economic`` False): ``run = 1`` every year. Economic dispatch: ``run = 1``
    where ``unit_margin`` (price less fuel and variable cost per unit of output) is
    >= 0 and the plant is not mothballed, else 0. ``idle`` counts consecutive operating
    years without running; once it reaches ``mothball_after`` (> 0) the plant is
    mothballed for good.
    """
    if not economic:
        return 1.0 + 0.0 * unit_margin, idle, mothballed
    run = 1.0 * (unit_margin >= 0.0) * np.logical_not(mothballed)
    idle = (idle + 1.0) * (op & (run == 0.0)) + idle * np.logical_not(op)
    if mothball_after > 0:
        mothballed = mothballed | (idle >= mothball_after)
    return run, idle, mothballed


def cash_line(age: Any, capex: Any, fee: Any, sales: Any, output: Any, fuel_factor: Any,
              depreciation: Any, price: Any, variable_cost: Any, fuel_cost: Any,
              fixed_om: Any, operating_life: int, depreciation_years: int,
              tax_rate: float, terminal: Any) -> tuple[Any, Any, Any, Any]:
    """One year's line items ``(revenue, opex, tax, net)``, ``age`` years after ``cod``.

    ``revenue = op * sales * price``, ``opex = op * (output * (variable_cost +
    fuel_factor * fuel_cost) + fixed_om)``, ``tax = tax_rate * max(revenue - opex - fee
    - depreciation, 0)`` (depreciation in the first ``depreciation_years`` of operation;
    no loss carry-forward) and ``net = revenue - opex - tax - fee - capex + terminal``
    in the last operating year (``terminal`` untaxed), where ``op`` says whether the
    year is one of the ``operating_life`` years from ``cod``. Prices and costs are the
    year's escalated values; ``sales`` and ``output`` are this year's dispatched volume
    (sales times the year's price factor).
    """
    op = (age >= 0) & (age < operating_life)
    revenue = op * sales * price
    opex = op * (output * (variable_cost + fuel_factor * fuel_cost) + fixed_om)
    if tax_rate > 0:
        dep = ((age >= 0) & (age < depreciation_years)) * depreciation
        tax = tax_rate * np.maximum(revenue - opex - fee - dep, 0.0)
    else:
        tax = 0.0 * revenue
    net = revenue - opex - tax - fee - capex + (age == operating_life - 1) * terminal
    return revenue, opex, tax, net


# --- the two-tier split ---------------------------------------------------------------


def deemed_interest(balance: Any, growth: Any) -> Any:
    """The balance after one period of deemed interest (``growth = 1 + rate``)."""
    return balance * growth


def split_tiers(cash: Any, call: Any, owed: Any, share_before: float,
                share_after: float) -> tuple[Any, Any, Any]:
    """One period's two-tier split of distributable ``cash`` (>= 0).

    ``owed`` is what the first tier still owes the investor and ``call`` (<= 0) the
    capital call. Returns ``(investor, left, clear)``: the investor's flow
    ``min(a cash, owed) + b max(cash - owed / a, 0) [if cleared] + call``, what is
    still owed ``max(owed - a cash, 0)`` and whether ``a cash >= owed``.
    """
    half = cash * share_before
    clear = half >= owed
    rest = np.maximum(cash - owed / share_before, 0.0) * clear
    investor = rest * share_after + np.minimum(half, owed) + call
    left = np.maximum(owed - half, 0.0)
    return investor, left, clear


def aggregate_step(balance: Any, cash: Any, paid: Any, credit: Any, growth: Any,
                   share_before: float, share_after: float) -> tuple[Any, Any, Any]:
    """Aggregate reading, one period: ``(investor, balance, clear)``.

    Deemed interest on the balance, the capital call as the allocation counts it
    (``credit`` <= 0) added to it, then the split of ``cash`` (>= 0) with the whole
    balance owed; the investor pays ``paid`` (<= 0). On the annual grid ``paid`` and
    ``credit`` are both the period's call.
    """
    owed = deemed_interest(balance, growth) - credit
    return split_tiers(cash, paid, owed, share_before, share_after)


def dated_accrual(growth: Any, tau: Any, t: int) -> Any:
    """``mean_q growth ** tau[t, q]``: what a call funded in equal parts ``tau[t, q]``
    years before period ``t``'s end is worth in the allocation at that end (computed as
    ``exp(tau log growth)``: one logarithm, then an exponential per part)."""
    log_growth = np.log(growth)
    acc = 0.0 * growth
    for q in range(tau.shape[1]):
        acc = acc + np.exp(tau[t, q] * log_growth)
    return acc / tau.shape[1]


def funding_flows(sp: SplitParams, t: int, net: Any, growth: Any, disc: Any,
                  operating: Any, prefund: Any) -> tuple[Any, Any, Any, Any]:
    """Period ``t``'s call as paid by the investor, as credited to the allocation and as
    the investor's present value counts it.

    Returns ``(paid, credit, valued, operating)``. On the annual grid all three are
    ``min(net, 0)``. With dated calls the credit carries deemed interest (``growth``)
    from the funding dates (:func:`dated_accrual`) and ``valued`` the same at the
    discount rate ``disc`` (with ``sp.discount_apart``; else it is the credit); upfront,
    the construction calls (those before the first period with distributable cash,
    tracked by ``operating``) are paid at once in ``sp.upfront_period`` (``prefund``,
    their total, credited from its own funding date) and covered from it afterwards.
    """
    call = np.minimum(net, 0.0)
    if not sp.dated:
        return call, call, call, operating
    operating = operating | (net > 0.0)
    if sp.upfront:
        call = call * operating  # construction calls are covered by the prefund
    paid = call
    credit = call
    valued = call
    # deemed interest from the funding dates only where a call is paid in this period
    # (most periods have none): a scalar test when compiled, one test per period of a
    # block on numpy; where the call is 0 its credit is 0 either way
    if np.any(call < 0.0):
        credit = call * dated_accrual(growth, sp.call_tau, t)
        if sp.discount_apart:
            valued = call * dated_accrual(1.0 + disc, sp.call_tau, t)
    if sp.upfront:
        if t == sp.upfront_period:
            paid = call + prefund
            credit = credit + prefund * growth ** sp.upfront_tau
            if sp.discount_apart:
                valued = valued + prefund * (1.0 + disc) ** sp.upfront_tau
    if not sp.discount_apart:
        valued = credit
    return paid, credit, valued, operating


def upfront_total(sp: SplitParams, lines: Any, zero: Any) -> Any:
    """The construction calls funded upfront: every call before the first period with
    distributable cash (0 unless ``sp.upfront``)."""
    total = zero
    if sp.upfront:
        operating = zero > 0.0
        for t in range(lines.shape[1]):
            net = lines[5, t]
            if sp.investor_tax:  # the SPV's cash before tax (pass-through)
                net = net + lines[3, t]
            operating = operating | (net > 0.0)
            total = total + np.minimum(net, 0.0) * np.logical_not(operating)
    return total


def scheduled_step(principal: Any, arrears: Any, elapsed: Any, started: Any, cash: Any,
                   paid: Any, credit: Any, rate: Any, growth: Any,
                   sp: SplitParams) -> tuple[Any, ...]:
    """Scheduled reading, one period (rules in :func:`dealsim.finance.waterfall.waterfall`);
    ``cash``, ``paid`` and ``credit`` as in :func:`aggregate_step`.

    Returns ``(investor, principal, arrears, elapsed, started, clear)`` where ``clear``
    says whether principal + arrears is 0 at the end of the period.
    """
    started = started | ((cash > 0.0) & (principal > 0.0))
    due_principal = principal / np.maximum(sp.amortisation_periods - elapsed, 1.0) * started
    due = np.maximum(principal * rate * started + due_principal
                     + deemed_interest(arrears, growth), 0.0)
    principal = principal * (np.logical_not(started) * rate + 1.0) - due_principal - credit
    investor, arrears, _ = split_tiers(cash, paid, due, sp.share_before, sp.share_after)
    elapsed = elapsed + started
    return investor, principal, arrears, elapsed, started, (principal + arrears) == 0.0


def investor_tax_step(base: Any, cash: Any, distributed: Any, clear: Any,
                      share_before: float, share_after: float) -> Any:
    """The investor's own tax on its distributive share of the SPV's taxable income
    (pass-through, ``Operations(tax="investor_share")``).

    ``base`` is the tax on the SPV's whole taxable margin at the full rate (the tax line
    of :func:`cash_line`: no tax on a loss, no carry-forward), ``distributed`` (>= 0)
    what the split gives the investor out of ``cash`` (>= 0). The investor's share of
    the year's income follows its share of the year's distributions: ``distributed /
    cash`` (``share_before`` while the Deemed Allocation is outstanding,
    ``share_after`` after it is recovered, a blend in the year it is); in a year
    without distributable cash, the tier in force (``share_after`` once ``clear``).
    Returns ``base * share``.
    """
    none = 1.0 * (cash <= 0.0)
    tier = share_after * clear + share_before * np.logical_not(clear)
    return base * (distributed / (cash + none) + none * tier)


def mark_recovered(t: int, clear: Any, seen: Any, recovered: Any) -> tuple[Any, Any]:
    """Record ``recovered = t`` where the balance clears after having been positive.

    ``seen``: the balance was positive at the end of an earlier period; ``recovered``
    is -1 until set. Returns the updated ``(recovered, seen)``.
    """
    done = clear & seen & (recovered < 0)
    recovered = recovered + done * (t - recovered)
    return recovered, seen | np.logical_not(clear)


def waterfall_start(zero: Any, minus_one: Any) -> tuple[Any, ...]:
    """The split's state before the first period: ``(balance, arrears, elapsed, started,
    seen, recovered)`` (the aggregate reading keeps its balance in the first slot and
    leaves the scheduled reading's slots alone)."""
    never = zero > 0.0
    return zero, zero, zero, never, never, minus_one


# --- discounting ------------------------------------------------------------------------


def discount_add(total: Any, flow: Any, factor: Any) -> Any:
    """``total + flow * factor``: one term of a present value."""
    return total + flow * factor


def next_factor(factor: Any, step: Any) -> Any:
    """The discount factor one period later (``step = 1 / (1 + rate)``), capped at the
    largest float so that a zero flow still contributes 0."""
    return np.minimum(factor * step, _FLOAT_MAX)


def period_metrics(sums: tuple[Any, ...], investor: Any, valued: Any, host: Any, fee: Any,
                   factor: Any) -> tuple[Any, ...]:
    """Add one period to the one-pass metrics ``sums = (investor_pv, host_pv, fee_pv,
    fee_total, received, paid)``: present values at discount ``factor``, the fees paid,
    the investor's gross receipts and payments (MOIC = received / paid). ``valued`` is
    the investor's flow as its present value counts it: its receipts, and its call as
    worth at the period's end from the funding dates (:func:`funding_flows`' credit;
    equal to ``investor`` on the annual grid)."""
    inv_pv, host_pv, fee_pv, fee_total, received, paid = sums
    return (discount_add(inv_pv, valued, factor), discount_add(host_pv, host, factor),
            discount_add(fee_pv, fee, factor), fee_total + fee,
            received + np.maximum(investor, 0.0), paid - np.minimum(investor, 0.0))


# --- everything a scenario needs, in two passes over its periods -------------------------
# A Monte Carlo block calls scenario_lines, then scenario_split (then the IRR of the
# investor's flows): on a vector of scenarios (numpy) or once per scenario (compiled;
# calling them from one more wrapper was measured 1.5x slower there).

#: Rows of the ``lines`` array written by :func:`scenario_lines`.
LINE_ITEMS = ("capex", "revenue", "opex", "tax", "fee", "net")


def scenario_lines(lp: LineParams, delay: Any, overrun: Any, capacity: Any, price_factor: Any,
                   fuel_factor: Any, utilisation: Any, usdjpy: Any, lines: Any) -> None:
    """Cash-flow line items of scenarios: ``lines[j, t]`` for item ``LINE_ITEMS[j]``.

    The factors are scalars (compiled path: one scenario, ``lines`` of shape ``(6, T)``)
    or equal-length vectors (numpy path: ``(6, T, S)``), except ``price_factor``,
    ``fuel_factor`` and ``usdjpy`` (yen per dollar, for fees in yen), which are paths
    read as ``factor[t]``: ``(T,)`` for one scenario,
    ``(T, S)`` for a block (a level per scenario is the path that never moves). The
    period loop reads the year's values out of ``lp`` and calls the steps on scalars
    only: a compiled call that passed the tuple of arrays would pay their reference
    counts in every period. (For the same reason a fee's earned installment is
    recomputed each period rather than kept in a list: measured faster compiled, and
    three vector operations per period on numpy.)
    """
    cod, scale, output, depreciation = scenario_constants(lp, delay, overrun, capacity,
                                                          utilisation)
    achieved = lp.capacity * capacity
    zero = 0.0 * overrun
    idle = zero
    mothballed = zero > 0.0
    for t in range(lp.price.shape[0]):
        fee = zero
        for k in range(lp.fee_amount.shape[0]):
            earned = fee_share(achieved / lp.fee_target[k], lp.fee_pro_rata[k]) * lp.fee_amount[k]
            if lp.fee_yen[k]:
                earned = earned / usdjpy[t]
            fee = fee + fee_installment(t, cod, lp.fee_start[k], lp.fee_count[k], earned)
        capex = lp.spend[delay, t] * scale
        pf = price_factor[t]
        ff = fuel_factor[t]
        age = t - cod
        run, idle, mothballed = dispatch_step(
            lp.economic_dispatch, lp.mothball_after,
            pf * lp.price[t] - (lp.variable_cost[t] + ff * lp.fuel_cost[t]),
            (age >= 0) & (age < lp.operating_life), idle, mothballed)
        out_t = output * run
        fixed = lp.fixed_om[t] * (1.0 - mothballed * (1.0 - lp.mothball_fixed_share))
        revenue, opex, tax, net = cash_line(
            age, capex, fee, out_t * pf, out_t, ff, depreciation, lp.price[t],
            lp.variable_cost[t], lp.fuel_cost[t], fixed, lp.operating_life,
            lp.depreciation_years, lp.tax_rate, lp.terminal[t])
        lines[0, t] = capex
        lines[1, t] = revenue
        lines[2, t] = opex
        lines[3, t] = tax
        lines[4, t] = fee
        lines[5, t] = net


def scenario_split(sp: SplitParams, rate: Any, disc: Any, lines: Any, investor: Any,
                   balance: Any) -> tuple[Any, ...]:
    """The split of the net cash ``lines[5]`` and the one-pass metrics of scenarios.

    ``rate`` is the deemed rate, ``disc`` the discount rate, both paths read as
    ``rate[t]``: ``(T,)`` for one scenario, ``(T, S)`` for a block. Period ``t``'s rate
    accrues deemed interest over period ``t`` and discounts period ``t`` to ``t - 1``.
    Writes the investor's flow and the balance of period ``t`` to
    ``investor[t]`` and ``balance[t]``. With ``sp.investor_tax`` (pass-through) the
    SPV's cash is ``lines[5] + lines[3]`` (before tax), the allocation counts what the
    SPV distributes, and the investor pays :func:`investor_tax_step` out of it: the
    investor's flow, NPV and MOIC are after that tax, which is written back to
    ``lines[3, t]`` with ``lines[5, t]`` the cash after it. Returns ``(investor_npv,
    host_npv, fee_pv, fee_total, received, paid, recovered_at)``: present values at ``disc`` (first
    period undiscounted), the fees paid (``lines[4]``), the investor's gross receipts
    and payments (MOIC = received / paid) and the recovery period (-1 never). A
    non-finite ``received``, ``paid`` or ``fee_total`` means the cash flows overflowed.
    """
    zero = 0.0 * rate[0]
    state = waterfall_start(zero, 0 * (rate[0] > 0.0) - 1)
    factor = zero + 1.0
    sums = (zero, zero, zero, zero, zero, zero)
    prefund = upfront_total(sp, lines, zero)
    operating = zero > 0.0
    for t in range(lines.shape[1]):
        fee = lines[4, t]
        net = lines[5, t]
        base = zero
        if sp.investor_tax:
            # pass-through: the SPV distributes before tax (the tax line is added back)
            # and the investor pays the tax on its distributive share itself
            base = lines[3, t]
            net = net + base
        r = rate[t]
        growth = 1.0 + r
        cash = np.maximum(net, 0.0)
        # the investor's NPV counts a call from its funding days (as the allocation does),
        # at the discount rate: so NPV < 0 at the deemed rate exactly when the allocation
        # is not recovered; its flow (and IRR, MOIC) stays on the annual grid
        paid, credit, valued_call, operating = funding_flows(
            sp, t, net, growth, disc[t], operating, prefund)
        # the reading's step, inline: a compiled call of a function holding both readings
        # was measured 25% slower on the whole pass
        principal, arrears, elapsed, started, seen, recovered = state
        if sp.scheduled:
            out, principal, arrears, elapsed, started, clear = scheduled_step(
                principal, arrears, elapsed, started, cash, paid, credit, r, growth, sp)
        else:
            out, principal, clear = aggregate_step(principal, cash, paid, credit, growth,
                                                   sp.share_before, sp.share_after)
        recovered, seen = mark_recovered(t, clear, seen, recovered)
        state = (principal, arrears, elapsed, started, seen, recovered)
        # the host receives what the split gives it and never pays a call (an upfront
        # prefund is the SPV's cash, not the host's): cash - (investor - paid); the
        # allocation counts what the SPV distributes, the investor's flow is after its tax
        host = cash - (out - paid)
        if sp.investor_tax:
            tax = investor_tax_step(base, cash, out - paid, clear, sp.share_before,
                                    sp.share_after)
            lines[3, t] = tax
            lines[5, t] = net - tax
            out = out - tax
        investor[t] = out
        balance[t] = principal + arrears
        if t > 0:
            factor = next_factor(factor, 1.0 / (1.0 + disc[t]))
        sums = period_metrics(sums, out, out - paid + valued_call, host, fee, factor)
    return sums + (state[5],)
