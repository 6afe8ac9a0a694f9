"""Reading a municipality profile: TOML (and an adopted meeting plan as .ics) into calendars.profiles values.

`load_profile` reads a shipped profile by name or a profile file by path; every mistake is refused
with a ProfileError naming the exact key and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from calendars.cadence import CadenceError, WeekBefore, parse_cadence
from calendars.profile_fields import FieldReader
from calendars.profiles import (
    AgendaRule,
    Body,
    BodyKind,
    DayOffRule,
    DeadlineRule,
    Profile,
    ProfileError,
    ReminderRules,
    Route,
    UnknownProfileError,
)

SHIPPED = Path(__file__).parent / "profiles"


def shipped_profiles() -> list[str]:
    return sorted(path.stem for path in SHIPPED.glob("*.toml"))


def resolve_profile_path(name_or_path: str) -> Path:
    """A shipped profile by name (e.g. 'slagelse') or a profile file by path."""
    shipped = SHIPPED / f"{name_or_path.lower()}.toml"
    if shipped.is_file():
        return shipped
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return path
    raise UnknownProfileError(name_or_path, shipped_profiles())


def load_profile(name_or_path: str | Path) -> Profile:
    path = resolve_profile_path(str(name_or_path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(
            path, "(filen)", f"filen er ikke gyldig TOML ({error}).", "ret syntaksen på den linje, fejlen peger på."
        ) from None
    return _Reader(path, data).profile()


_KEY = re.compile(r"^[a-z0-9_]+$")


class _Reader(FieldReader):
    """Turns parsed TOML into a Profile, failing with the exact key that is wrong."""

    def profile(self) -> Profile:
        name = self.get(self.data, "name", "", str, fix='skriv kommunens navn, fx name = "Slagelse Kommune".')
        gap = self.get(self.data, "gap_working_days", "", int, 1)
        if gap < 0:
            raise self.fail(
                "gap_working_days",
                f"{gap} er negativ: næste trins sagsfrist kan tidligst ligge på selve mødedagen (0).",
                "angiv 0 (samme dag), 1 (dagen efter) eller mere.",
            )
        calendar = self.get(self.data, "calendar", "", dict, {})
        closing_days = self.closing_days(calendar)
        recesses = self.recesses(calendar)
        weekmask = self.weekmask(calendar)
        bodies_table = self.get(self.data, "bodies", "", dict, fix="beskriv mindst ét organ under [bodies.<navn>].")
        bodies = {key: self.body(key, value) for key, value in bodies_table.items()}
        self.check_cadence_references(bodies)
        self.check_takes_cases_from(bodies)
        routes_table = self.get(self.data, "routes", "", dict, {})
        routes = {key: self.route(key, value, bodies) for key, value in routes_table.items()}
        profile = Profile(
            self.path.stem,
            name,
            self.path,
            bodies,
            routes,
            closing_days,
            recesses,
            weekmask,
            gap,
            self.reminder_rules(),
        )
        self.check_recesses_leave_room(profile)
        return profile

    def reminder_rules(self) -> ReminderRules:
        table = self.get(self.data, "reminders", "", dict, {})
        where = "reminders."
        before = self.get(table, "working_days_before", where, list, [5, 1])
        if not before or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in before):
            raise self.fail(
                f"{where}working_days_before",
                f"{before!r} er ikke hele arbejdsdage på 1 eller mere.",
                "angiv fx working_days_before = [5, 1].",
            )
        time = self.time(f"{where}time", table["time"]) if "time" in table else dt.time(8, 0)
        return ReminderRules(
            tuple(sorted(set(before), reverse=True)),
            time,
            self.get(table, "escalate", where, bool, True),
            self.get(table, "digest", where, bool, True),
        )

    # bodies

    def body(self, key: str, table: Any) -> Body:
        where = f"bodies.{key}."
        if not _KEY.match(key):
            raise self.fail(
                f"bodies.{key}",
                "organets nøgle må kun indeholde a–z, 0–9 og _.",
                "omdøb nøglen, fx bodies.oekonomiudvalget (navnet med æøå skrives i name).",
            )
        if not isinstance(table, dict):
            raise self.fail(
                f"bodies.{key}", "et organ skal være en tabel.", f"skriv [bodies.{key}] med name, kind og deadline."
            )
        kind_text = self.get(table, "kind", where, str)
        try:
            kind = BodyKind(kind_text)
        except ValueError:
            raise self.fail(
                f"{where}kind",
                f"'{kind_text}' er ikke en organtype.",
                f"brug {', '.join(repr(k.value) for k in BodyKind)}.",
            ) from None
        cadence = None
        if "cadence" in table:
            try:
                cadence = parse_cadence(self.get(table, "cadence", where, str))
            except CadenceError as error:
                raise self.fail(f"{where}cadence", str(error), "skriv kadencen som i eksemplerne.") from None
        time = (
            self.time(f"{where}time", table["time"])
            if "time" in table
            else (cadence.time if cadence and cadence.time else dt.time(9, 0))
        )
        months = tuple(self.get(table, "months", where, list, []))
        if not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
            raise self.fail(
                f"{where}months", f"{list(months)!r} er ikke månedsnumre.", "angiv tal 1–12, fx months = [3, 9]."
            )
        agenda = None
        if "agenda" in table:
            agenda_table = self.get(table, "agenda", where, dict)
            agenda = AgendaRule(
                self.count(agenda_table, "working_days_before", f"{where}agenda."),
                self.get(agenda_table, "count_saturday", f"{where}agenda.", bool, False),
            )
        meetings = tuple(
            self.meeting_entry(f"{where}meetings[{i}]", text)
            for i, text in enumerate(self.get(table, "meetings", where, list, []))
        )
        if "meetings_ics" in table:
            meetings += self.ics_meetings(f"{where}meetings_ics", self.get(table, "meetings_ics", where, str))
        if not cadence and not meetings:
            raise self.fail(
                where.rstrip("."),
                "organet har hverken en kadence eller en mødeplan.",
                'tilføj cadence = "hver onsdag kl. 09:00" eller meetings = ["2025-03-12 09:00"].',
            )
        moved = {
            self.date(f"{where}moved.{old}", old): self.meeting_entry(f"{where}moved.{old}", new)
            for old, new in self.get(table, "moved", where, dict, {}).items()
        }
        return Body(
            key=key,
            name=self.get(table, "name", where, str),
            kind=kind,
            deadline=self.deadline(table, where),
            cadence=cadence,
            time=time,
            place=self.get(table, "place", where, str, ""),
            duration_minutes=self.get(table, "duration_minutes", where, int, 120),
            meets_in_recess=self.get(table, "meets_in_recess", where, bool, kind is not BodyKind.POLITICAL),
            months=months,
            agenda=agenda,
            meetings=meetings,
            adopted_until=self.date(f"{where}adopted_until", table["adopted_until"])
            if "adopted_until" in table
            else None,
            cancelled=tuple(
                self.date(f"{where}cancelled[{i}]", text)
                for i, text in enumerate(self.get(table, "cancelled", where, list, []))
            ),
            moved=moved,
            finance_committee=self.get(table, "finance_committee", where, bool, False),
            on_day_off=self.day_off_rule(table, where, kind),
            takes_cases_from=tuple(self.get(table, "takes_cases_from", where, list, [])),
        )

    def day_off_rule(self, table: dict[str, Any], where: str, kind: BodyKind) -> DayOffRule:
        if "on_day_off" not in table:
            return DayOffRule.default_for(kind)
        text = self.get(table, "on_day_off", where, str)
        try:
            return DayOffRule(text)
        except ValueError:
            raise self.fail(
                f"{where}on_day_off",
                f"'{text}' er ikke en regel for møder på fridage.",
                f"brug {', '.join(repr(r.value) for r in DayOffRule)}.",
            ) from None

    def check_takes_cases_from(self, bodies: dict[str, Body]) -> None:
        for body in bodies.values():
            for index, other in enumerate(body.takes_cases_from):
                if other not in bodies or other == body.key:
                    raise self.fail(
                        f"bodies.{body.key}.takes_cases_from[{index}]",
                        f"organet '{other}' findes ikke i profilen.",
                        f"henvis til et andet organ: {', '.join(k for k in bodies if k != body.key)}.",
                    )

    def deadline(self, table: dict[str, Any], where: str) -> DeadlineRule:
        rule = self.get(
            table, "deadline", where, dict, fix='angiv fx deadline = { working_days_before = 5, time = "12:00" }.'
        )
        where = f"{where}deadline."
        time = self.time(f"{where}time", rule["time"]) if "time" in rule else None
        if "days_before" in rule:
            return DeadlineRule(days_before=self.count(rule, "days_before", where), time=time)
        return DeadlineRule(working_days_before=self.count(rule, "working_days_before", where), time=time)

    def check_cadence_references(self, bodies: dict[str, Body]) -> None:
        for body in bodies.values():
            if body.cadence and isinstance(body.cadence.rule, WeekBefore):
                other = body.cadence.rule.other_body
                if other not in bodies or other == body.key:
                    raise self.fail(
                        f"bodies.{body.key}.cadence",
                        f"organet '{other}' findes ikke i profilen.",
                        f"henvis til et andet organ: {', '.join(k for k in bodies if k != body.key)}.",
                    )
                if isinstance((target := bodies[other]).cadence and target.cadence.rule, WeekBefore):
                    raise self.fail(
                        f"bodies.{body.key}.cadence",
                        f"'{other}' følger selv et andet organ.",
                        "lad kadencen henvise til et organ med sin egen kadence eller mødeplan.",
                    )

    # routes

    def route(self, key: str, table: Any, bodies: Mapping[str, Body]) -> Route:
        where = f"routes.{key}."
        stages_raw = self.get(
            table, "stages", where, list, fix='angiv fx stages = ["direktion", ["udvalg_a", "udvalg_b"], "byraadet"].'
        )
        if not stages_raw:
            raise self.fail(f"{where}stages", "ruten har ingen trin.", "angiv mindst ét organ.")
        stages = []
        for index, stage in enumerate(stages_raw):
            members = tuple(stage) if isinstance(stage, list) else (stage,)
            for member in members:
                if member not in bodies:
                    raise self.fail(
                        f"{where}stages[{index}]",
                        f"organet '{member}' findes ikke i profilen.",
                        f"brug et af {', '.join(bodies)} eller tilføj [bodies.{member}].",
                    )
            if len(set(members)) != len(members) or not members:
                raise self.fail(
                    f"{where}stages[{index}]", "et parallelt trin skal nævne forskellige organer.", "fjern gentagelsen."
                )
            stages.append(members)
        common = self.get(table, "common_deadline", where, list, [])
        for index, number in enumerate(common):
            if (
                not isinstance(number, int)
                or isinstance(number, bool)
                or not 1 <= number <= len(stages)
                or len(stages[number - 1]) < 2
            ):
                raise self.fail(
                    f"{where}common_deadline[{index}]",
                    f"{number!r} er ikke et parallelt trin på ruten.",
                    "angiv numrene (fra 1) på trin med flere organer, fx common_deadline = [3].",
                )
        route = Route(
            key,
            self.get(table, "name", where, str),
            tuple(stages),
            self.get(table, "economic_impact", where, bool, False),
            self.get(table, "economic_impact_waiver", where, str, "").strip(),
            tuple(sorted(set(common))),
        )
        if "economic_impact_waiver" in table and not route.economic_impact_waiver:
            raise self.fail(
                f"{where}economic_impact_waiver",
                "begrundelsen er tom.",
                "skriv hvorfor ruten ikke skal forbi økonomiudvalget, eller fjern nøglen.",
            )
        self.check_finance_committee(route, bodies)
        return route

    def check_finance_committee(self, route: Route, bodies: Mapping[str, Body]) -> None:
        """Kommunestyrelseslovens § 18, stk. 2: økonomiudvalget's statement is obtained on every
        case with economic impact before the council decides, i.e. in a stage before the last."""
        if not route.economic_impact or route.economic_impact_waiver:
            return
        if any(bodies[member].finance_committee for stage in route.stages[:-1] for member in stage):
            return
        committees = [key for key, body in bodies.items() if body.finance_committee]
        where = f"routes.{route.key}."
        if committees:
            fix = (
                f"indsæt {' eller '.join(committees)} som trin før det sidste, eller skriv "
                f'{where}economic_impact_waiver = "<begrundelse>", hvis sagen undtagelsesvis ikke skal derforbi.'
            )
        else:
            fix = (
                "markér økonomiudvalget med finance_committee = true under [bodies.<nøgle>] og indsæt det "
                f'som trin før det sidste, eller skriv {where}economic_impact_waiver = "<begrundelse>".'
            )
        raise self.fail(
            f"{where}stages",
            "ruten har økonomiske konsekvenser (economic_impact = true), men går "
            "ikke forbi økonomiudvalget før sidste trin (Kommunestyrelseslovens § 18, stk. 2).",
            fix,
        )
