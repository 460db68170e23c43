"""(a) Ohio: Japan's IRR distribution and its chances of recovering its capital.

Question: under the MOU terms (para. 13 split, deemed rate 5.5%), what IRR does Japan
earn on the Ohio 9.2 GW gas plant, how likely is it to get its capital back at all,
and to get it back within 20 years of first funding?

    python examples/a_ohio_recovery.py --n 100000 --seed 2025
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import irr_percentiles, p_line, parse, save_png

import dealsim
from dealsim.analysis.fx import usdjpy_paths, yen_view
from dealsim.presets import catalog
from dealsim.results.summary import irr_for_statistics


def main(argv: list[str] | None = None) -> None:
    args = parse(__doc__, argv, "a_ohio_recovery.png")
    preset = catalog()["ohio_gas_power"]
    deal = preset.build()
    r = dealsim.simulate(deal, args.n, seed=args.seed, paths=args.n)
    flows = r.paths["investor"]
    payback = np.asarray(dealsim.payback_period(flows))
    irr = r.investor_irr[~np.isnan(r.investor_irr)]
    qs = (5, 10, 50, 90, 95)
    probs = r.probabilities()

    print(f"Ohio 9.2 GW gas plant under {deal.terms.name}")
    print(f"n = {r.n:,} scenarios, seed = {r.seed}")
    print("Japan's IRR (%): " + "  ".join(
        f"P{q} {v:6.2f}" for q, v in zip(qs, irr_percentiles(r, qs) * 100, strict=True)))
    print(f"  total losses (Japan receives nothing, counted as -100%): "
          f"{probs['p_total_loss'].p:.2%} of scenarios; IRR undefined otherwise (left "
          f"out): {probs['p_irr_undefined'].p:.2%}")
    print(p_line("P(Japan recovers its capital, MOIC >= 1)",
                 float((r.investor_moic >= 1).mean()), r.n))
    print(p_line("P(... within 20 years of first funding)",
                 float(((payback >= 0) & (payback < 20)).mean()), r.n))
    print(p_line("P(Deemed Allocation Amount recovered: the 90/10 switch)",
                 probs["p_recover_daa"].p, r.n))
    print(p_line("P(... within 20 years)", probs["p_recover_daa_within"].p, r.n))
    print(p_line("P(Japan's NPV < 0 at the deemed rate, after its own tax)",
                 probs["p_npv_negative"].p, r.n))
    print("  (an unrecovered allocation means NPV < 0; after Japan's own tax on its share, "
          "a recovered one can too)")

    fx = usdjpy_paths(preset.usdjpy, flows.shape[1], n=flows.shape[0], seed=args.seed)
    yen = yen_view(r, discount_rate=0.01, usdjpy=fx)
    yen_median = np.nanmedian(irr_for_statistics(yen.irr, yen.moic))  # total loss: -100%
    print(f"Yen view (USD/JPY random walk from {preset.usdjpy:g}, log-sd 10%/yr, "
          f"assumption): median IRR in yen {yen_median * 100:.2f}%, "
          f"P(yen MOIC >= 1) {float((yen.moic >= 1).mean()):.4f}")
    print(f"reproduce: python examples/a_ohio_recovery.py --n {r.n} --seed {args.seed}")

    def draw(ax: Any) -> None:
        ax.hist(irr * 100, bins=100)
        ax.set_xlabel("Japan's IRR (%), Ohio, MOU terms")
        ax.set_ylabel("scenarios")

    save_png(args.png, draw)


if __name__ == "__main__":
    main()
