"""Boundary checks shared by every public entry point.

Each helper takes the argument's *name* first so that the error message can say
which argument was wrong, and echoes the offending value with ``!r``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.errors import DealsimError, InvalidCashflowsError, InvalidParameterError

__all__ = [
    "as_cashflows",
    "as_factor",
    "bounded",
    "finite",
    "fraction",
    "integer",
    "numeric_array",
    "positive",
    "rate",
    "text",
    "unicode_ok",
]

# dtype kinds accepted as numbers: signed/unsigned integers and reals. Bools ("b"), complex
# ("c"), strings ("U", "S"), objects ("O") and dates ("M", "m") are refused, not converted.
_REAL_KINDS = "iuf"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def numeric_array(
    name: str, value: ArrayLike, *, error: type[DealsimError] = InvalidParameterError,
) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array, refusing anything that is not a real number.

    Strings (``"1.5"``), bytes, bools, complex numbers, ``None`` and mixed (object) arrays
    are refused rather than converted: ``np.asarray("1.5", dtype=float)`` would parse the
    string and ``True`` would become 1.0.

    Raises
    ------
    DealsimError
        ``error`` (default :class:`InvalidParameterError`), naming ``name`` and echoing
        the value.

    Examples
    --------
    >>> numeric_array("overrun", [1, 1.5])
    array([1. , 1.5])
    >>> numeric_array("overrun", "1.5")
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: overrun must be real numbers, not str; got '1.5'
    """
    if isinstance(value, (str, bytes)):
        raise error(f"{name} must be real numbers, not {type(value).__name__}; "
                    f"got {_short(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nesting
        raise error(f"{name} must be numeric; got {_short(value)}") from exc
    if arr.dtype.kind in "iuf" and isinstance(value, (list, tuple)) and _has_bool(value):
        # numpy turns [-100, True] into integers: look at the elements
        raise error(f"{name} must be real numbers, not bool; got {_short(value)}")
    if arr.dtype.kind not in _REAL_KINDS:
        kind = {"b": "bool", "c": "complex", "U": "str", "S": "bytes"}.get(arr.dtype.kind)
        what = f"real numbers, not {kind}" if kind else "numeric"
        raise error(f"{name} must be {what}; got {_short(value)}")
    return arr.astype(np.float64, copy=False)


def _has_bool(values: list[Any] | tuple[Any, ...]) -> bool:
    stack: list[Any] = [values]
    while stack:
        for x in stack.pop():
            if isinstance(x, (bool, np.bool_)) or (
                    isinstance(x, np.ndarray) and x.dtype.kind == "b"):
                return True  # np.array(True) among numbers becomes 1 too
            if isinstance(x, (list, tuple)):
                stack.append(x)
    return False


def as_cashflows(name: str, values: ArrayLike) -> NDArray[np.float64]:
    """Return ``values`` as a float64 array with time on the last axis.

    Raises
    ------
    InvalidCashflowsError
        If the array is 0-d, has no periods, is not real numbers (strings, bools and
        complex numbers are refused, not converted), or holds NaN/inf.
    """
    arr = numeric_array(name, values, error=InvalidCashflowsError)
    if arr.ndim == 0:
        raise InvalidCashflowsError(
            f"{name} must have at least one axis (time is the last axis); "
            f"got a scalar {arr.item()!r}"
        )
    if arr.shape[-1] == 0:
        raise InvalidCashflowsError(f"{name} must have at least one period; got shape {arr.shape}")
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise InvalidCashflowsError(
            f"{name} must be finite; got {arr[tuple(bad)]!r} at index {tuple(int(i) for i in bad)}"
        )
    return arr


def as_factor(
    name: str, value: ArrayLike, *, low: float = 0.0, low_open: bool = False,
    high: float = math.inf,
) -> NDArray[np.float64]:
    """Return a finite float64 array (scalar or over scenarios) within ``[low, high]``.

    Strings, bools and complex numbers are refused (see :func:`numeric_array`).
    """
    arr = numeric_array(name, value)
    if not np.isfinite(arr).all():
        raise InvalidParameterError(f"{name} must be finite; got {_short(value)}")
    if arr.size:
        lo_bad = (arr <= low) if low_open else (arr < low)
        if lo_bad.any() or (arr > high).any():
            bad = float(arr[lo_bad | (arr > high)].flat[0])
            lo = "(" if low_open else "["
            raise InvalidParameterError(
                f"{name} must be in {lo}{low:g}, {high:g}]; got {bad!r}"
            )
    return arr


def finite(name: str, value: Any) -> float:
    """Return ``value`` as a finite float (strings, bools and complex numbers are refused,
    not parsed)."""
    if isinstance(value, (str, bytes, bool, np.bool_, complex, np.complexfloating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind not in _REAL_KINDS
    ):
        raise InvalidParameterError(f"{name} must be a real number; got {_short(value)}")
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"{name} must be a real number; got {_short(value)}") from exc
    if not math.isfinite(out):
        raise InvalidParameterError(f"{name} must be finite; got {value!r}")
    return out


def positive(name: str, value: Any, *, allow_zero: bool = False,
             high: float = math.inf) -> float:
    """Return ``value`` as a finite float that is > 0 (or >= 0 with ``allow_zero``) and
    at most ``high``."""
    out = finite(name, value)
    if out < 0 or (out == 0 and not allow_zero):
        rel = ">= 0" if allow_zero else "> 0"
        raise InvalidParameterError(f"{name} must be finite and {rel}; got {value!r}")
    if out > high:
        raise InvalidParameterError(f"{name} must be <= {high:g}; got {value!r}")
    return out


#: Bounds of the value objects' numbers (``Project``, ``DealTerms``, ``Deal``,
#: ``DeveloperFee``, ``SofrPaths``): far outside any real project, and narrow enough that
#: the model's float64 arithmetic stays finite and warning-free. A money amount (USD, or
#: the fee's currency) or a price per unit: at most 1e15 (ten times world GDP; a price of
#: 1e300 overflowed the revenue's sum); the capex, which MOIC divides by, at least a tenth
#: of a cent (1e-3; at 1e-300 received / paid overflowed). Other amounts may be 0.
MONEY_MIN, MONEY_MAX = 1e-3, 1e15
#: A capacity (MW, bbl/d, t/yr) or a capacity target: 1e-3 to 1e9 of its unit (1e9 MW is
#: a hundred times the world's generating capacity).
CAPACITY_MIN, CAPACITY_MAX = 1e-3, 1e9
#: The highest rate, escalation or spread: 10 (1000% a year); at 1e10 a cost escalation
#: overflowed to inf * 0 = NaN in the first year.
RATE_MAX = 10.0
#: The lowest discount-grade rate (a deemed rate, a discount rate, a spread): -0.5 (-50%
#: a year, against real rates never below about -1%). Discounting at a rate near -1
#: multiplies by 1 / (1 + r) a year, which overflowed the NPV to inf at -0.999999999;
#: at -0.5 the factor doubles a year, 2 ** 1000 ~ 1e301 over the longest grid.
DISCOUNT_MIN = -0.5


def bounded(name: str, value: Any, low: float, high: float, *, low_open: bool = False,
            why: str = "") -> float:
    """Return ``value`` as a finite float in ``[low, high]`` (``(low, high]`` with
    ``low_open``); ``why`` (a unit, a reason) is appended to the message.

    Examples
    --------
    >>> bounded("capex", 2e9, MONEY_MIN, MONEY_MAX)
    2000000000.0
    >>> bounded("fixed_om", 0, 0.0, MONEY_MAX)
    0.0
    >>> bounded("capex", 1e-300, MONEY_MIN, MONEY_MAX, why="USD")
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: capex must be in [0.001, 1e+15] (USD); got 1e-300
    """
    out = finite(name, value)
    if (out <= low if low_open else out < low) or out > high:
        lo = "(" if low_open else "["
        note = f" ({why})" if why else ""
        raise InvalidParameterError(
            f"{name} must be in {lo}{low:g}, {high:g}]{note}; got {value!r}")
    return out


def fraction(name: str, value: Any, *, allow_zero: bool = False, allow_one: bool = True) -> float:
    """Return ``value`` as a float in (0, 1] (bounds adjustable)."""
    out = finite(name, value)
    lo_ok = out >= 0 if allow_zero else out > 0
    hi_ok = out <= 1 if allow_one else out < 1
    if not (lo_ok and hi_ok):
        lo = "[" if allow_zero else "("
        hi = "]" if allow_one else ")"
        raise InvalidParameterError(f"{name} must be in {lo}0, 1{hi}; got {value!r}")
    return out


def rate(name: str, value: Any) -> float:
    """Return ``value`` as a periodic rate: a finite float > -1 (decimals, not percent)."""
    out = finite(name, value)
    if out <= -1:
        raise InvalidParameterError(f"{name} must be a decimal rate > -1; got {value!r}")
    return out


#: The largest integer a count or a year may be: it must fit numpy's and numba's int64
#: (a larger one raised OverflowError in the compiled kernel, or was typed uint64 there).
INT64_MAX = 2**63 - 1


def integer(name: str, value: Any, *, minimum: int = 0, maximum: float = INT64_MAX) -> int:
    """Return ``value`` as an ``int`` in ``[minimum, maximum]`` (bools and non-integral
    floats refused; ``maximum`` defaults to the largest int64; a caller with its own,
    clearer bound passes ``math.inf`` and checks after).

    Examples
    --------
    >>> integer("installments", 2**63, minimum=1)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: installments must be an integer in \
[1, 9223372036854775807]; got 9223372036854775808
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise InvalidParameterError(f"{name} must be an integer; got {_short(value)}")
    out = int(value)
    if out < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if out > maximum:
        raise InvalidParameterError(
            f"{name} must be an integer in [{minimum}, {maximum}]; got {_short(value)}")
    return out


def unicode_ok(value: str) -> bool:
    """Whether ``value`` is valid Unicode text (no lone surrogate such as ``"\\ud800"``,
    which JSON can spell but no file, terminal or response encoder can encode)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unicode(name: str, value: str) -> str:
    """``value`` if :func:`unicode_ok`, else an error naming ``name``."""
    if not unicode_ok(value):
        raise InvalidParameterError(
            f"{name} must be valid Unicode text (no lone surrogates); got {_short(value)}")
    return value


def text(name: str, value: Any, *, allow_empty: bool = True) -> str:
    """Return ``value`` if it is a ``str`` (numbers and ``None`` are refused, not converted;
    so is a string with a lone surrogate, which cannot be printed or saved).

    Examples
    --------
    >>> text("name", 5)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: name must be a str; got 5
    """
    if not isinstance(value, str) or (not allow_empty and not value):
        kind = "a non-empty str" if not allow_empty else "a str"
        raise InvalidParameterError(f"{name} must be {kind}; got {_short(value)}")
    return _unicode(name, value)


def strings(name: str, value: Any) -> tuple[str, ...]:
    """Return ``value`` as a tuple of str (a list or tuple of str; a bare str is refused).

    Examples
    --------
    >>> strings("sources", ["a", "b"])
    ('a', 'b')
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or not all(
        isinstance(s, str) for s in value
    ):
        raise InvalidParameterError(f"{name} must be a tuple of str; got {_short(value)}")
    return tuple(_unicode(f"{name}[{i}]", s) for i, s in enumerate(value))
