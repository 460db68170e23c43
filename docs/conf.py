"""Sphinx configuration of the dealsim site (build: see docs/README.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SRC = DOCS.parent / "src"
# the build reads the package from this checkout, and so do the notebooks' kernels
sys.path.insert(0, str(SRC))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
os.environ.setdefault("MPLBACKEND", "Agg")

sys.path.insert(0, str(DOCS))
import _api  # noqa: E402  (docs/_api.py: the API pages from the package's __all__)
import _sources  # noqa: E402  (docs/_sources.py: the sources page's records, by section)

import dealsim  # noqa: E402

project = "dealsim"
author = "the dealsim authors"
copyright = "the dealsim authors, MIT licence"  # noqa: A001
release = dealsim.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_copybutton",
]

exclude_patterns = ["_build", "_generated", "README.md", "sources.md", "**.ipynb_checkpoints",
                    "jupyter_execute"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["dealsim.css"]

# --- MyST and the executed notebooks ------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
# executed at build time, kept in the build's cache until a notebook changes
nb_execution_mode = os.environ.get("DEALSIM_DOCS_EXECUTE", "cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# --- API reference ------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()


# --- HTML ---------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"dealsim {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": []}


# written before Sphinx reads the sources: the API pages and the sources fragments
_api.write(DOCS / "api")
_sources.write(DOCS / "_generated")
