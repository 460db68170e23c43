"""Array type aliases shared by the layers above (typing only: nothing here runs)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["F64"]

#: A float64 array of any shape: cash flows (time on the last axis), draws, paths.
F64 = NDArray[np.float64]
