"""Example g: fund or decline -- each announced project against the tariff a decline may bring.

The MOU lets Japan decline a selected project; the US may then raise tariffs "at the
rate determined by the President" (deal-facts.md §7). For each of the six announced
projects this prints P(funding beats the expected cost of declining) under the default
:class:`dealsim.TariffThreat` (+10 points, 15% -> 25%, on all goods exports to the US,
¥20.4tn in 2025; probability 0.5; duration triangular 0.5 / 2.9 / 8 years; every
default sourced or labelled in ``TariffThreat().describe()``), the break-even tariff
increase and duration; then the best policy over the announced projects and over the
$550bn scale-up of example e (fund all, decline the k worst, decline all), under both
readings of how declines combine.

    python examples/g_fund_or_decline.py --n 100000 --seed 2025
"""

from __future__ import annotations

import numpy as np
from _common import parser, save_png
from e_announced_portfolio import announced, extrapolated

from dealsim import PortfolioDecision, TariffThreat, decide_portfolio, fund_or_decline


def best_line(label: str, d: PortfolioDecision, reading: str) -> str:
    best = d.best(reading)
    x = d.values[reading][best]
    p5, p50, p95 = np.quantile(x, [0.05, 0.5, 0.95]) / 1e9
    out = d.declined[best]
    shown = ", ".join(out[:6]) + (f", ... ({len(out)} of {len(d.names)})" if len(out) > 6 else "")
    what = "declines " + shown if out else "declines nothing"
    return (f"{label}, reading '{reading}': best = {best} ({what}); value mean "
            f"{x.mean() / 1e9:.2f} bn USD (P5 {p5:.2f}, P50 {p50:.2f}, P95 {p95:.2f})")


def main(argv: list[str] | None = None) -> None:
    args = parser(__doc__, "g_fund_or_decline.png", n_portfolio=20_000).parse_args(argv)
    n = int(args.n)
    threat = TariffThreat()
    print(threat.describe())
    print()

    deals = {name: deal for name, (deal, _) in announced().items()}
    results = {name: fund_or_decline(deal, threat, n, seed=args.seed)
               for name, deal in deals.items()}
    print(f"{'project':<18}{'P(fund better)':>16}{'95% CI':>18}{'break-even +pts':>17}"
          f"{'(median scen.)':>16}{'break-even yrs':>16}")
    for name, r in results.items():
        lo, hi = r.p_fund_better_ci()
        x = r.mean_breakeven_rate_increase()[0]
        med = float(np.median(r.breakeven_rate_increase))
        print(f"{name:<18}{r.p_fund_better.p:>16.4f}{f'[{lo:.4f}, {hi:.4f}]':>18}"
              f"{100 * x:>17.2f}{100 * med:>16.2f}{r.mean_breakeven_duration():>16.2f}")
    print("(break-even +pts: the tariff increase at which funding and declining are worth "
          "the same in expectation; median scen.: where P(fund better) = 0.5; break-even "
          "yrs: the fixed duration at +10 points where they are equal in expectation)")
    print()

    pn = min(int(args.n_portfolio), n)
    port = decide_portfolio(deals, threat, pn, seed=args.seed, title="announced projects")
    print(port.summary())
    print()
    big, scales = extrapolated(deals)
    scale_up = decide_portfolio(big, threat, pn, seed=args.seed, scales=scales,
                                title="announced mix scaled to $550bn")
    for reading in ("each", "once"):
        print(best_line("Announced $109bn", port, reading))
    for reading in ("each", "once"):
        print(best_line("Scaled to $550bn", scale_up, reading))

    def draw(ax: object) -> None:
        from dealsim.analysis.plot import plot_fund_or_decline

        plot_fund_or_decline(results, ax=ax)

    save_png(args.png, draw)
    print(f"{n:,} scenarios per project, {pn:,} per portfolio; reproduce with --seed "
          f"{args.seed}")


if __name__ == "__main__":
    main()
