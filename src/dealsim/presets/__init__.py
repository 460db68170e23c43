"""Public-data deals, each with its sources and its labelled assumptions.

Every figure traces to ``shared/reference/deal-facts.md`` (cited in each preset) or
is listed in the preset's ``assumptions``.
"""

from .deals import ohio_gas_power

__all__ = ["ohio_gas_power"]
