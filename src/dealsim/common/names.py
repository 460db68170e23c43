"""The names of the model's uncertain inputs, in one place.

:data:`DRAW_FACTORS` maps each uncertainty name the cash-flow model consumes to the
:func:`dealsim.evaluate` keyword it drives; :data:`REPORT_ONLY` lists the names that are
drawn and stored for reporting but drive no cash flow. Any other name is a misspelling
(``overun``) and is refused by :func:`check_names`, which suggests the nearest valid name.

This module imports nothing from the package but :mod:`dealsim.errors`, so the lowest
layers (:mod:`dealsim.montecarlo.uncertainty`, :mod:`dealsim.finance.evaluation`,
:mod:`dealsim.interfaces.scenario`) share it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dealsim.errors import UnknownNameError

__all__ = ["DRAW_FACTORS", "REPORT_ONLY", "STANDARD_NAMES", "check_names", "suggest"]

#: Uncertainty name -> the :func:`dealsim.evaluate` keyword it drives.
DRAW_FACTORS: dict[str, str] = {
    "overrun": "overrun",
    "delay": "delay",
    "capacity": "capacity_achieved",
    "price": "price_factor",
    "fuel": "fuel_factor",
    "utilisation": "utilisation_factor",
    "deemed_rate": "deemed_rate",
}

#: Names drawn and kept in ``result.inputs`` that no project line reads (they are not
#: :func:`dealsim.evaluate` factors), with what they are for.
REPORT_ONLY: dict[str, str] = {
    "usdjpy": "yen per dollar: converts fees in yen (DeveloperFee(currency=\"JPY\")) and the "
              "yen view of dealsim.analysis.fx; every other flow stays in dollars",
}

#: Every name an uncertainty may have: the model's factors, then the reporting inputs.
STANDARD_NAMES: tuple[str, ...] = (*DRAW_FACTORS, *REPORT_ONLY)


def suggest(name: str, valid: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the nearest of ``valid`` (difflib), else ``""``.

    Examples
    --------
    >>> suggest("overun", STANDARD_NAMES)
    "; did you mean 'overrun'?"
    >>> suggest("zzz", STANDARD_NAMES)
    ''
    """
    import difflib  # only on an error path

    close = difflib.get_close_matches(str(name), list(valid), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_names(names: Iterable[str], *, what: str = "uncertainty") -> None:
    """Refuse any name that is not in :data:`STANDARD_NAMES`.

    Raises
    ------
    UnknownNameError
        Naming the first unknown name, the nearest valid one and the valid names.

    Examples
    --------
    >>> check_names(["overrun", "usdjpy"])
    >>> check_names(["overun"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dealsim.errors.UnknownNameError: uncertainty 'overun' is not an input of the model; \
did you mean 'overrun'? ...
    """
    for name in names:
        if name not in STANDARD_NAMES:
            raise UnknownNameError(
                f"{what} {name!r} is not an input of the model{suggest(name, STANDARD_NAMES)}"
                f" (valid: {', '.join(STANDARD_NAMES)})")
