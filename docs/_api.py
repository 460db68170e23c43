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
    "errors": "Errors",
}


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _layered() -> bool:
    return all(_module(f"dealsim.{layer}") is not None for layer in ("model", "finance"))


def _homes() -> dict[tuple[str, int], tuple[str, str]]:
    """``(name, id(object))`` -> ``(layer, module)`` of the first layer module that
    lists it in its ``__all__``."""
    import pkgutil

    import dealsim

    out: dict[tuple[str, int], tuple[str, str]] = {}
    for info in pkgutil.walk_packages(dealsim.__path__, "dealsim."):
        parts = info.name.split(".")
        if parts[1] not in LAYERS:
            continue
        mod = _module(info.name)
        for name in getattr(mod, "__all__", ()) if mod else ():
            if hasattr(mod, name):
                out.setdefault((name, id(getattr(mod, name))), (parts[1], info.name))
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
            group, path = space, f"{space}.{name}"
            if layered:
                home = getattr(obj, "__module__", None) if _kind(obj) != "Constants" else None
                parts = (home or space).split(".")
                layer, module = homes.get((name, id(obj)), (parts[1] if len(parts) > 1
                                                             else space, space))
                group = layer
                if home == "dealsim.errors" or space == "dealsim.errors":
                    group = "errors"
                if space != "dealsim":
                    # documented at its home in the layers (a constant where its ``#:``
                    # comment is), not at an older flat path that re-exports it
                    path = f"{module}.{name}"
                if group not in LAYERS:
                    group = space
            out.setdefault(group, []).append((_kind(obj), path))
    return out


def _myst_roles(text: str) -> str:
    """reST roles (``:class:`X```) as MyST roles (``{class}`X```)."""
    import re

    return re.sub(r":(\w+):`", r"{\1}`", text)


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


INDEX = """# API reference

Generated from the docstrings. Each public name appears once, at the path you import
it from; names exported by `import dealsim` are listed as `dealsim.X`. The pages follow
the package's layers, from the shared foundations up to the interfaces (the kernels
layer has no public names).

```{toctree}
:maxdepth: 1

"""


def write(folder: Path) -> list[str]:
    """Write ``index.md`` and one page per group (``<group>.md``) into ``folder``, and
    remove autosummary pages of names that are no longer public; return the pages."""
    groups = entries()
    order = [g for g in LAYERS if g in groups] + sorted(g for g in groups if g not in LAYERS)
    if not _layered():
        order = [g for g in PUBLIC if g in groups]
    names = []
    for group in order:
        if group in LAYERS and _layered():
            title = f"{LAYERS[group]} (`dealsim.{group}`)"
            doc = (_module(f"dealsim.{group}").__doc__ or "").strip().split("\n\n")[0]
        else:
            title = f"`{group}`"
            doc = ((_module(group).__doc__ or "").strip().split("\n\n")[0])
        page = _page(title, _myst_roles(doc.replace("\n", " ")), groups[group])
        name = group.replace("dealsim.", "") or "dealsim"
        _write(folder / f"{name}.md", page)
        names.append(name)
    _write(folder / "index.md", INDEX + "\n".join(names) + "\n```\n")
    public = {path for items in groups.values() for _, path in items}
    for stub in (folder / "generated").glob("*.rst"):
        if stub.stem not in public:
            stub.unlink()
    return names


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)  # (docs/api/ is not in a fresh clone)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
