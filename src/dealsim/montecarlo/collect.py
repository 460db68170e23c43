"""Collecting blocks of scenarios, in block order, into one :class:`SimulationResult`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.montecarlo.engine import Collector
from dealsim.results.simulation import _ARRAYS, SimulationResult

F64 = NDArray[np.float64]


class BlockCollector(Collector):
    """:class:`dealsim.montecarlo.engine.Collector` that builds a :class:`SimulationResult`.

    Blocks map output names, ``"in:<input>"`` and ``"path:<name>"`` to arrays.
    """

    def add(self, block: Mapping[str, NDArray[Any]], rows: int | None = None) -> None:
        """Append one block's rows (blocks must arrive in block order)."""
        super().add(block, int(np.shape(block["investor_npv"])[0]) if rows is None else rows)

    def result(self, **meta: Any) -> SimulationResult:
        """The scenarios collected so far as a :class:`SimulationResult`."""
        filled = self.filled()
        arrays: dict[str, Any] = {k: filled[k] for k in _ARRAYS}
        inputs = {k[3:]: x for k, x in filled.items() if k.startswith("in:")}
        return SimulationResult(inputs=inputs, paths=self.paths(), **arrays, **meta)


def concat_blocks(
    blocks: Sequence[Mapping[str, NDArray[Any]]], **meta: Any
) -> SimulationResult:
    """Join per-block dictionaries of arrays, in block order, into one result."""
    collector = BlockCollector(sum(int(np.shape(b["investor_npv"])[0]) for b in blocks))
    for block in blocks:
        collector.add(block)
    return collector.result(**meta)
