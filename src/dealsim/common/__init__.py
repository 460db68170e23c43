"""Shared foundations: argument checks, name suggestions, the to_dict/from_dict protocol,
sourced facts and citation records, the table of simulation outputs, seeds.

Layer 1 of 9 (the bottom). Modules here import only the standard library, numpy and
:mod:`dealsim.errors`; every other layer may import them.

- :mod:`~dealsim.common.validate` -- checks at the boundary (``v.rate("x", x)``).
- :mod:`~dealsim.common.names` -- uncertainty names and "did you mean" suggestions.
- :mod:`~dealsim.common.serial` -- ``to_dict``/``from_dict`` for the value objects.
- :mod:`~dealsim.common.facts` -- every sourced figure of the deal, in one place.
- :mod:`~dealsim.common.sources` -- :class:`Source`, one citation with its confidence.
- :mod:`~dealsim.common.outputs` -- the table of outputs (name, unit, meaning).
- :mod:`~dealsim.common.seeds` -- ``as_seed_sequence`` and the open unit interval.
- :mod:`~dealsim.common.arrays` -- array type aliases (``F64``).
"""
