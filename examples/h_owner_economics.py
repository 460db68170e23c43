"""Ohio under an owner's economics (issue #11): price and SOFR paths, dispatch, costly delays.

Each configuration is opt-in (``Deal.market``, ``Deal.operations``); the library's
defaults keep today's model. Prints, per configuration, Japan's IRR P5 / median (a total
loss counts as -100%), its mean NPV, P(capital recovered) and P(Deemed Allocation
recovered).

    python examples/h_owner_economics.py --n 100000 --seed 2025
"""

from __future__ import annotations

import dataclasses

from _common import irr_percentiles, parse

import dealsim
from dealsim.market import Market
from dealsim.operations import Operations
from dealsim.presets import ohio_gas_power


def main(argv: list[str] | None = None) -> None:
    args = parse(__doc__, argv, "")
    base = ohio_gas_power()
    configs = {
        "today's model (defaults)": base,
        "price and SOFR paths (Market.paths())": dataclasses.replace(base,
                                                                    market=Market.paths()),
        "owner's operations (Operations.owner())": dataclasses.replace(
            base, operations=Operations.owner()),
        "both": dataclasses.replace(base, market=Market.paths(), operations=Operations.owner()),
        "funded as spent, dated (funding='as_spent')": dataclasses.replace(
            base, operations=Operations(funding="as_spent")),
        "funded upfront (funding='upfront')": dataclasses.replace(
            base, operations=Operations(funding="upfront")),
    }
    print(f"Ohio, n = {args.n:,} scenarios, seed = {args.seed}")
    print(f"{'configuration':<46}{'IRR P5':>9}{'median':>9}{'NPV $bn':>9}{'P(cap)':>8}"
          f"{'P(DAA)':>8}")
    for label, deal in configs.items():
        r = dealsim.simulate(deal, args.n, seed=args.seed)
        p5, p50 = irr_percentiles(r, (5, 50))
        print(f"{label:<46}{p5:>9.2%}{p50:>9.2%}{r.investor_npv.mean() / 1e9:>9.2f}"
              f"{(r.investor_moic >= 1).mean():>8.3f}{(r.recovered_at >= 0).mean():>8.3f}")
    print(f"reproduce: python examples/h_owner_economics.py --n {args.n} --seed {args.seed}")


if __name__ == "__main__":
    main()
