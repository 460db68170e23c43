"""Test configuration: hypothesis is derandomized on CI.

A CI run must be reproducible: with ``CI`` set (``.ci/run`` sets it, as most CI
services do) hypothesis draws the same examples every run (``derandomize=True``), so a
red run is a real regression, not a new random example. Locally the search stays random
and keeps finding new edge cases; ``HYPOTHESIS_PROFILE=ci`` (or ``default``) overrides.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE",
                                     "ci" if os.environ.get("CI") else "default"))
