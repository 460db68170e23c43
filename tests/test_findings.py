"""examples/findings.py regenerates every row of the README's findings table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH"))
                                        if p)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "findings.py"), "--n", "1500",
         "--n-portfolio", "300", "--seed", "7"],
        capture_output=True, text=True, env=env, cwd=tmp_path_factory.mktemp("f"),
        timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _questions(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\| ([^|]+?) \| [^|]+ \| `python examples/",
                                            text, flags=re.M)]


def test_every_readme_row_is_printed_by_the_script(findings: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## What dealsim says about the deal"):]
    table = table[: table.index("\n## ", 5)]
    wanted, printed = _questions(table), _questions(findings)
    assert wanted and wanted == printed


def test_the_list_of_what_can_be_wrong_is_printed(findings: str) -> None:
    lines = [x for x in findings.splitlines() if x.startswith("- ")]
    assert len(lines) >= 5 and all("P(DAA recovered) 0." in x for x in lines)
    assert "reproduce: python examples/findings.py --n 1500" in findings
