"""(b) SoftBank's fee on the Ohio plant: is it paid, what is it worth, what did the cut save Japan?

The fee is paid over 15 years only if all 9.2 GW are achieved (FT, 19 Mar 2026). It
was cut from ¥1tn to under ¥100bn (taken at ¥100bn, a labelled upper bound). Both
runs use the same seed, so each scenario differs only by the fee (common random
numbers) and the difference in Japan's NPV is the value of the cut to Japan.

    python examples/b_softbank_fee.py --n 100000 --seed 2025
"""

from __future__ import annotations

from typing import Any

from _common import p_line, parse, save_png

import dealsim
from dealsim.presets import catalog


def main(argv: list[str] | None = None) -> None:
    args = parse(__doc__, argv, "b_softbank_fee.png")
    preset = catalog()["ohio_gas_power"]
    runs = {fee: dealsim.simulate(preset.build(fee=fee), args.n, seed=args.seed)
            for fee in ("reduced", "original")}
    red, orig = runs["reduced"], runs["original"]
    jpy = preset.usdjpy
    paid = red.fee_paid

    print(f"SoftBank fee on the Ohio plant; n = {red.n:,} scenarios, seed = {red.seed}")
    print(p_line("P(fee paid: all 9.2 GW achieved)", float(paid.mean()), red.n)
          + "   input, not a result: the assumed PointMass(1.0, p=0.8) on capacity")
    for name, r in runs.items():
        total = preset.build(fee=name).fees[0].total
        print(f"{name:>8} fee: nominal {total / 1e9:5.2f} bn USD (¥{total * jpy / 1e9:,.0f}bn); "
              f"PV at the deemed rate {r.fee_pv.mean() / 1e9:6.3f} bn USD on average, "
              f"{r.fee_pv[paid].mean() / 1e9:6.3f} when paid")
    saving = red.investor_npv - orig.investor_npv
    print(f"Value of the >90% cut to Japan (its NPV, reduced minus original fee): mean "
          f"{saving.mean() / 1e9:.3f} bn USD = ¥{saving.mean() * jpy / 1e9:,.0f}bn at "
          f"{jpy:g} JPY/USD; {saving[paid].mean() / 1e9:.3f} bn USD when the fee is paid")
    share = saving.mean() / (orig.fee_pv.mean() - red.fee_pv.mean())
    print(f"  Japan bears {share:.0%} of the fee's present value: half in the 50/50 tier, "
          "less the fee's tax deduction")
    print(p_line("P(Japan recovers its capital) with the reduced fee",
                 float((red.investor_moic >= 1).mean()), red.n))
    print(p_line("P(Japan recovers its capital) with the original fee",
                 float((orig.investor_moic >= 1).mean()), red.n))
    print(f"reproduce: python examples/b_softbank_fee.py --n {red.n} --seed {args.seed}")

    def draw(ax: Any) -> None:
        ax.hist(saving[paid] / 1e9, bins=80)
        ax.set_xlabel("Japan's NPV gain from the fee cut, bn USD (scenarios where it is paid)")
        ax.set_ylabel("scenarios")

    save_png(args.png, draw)


if __name__ == "__main__":
    main()
