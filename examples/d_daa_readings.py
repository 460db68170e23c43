"""(d) The aggregate and the scheduled readings of the Deemed Allocation Amount on the same deal.

The MOU text is ambiguous (deal-facts.md section 1): "aggregate" keeps one balance
(capital + deemed interest - Japan's receipts) and switches to 90/10 when it reaches
zero; "scheduled" pays a loan-like installment each year (principal over 20 years plus
deemed interest, arrears carried forward) and splits cash above twice the installment
90/10 from the start. Same deal, same seed, both readings; on Ohio, on the (more
profitable, at the assumed $2,500/kW) tranche-2 gas plants, and on a what-if Ohio selling
power at $250/MWh.

Why the first two come out nearly identical: while the project's cash stays below twice
the installment due, the scheduled reading splits everything 50/50 and carries the
shortfall forward at the deemed rate -- exactly what the aggregate balance does. (With
annual price paths a few scenarios have years rich enough to exceed it, so the two
probabilities differ beyond the third decimal.) The readings part when cash exceeds
twice the installment (the what-if): the scheduled reading then
sends the excess 90/10 early, and Japan's IRR and recovery year differ. Discounted at the
deemed rate itself, Japan's NPV is the same under both readings whenever the allocation is
recovered (both pay back the same balance at that rate).

    python examples/d_daa_readings.py --n 100000 --seed 2025
"""

from __future__ import annotations

import dataclasses

import numpy as np
from _common import irr_percentiles, p_line, parse, recovery_curves, save_png

import dealsim
from dealsim.presets import catalog


def compare(name: str, n: int, seed: int, **overrides: float
            ) -> dict[str, dealsim.SimulationResult]:
    """Simulate preset ``name`` (with overrides) under both readings and print the comparison."""
    base = catalog()[name].build(**overrides)
    runs = {}
    what_if = f" (what-if: {overrides})" if overrides else ""
    print(f"{base.name}{what_if}; n = {n:,} scenarios, seed = {seed}")
    for reading in ("aggregate", "scheduled"):
        deal = dataclasses.replace(base, terms=dataclasses.replace(base.terms, reading=reading))
        r = runs[reading] = dealsim.simulate(deal, n, seed=seed)
        probs = r.probabilities()
        rec = r.recovered_at[r.recovered_at >= 0]
        when = f"median year {r.first_year + int(np.median(rec))}" if rec.size else "never"
        print(f"  {reading} reading: Japan's IRR median {irr_percentiles(r, 50):.2%}, "
              f"NPV mean {r.investor_npv.mean() / 1e9:.2f} bn USD, host NPV mean "
              f"{r.host_npv.mean() / 1e9:.2f} bn USD")
        print(p_line("    P(Japan recovers its capital)", float((r.investor_moic >= 1).mean()),
                     r.n))
        print(p_line("    P(deemed allocation recovered)", probs["p_recover_daa"].p, r.n)
              + f"   ({when} when recovered)")
        print(p_line("    P(... within 20 years)", probs["p_recover_daa_within"].p, r.n))
    gap = runs["aggregate"].investor_npv - runs["scheduled"].investor_npv
    print(f"  Japan's NPV, aggregate minus scheduled, same scenarios: mean "
          f"{gap.mean() / 1e9:.2f} bn USD; aggregate better (by > $1m) in "
          f"{(gap > 1e6).mean():.1%}, "
          f"scheduled better in {(gap < -1e6).mean():.1%} of scenarios")
    return runs


def main(argv: list[str] | None = None) -> None:
    args = parse(__doc__, argv, "d_daa_readings.png")
    runs = {name: compare(name, args.n, args.seed) for name in ("ohio_gas_power", "gas_tranche2")}
    runs["ohio at $250/MWh"] = compare("ohio_gas_power", args.n, args.seed, power_price=250.0)
    print(f"reproduce: python examples/d_daa_readings.py --n {args.n} --seed {args.seed}")

    curves = {f"{name}, {reading}": r for name, by_reading in runs.items()
              for reading, r in by_reading.items()}
    save_png(args.png, recovery_curves(curves))


if __name__ == "__main__":
    main()
