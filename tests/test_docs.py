"""The documentation's structure: README links resolve, the API reference lists every
public name once. (The site itself is built and opened in a browser by .ci/docs.)"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import dealsim

ROOT = Path(__file__).resolve().parents[1]


def test_readme_links_point_at_files() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert links
    missing = [link for link in links if "://" not in link and not (ROOT / link).exists()]
    assert not missing
    assert len(readme.splitlines()) <= 200


def test_api_reference_lists_every_public_name_once() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import _api
    finally:
        sys.path.remove(str(ROOT / "docs"))
    paths = [path for items in _api.entries().values() for _, path in items]
    assert len(paths) == len(set(paths))
    names = {p.rsplit(".", 1)[1] for p in paths}
    assert {n for n in dealsim.__all__ if not n.startswith("__")} <= names
