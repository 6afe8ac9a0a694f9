"""A plan as a secretary reads it: rows of "Dato | Aktivitet", and the same as JSON.

The rows are built once here; templates/timeline.*.j2 lay them out as a text table or Markdown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from calendars.danish import clock_time, long_date, short_date
from calendars.planner import Plan
from sagsgang import rendering
from sagsgang.danish_words import join


@dataclass(frozen=True)
class Row:
    day: dt.date
    activity: str
    latest: dt.date | None = None
    slack: int | None = None


def rows(plan: Plan) -> list[Row]:
    """Every deadline, meeting and agenda date of the plan, in date order."""
    result = [Row(plan.ready, "Sagen er klar", plan.latest_ready)]
    shared_rows = set()
    for step in plan.steps:
        body = step.body
        at = f" {clock_time(body.deadline.time)}" if body.deadline.time else ""
        if step.common_deadline:  # one row for the stage's parallel bodies
            if step.stage not in shared_rows:
                shared_rows.add(step.stage)
                result.append(
                    Row(
                        step.deadline,
                        _common_deadline_label(plan, step.stage),
                        step.latest_deadline,
                        step.slack_working_days,
                    )
                )
        elif step.coupled:
            result.append(
                Row(
                    step.deadline,
                    f"Deadline for sag til {body.name}: sagen følger med fra {_previous_names(plan, step.stage)}",
                    step.latest_deadline,
                    step.slack_working_days,
                )
            )
        elif step.late is not None:  # the body's deadline was waived for this case: on the day it was decided
            by = f" efter beslutning i {step.late.decided_by}" if step.late.decided_by else ""
            decided = max((s.meeting.day for s in plan.steps if s.stage == step.stage - 1), default=plan.ready)
            result.append(
                Row(
                    max(decided, plan.ready),
                    f"Sagen eftersendes til {body.name}{by} (sagsfristen {long_date(step.deadline)}{at} er fraveget)",
                )
            )
        else:
            result.append(
                Row(
                    step.deadline,
                    f"Deadline for sag til {body.name}{at}",
                    step.latest_deadline,
                    step.slack_working_days,
                )
            )
        if step.agenda_due:
            result.append(Row(step.agenda_due, f"Dagsorden til {body.name} udsendes"))
        meeting = step.meeting
        mark = (" (foreløbig)" if meeting.provisional else "") + (" – eftersendt punkt" if step.late else "")
        result.append(
            Row(meeting.day, f"Sag på møde i {body.name} {clock_time(meeting.time)}{mark}", step.latest_meeting.day)
        )
    return sorted(result, key=lambda row: row.day)


def _common_deadline_label(plan: Plan, stage: int) -> str:
    bodies = [step.body for step in plan.steps if step.stage == stage]
    if all(body.kind == "politisk" for body in bodies):
        return "Deadline for sager på udvalgsmøder"
    return "Fælles deadline for sager til " + _names(bodies)


def _previous_names(plan: Plan, stage: int) -> str:
    return _names([step.body for step in plan.steps if step.stage == stage - 1])


def _names(bodies) -> str:
    return join(body.name for body in bodies)


def constraints(plan: Plan) -> list[str]:
    """One line per holiday, closing day and recess that fell inside the plan."""
    lines = []
    for group in _runs_of_same_day_off(plan.days_off):
        first, last = group[0], group[-1]
        when = long_date(first.day) if first is last else f"{long_date(first.day)} – {long_date(last.day)}"
        lines.append(f"{when}: {first.name} ({first.kind})")
    lines += [
        f"{recess.name}: {short_date(start)} – {short_date(end)} (ingen ordinære politiske møder)"
        for recess, start, end in plan.recesses
    ]
    return lines


def _runs_of_same_day_off(days_off) -> list[list]:
    """Consecutive days off with the same name (a town hall closed 28–30 December) as one run."""
    runs: list[list] = []
    for day in days_off:
        previous = runs[-1][-1] if runs else None
        if previous and previous.name == day.name and (day.day - previous.day).days <= 3:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


HEADERS = ("Dato", "Aktivitet", "Senest", "Luft")


def text_rows(plan: Plan) -> list[tuple[str, str, str, str]]:
    """The rows as printed: Danish dates, slack in working days."""
    return [
        (
            long_date(row.day),
            row.activity,
            long_date(row.latest) if row.latest else "",
            "" if row.slack is None else str(row.slack),
        )
        for row in rows(plan)
    ]


def render(plan: Plan, municipality: str, fmt: str) -> str:
    """The plan as 'tabel' (aligned text) or 'md' (a Markdown table to paste into a kommissorium)."""
    table = text_rows(plan)
    headers = HEADERS
    widths = [max(len(cells[i]) for cells in [headers, *table]) for i in range(4)]
    return rendering.render(
        f"timeline.{fmt}.j2",
        plan=plan,
        municipality=municipality,
        headers=headers,
        table=table,
        widths=widths,
        constraints=constraints(plan),
    )


def as_json(plan: Plan, municipality: str) -> dict[str, Any]:
    return {
        "kommune": municipality,
        "rute": plan.route.key,
        "ready": plan.ready.isoformat(),
        "latest_ready": plan.latest_ready.isoformat(),
        "note": plan.note or None,
        "steps": [
            {
                "stage": step.stage,
                "body": step.body.key,
                "body_name": step.body.name,
                "deadline": step.deadline.isoformat(),
                "deadline_time": step.body.deadline.time and step.body.deadline.time.isoformat("minutes"),
                "meeting": step.meeting.starts_at.isoformat(),
                "place": step.meeting.place,
                "provisional": step.meeting.provisional,
                "latest_deadline": step.latest_deadline.isoformat(),
                "latest_meeting": step.latest_meeting.starts_at.isoformat(),
                "slack_working_days": step.slack_working_days,
                "agenda_due": step.agenda_due and step.agenda_due.isoformat(),
                "common_deadline": step.common_deadline,
                "coupled": step.coupled,
                "late": {"decided_by": step.late.decided_by} if step.late else None,
            }
            for step in plan.steps
        ],
        "days_off": [{"date": d.day.isoformat(), "name": d.name, "kind": d.kind} for d in plan.days_off],
        "recesses": [{"name": r.name, "from": a.isoformat(), "to": b.isoformat()} for r, a, b in plan.recesses],
    }
