"""The default build of each deal preset, by deal name, for
:mod:`dealsim.common.baselines` (what a run changes from its preset)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["default_deal_data"]

_DEFAULTS: dict[str, Mapping[str, Any]] | None = None


def default_deal_data(name: str) -> Mapping[str, Any] | None:
    """Plain data of the deal preset whose default build is named ``name``, else None.

    Examples
    --------
    >>> from dealsim.presets import ohio_gas_power
    >>> default_deal_data(ohio_gas_power().name)["project"]["price"]
    85.0
    >>> default_deal_data("no such deal") is None
    True
    """
    global _DEFAULTS
    if _DEFAULTS is None:
        from dealsim.presets.catalog import catalog

        built = [p.build() for p in catalog().values() if p.kind == "deal"]
        _DEFAULTS = {d.name: d.to_dict() for d in built}
    return _DEFAULTS.get(name)
