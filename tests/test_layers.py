"""The package's layers: imports point down only (an import-linter-style contract).

Each module belongs to a layer by its folder; a module may import its own layer and the
layers below it, never one above -- counting imports inside functions and under
``TYPE_CHECKING``, because a lazy import is still a dependency. The order is the one the
subpackages' docstrings state. A second test imports every path the README, the
examples and the benchmarks show, so that moving a module never breaks them silently.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "dealsim"

#: Bottom to top. ``errors`` and ``_version`` are leaves every layer may use; the front
#: door (``dealsim/__init__``, ``__main__``, ``_compat``) sits above everything.
LAYERS = ("base", "common", "kernels", "model", "finance", "results", "montecarlo",
          "analysis", "presets", "interfaces", "front")
BASE = {"dealsim.errors", "dealsim._version"}


def layer_of(module: str) -> str:
    if module in BASE:
        return "base"
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    return "front"


def module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: pathlib.Path) -> list[tuple[int, str]]:
    """Every dealsim module ``path`` imports, anywhere in the file, with its line."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "dealsim":
                continue
            # `from dealsim.x import y` may name a submodule y: count the submodule
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                is_module = (SRC.parent / sub.replace(".", "/")).with_suffix(".py").exists() \
                    or (SRC.parent / sub.replace(".", "/")).is_dir()
                found.append((node.lineno, sub if is_module else target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name.split(".")[0] == "dealsim"]
    return found


MODULES = sorted(SRC.rglob("*.py"))


def test_every_module_is_in_a_layer() -> None:
    strays = [module_name(p) for p in MODULES
              if layer_of(module_name(p)) == "front"
              and module_name(p) not in ("dealsim", "dealsim.__main__", "dealsim._compat")]
    assert strays == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_down_only(path: pathlib.Path) -> None:
    mine = LAYERS.index(layer_of(module_name(path)))
    upward = [f"line {line}: {target} ({layer_of(target)})" for line, target in imports(path)
              if LAYERS.index(layer_of(target)) > mine]
    assert upward == [], f"{module_name(path)} ({LAYERS[mine]}) imports a layer above it"


def test_the_contract_can_fail() -> None:
    # a kernel that imported the model would be caught
    assert LAYERS.index(layer_of("dealsim.model.deal")) > LAYERS.index(
        layer_of("dealsim.kernels.block"))
    assert layer_of("dealsim.errors") == "base" and layer_of("dealsim") == "front"


def test_no_module_is_over_700_lines() -> None:
    long = {module_name(p): n for p in MODULES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}
    assert long == {}


# -- every import path the README, the examples and the benchmarks show ---------------

_FROM = re.compile(r"^\s*(?:>>> )?from (dealsim(?:\.\w+)*) import \(?([\w, ]+)", re.M)
_DOTTED = re.compile(r"\b(dealsim(?:\.[A-Za-z_]\w*)+)")


def _documented() -> set[tuple[str, str]]:
    """(module, name) for every ``from dealsim.x import name`` and every dotted
    ``dealsim.x.y`` the README and docs show, and every dealsim import of the examples
    and benchmarks (their other text -- logger names, attributes -- is not a path)."""
    found: set[tuple[str, str]] = set()
    for path in [ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("benchmarks/*.md")]:
        if "_build" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for mod, names in _FROM.findall(text):
            found |= {(mod, n.split(" as ")[0].strip()) for n in names.split(",") if n.strip()}
        # (``dealsim.X`` with a one-letter name is prose for "any public name")
        found |= {(d, "") for d in _DOTTED.findall(text)
                  if not any(len(part) == 1 for part in d.split("."))}
    for path in [*ROOT.glob("examples/**/*.py"), *ROOT.glob("benchmarks/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dealsim"):
                found |= {(node.module, a.name) for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {(a.name, "") for a in node.names if a.name.startswith("dealsim")}
    return found


@pytest.mark.parametrize("module, name", sorted(_documented()))
def test_documented_paths_import(module: str, name: str) -> None:
    if name:
        assert hasattr(importlib.import_module(module), name), f"from {module} import {name}"
        return
    # a dotted path: the longest importable module prefix, then attributes
    parts = module.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for attr in parts[k:]:
            obj = getattr(obj, attr)
        return
    pytest.fail(f"{module} does not import")


# -- the flat paths of earlier versions --------------------------------------------------

from dealsim._compat import MOVED  # noqa: E402


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_flat_paths_still_import(old: str) -> None:
    module = importlib.import_module(f"dealsim.{old}")
    for part in MOVED[old]:
        new = importlib.import_module(f"dealsim.{part}")
        for name in getattr(new, "__all__", ()):
            assert getattr(module, name) is getattr(new, name) or any(
                getattr(importlib.import_module(f"dealsim.{p}"), name, None)
                is getattr(module, name) for p in MOVED[old])
