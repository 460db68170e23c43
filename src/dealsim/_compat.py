"""The flat module paths of dealsim 0.x before the layer subpackages, kept importable.

``import dealsim.operations`` or ``from dealsim.results import Summary`` (paths that
earlier versions documented) resolve to the modules' homes in the layer subpackages.
Each old path is a small namespace that looks every name up in the module(s) that now
hold it, in order (``dealsim.operations.Operations is dealsim.Operations``); it is never
the new module itself, so the new module's ``__spec__`` stays its own. New code should import from
the front door (``dealsim.X``) or from the layer subpackages; this table is the only
place that knows the old names.

The finder is appended to :data:`sys.meta_path` once, when :mod:`dealsim` is imported,
and answers only for the names in :data:`MOVED`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

#: Old module (below ``dealsim.``) -> the modules that now hold its names, in lookup
#: order. ``dealsim.waterfall`` is not here: that name is the function
#: :func:`dealsim.waterfall`, which importing a module of the same name would replace
#: (the module is :mod:`dealsim.finance.waterfall`).
MOVED: dict[str, tuple[str, ...]] = {
    "_engine": ("montecarlo.engine",),
    "_facts": ("common.facts",),
    "_irr_core": ("kernels.irr_core",),
    "_irr_numba": ("kernels.irr_numba",),
    "_kernels": ("kernels.block",),
    "_kernels_numba": ("kernels.fused",),
    "_names": ("common.names",),
    "_outputs": ("common.outputs",),
    "_serial": ("common.serial",),
    "_steps": ("kernels.steps",),
    "_validate": ("common.validate",),
    "capital_calls": ("finance.capital_calls",),
    "cashflows": ("finance.cashflows",),
    "cli": ("interfaces.cli",),
    "copula": ("montecarlo.copula",),
    "deal": ("model.deal", "finance.evaluation"),
    "decision": ("analysis.decision", "analysis.threat", "analysis.policy",
                 "interfaces.decide"),
    "distributions": ("montecarlo.distributions",),
    "fees": ("model.fees",),
    "funding": ("finance.funding",),
    "fx": ("analysis.fx",),
    "io": ("interfaces.io",),
    "market": ("model.market",),
    "metrics": ("finance.metrics", "kernels.irr"),
    "operations": ("model.operations",),
    "paths": ("model.paths",),
    "plot": ("analysis.plot",),
    "portfolio": ("montecarlo.portfolio", "model.portfolio", "results.portfolio"),
    "project": ("model.project",),
    "reference_classes": ("montecarlo.reference_classes",),
    "sampling": ("montecarlo.sampling", "common.seeds"),
    "scenario": ("interfaces.scenario",),
    "streaming": ("montecarlo.streaming",),
    "terms": ("model.terms",),
    "uncertainty": ("montecarlo.uncertainty",),
    "yen_fee": ("finance.yen_fee",),
}

#: Names of the old ``dealsim.results`` and ``dealsim.montecarlo`` modules, whose paths
#: are now packages: their ``__getattr__`` looks names up here.
PACKAGE_PARTS: dict[str, tuple[str, ...]] = {
    "results": ("results.simulation", "results.summary", "results.sensitivity",
                "montecarlo.collect"),
    "montecarlo": ("montecarlo.run",),
}


def lookup(parts: tuple[str, ...], name: str) -> Any:
    """``name`` from the first of ``parts`` (below ``dealsim.``) that defines it."""
    for part in parts:
        module = importlib.import_module(f"dealsim.{part}")
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"none of {['dealsim.' + p for p in parts]} defines {name!r}")


class _MovedModule(types.ModuleType):
    """An old module path: its attributes are looked up in the modules that hold them."""

    def __init__(self, name: str, parts: tuple[str, ...]) -> None:
        super().__init__(name, f"Moved: the names of {name} live in "
                               + ", ".join(f"dealsim.{p}" for p in parts) + ".")
        self.__dict__["_parts"] = parts

    def __getattr__(self, name: str) -> Any:
        parts = self.__dict__["_parts"]
        if name == "__all__":
            modules = [importlib.import_module(f"dealsim.{p}") for p in parts]
            return sorted({n for m in modules for n in getattr(m, "__all__", ())})
        if name.startswith("__"):
            raise AttributeError(name)
        return lookup(parts, name)


class _Loader(importlib.abc.Loader):
    def __init__(self, parts: tuple[str, ...]) -> None:
        self.parts = parts

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _MovedModule(spec.name, self.parts)

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        prefix, _, rest = fullname.partition(".")
        if prefix != "dealsim" or rest not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(MOVED[rest]))


def install() -> None:
    """Append the finder to :data:`sys.meta_path` (once per process)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
