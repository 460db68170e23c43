"""Example e: the $109bn announced so far as one portfolio, and an extrapolation to $550bn.

The six announced projects (deal-facts.md §2): Ohio gas power $33.3bn, Texas GulfLink
$2.1bn, Georgia diamond grit $0.6bn (tranche 1, 17 Feb 2026), the GE Vernova Hitachi
SMRs ~$40bn and the Pennsylvania and Texas gas plants ~$33bn together (tranche 2,
March 2026) -- simulated together with a common overrun factor. Prints Japan's
portfolio IRR, NPV and P(recovering its capital), the worst year's cash call, the
annual cash calls and receipts, who in Japan bears a loss, and the funding deadlines.

Extrapolation (labelled assumption): the $441bn not yet announced is modelled as four
copies of the announced mix, each scaled to $441bn / 4 (x1.0115 of the mix), two
selected one year and two selected two years after their originals (all within the
commitment period to 19 Jan 2029). Each copy draws its own project risks; all share
the common factor. This keeps the announced technology mix (SMRs ~37% by value).

    python examples/e_announced_portfolio.py --n 20000 --seed 2025
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import numpy as np
from _common import save_png

from dealsim import CommonFactor, Deal, PortfolioResult, simulate_portfolio
from dealsim.finance.funding import KOREA_ANNUAL_CAP, funding_schedule
from dealsim.presets import (
    gas_tranche2,
    georgia_diamond,
    ohio_gas_power,
    smr_tranche2,
    texas_gulflink,
)

TOTAL = 550e9  # Japan's commitment (deal-facts §1)
#: Tranche 1 announced 17 Feb 2026 (deal-facts §2). Tranche 2 came at the March 2026
#: summit; its day is not in deal-facts, so 31 Mar 2026 is a labelled placeholder.
SELECTED = {1: "2026-02-17", 2: "2026-03-31"}


def announced() -> dict[str, tuple[Deal, int]]:
    """The six announced projects and their tranche."""
    return {
        "Ohio gas": (ohio_gas_power(), 1),
        "Texas GulfLink": (texas_gulflink(), 1),
        "Georgia diamond": (georgia_diamond(), 1),
        "SMRs TN/AL": (smr_tranche2(), 2),
        "gas PA": (gas_tranche2(site="pennsylvania"), 2),
        "gas TX": (gas_tranche2(site="texas"), 2),
    }


def extrapolated(deals: dict[str, Deal], copies: int = 4) -> tuple[dict[str, Deal],
                                                                    dict[str, float]]:
    """The announced mix plus ``copies`` scaled, later-starting copies up to $550bn."""
    announced_total = sum(d.project.capex for d in deals.values())
    scale = (TOTAL - announced_total) / (copies * announced_total)
    out, scales = dict(deals), dict.fromkeys(deals, 1.0)
    for w in range(1, copies + 1):
        shift = (w + 1) // 2  # copies 1-2 one year later, 3-4 two years later
        for name, deal in deals.items():
            key = f"{name} #{w}"
            year = deal.project.first_year + shift
            out[key] = dataclasses.replace(
                deal, project=dataclasses.replace(deal.project, first_year=year), name=key)
            scales[key] = scale
    return out, scales


def report(label: str, r: PortfolioResult, last_year: int) -> None:
    print(f"=== {label} ===")
    print(r.summary())
    print()
    print(r.annual_table(last_year=last_year))
    over = float(np.mean(r.worst_call > KOREA_ANNUAL_CAP))
    print(f"P(worst year's call > $20bn, Korea's annual cap as a yardstick) = {over:.3f}")
    print()


def plot(results: dict[str, PortfolioResult], path: str) -> None:
    """Japan's mean annual calls and receipts, one pair of lines per portfolio."""

    def draw(ax: Any) -> None:
        for label, r in results.items():
            ax.plot(r.years, -r.annual["calls_mean"] / 1e9, label=f"{label}: calls")
            ax.plot(r.years, r.annual["receipts_mean"] / 1e9, "--", label=f"{label}: receipts")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_ylabel("USD bn per year (mean)")
        ax.set_title("Japan's aggregate annual cash calls and receipts")
        ax.legend(fontsize=8)

    save_png(path, draw)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=20000, help="number of scenarios")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--strength", type=float, default=CommonFactor().strength,
                        help="latent correlation of overruns across projects (assumption)")
    parser.add_argument("--png", default="e_announced_portfolio.png",
                        help="chart path (written only if matplotlib is importable)")
    args = parser.parse_args(argv)
    common = CommonFactor(strength=args.strength)

    table = announced()
    deals = {name: deal for name, (deal, _) in table.items()}
    total = sum(d.project.capex for d in deals.values())
    print(f"Announced: {len(deals)} projects, ${total / 1e9:.1f}bn "
          f"({total / TOTAL:.0%} of ${TOTAL / 1e9:.0f}bn)")
    print(funding_schedule([(name, SELECTED[tr], d.project.capex)
                            for name, (d, tr) in table.items()]))
    print()

    n = int(args.n)
    results = {"announced $109bn": simulate_portfolio(deals, n, seed=args.seed, common=common,
                                                      title="announced projects")}
    report("Announced projects", results["announced $109bn"], last_year=2045)

    big, scales = extrapolated(deals)
    results["extrapolated $550bn"] = simulate_portfolio(
        big, n, seed=args.seed, common=common, scales=scales,
        title="announced mix scaled to $550bn", keep_inputs=())
    paid = sum(big[k].project.capex * s for k, s in scales.items())
    print(f"Extrapolation: {len(big)} deals, base capex ${paid / 1e9:.0f}bn "
          "(announced mix + 4 scaled copies starting 1-2 years later; assumption)")
    report("Extrapolated to $550bn", results["extrapolated $550bn"], last_year=2045)
    plot(results, args.png)
    print(f"{n:,} scenarios per portfolio; reproduce with --seed {args.seed} "
          f"--strength {args.strength:g}")


if __name__ == "__main__":
    main()
