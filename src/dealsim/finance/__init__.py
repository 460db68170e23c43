"""Finance on the model's objects: cash-flow lines, the MOU waterfall (both readings),
the funding calendar and the Deemed Allocation Amount, the yen fee, metrics (IRR, NPV,
MOIC, payback) and :func:`evaluate`, which composes them for one scenario or a batch.

Layer 4 of 9. May import :mod:`dealsim.model`, :mod:`dealsim.kernels` and
:mod:`dealsim.common`.
"""
