"""The README's two commands and CI agree (issue 13 §12)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_test_command_and_ci_install_the_same_extras():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2, "the README starts with exactly two commands"
    readme_extras = re.search(r'pip install -e "\.\[([a-z,]+)\]" && python -m pytest -q$',
                              block[1]).group(1)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r'^EXTRAS="([a-z,]+)"', ci, re.M).group(1) == readme_extras
    assert "python -m venv" in ci and ci.rstrip().endswith("python -m pytest -q")
    assert "\nbash .ci/docs\n" in ci  # the documentation site is built and checked too
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = declared["project"]["optional-dependencies"]
    assert set(readme_extras.split(",")) <= set(extras)
    assert declared["project"]["license"] == "MIT"  # an SPDX expression, not a table
