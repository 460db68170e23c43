"""Public-data deals, reference cases, terms and tables, each with its sources.

Every figure traces to ``shared/reference/deal-facts.md`` (cited in each preset) or
is listed in the preset's ``assumptions``. :func:`catalog` returns every preset by
name; the builders are importable directly too.

The published figures that the core's own named constructors use
(:meth:`dealsim.DealTerms.japan_2025`, :meth:`dealsim.DeveloperFee.softbank_ohio`, the
reference classes and default delays of :mod:`dealsim.uncertainty`) live beside these
builders in :mod:`dealsim._facts`, a data module that imports nothing from dealsim, so
the core reads them without importing this package (which imports the core).

Examples
--------
>>> from dealsim.presets import catalog
>>> sorted(catalog())[:3]
['gas_tranche2', 'georgia_diamond', 'japan_2025']
>>> print(catalog()["pledges"].sources[-1])
Nikkei table of pledges: EU $600bn, Taiwan $250bn (TSMC-centred) (2026-02) [seed]
"""

from .catalog import PLEDGES, Preset, Source, catalog, pledges
from .deals import gas_tranche2, georgia_diamond, ohio_gas_power, smr_tranche2, texas_gulflink
from .reference import ReferenceCase, nuscale_cfpp, vogtle_3_4

__all__ = [
    "PLEDGES",
    "Preset",
    "ReferenceCase",
    "Source",
    "catalog",
    "gas_tranche2",
    "georgia_diamond",
    "nuscale_cfpp",
    "ohio_gas_power",
    "pledges",
    "smr_tranche2",
    "texas_gulflink",
    "vogtle_3_4",
]
