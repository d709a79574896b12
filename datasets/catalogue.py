"""Which data sets the course has, what kind each is, and where its data card lives.

The data cards in ``cards/`` are the catalogue: adding a data set means adding its card. A card
starts with ``# NAME: one-line summary``, has a ``**Kind:** real|synthetic|remote ...`` paragraph
and a ``**Loader:** `medai.datasets...function(...)` `` line (see docs/authoring.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CARDS_DIR = Path(__file__).resolve().parent / "cards"
KINDS = ("real", "synthetic", "remote")

_TITLE = re.compile(r"^#\s+([a-z0-9_]+):\s*(.+)$")
_KIND = re.compile(r"\*\*Kind:\*\*\s*([a-z]+)")
_LOADER = re.compile(r"\*\*Loader:\*\*\s*`(medai\.datasets\.[\w.]+)\(")


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    kind: str  # "real" (ships in an installed package), "synthetic" (seeded generator), "remote"
    summary: str
    loader: str  # the function that loads it, e.g. medai.datasets.images.load_ct_slice


class CardFormatError(ValueError):
    pass


def parse_card(path: Path) -> DatasetEntry:
    """The catalogue entry a card describes; CardFormatError names what the card lacks."""
    text = path.read_text(encoding="utf-8")
    title = _TITLE.match(text.splitlines()[0] if text else "")
    kind, loader = _KIND.search(text), _LOADER.search(text)
    problems = []
    if not title or title.group(1) != path.stem:
        problems.append(f"a first line '# {path.stem}: summary'")
    if not kind or kind.group(1) not in KINDS:
        problems.append(f"a '**Kind:** {'|'.join(KINDS)} ...' paragraph")
    if not loader:
        problems.append("a '**Loader:** `medai.datasets.function(...)`' line")
    if problems:
        raise CardFormatError(f"data card {path.name} needs " + ", ".join(problems))
    return DatasetEntry(path.stem, kind.group(1), title.group(2).strip(), loader.group(1))


def list_datasets() -> list[DatasetEntry]:
    return [parse_card(p) for p in sorted(CARDS_DIR.glob("*.md"))]


def entry(name: str) -> DatasetEntry:
    path = CARDS_DIR / f"{name}.md"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        known = ", ".join(e.name for e in list_datasets())
        raise KeyError(f"no data set named {name!r}; the data sets are: {known}")
    return parse_card(path)


def card(name: str) -> str:
    """The data card of ``name`` (Markdown)."""
    return (CARDS_DIR / f"{entry(name).name}.md").read_text(encoding="utf-8")
