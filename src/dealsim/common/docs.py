r"""Docstring text shared by several functions, written once (as scipy's ``doccer``).

A docstring line that holds only ``%(key)s`` is replaced by ``parts[key]``, every line
of it at that line's indent; nothing else in the docstring changes.

Examples
--------
>>> @fill_doc(x="x : float\n    A number.")
... def f(x):
...     '''Identity.
...
...     Parameters
...     ----------
...     %(x)s
...     '''
>>> print(f.__doc__.splitlines()[4:6])
['    x : float', '        A number.']
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["fill_doc"]

F = TypeVar("F", bound=Callable[..., Any])


def fill(doc: str, parts: dict[str, str]) -> str:
    """``doc`` with each line that is only ``%(key)s`` replaced by ``parts[key]``."""
    lines = []
    for line in doc.split("\n"):
        key = line.strip()
        if key.startswith("%(") and key.endswith(")s") and key[2:-2] in parts:
            line = textwrap.indent(parts[key[2:-2]], line[:len(line) - len(line.lstrip())])
        lines.append(line)
    return "\n".join(lines)


def fill_doc(**parts: str) -> Callable[[F], F]:
    """Decorator: fill the function's docstring's ``%(key)s`` lines from ``parts``."""
    def decorate(func: F) -> F:
        if func.__doc__:  # None under python -OO
            func.__doc__ = fill(func.__doc__, parts)
        return func
    return decorate
