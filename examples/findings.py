"""Every headline number of the README's "What dealsim says about the deal", regenerated.

Prints the README's findings table (markdown: question, answer, the example that prints
the same number with more context) and the "How these numbers can be wrong" list: each
labelled assumption that moves a headline number most, with its measured effect on
Ohio. Run it after any change to the model and paste its output into the README.

Conventions: a scenario in which Japan pays in and never receives anything (MOIC 0)
counts as an IRR of -100% in every IRR quantile; NPVs are at each scenario's drawn
deemed rate, at which P(NPV < 0) is 1 - P(Deemed Allocation recovered), so only the
latter is reported; P(fee paid) restates the assumed capacity distribution.

    python examples/findings.py --n 100000 --seed 2025
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import numpy as np
from _common import irr_percentiles, parser
from c_smr_overrun import breakeven
from e_announced_portfolio import announced, extrapolated

import dealsim
from dealsim import DeveloperFee, Market, Operations, PortfolioResult, simulate_portfolio
from dealsim.model.paths import MeanReverting, PricePaths
from dealsim.presets import catalog, ohio_gas_power

Row = tuple[str, str, str]


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%".replace("-", "−")


def _bn(x: float, digits: int = 2) -> str:
    return f"${x / 1e9:.{digits}f}bn"


def _p_capital(r: dealsim.SimulationResult) -> float:
    return float((r.investor_moic >= 1.0).mean())


def ohio_rows(n: int, seed: int) -> Iterator[Row]:
    """Ohio's IRR, recovery, deemed allocation and the SoftBank fee."""
    cmd = "`python examples/a_ohio_recovery.py`"
    preset = catalog()["ohio_gas_power"]
    r = dealsim.simulate(preset.build(), n, seed=seed, paths=n)
    p5, p50, p95 = irr_percentiles(r, (5, 50, 95))
    probs = r.probabilities()
    yield ("Ohio: Japan's IRR, P5 / median / P95 (a total loss counts as −100%)",
           f"{_pct(p5)} / {_pct(p50)} / {_pct(p95)}", cmd)
    yield ("Ohio: P(Japan receives nothing at all: total loss, MOIC 0)",
           f"{probs['p_total_loss'].p:.4f}", cmd)
    payback = np.asarray(dealsim.payback_period(r.paths["investor"]))
    within = float(((payback >= 0) & (payback < 20)).mean())
    yield ("Ohio: P(Japan recovers its capital); within 20 years",
           f"{_p_capital(r):.3f}; {within:.3f}", cmd)
    yield ("Ohio: P(Deemed Allocation recovered, i.e. the 90/10 switch ever happens); "
           "P(Japan's NPV < 0 at the deemed rate, after its own tax)",
           f"{probs['p_recover_daa'].p:.3f}; {probs['p_npv_negative'].p:.3f}", cmd)
    cmd = "`python examples/b_softbank_fee.py`"
    orig = dealsim.simulate(preset.build(fee="original"), n, seed=seed)
    saving = float((r.investor_npv - orig.investor_npv).mean())
    yield ("SoftBank fee: P(paid) -- an **input**, the assumed P(all 9.2 GW achieved); "
           "mean PV of the reduced fee",
           f"{float(r.fee_paid.mean()):.3f} (assumed 0.8); {_bn(float(r.fee_pv.mean()), 3)}", cmd)
    yield ("What the >90% fee cut is worth to Japan (NPV, mean)",
           f"{_bn(saving)} ≈ ¥{saving * preset.usdjpy / 1e9:,.0f}bn", cmd)


def smr_rows(n: int, seed: int) -> Iterator[Row]:
    """The SMR tranche's break-even overrun and P(recover capital)."""
    cmd = "`python examples/c_smr_overrun.py`"
    cat = catalog()
    deal, nuscale = cat["smr_tranche2"].build(), cat["nuscale_cfpp"].build()
    edge = breakeven(deal, 0, np.linspace(0.5, 4.0, 3501))
    moic = float(dealsim.evaluate(deal, overrun=nuscale.overrun_factor).investor_moic)
    yield ("SMR tranche: overrun at which Japan stops recovering its capital (base inputs)",
           f"x{edge:.2f} (NuScale's x{nuscale.overrun_factor:.3f} gives MOIC {moic:.2f})", cmd)
    unc = dealsim.default_uncertainties("nuclear")
    ps = [_p_capital(dealsim.simulate(deal, n, seed=seed, uncertainties=u))
          for u in (unc, unc.with_(overrun=nuscale.overrun_distribution(0.5)))]
    yield ("SMR tranche: P(recover capital), nuclear class / NuScale at the median",
           f"{ps[0]:.3f} / {ps[1]:.3f}", cmd)


def _readings(name: str, n: int, seed: int, **options: float
              ) -> dict[str, dealsim.SimulationResult]:
    base = catalog()[name].build(**options)
    return {reading: dealsim.simulate(dataclasses.replace(base, terms=dataclasses.replace(
        base.terms, reading=reading)), n, seed=seed) for reading in ("aggregate", "scheduled")}


def readings_rows(n: int, seed: int) -> Iterator[Row]:
    """Aggregate against scheduled reading of the deemed allocation."""
    cmd = "`python examples/d_daa_readings.py`"
    ohio, gas = _readings("ohio_gas_power", n, seed), _readings("gas_tranche2", n, seed)
    daa = {k: [r.probabilities()["p_recover_daa"].p for r in runs.values()]
           for k, runs in (("ohio", ohio), ("gas", gas))}
    same = all(a == b for a, b in daa.values())
    close = all(f"{a:.3f}" == f"{b:.3f}" for a, b in daa.values())
    word = "identical" if same else "equal to 3 decimals" if close else "different"
    yield ("Aggregate vs scheduled reading (Ohio, tranche-2 gas): P(DAA recovered)",
           f"{word} ({daa['ohio'][0]:.3f}; "
           f"{daa['gas'][0]:.3f}) vs ({daa['ohio'][1]:.3f}; {daa['gas'][1]:.3f})", cmd)
    rich = _readings("ohio_gas_power", n, seed, power_price=250.0)
    med = [irr_percentiles(r, 50) for r in rich.values()]
    years = [r.first_year + int(np.median(r.recovered_at[r.recovered_at >= 0]))
             for r in rich.values()]
    yield ("Same, what-if Ohio at $250/MWh: Japan's median IRR; median recovery year",
           f"{_pct(med[0])} vs {_pct(med[1])}; {years[0]} vs {years[1]}", cmd)


def portfolio_rows(n: int, seed: int) -> Iterator[Row]:
    """The announced $109bn and the extrapolation to $550bn."""
    cmd = "`python examples/e_announced_portfolio.py`"
    deals = {name: deal for name, (deal, _) in announced().items()}
    small = simulate_portfolio(deals, n, seed=seed)
    big_deals, scales = extrapolated(deals)
    big = simulate_portfolio(big_deals, n, seed=seed, scales=scales, keep_inputs=())

    def share(r: PortfolioResult, party: str, kind: str) -> float:
        table = r.loss_table() if kind == "nominal" else r.economic_loss_table()
        return table[party][0]

    irr = np.nanmean(np.where(small.moic == 0.0, -1.0, small.irr))
    yield ("The $109bn announced (6 projects, common overrun factor 0.5): "
           "portfolio IRR mean; P(recover capital); worst year's call",
           f"{_pct(float(irr))}; {small.probabilities()['p_recover_capital'][0]:.3f}; "
           f"{_bn(float(small.worst_call.mean()))} "
           f"(P95 {_bn(float(np.percentile(small.worst_call, 95)))})", cmd)
    yield ("Scaled to $550bn: P(recover capital); loss borne by JBIC / NEXI (assumed split), "
           "mean: nominal capital shortfall; economic loss (PV at the deemed rate, 2026 $)",
           f"{big.probabilities()['p_recover_capital'][0]:.3f}; "
           f"{_bn(share(big, 'jbic', 'nominal'))} / {_bn(share(big, 'nexi', 'nominal'))}; "
           f"{_bn(share(big, 'jbic', 'economic'))} / {_bn(share(big, 'nexi', 'economic'))}",
           cmd)


def korea_rows(n: int, seed: int) -> Iterator[Row]:
    """Korea's 20-year clause applied to Ohio and the SMRs."""
    cmd = "`python examples/f_japan_vs_korea.py`"
    korea = catalog()["korea_2025"]
    years = int(korea.facts["recovery_test_years"])
    ps = []
    for name in ("ohio_gas_power", "smr_tranche2"):
        deal = dataclasses.replace(catalog()[name].build(), terms=korea.build())
        r = dealsim.simulate(deal, n, seed=seed, within_years=years)
        ps.append(1.0 - r.probabilities()["p_recover_daa_within"].p)
    yield ("Korea's terms: P(20-year adjustment triggered), Ohio / SMRs",
           f"{ps[0]:.3f} / {ps[1]:.3f}", cmd)


def decision_rows(n: int, n_portfolio: int, seed: int) -> Iterator[Row]:
    """Fund or decline under the default TariffThreat (as examples/g_fund_or_decline.py)."""
    cmd = "`python examples/g_fund_or_decline.py`"
    threat = dealsim.TariffThreat()
    deals = {name: deal for name, (deal, _) in announced().items()}
    runs = [dealsim.fund_or_decline(d, threat, n, seed=seed) for d in deals.values()]
    order = " / ".join(deals)
    yield (f"Fund or decline, default threat: P(funding beats declining) -- {order}",
           " / ".join(f"{r.p_fund_better.p:.4f}" for r in runs), cmd)
    yield ("Break-even tariff increase (E[funding − declining] = 0), points -- same order",
           " / ".join(f"+{100 * r.mean_breakeven_rate_increase()[0]:.2f}" for r in runs), cmd)

    def best(d: dealsim.analysis.policy.PortfolioDecision, reading: str) -> str:
        label = d.best(reading)
        x = d.values[reading][label]
        out = d.declined[label]
        what = (f"decline {', '.join(out)}" if 0 < len(out) <= 3 else label)
        return (f"{what} (mean {_bn(float(x.mean()))}; P5 {_bn(float(np.percentile(x, 5)))},"
                f" P95 {_bn(float(np.percentile(x, 95)))})").replace("$-", "−$")

    small = dealsim.decide_portfolio(deals, threat, n_portfolio, seed=seed)
    fund_all = _bn(float(small.values["each"]["fund all"].mean())).replace("$-", "−$")
    yield ("Best policy over the $109bn announced: each decline its own tariff / one tariff "
           "regime; funding all",
           f"{best(small, 'each')} / {best(small, 'once')}; mean {fund_all}", cmd)
    big_deals, scales = extrapolated(deals)
    big = dealsim.decide_portfolio(big_deals, threat, n_portfolio, seed=seed, scales=scales)
    yield ("Same, the $550bn scale-up (30 deals)",
           f"{best(big, 'each')} / {best(big, 'once')}", cmd)


# -- how these numbers can be wrong --------------------------------------------------------

def _ohio_headline(r: dealsim.SimulationResult) -> str:
    p5, p50 = irr_percentiles(r, (5, 50))
    return (f"IRR P5 {_pct(p5)}, median {_pct(p50)}; P(recover capital) {_p_capital(r):.3f}; "
            f"P(DAA recovered) {r.probabilities()['p_recover_daa'].p:.3f}")


def sensitivity_rows(n: int, seed: int) -> Iterator[tuple[str, str]]:
    """Ohio's headline numbers with one labelled assumption changed at a time."""
    ohio = ohio_gas_power()

    def run(deal: dealsim.Deal = ohio, **kw: object) -> dealsim.SimulationResult:
        return dealsim.simulate(deal, n, seed=seed, **kw)  # type: ignore[arg-type]

    def market(**kw: object) -> dealsim.Deal:
        return dataclasses.replace(ohio, market=dataclasses.replace(Market.paths(), **kw))

    def operations(**kw: object) -> dealsim.Deal:
        return dataclasses.replace(ohio, operations=dataclasses.replace(Operations(), **kw))

    slow = MeanReverting.with_stationary_sd
    cases: dict[str, Callable[[], dealsim.SimulationResult]] = {
        "as published (power $85/MWh, gas $3.50/MMBtu, capacity factor 0.60, fossil-thermal "
        "overruns; annual price paths, power-gas rank correlation 0.7, a term-SOFR deemed "
        "rate; economic dispatch, delays at 2% of capex a year, calls as spent)": run,
        "power price $75/MWh instead of $85 (assumption; no offtake price is published)":
            lambda: run(ohio_gas_power(power_price=75.0)),
        "power price $95/MWh":
            lambda: run(ohio_gas_power(power_price=95.0)),
        "capacity factor 0.50 instead of 0.60 (assumption)":
            lambda: run(ohio_gas_power(capacity_factor=0.5)),
        "overruns of the all-electricity class (mean +66%) instead of fossil thermal (+16%)":
            lambda: run(uncertainties=dealsim.default_uncertainties("all_electricity")),
        "power and gas prices independent instead of rank-correlated 0.7 (assumption)":
            lambda: run(market(prices=PricePaths(rank_correlation=0.0))),
        "price deviations with a 10-year half-life instead of 3 years (assumption)":
            lambda: run(market(prices=PricePaths(power=slow(half_life=10.0, sd=0.2),
                                                 fuel=slow(half_life=10.0, sd=0.3)))),
        "one price level and one deemed rate per scenario for the whole life (Market())":
            lambda: run(dataclasses.replace(ohio, market=Market())),
        "the plant runs whatever it loses (must-run) instead of economic dispatch":
            lambda: run(operations(dispatch="must_run")),
        "delays free (same nominal spend, later) instead of escalated + 2% of capex a year":
            lambda: run(operations(delay_escalation=False, delay_cost=0.0)),
        "21% tax paid by the SPV on its whole margin before the split (entity-level) instead "
        "of by Japan on its share (pass-through; assumption)":
            lambda: run(operations(tax="spv_margin")),
        "every construction call funded upfront on tranche 1's deadline instead of as spent":
            lambda: run(operations(funding="upfront")),
        "the earlier levels model (Operations.legacy(), Market(), the fee at 159 yen/$)":
            lambda: run(dataclasses.replace(ohio, operations=Operations.legacy(),
                                            market=Market(),
                                            fees=(DeveloperFee.softbank_ohio(),))),
    }
    for label, case in cases.items():
        yield label, _ohio_headline(case())


def main(argv: list[str] | None = None) -> None:
    options = parser(__doc__, None, n_portfolio=20_000)
    options.add_argument("--skip-wrong", action="store_true",
                         help="leave out the 'How these numbers can be wrong' runs")
    args = options.parse_args(argv)
    n, seed = int(args.n), args.seed
    print(f"Defaults of dealsim.presets.catalog(), {n:,} scenarios, seed {seed} (portfolios: "
          f"{int(args.n_portfolio):,}); each row is printed, with more context, by the "
          "command beside it.\n")
    print("| question | answer | command |\n|---|---|---|")
    for rows in (ohio_rows(n, seed), smr_rows(n, seed), readings_rows(n, seed),
                 portfolio_rows(int(args.n_portfolio), seed), korea_rows(n, seed),
                 decision_rows(n, int(args.n_portfolio), seed)):
        for question, answer, command in rows:
            print(f"| {question} | {answer} | {command} |")
    if not args.skip_wrong:
        print("\nHow these numbers can be wrong -- Ohio with one labelled assumption changed:")
        for label, line in sensitivity_rows(n, seed):
            print(f"- {label}: {line}")
    print(f"\nreproduce: python examples/findings.py --n {n} --n-portfolio "
          f"{int(args.n_portfolio)} --seed {seed}")


if __name__ == "__main__":
    main()
