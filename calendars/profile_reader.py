"""Reading a municipality profile: TOML (and an adopted meeting plan as .ics) into calendars.profiles values.

`load_profile` reads a shipped profile by name or a profile file by path, validates it against its
declaration (calendars.profile_schema) and builds the values; every mistake is refused with a
ProfileError naming the file, the exact key and how to fix it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from calendars import profile_schema as schema
from calendars.cadence import CadenceError, WeekBefore, parse_cadence
from calendars.profile_fields import FieldReader
from calendars.profile_schema import ProfileFile
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
from calendars.strict_toml import FileProblem, load_toml, problem_from

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
        table = ProfileFile.model_validate(load_toml(path))
    except FileProblem as problem:
        raise ProfileError(path, problem.key or "(filen)", problem.problem, problem.fix) from None
    except ValidationError as error:
        found = problem_from(error)
        raise ProfileError(path, found.key, found.problem, found.fix) from None
    return _Reader(path, table).profile()


class _Reader(FieldReader):
    """Turns a validated profile into a Profile, failing with the exact key that is wrong."""

    def profile(self) -> Profile:
        table = self.table
        bodies = {key: self.body(key, value) for key, value in table.bodies.items()}
        self.check_cadence_references(bodies)
        self.check_takes_cases_from(bodies)
        profile = Profile(
            self.path.stem,
            table.name,
            self.path,
            bodies,
            {key: self.route(key, value, bodies) for key, value in table.routes.items()},
            self.closing_days(table.calendar),
            self.recesses(table.calendar),
            self.weekmask(table.calendar),
            table.gap_working_days,
            ReminderRules(
                tuple(sorted(set(table.reminders.working_days_before), reverse=True)),
                table.reminders.time,
                table.reminders.escalate,
                table.reminders.digest,
            ),
        )
        self.check_recesses_leave_room(profile)
        return profile

    # bodies

    def body(self, key: str, table: schema.Body) -> Body:
        where = f"bodies.{key}."
        cadence = None
        if table.cadence is not None:
            try:
                cadence = parse_cadence(table.cadence)
            except CadenceError as error:
                raise self.fail(f"{where}cadence", str(error), "skriv kadencen som i eksemplerne.") from None
        meetings = tuple(table.meetings)
        if table.meetings_ics is not None:
            meetings += self.ics_meetings(f"{where}meetings_ics", table.meetings_ics)
        if not cadence and not meetings:
            raise self.fail(
                where.rstrip("."),
                "organet har hverken en kadence eller en mødeplan.",
                'tilføj cadence = "hver onsdag kl. 09:00" eller meetings = ["2025-03-12 09:00"].',
            )
        kind = table.kind
        rule = table.deadline
        return Body(
            key=key,
            name=table.name,
            kind=kind,
            deadline=DeadlineRule(rule.working_days_before, rule.days_before, rule.time),
            cadence=cadence,
            time=table.time or (cadence.time if cadence and cadence.time else dt.time(9, 0)),
            place=table.place,
            duration_minutes=table.duration_minutes,
            meets_in_recess=kind is not BodyKind.POLITICAL if table.meets_in_recess is None else table.meets_in_recess,
            months=tuple(table.months or ()),
            agenda=AgendaRule(table.agenda.working_days_before, table.agenda.count_saturday) if table.agenda else None,
            meetings=meetings,
            adopted_until=table.adopted_until,
            cancelled=tuple(table.cancelled),
            moved=dict(table.moved),
            finance_committee=table.finance_committee,
            on_day_off=table.on_day_off or DayOffRule.default_for(kind),
            takes_cases_from=tuple(table.takes_cases_from),
        )

    def check_takes_cases_from(self, bodies: dict[str, Body]) -> None:
        for body in bodies.values():
            for index, other in enumerate(body.takes_cases_from):
                if other not in bodies or other == body.key:
                    raise self.fail(
                        f"bodies.{body.key}.takes_cases_from[{index}]",
                        f"organet '{other}' findes ikke i profilen.",
                        f"henvis til et andet organ: {', '.join(k for k in bodies if k != body.key)}.",
                    )

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

    def route(self, key: str, table: schema.Route, bodies: Mapping[str, Body]) -> Route:
        where = f"routes.{key}."
        stages = []
        for index, stage in enumerate(table.stages):
            members = tuple(stage)
            for member in members:
                if member not in bodies:
                    raise self.fail(
                        f"{where}stages[{index}]",
                        f"organet '{member}' findes ikke i profilen.",
                        f"brug et af {', '.join(bodies)} eller tilføj [bodies.{member}].",
                    )
            if len(set(members)) != len(members):
                raise self.fail(
                    f"{where}stages[{index}]", "et parallelt trin skal nævne forskellige organer.", "fjern gentagelsen."
                )
            stages.append(members)
        for index, number in enumerate(table.common_deadline):
            if not 1 <= number <= len(stages) or len(stages[number - 1]) < 2:
                raise self.fail(
                    f"{where}common_deadline[{index}]",
                    f"{number!r} er ikke et parallelt trin på ruten.",
                    "angiv numrene (fra 1) på trin med flere organer, fx common_deadline = [3].",
                )
        route = Route(
            key,
            table.name,
            tuple(stages),
            table.economic_impact,
            (table.economic_impact_waiver or "").strip(),
            tuple(sorted(set(table.common_deadline))),
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
