"""The API reference pages, written from the package's ``__all__`` lists at build time.

Every public name appears once, at its public path (``dealsim.X`` for the names of
``dealsim.__all__``, else the first public module that lists it), on the page of the
package layer that defines it (``dealsim.<layer>.…``). A package without layer
subpackages is grouped by public namespace instead. conf.py calls :func:`write`;
autosummary then writes one page per name under ``api/generated/``.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

#: Namespaces the README promises, then the modules whose names the guide uses.
PUBLIC: tuple[str, ...] = (
    "dealsim", "dealsim.presets", "dealsim.uncertainty", "dealsim.plot", "dealsim.io",
    "dealsim.scenario", "dealsim.streaming", "dealsim.portfolio", "dealsim.errors",
    "dealsim.decision", "dealsim.market", "dealsim.operations", "dealsim.paths",
    "dealsim.fx", "dealsim.funding", "dealsim.capital_calls", "dealsim.yen_fee",
    "dealsim.results",
)
#: The package's layers, bottom up, and what each holds.
LAYERS: dict[str, str] = {
    "common": "Validation, serialisation and sourced facts",
    "kernels": "Per-period steps, the IRR core and their numba compilation",
    "model": "What a user builds: projects, terms, fees, operations, markets, deals",
    "finance": "Cash-flow lines, the waterfall, the funding calendar, metrics, FX",
    "results": "Simulation results, summaries and sensitivity",
    "montecarlo": "Distributions, copula, samplers, the engine, streaming, portfolios",
    "analysis": "Fund or decline, and plots",
    "presets": "The announced deal as data, with its sources",
    "interfaces": "Scenario files, input/output and the command line",
}


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _layered() -> bool:
    return all(_module(f"dealsim.{layer}") is not None for layer in ("model", "finance"))


def _homes() -> dict[tuple[str, int], str]:
    """``(name, id(object))`` -> the layer whose modules list it in their ``__all__``."""
    import pkgutil

    import dealsim

    out: dict[tuple[str, int], str] = {}
    for info in pkgutil.walk_packages(dealsim.__path__, "dealsim."):
        parts = info.name.split(".")
        if parts[1] not in LAYERS:
            continue
        mod = _module(info.name)
        for name in getattr(mod, "__all__", ()) if mod else ():
            if hasattr(mod, name):
                out.setdefault((name, id(getattr(mod, name))), parts[1])
    return out


def _kind(obj: Any) -> str:
    if inspect.isclass(obj):
        return "Exceptions" if issubclass(obj, BaseException) else "Classes"
    if callable(obj):
        return "Functions"
    return "Constants"


def entries() -> dict[str, list[tuple[str, str]]]:
    """Group -> ``(kind, public path)`` of every public name, each once."""
    layered = _layered()
    homes = _homes() if layered else {}
    spaces = list(PUBLIC) + ([f"dealsim.{layer}" for layer in LAYERS] if layered else [])
    seen: set[tuple[str, int]] = set()
    out: dict[str, list[tuple[str, str]]] = {}
    for space in spaces:
        mod = _module(space)
        if mod is None:
            continue
        for name in getattr(mod, "__all__", ()):
            if name.startswith("__"):
                continue
            obj = getattr(mod, name)
            if (name, id(obj)) in seen:
                continue
            seen.add((name, id(obj)))
            group = space
            if layered:
                home = getattr(obj, "__module__", None) if _kind(obj) != "Constants" else None
                parts = (home or space).split(".")
                group = homes.get((name, id(obj)), parts[1] if len(parts) > 1 else space)
                if group not in LAYERS:
                    group = space
            out.setdefault(group, []).append((_kind(obj), f"{space}.{name}"))
    return out


def _page(title: str, intro: str, items: list[tuple[str, str]]) -> str:
    lines = [f"# {title}", "", intro, ""]
    for kind in ("Classes", "Functions", "Exceptions", "Constants"):
        names = [path for k, path in items if k == kind]
        if not names:
            continue
        lines += [f"## {kind}", "", "```{eval-rst}", ".. autosummary::",
                  "   :toctree: generated", "   :nosignatures:", ""]
        lines += [f"   {path}" for path in names] + ["```", ""]
    return "\n".join(lines)


def write(folder: Path) -> list[str]:
    """Write one page per group into ``folder`` (``NN-group.md``); return their names."""
    groups = entries()
    order = [g for g in LAYERS if g in groups] + sorted(g for g in groups if g not in LAYERS)
    if not _layered():
        order = [g for g in PUBLIC if g in groups]
    names = []
    for i, group in enumerate(order, 1):
        if group in LAYERS and _layered():
            title = f"{LAYERS[group]} (`dealsim.{group}`)"
            doc = (_module(f"dealsim.{group}").__doc__ or "").strip().split("\n\n")[0]
        else:
            title = f"`{group}`"
            doc = ((_module(group).__doc__ or "").strip().split("\n\n")[0])
        page = _page(title, doc.replace("\n", " "), groups[group])
        path = folder / f"{i:02d}-{group.replace('dealsim.', '') or 'dealsim'}.md"
        if not path.exists() or path.read_text(encoding="utf-8") != page:
            path.write_text(page, encoding="utf-8")
        names.append(path.stem)
    for stale in folder.glob("[0-9][0-9]-*.md"):
        if stale.stem not in names:
            stale.unlink()
    return names
