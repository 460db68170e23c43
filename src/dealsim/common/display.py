"""How results look in a notebook and a terminal: short ``repr`` lines, ``_repr_html_``
tables, and :class:`Report`, the summary object of every result that is not a plain
Monte Carlo run (fund or decline, one evaluation, a portfolio, a portfolio decision).

Every table shows its headline numbers with their unit and, where one exists, their
confidence interval, plus the seed and the backend that reproduce it. All user text
(titles, names) is escaped with :func:`html.escape`. Labels a reader sees say Japan
(the investor) and the US (the host).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

__all__ = ["REPORT_SCHEMA_VERSION", "Report", "Row", "Table", "html_table", "number",
           "short_repr"]

#: Version of the layout :meth:`Report.to_dict` returns; raised on any breaking change.
REPORT_SCHEMA_VERSION = 1

#: How a stored unit prints: stored unit -> (print unit, scale).
PRINT_UNITS: Mapping[str, tuple[str, float]] = {
    "USD": ("bn USD", 1e-9),
    "1/year": ("%", 100.0),
    "probability": ("", 1.0),
    "points": ("points", 1.0),
    "tariff increase (decimal)": ("points", 100.0),
    "decimal": ("", 1.0),
    "x": ("x", 1.0),
    "years": ("years", 1.0),
    "year": ("", 1.0),
}


class Row(NamedTuple):
    """One headline number: stored value (and interval) in ``unit``; ``label`` is what a
    reader sees (Japan / the US)."""

    name: str
    label: str
    value: float
    low: float = math.nan
    high: float = math.nan
    unit: str = ""
    meaning: str = ""


def number(x: Any, unit: str = "") -> str:
    """``x`` (stored in ``unit``) as printed: scaled to :data:`PRINT_UNITS`; NaN as n/a.

    Examples
    --------
    >>> number(-1.5e9, "USD"), number(0.0123, "1/year"), number(0.61, "probability")
    ('-1.500', '1.230', '0.6100')
    >>> number(float("nan"), "USD"), number(2031, "year")
    ('n/a', '2031')
    """
    if x is None:
        return "n/a"
    x = float(x)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if unit == "year":
        return f"{x:.0f}"
    if unit == "probability":
        return f"{x:.4f}"
    _, scale = PRINT_UNITS.get(unit, ("", 1.0))
    return f"{x * scale:.3f}"


def print_unit(unit: str) -> str:
    """The unit a stored ``unit`` prints in (``"USD"`` -> ``"bn USD"``)."""
    return PRINT_UNITS.get(unit, (unit, 1.0))[0]


def interval(row: Row) -> str:
    """``[low, high]`` as printed, or ``""`` when the row has no interval."""
    if math.isnan(float(row.low)) and math.isnan(float(row.high)):
        return ""
    return f"[{number(row.low, row.unit)}, {number(row.high, row.unit)}]"


def short_repr(kind: str, title: str, **fields: Any) -> str:
    """A repr of a few lines: the class and title, then ``n``, seed, backend and so on.

    Examples
    --------
    >>> print(short_repr("SimulationResult", "Ohio", n=1000, seed="7", backend="numba"))
    <SimulationResult 'Ohio'>
    n=1,000, seed=7, backend=numba
    """
    parts = [f"{k}={_meta_value(k, v)}" for k, v in fields.items() if v not in (None, "")]
    head = f"<{kind} {title!r}>"
    return head + ("\n" + ", ".join(parts) if parts else "")


def _meta_value(key: str, value: Any) -> str:
    """Counts with thousands separators (``n=1,000``); anything else as is."""
    if key in ("n", "requested") and isinstance(value, int | np.integer):
        return f"{int(value):,}"
    return str(value)


STYLE = ("<style>.dealsim-table td,.dealsim-table th{padding:2px 8px;text-align:right}"
          ".dealsim-table td:first-child,.dealsim-table th:first-child{text-align:left}"
          "</style>")


def html_table(kind: str, title: str, meta: Mapping[str, Any], rows: Iterable[Row],
               notes: Sequence[str] = ()) -> str:
    """A compact HTML table: caption (kind and title), one line of run metadata, then
    one row per headline number (label, value, interval, unit). Every text is escaped.
    """
    e = html.escape
    meta_text = ", ".join(f"{k} = {_meta_value(k, v)}" for k, v in meta.items()
                          if v not in (None, ""))
    body = "".join(
        f"<tr><td title=\"{e(r.meaning)}\">{e(r.label)}</td><td>{e(number(r.value, r.unit))}"
        f"</td><td>{e(interval(r))}</td><td>{e(print_unit(r.unit))}</td></tr>"
        for r in rows)
    foot = "".join(f"<p style=\"margin:2px 0\">{e(x)}</p>" for x in notes)
    return (f"<div>{STYLE}<strong>{e(kind)}: {e(title)}</strong>"
            f"<div style=\"color:#555\">{e(meta_text)}</div>"
            "<table class=\"dealsim-table\"><thead><tr><th></th><th>value</th>"
            "<th>interval</th><th>unit</th></tr></thead>"
            f"<tbody>{body}</tbody></table>{foot}</div>")


def text_rows(rows: Iterable[Row], width: int = 40) -> list[str]:
    """Rows as aligned text lines: ``label (unit)  value  [low, high]``."""
    out = []
    for r in rows:
        unit = print_unit(r.unit)
        label = f"{r.label} ({unit})" if unit else r.label
        out.append(f"{label:<{width}}{number(r.value, r.unit):>12}  {interval(r)}".rstrip())
    return out


def _json_number(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True, slots=True, eq=False)
class Report:
    """The summary object of a fund-or-decline run, an evaluation, a portfolio or a
    portfolio decision: ``str()`` is the text table, ``_repr_html_`` the notebook table,
    :meth:`to_dict` strict JSON with a ``unit`` per field, :meth:`to_pandas` one row
    per headline number.

    Attributes
    ----------
    kind : str
        What was summarised (``"fund or decline"``, ...).
    title : str
    meta : dict
        ``n``, ``seed``, ``sampler``, ``backend``, ``confidence`` where they apply.
    rows : tuple of Row
        The headline numbers (stored units: USD, 1/year, probability, points, x, years).
    text : str
        The full text table (``str(report)``).
    """

    kind: str
    title: str
    meta: dict[str, Any]
    rows: tuple[Row, ...]
    text: str
    notes: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        meta = {k: self.meta[k] for k in ("n", "seed", "backend") if k in self.meta}
        return short_repr(f"Report {self.kind}", self.title, **meta)

    def __contains__(self, text: str) -> bool:
        """Whether the text table contains ``text`` (as when summaries were strings)."""
        return text in self.text

    def splitlines(self) -> list[str]:
        """The text table's lines."""
        return self.text.splitlines()

    def _repr_html_(self) -> str:
        return html_table(self.kind, self.title, self.meta, self.rows, self.notes)

    def to_dict(self) -> dict[str, Any]:
        """Strict JSON data (``json.dumps(d, allow_nan=False)`` works): ``schema_version``,
        ``kind``, ``title``, the run metadata and ``rows``: per name its ``label``,
        ``unit`` (of the unscaled values), ``value``, ``low``, ``high`` (``null`` where
        undefined or absent) and ``meaning``."""
        rows = {r.name: {"label": r.label, "unit": r.unit, "value": _json_number(r.value),
                         "low": _json_number(r.low), "high": _json_number(r.high),
                         "meaning": r.meaning} for r in self.rows}
        meta = {k: _json_number(v) if isinstance(v, float | int | np.number) else v
                for k, v in self.meta.items()}
        return {"schema_version": REPORT_SCHEMA_VERSION, "kind": self.kind,
                "title": self.title, **meta, "rows": rows}

    def to_pandas(self) -> Any:
        """One row per headline number, indexed by name: ``label``, ``value``, ``low``,
        ``high``, ``unit`` (unscaled values; ``attrs["units"]`` maps each row to its
        unit, ``attrs["title"]`` and ``attrs["seed"]`` say which run)."""
        import pandas as pd

        df = pd.DataFrame(
            [(r.name, r.label, float(r.value), float(r.low), float(r.high), r.unit)
             for r in self.rows],
            columns=["name", "label", "value", "low", "high", "unit"]).set_index("name")
        df.attrs["units"] = {r.name: r.unit for r in self.rows}
        df.attrs["title"] = self.title
        df.attrs["seed"] = self.meta.get("seed")
        return df


@dataclass(frozen=True, slots=True, eq=False)
class Table:
    """A table of columns with units (one scenario's cash flows by year, a comparison):
    ``str()`` aligned text, ``_repr_html_`` an HTML table, :meth:`to_pandas` a DataFrame
    with ``attrs["units"]`` for every column. Values are stored units; text and HTML
    print them scaled (:data:`PRINT_UNITS`).
    """

    title: str
    columns: tuple[str, ...]
    units: tuple[str, ...]
    data: tuple[tuple[Any, ...], ...]  # rows; the first column is the row's label
    notes: tuple[str, ...] = ()

    def _cell(self, j: int, x: Any) -> str:
        if j == 0 or isinstance(x, str):
            return str(x)
        return number(x, self.units[j])

    def _heads(self) -> list[str]:
        return [c if not print_unit(u) or j == 0 else f"{c} ({print_unit(u)})"
                for j, (c, u) in enumerate(zip(self.columns, self.units, strict=True))]

    def __str__(self) -> str:
        heads = self._heads()
        cells = [[self._cell(j, x) for j, x in enumerate(row)] for row in self.data]
        widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(heads)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                             for j, (c, w) in enumerate(zip(cells, widths, strict=True)))

        lines = [self.title, line(heads)] + [line(r) for r in cells]
        return "\n".join(lines + list(self.notes))

    def __repr__(self) -> str:
        return short_repr("Table", self.title, rows=len(self.data),
                          columns=", ".join(self.columns[1:4])
                          + (", ..." if len(self.columns) > 4 else ""))

    def __contains__(self, text: str) -> bool:
        return text in str(self)

    def splitlines(self) -> list[str]:
        """The text table's lines."""
        return str(self).splitlines()

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th>{e(h)}</th>" for h in self._heads())
        body = "".join("<tr>" + "".join(f"<td>{e(self._cell(j, x))}</td>"
                                        for j, x in enumerate(row)) + "</tr>"
                       for row in self.data)
        foot = "".join(f"<p style=\"margin:2px 0\">{e(x)}</p>" for x in self.notes)
        return (f"<div>{STYLE}<strong>{e(self.title)}</strong><table class=\"dealsim-table\">"
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}</div>")

    def to_pandas(self) -> Any:
        """The table as a DataFrame indexed by its first column; ``attrs["units"]``."""
        import pandas as pd

        df = pd.DataFrame(list(self.data), columns=list(self.columns)).set_index(
            self.columns[0])
        df.attrs["units"] = dict(zip(self.columns[1:], self.units[1:], strict=True))
        df.attrs["title"] = self.title
        return df
