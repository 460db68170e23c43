"""The notebook tour (examples/notebooks/notebook_tour.md) runs, cell by cell, in a
fresh interpreter, and each cell's last expression displays as Jupyter would show it
(its ``_repr_html_`` where it has one, else its ``repr``).

jupytext and nbclient are not dependencies: the MyST text notebook's code cells are
extracted here and run as one script, IPython magics (``%...``) left out.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOUR = ROOT / "examples" / "notebooks" / "notebook_tour.md"

RUNNER = '''
import ast, sys
cells = {cells!r}
ns = {{"__name__": "__main__"}}
for i, src in enumerate(cells):
    tree = ast.parse(src)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, f"cell {{i}}", "exec"), ns)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), f"cell {{i}}", "eval"), ns)
        html = getattr(value, "_repr_html_", None)
        shown = html() if html is not None else repr(value)
        assert isinstance(shown, str) and shown, f"cell {{i}} shows nothing"
        print(f"--- cell {{i}}: {{'html' if html is not None else 'repr'}} {{len(shown)}}")
'''


def code_cells(text: str) -> list[str]:
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S)
    return ["\n".join(line for line in c.splitlines() if not line.lstrip().startswith("%"))
            for c in cells]


def test_tour_is_a_myst_notebook():
    text = TOUR.read_text(encoding="utf-8")
    assert text.startswith("---\njupytext:\n") and "kernelspec:" in text.split("---")[1]
    assert len(code_cells(text)) >= 10


def test_tour_runs_and_every_cell_displays():
    cells = code_cells(TOUR.read_text(encoding="utf-8"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep
           + os.environ.get("PYTHONPATH", ""), "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", RUNNER.format(cells=cells)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    shown = [line for line in out.stdout.splitlines() if line.startswith("--- cell")]
    # the results, summaries, comparison and tables show as HTML
    assert sum(" html " in line for line in shown) >= 7, shown
