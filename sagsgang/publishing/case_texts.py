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

The file is checked strictly (calendars.strict_toml): unknown keys are refused with the nearest
known key suggested, types and lengths are checked, and an attachment's `fil` must be a file
inside the case text's own folder (no absolute path, no "..", no symbolic link out of it) of at
most MAX_ATTACHMENT_BYTES, or a web address. Anything wrong is refused with a Danish message
naming the file, the key and the fix; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator

from calendars.strict_toml import MAX_TEXT, FileProblem, Table, limited, load_toml, one_of, problem_from, refuse
from models.agenda_items import AttachmentText, CaseText
from models.content import MAX_SLOT_MINUTES, ItemKind

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024  # what a mail system takes; a larger file goes by web address
_WEB = ("https://", "http://")


class CaseTextError(ValueError):
    def __init__(self, path: Path, key: str, problem: str, fix: str) -> None:
        where = f", nøglen '{key}'" if key else ""
        super().__init__(f"Fejl i {path}{where}: {problem} Sådan retter du det: {fix}")
        self.path, self.key = str(path), key


@dataclass(frozen=True)
class CaseTextFile:
    text: CaseText
    closed: bool | None  # None: the file does not say, the case keeps its flag


def _one_or_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _title_only(value: Any) -> Any:
    return {"titel": value} if isinstance(value, str) else value


def _slot(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_SLOT_MINUTES:
        raise refuse(
            f"{value!r} er ikke et antal minutter.", f"skriv et helt tal mellem 1 og {MAX_SLOT_MINUTES}, fx tid = 20."
        )
    return value


Body = Annotated[str, AfterValidator(limited(MAX_TEXT, required=False))]


class _Attachment(Table):
    title: Annotated[str, AfterValidator(limited(300))] = Field(
        alias="titel", description='skriv titel = "…" under [[bilag]].'
    )
    file: Annotated[str, AfterValidator(limited(1000))] | None = Field(None, alias="fil")


class _CaseTextFile(Table):
    kind: Annotated[ItemKind, BeforeValidator(one_of(ItemKind, "en punkttype"))] = Field(
        ItemKind.DECISION, alias="punkttype"
    )
    slot: Annotated[int, BeforeValidator(_slot)] | None = Field(None, alias="tid")
    closed: bool | None = Field(None, alias="lukket")
    occasion: Body = Field("", alias="anledning")
    presentation: Body = Field("", alias="sagsfremstilling")
    economy: Body | None = Field(None, alias="oekonomi")
    economy_ae: Body | None = Field(None, alias="økonomi")
    legal_basis: Body = Field("", alias="lovgrundlag")
    recommender: Annotated[str, AfterValidator(limited(300, required=False))] = Field("", alias="indstiller")
    points: Annotated[list[Annotated[str, AfterValidator(limited(MAX_TEXT))]], BeforeValidator(_one_or_list)] = Field(
        [], alias="indstilling", max_length=100
    )
    attachments: list[Annotated[_Attachment, BeforeValidator(_title_only)]] = Field([], alias="bilag", max_length=100)

    @model_validator(mode="after")
    def _one_economy(self) -> _CaseTextFile:
        if self.economy is not None and self.economy_ae is not None:
            raise refuse("både oekonomi og økonomi er angivet.", "behold én af dem.")
        return self


def read_case_text(path: Path) -> CaseTextFile:
    if not path.is_file():
        raise CaseTextError(path, "", "filen findes ikke.", "angiv stien til en .toml-fil med sagens tekster.")
    try:
        table = _CaseTextFile.model_validate(load_toml(path))
    except FileProblem as problem:
        fix = problem.fix if problem.key else f'{problem.fix} Lange tekster skrives i """…""".'
        raise CaseTextError(path, problem.key, problem.problem, fix) from None
    except ValidationError as error:
        found = problem_from(error)
        raise CaseTextError(path, found.key, found.problem, found.fix) from None
    attachments = tuple(
        AttachmentText(entry.title, attachment_file(path, f"bilag[{index}].fil", entry.file) if entry.file else "")
        for index, entry in enumerate(table.attachments)
    )
    return CaseTextFile(
        CaseText(
            kind=table.kind,
            slot_minutes=table.slot,
            occasion=table.occasion,
            presentation=table.presentation,
            recommender=table.recommender,
            points=tuple(table.points),
            economy=table.economy or table.economy_ae or "",
            legal_basis=table.legal_basis,
            attachments=attachments,
        ),
        table.closed,
    )


def attachment_file(path: Path, key: str, name: str) -> str:
    """`name` as written, once it is a web address or a readable file of at most MAX_ATTACHMENT_BYTES
    inside the folder of the case-text file at `path`; CaseTextError otherwise."""
    if name.startswith(_WEB):
        return name
    folder = path.parent
    example = 'skriv stien i forhold til sagstekstens mappe, fx fil = "bilag/notat.pdf".'
    relative = PurePosixPath(name.replace("\\", "/"))
    if any(ord(c) < 32 for c in name) or not name.strip():
        raise CaseTextError(path, key, "stien indeholder kontroltegn eller er tom.", example)
    if relative.is_absolute() or Path(name).is_absolute() or (len(name) > 1 and name[1] == ":"):
        raise CaseTextError(path, key, f"'{name}' er en absolut sti.", example)
    if ".." in relative.parts:
        raise CaseTextError(path, key, f"'{name}' peger uden for sagstekstens mappe ({folder}).", example)
    try:
        target = (folder / relative).resolve()
        inside = target.is_relative_to(folder.resolve())
        size = target.stat().st_size if inside and target.is_file() else None
    except (OSError, ValueError):
        raise CaseTextError(path, key, f"stien '{name}' kan ikke bruges.", example) from None
    if not inside:
        raise CaseTextError(
            path, key, f"'{name}' er et link, der peger uden for sagstekstens mappe ({folder}).", example
        )
    if size is None:
        raise CaseTextError(
            path, key, f"filen '{name}' findes ikke i {folder}.", "læg bilaget i mappen, eller ret stien."
        )
    if size > MAX_ATTACHMENT_BYTES:
        raise CaseTextError(
            path,
            key,
            f"filen '{name}' fylder {size / 1024 / 1024:.0f} MB; højst {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB er tilladt.",
            "gør filen mindre, eller læg den på en webadresse og skriv den (https://…) i fil.",
        )
    return name
