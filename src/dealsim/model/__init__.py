"""The value objects a user builds: :class:`Project`, :class:`DealTerms`,
:class:`DeveloperFee`, :class:`Operations`, :class:`Market` with its price and rate paths,
:class:`Deal`, and a portfolio's :class:`CommonFactor` and :class:`FundingSplit`.

Layer 3 of 9. May import :mod:`dealsim.kernels` and :mod:`dealsim.common`. Frozen,
validated dataclasses: bad input is refused when the object is built.
"""
