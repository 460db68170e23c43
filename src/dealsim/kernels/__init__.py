"""Numeric kernels: the per-period steps written once, the IRR, their numba compilation
and one block of scenarios through the model.

Layer 2 of 9. May import :mod:`dealsim.common` (and :mod:`dealsim.errors`); knows
nothing of the value objects, which reach it as NamedTuples of parameters.

- :mod:`~dealsim.kernels.steps` -- one year's cash-flow line, the tier split, path
  steps: plain arithmetic that numpy calls on vectors and numba on scalars.
- :mod:`~dealsim.kernels.irr_core` -- the IRR's shared steps and statuses;
  :mod:`~dealsim.kernels.irr` runs them over arrays (numpy), and
  :mod:`~dealsim.kernels.irr_numba` compiles them.
- :mod:`~dealsim.kernels.fused` -- the numba kernel that runs a block in one pass.
- :mod:`~dealsim.kernels.block` -- one block through the model: picks the backend.
"""
