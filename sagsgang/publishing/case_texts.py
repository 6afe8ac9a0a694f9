"""A case's texts written by the secretariat in a TOML file, for `sagsgang sagstekst`.

    punkttype = "orientering"            # beslutning | drøftelse | orientering
    tid = 20                             # minutter: "Anledning (20 min.)"
    lukket = false                       # lukket punkt (Kommunestyrelsesloven § 10)
    anledning = "…"
    sagsfremstilling = \"\"\"
    Afsnit adskilles af en tom linje.

    - punktopstilling skrives med bindestreg
    \"\"\"
    oekonomi = "…"
    lovgrundlag = "…"
    indstiller = "Kommunaldirektøren"
    indstilling = ["at Chefforum tager orienteringen til efterretning."]

    [[bilag]]
    titel = "Datatilsynets skærpede praksis"
    fil = "bilag/datatilsynet.pdf"       # valgfri

Anything wrong is refused with a Danish message naming the file, the key and the fix.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.agenda_items import AttachmentText, CaseText
from models.content import MAX_SLOT_MINUTES, ItemKind

_TEXT_KEYS = {
    "anledning": "occasion",
    "sagsfremstilling": "presentation",
    "oekonomi": "economy",
    "økonomi": "economy",
    "lovgrundlag": "legal_basis",
    "indstiller": "recommender",
}
KNOWN_KEYS = (*_TEXT_KEYS, "punkttype", "tid", "lukket", "indstilling", "bilag")


class CaseTextError(ValueError):
    def __init__(self, path: Path, key: str, problem: str, fix: str) -> None:
        where = f", nøglen '{key}'" if key else ""
        super().__init__(f"Fejl i {path}{where}: {problem} Sådan retter du det: {fix}")


@dataclass(frozen=True)
class CaseTextFile:
    text: CaseText
    closed: bool | None  # None: the file does not say, the case keeps its flag


def read_case_text(path: Path) -> CaseTextFile:
    if not path.is_file():
        raise CaseTextError(path, "", "filen findes ikke.", "angiv stien til en .toml-fil med sagens tekster.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CaseTextError(
            path,
            "",
            f"filen er ikke gyldig TOML ({error}).",
            'ret syntaksen på den linje, fejlen peger på; lange tekster skrives i """…""".',
        ) from None
    return _Reader(path, data).read()


class _Reader:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path, self.data = path, data

    def fail(self, key: str, problem: str, fix: str) -> CaseTextError:
        return CaseTextError(self.path, key, problem, fix)

    def read(self) -> CaseTextFile:
        for key in self.data:
            if key not in KNOWN_KEYS:
                raise self.fail(key, "nøglen kendes ikke.", f"brug {', '.join(KNOWN_KEYS)}.")
        texts = {field: self.text(key) for key, field in _TEXT_KEYS.items() if key in self.data}
        return CaseTextFile(
            CaseText(
                kind=self.kind(),
                slot_minutes=self.slot(),
                points=self.points(),
                attachments=self.attachments(),
                **texts,
            ),
            self.closed(),
        )

    def text(self, key: str) -> str:
        value = self.data[key]
        if not isinstance(value, str):
            raise self.fail(key, f"værdien {value!r} er ikke en tekst.", f'skriv {key} = """…""".')
        return value

    def kind(self) -> ItemKind:
        value = self.data.get("punkttype", ItemKind.DECISION.value)
        try:
            return ItemKind(value)
        except ValueError:
            raise self.fail(
                "punkttype", f"{value!r} er ikke en punkttype.", f"brug {', '.join(repr(k.value) for k in ItemKind)}."
            ) from None

    def slot(self) -> int | None:
        value = self.data.get("tid")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_SLOT_MINUTES:
            raise self.fail(
                "tid",
                f"{value!r} er ikke et antal minutter.",
                f"skriv et helt tal mellem 1 og {MAX_SLOT_MINUTES}, fx tid = 20.",
            )
        return value

    def closed(self) -> bool | None:
        value = self.data.get("lukket")
        if value is not None and not isinstance(value, bool):
            raise self.fail(
                "lukket", f"{value!r} er hverken true eller false.", "skriv lukket = true eller lukket = false."
            )
        return value

    def points(self) -> tuple[str, ...]:
        value = self.data.get("indstilling", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
            raise self.fail(
                "indstilling",
                "indstillingen skal være en liste af punkter med tekst.",
                'skriv fx indstilling = ["at Chefforum tager orienteringen til efterretning."].',
            )
        return tuple(value)

    def attachments(self) -> tuple[AttachmentText, ...]:
        value = self.data.get("bilag", [])
        if not isinstance(value, list):
            raise self.fail(
                "bilag", "bilag skal være en liste.", 'skriv [[bilag]] med titel = "…" (og evt. fil = "…").'
            )
        result = []
        for index, entry in enumerate(value):
            key = f"bilag[{index}]"
            if isinstance(entry, str):
                entry = {"titel": entry}
            if not isinstance(entry, dict) or not isinstance(entry.get("titel"), str) or not entry["titel"].strip():
                raise self.fail(key, "bilaget mangler sin titel.", 'skriv titel = "…" under [[bilag]].')
            if unknown := set(entry) - {"titel", "fil"}:
                raise self.fail(f"{key}.{sorted(unknown)[0]}", "nøglen kendes ikke.", "et bilag har kun titel og fil.")
            if not isinstance(entry.get("fil", ""), str):
                raise self.fail(f"{key}.fil", "filen skal angives som tekst.", 'skriv fil = "bilag/navn.pdf".')
            result.append(AttachmentText(entry["titel"], entry.get("fil", "")))
        return tuple(result)
