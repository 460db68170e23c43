"""Ohio under an owner's economics (issue #11), built up from the model before it.

The owner's economics are the library's defaults since issue 11: price and SOFR paths
(``Market.paths()``), economic dispatch, costly delays, tax on Japan's half and calls
funded as spent (``Operations()``), SoftBank's fee in yen. This example starts from the
model before (``Operations.legacy()``, ``Market()``, the fee at ¥159/$) and adds one
piece at a time. Prints, per configuration, Japan's IRR P5 / median (a total loss
counts as -100%), its mean NPV, P(capital recovered) and P(Deemed Allocation
recovered).

    python examples/h_owner_economics.py --n 100000 --seed 2025
"""

from __future__ import annotations

import dataclasses

from _common import irr_percentiles, parse

import dealsim
from dealsim import DeveloperFee, Market, Operations
from dealsim.presets import ohio_gas_power


def main(argv: list[str] | None = None) -> None:
    args = parse(__doc__, argv, "")
    default = ohio_gas_power()
    legacy = dataclasses.replace(default, operations=Operations.legacy(), market=Market(),
                                 fees=(DeveloperFee.softbank_ohio(),))

    def ops(**kw: object) -> Operations:
        return dataclasses.replace(Operations.legacy(), **kw)

    configs = {
        "before issue 11 (legacy, levels, fee at 159)": legacy,
        "+ price and SOFR paths (Market.paths())": dataclasses.replace(
            legacy, market=Market.paths()),
        "+ economic dispatch": dataclasses.replace(legacy, operations=ops(
            dispatch="economic")),
        "+ costly delays": dataclasses.replace(legacy, operations=ops(
            delay_escalation=True, delay_cost=0.02)),
        "+ tax on Japan's half": dataclasses.replace(legacy, operations=ops(
            tax="investor_share")),
        "+ calls as spent on the calendar": dataclasses.replace(legacy, operations=ops(
            funding="as_spent")),
        "+ calls upfront on tranche 1's deadline": dataclasses.replace(
            legacy, operations=ops(funding="upfront")),
        "+ the fee in yen at each year's USD/JPY": dataclasses.replace(
            legacy, fees=default.fees),
        "all of them: the defaults": default,
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
