"""Demo of agendas and minutes: Albertslund's Chefforum meeting of 10 April 2024, from its published
minutes (sagsgang/demo/examples/albertslund-chefforum-2024-04-10/, package data), stored in a database of its own.

    python -m sagsgang.demo.minutes_demo /tmp/sagsgang-demo

creates /tmp/sagsgang-demo/sagsgang.db and writes the agenda and the minutes (internal and public,
HTML and Markdown; PDF where WeasyPrint is installed) next to it, then prints the `sagsgang
dagsorden` commands that make them again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tomllib
from pathlib import Path

from calendars.meetings import MeetingStatus, meeting_plan
from calendars.profile_reader import load_profile
from sagsgang.cli.main import command_name
from sagsgang.publishing.case_texts import read_case_text

EXAMPLE = Path(__file__).resolve().parent / "examples" / "albertslund-chefforum-2024-04-10"


def build(url: str, example: Path = EXAMPLE) -> dict:
    """Store the example meeting in the database at `url`; returns the meeting file's values."""
    from models import db
    from models.agenda_items import find_meeting, put_on_agenda, record_decision, set_case_content, set_meeting_notes
    from models.store import sync_profile
    from models.tables import Case

    meeting = tomllib.loads((example / "moede.toml").read_text(encoding="utf-8"))
    profile = load_profile(meeting["kommune"])
    day: dt.date = meeting["dato"]
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            # The meetings were held: they stand as planned, not as provisional cadence dates.
            held = [
                dataclasses.replace(m, status=MeetingStatus.PLANNED)
                for m in meeting_plan(profile, day - dt.timedelta(days=31), day + dt.timedelta(days=7))
            ]
            sync_profile(session, profile, held)
            for entry in meeting["sager"]:
                text = read_case_text(example / entry["tekster"])
                case = Case(
                    municipality=profile.key,
                    journal_number=entry["journalnummer"],
                    title=entry["titel"],
                    route_key="orientering",
                    ready_date=day - dt.timedelta(days=28),
                    closed_item=bool(text.closed),
                    owner_name="Sekretariatet",
                    owner_email="sekretariatet@albertslund.dk",
                )
                set_case_content(session, case, text.text)
                for earlier in entry.get("historik", []):
                    before = put_on_agenda(session, profile, case, earlier["organ"], earlier["dato"])
                    record_decision(session, before, earlier["udfald"], earlier["beslutning"])
                on_meeting = put_on_agenda(session, profile, case, meeting["organ"], day)
                record_decision(session, on_meeting, entry["udfald"], entry["beslutning"])
            set_meeting_notes(
                session,
                find_meeting(session, meeting["organ"], day, profile.key),
                journal_number=meeting["journalnummer"],
                approval_decision=meeting["godkendelse"],
                other_business_decision=meeting["eventuelt"],
            )
    finally:
        engine.dispose()
    return meeting


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "/tmp/sagsgang-demo").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "sagsgang.db"
    if database.exists():
        database.unlink()
    url = f"sqlite:///{database}"
    meeting = build(url)
    from sagsgang.cli.main import main as sagsgang
    from sagsgang.cli.main import read_settings

    given = read_settings()
    today = given.today or (meeting["dato"] + dt.timedelta(days=1)).isoformat()
    settings = given.model_copy(update={"database_url": url, "today": today})

    organ, day = meeting["organ"], f"{meeting['dato']:%d-%m-%Y}"
    runs = [
        ["dagsorden", organ, day, "-o", str(folder / "dagsorden.html")],
        ["dagsorden", organ, day, "--referat", "-o", str(folder / "referat-intern.html")],
        ["dagsorden", organ, day, "--referat", "--offentlig", "-o", str(folder / "referat-offentlig.html")],
        ["dagsorden", organ, day, "--referat", "--offentlig", "-o", str(folder / "referat-offentlig.md")],
    ]
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pass
    else:
        runs.append(["dagsorden", organ, day, "--referat", "--offentlig", "-o", str(folder / "referat-offentlig.pdf")])
    for args in runs:
        if sagsgang(args, settings) != 0:
            return 1
    print(f"\nPrøv selv:\n  export SAGSGANG_DATABASE_URL={url} SAGSGANG_TODAY={today}")
    command = command_name()
    for args in runs:
        print(f"  {command} " + " ".join(args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
