"""The sources page's records, cut by section for the guide (run by conf.py at build time).

``docs/sources.md`` is generated from the code's records by
``python -m dealsim.presets.sources``. The model chapter shows, beside each
assumption, the same records: this module calls the same generator at build time and
writes each section's body to ``docs/_generated/sources-<key>.md``, which the chapter
includes, and the whole page to ``docs/guide/sources.md``, the site's sources page.
Nothing is copied by hand, so the site cannot drift from the records. Dollar signs are
escaped on the way (the site reads ``$...$`` as mathematics; the records mean money).
"""

from __future__ import annotations

from pathlib import Path

from dealsim.presets.sources import render

#: Fragment key -> words the section's title contains (one section each).
SECTIONS: dict[str, str] = {
    "presets": "Sources cited by the presets",
    "agreement": "The agreement",
    "overruns": "Cost overruns and delays",
    "tariff": "Tariff counterfactual",
    "funding": "Funding on the calendar",
    "paths": "price paths",
    "operations": "Operations",
    "reference-classes": "Overrun reference classes",
    "uncertainties": "Default uncertainties",
    "plant": "Plant parameters",
    "gaps": "Known gaps",
}


def escape(text: str) -> str:
    """``$`` -> ``\\$`` outside code spans (MyST's dollar math would read money as TeX)."""
    parts = text.split("`")
    return "`".join(p if i % 2 else p.replace("$", "\\$") for i, p in enumerate(parts))


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def sections(text: str) -> dict[str, str]:
    """Title -> body of each ``## `` section of the rendered page."""
    out: dict[str, str] = {}
    for chunk in text.split("\n## ")[1:]:
        title, _, body = chunk.partition("\n")
        out[title.strip()] = body.strip() + "\n"
    return out


def write(folder: Path) -> None:
    """Write one fragment per entry of :data:`SECTIONS` into ``folder``, and the sources
    page next to the guide."""
    text = render()
    found = sections(text)
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder.parent / "guide" / "sources.md", escape(text))
    for key, words in SECTIONS.items():
        titles = [t for t in found if words.lower() in t.lower()]
        if len(titles) != 1:
            raise RuntimeError(
                f"docs/_sources.py: {len(titles)} sections of the sources page have "
                f"{words!r} in their title (want 1): {sorted(found)}")
        _write(folder / f"sources-{key}.md", escape(found[titles[0]]))
