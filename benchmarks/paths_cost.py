"""What the owner's economics of issue #11 cost: simulate(ohio) with paths and operations.

Ratios against the default (one level per scenario, today's operations) timed side by
side in the same process, medians of 5 repeats, on each backend::

    PYTHONPATH=src python benchmarks/paths_cost.py
"""

from __future__ import annotations

import dataclasses
import statistics
import time

import dealsim
from dealsim.market import Market
from dealsim.operations import Operations
from dealsim.presets import ohio_gas_power


def main() -> None:
    base = ohio_gas_power()
    configs = {
        "levels (default)": base,
        "Market.paths()": dataclasses.replace(base, market=Market.paths()),
        "Operations.owner()": dataclasses.replace(base, operations=Operations.owner()),
        "funding='upfront'": dataclasses.replace(base, operations=Operations(funding="upfront")),
    }
    for backend, n in (("numba", 200_000), ("numpy", 100_000)):
        for deal in configs.values():
            dealsim.simulate(deal, 20_000, seed=1, backend=backend)  # compile, warm caches
        times: dict[str, list[float]] = {k: [] for k in configs}
        for _ in range(5):
            for label, deal in configs.items():
                t0 = time.perf_counter()
                dealsim.simulate(deal, n, seed=1, backend=backend, paths=0)
                times[label].append(time.perf_counter() - t0)
        ref = statistics.median(times["levels (default)"])
        print(f"{backend}, n={n:,}: " + "; ".join(
            f"{k} {statistics.median(v):.2f} s (x{statistics.median(v) / ref:.2f})"
            for k, v in times.items()))


if __name__ == "__main__":
    main()
