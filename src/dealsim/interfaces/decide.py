"""Fund or decline from a scenario file (``dealsim decide SCENARIO.toml``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dealsim.analysis.decision import fund_or_decline
from dealsim.analysis.threat import TariffThreat

if TYPE_CHECKING:  # the Monte Carlo and results modules load scipy.stats: imported on use
    pass

__all__ = ["decide_scenario"]

F64 = NDArray[np.float64]


def decide_scenario(path: Any, *, n: int | float | None = None, seed: int | None = None,
                    threat: TariffThreat | None = None, executor: Any = None) -> str:
    """``dealsim decide SCENARIO.toml``: the scenario's deal, funded or declined, as text.

    ``n`` and ``seed`` default to the scenario's ``[simulation]`` values (else 100,000
    and 2025). Returns the summary, the threat's parameters and its tornado.
    """
    from dealsim.interfaces.scenario import load_scenario

    sc = load_scenario(path)
    n = n if n is not None else sc.simulation.get("n", 100_000)
    seed = seed if seed is not None else sc.simulation.get("seed", 2025)
    res = fund_or_decline(sc.deal, threat, n, seed=seed, uncertainties=sc.uncertainties,
                          sampler=sc.simulation.get("sampler", "random"), executor=executor)
    lines = [str(res.summary()), "", res.threat.describe(), "",
             "tornado of P(funding beats declining) over the threat's parameters:"]
    for bar in res.tornado():
        lines.append(f"  {bar.name:<17} {bar.low_input:>9.4g} -> {bar.low['p_fund_better']:.4f}"
                     f"   {bar.high_input:>9.4g} -> {bar.high['p_fund_better']:.4f}")
    return "\n".join(lines)
