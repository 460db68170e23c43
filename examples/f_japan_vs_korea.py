"""(f) Japan's terms against Korea's on the same project.

Korea's MOU (Nov 2025, Newspim) has a split "nearly identical" to Japan's, read here as
identical (50/50 until the Deemed Allocation Amount is recovered, then 90/10), plus two
deal-level clauses Japan does not have: a $20bn/yr funding cap, and an adjustment if
Korea clearly cannot recover its Deemed Allocation Amount within 20 years. Both are
read as tests (labelled assumptions; what the adjustment does is not public). Same
project, same seed, both sets of terms.

    python examples/f_japan_vs_korea.py --n 100000 --seed 2025 --deal ohio_gas_power smr_tranche2
"""

from __future__ import annotations

import dataclasses

import numpy as np
from _common import irr_percentiles, p_line, parse, recovery_curves, save_png

import dealsim
from dealsim.presets import catalog


def main(argv: list[str] | None = None) -> None:
    args = parse(__doc__, argv, "f_japan_vs_korea.png", ["ohio_gas_power", "smr_tranche2"])
    cat = catalog()
    korea = cat["korea_2025"]
    cap, years = korea.facts["annual_cap_usd"], int(korea.facts["recovery_test_years"])
    runs = {}
    for deal_name in args.deal:
        base = cat[deal_name].build()
        print(f"{base.name}; n = {args.n:,} scenarios, seed = {args.seed}")
        for terms_name in ("japan_2025", "korea_2025"):
            deal = dataclasses.replace(base, terms=cat[terms_name].build())
            r = dealsim.simulate(deal, args.n, seed=args.seed, paths=args.n,
                                 within_years=years)
            runs[(deal_name, terms_name)] = r
            calls = (-np.minimum(r.paths["investor"], 0.0)).max(axis=1)
            print(f"  {terms_name}: IRR median {irr_percentiles(r, 50):.2%}, NPV mean "
                  f"{r.investor_npv.mean() / 1e9:.2f} bn USD")
            print(p_line("    P(recovers its capital)", float((r.investor_moic >= 1).mean()),
                         r.n))
            p_within = r.probabilities()["p_recover_daa_within"].p
            print(p_line(f"    P(deemed allocation recovered within {years} years)", p_within,
                         r.n))
            if terms_name == "korea_2025":
                print(p_line(f"    P(Korea's {years}-year adjustment clause triggered)",
                             1.0 - p_within, r.n))
                print(p_line(f"    P(a year's capital call exceeds the ${cap / 1e9:.0f}bn cap)",
                             float((calls > cap).mean()), r.n)
                      + f"   (largest call: median {np.median(calls) / 1e9:.1f} bn USD)")
        same = np.array_equal(runs[(deal_name, "japan_2025")].investor_npv,
                              runs[(deal_name, "korea_2025")].investor_npv)
        print(f"  identical flows under both splits: {same} (the difference is the clauses)")
    print(f"reproduce: python examples/f_japan_vs_korea.py --n {args.n} --seed {args.seed}")

    save_png(args.png, recovery_curves(
        {deal: r for (deal, terms), r in runs.items() if terms == "korea_2025"}))


if __name__ == "__main__":
    main()
