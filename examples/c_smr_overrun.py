"""(c) NuScale-style overruns on the tranche-2 SMRs: when does Japan stop recovering its capital?

Three readings of the question on the ~$40bn GE Vernova Hitachi SMR tranche:
1. deterministic: the capital-cost factor at which Japan's MOIC falls to 1, with every
   other input at its base value (no delay, and with the nuclear 3-year mean delay);
2. NuScale's own x1.755 ($5.3bn -> $9.3bn) and Vogtle's x2.5 applied to the tranche;
3. Monte Carlo: P(Japan recovers its capital) with the nuclear reference class
   (mean x2.2) and with a lognormal that puts NuScale's x1.755 at its median (log-sd
   0.54, the nuclear class's; an assumption), and the overrun band in which that
   probability drops below one half.

    python examples/c_smr_overrun.py --n 100000 --seed 2025
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import p_line, parse, save_png

import dealsim
from dealsim.presets import catalog


def breakeven(deal: dealsim.Deal, delay: int, grid: np.ndarray) -> float:
    """Smallest overrun on ``grid`` at which MOIC < 1 (linear interpolation); nan if none."""
    moic = dealsim.evaluate(deal, overrun=grid, delay=delay).investor_moic
    below = np.flatnonzero(moic < 1.0)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    return float(np.interp(1.0, [moic[i], moic[i - 1]], [grid[i], grid[i - 1]]))


def main(argv: list[str] | None = None) -> None:
    args = parse(__doc__, argv, "c_smr_overrun.png")
    cat = catalog()
    deal = cat["smr_tranche2"].build()
    nuscale, vogtle = cat["nuscale_cfpp"].build(), cat["vogtle_3_4"].build()
    grid = np.linspace(0.5, 4.0, 3501)

    print(f"{deal.name}: capex {deal.project.capex / 1e9:.0f} bn USD, "
          f"{deal.project.capacity:,.0f} MW (derived), Japan under {deal.terms.name}")
    for delay in (0, 3):
        print(f"Overrun factor at which Japan stops recovering its capital, delay {delay} "
              f"years, other inputs at base: x{breakeven(deal, delay, grid):.3f}")
    print("  (a delay raises it: MOIC is undiscounted and prices escalate 2%/yr from 2027, "
          "so late output sells dearer; the delay's cost shows in IRR and NPV)")
    for case in (nuscale, vogtle):
        ev = dealsim.evaluate(deal, overrun=case.overrun_factor)
        print(f"  {case.name} overrun x{case.overrun_factor:.3f} on the tranche: Japan's "
              f"MOIC {float(ev.investor_moic):.3f}, IRR {float(ev.investor_irr):.2%}")

    unc_class = dealsim.default_uncertainties("nuclear")
    unc_nuscale = unc_class.with_(overrun=nuscale.overrun_distribution(0.5))
    print(f"Monte Carlo, n = {args.n:,} scenarios, seed = {args.seed}:")
    runs = {}
    for label, unc in (("nuclear class, mean x2.2", unc_class),
                       ("NuScale x1.755 at the median", unc_nuscale)):
        r = dealsim.simulate(deal, args.n, seed=args.seed, uncertainties=unc)
        runs[label] = r
        print(p_line(f"  P(recover capital), overrun {label}",
                     float((r.investor_moic >= 1).mean()), r.n))
    r = runs["nuclear class, mean x2.2"]
    over, ok = r.inputs["overrun"], r.investor_moic >= 1
    edges = np.arange(0.5, 4.01, 0.25)
    idx = np.digitize(over, edges)
    shares = np.array([ok[idx == k].mean() if (idx == k).sum() >= 20 else np.nan
                       for k in range(1, len(edges))])
    first = np.flatnonzero(shares < 0.5)
    if first.size:
        k = first[0]
        print(f"  With every input drawn (nuclear class), P(recover capital | overrun) "
              f"first drops below 1/2 for overruns in [x{edges[k]:.2f}, x{edges[k + 1]:.2f})")
    print(f"reproduce: python examples/c_smr_overrun.py --n {r.n} --seed {args.seed}")

    def draw(ax: Any) -> None:
        mid = 0.5 * (edges[1:] + edges[:-1])
        ax.plot(mid, shares, marker="o")
        ax.axvline(nuscale.overrun_factor, ls="--", label="NuScale x1.755")
        ax.set_xlabel("capital-cost factor (overrun)")
        ax.set_ylabel("P(Japan recovers its capital)")
        ax.legend()

    save_png(args.png, draw)


if __name__ == "__main__":
    main()
