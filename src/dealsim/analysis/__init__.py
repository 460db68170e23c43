"""Questions asked of runs: fund or decline under a tariff threat (:class:`TariffThreat`,
:func:`fund_or_decline`, :func:`decide_portfolio`), yen views and plots.

Layer 7 of 9. May import every layer below. matplotlib is imported by the plotting
functions when first called.
"""
