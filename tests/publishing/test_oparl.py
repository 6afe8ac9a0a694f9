"""OParl 1.1 at /oparl/v1.1/, walked as a client would: from the System object along every URL
it is given, over Slagelse's 2027 plan with 50 cases (tests/feeds_world.py; one is a closed
item), some with texts, attachments and decisions. Every object reached is checked against the
specification's JSON Schema (../shared/oparl-1.1/schema, beside the repository as in CI), every
id must answer itself, and no byte of any answer may carry what the closed item is about.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import pytest
from fastapi.testclient import TestClient

from calendars.clock import FixedClock
from calendars.meetings import Schedule
from calendars.planner import plan
from calendars.profile_reader import load_profile
from models import db
from models.agenda_items import AttachmentText, CaseText, find_case, record_decision, set_case_content
from models.store import consultations, load_meetings, save_plan
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.publishing.feeds import FeedContext
from sagsgang.settings import Settings
from sagsgang.web.app import create_app
from sagsgang.web.security import SecuritySettings
from tests import feeds_world

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "oparl-1.1" / "schema"
ROOT = "http://testserver/oparl/v1.1"
TODAY = dt.date(2027, 3, 15)

CLOSED_TEXT = "Direktøren fratræder efter aftale; godtgørelsen forhandles af Ørnulf Ærøskøbings advokat."
CLOSED_ATTACHMENT = "Fratrædelsesaftale underskrevet af Ørnulf Ærøskøbing"
PUBLIC_FILE = "https://www.slagelse.dk/media/erhvervsstrategi-udkast.pdf"
SECRETS = (
    feeds_world.CLOSED_TITLE,
    feeds_world.CLOSED_JOURNAL,
    feeds_world.CLOSED_DECISION,
    feeds_world.CLOSED_OWNER,
    "Bente Brøndum",
    "Ærøskøbing",
    CLOSED_TEXT,
    CLOSED_ATTACHMENT,
    "fratraedelse.pdf",
)


def _schemas() -> dict[str, jsonschema.Draft7Validator]:
    if not SCHEMAS.is_dir():
        pytest.fail(f"The OParl 1.1 schemas are not at {SCHEMAS}: shared/ must sit beside the repository.")
    validators = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator.check_schema(schema)
        validators[path.stem] = jsonschema.Draft7Validator(schema)
    return validators


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = feeds_world.build(tmp_path_factory.mktemp("oparl") / "slagelse.db")
    engine = built.engine()
    with db.session_scope(engine) as session:
        first = find_case(session, built.cases[0].journal_number, "slagelse")
        set_case_content(
            session,
            first,
            CaseText(
                occasion="Byrådet bad om en ny strategi.",
                points=("at strategien godkendes",),
                attachments=(AttachmentText("Udkast til strategi", PUBLIC_FILE), AttachmentText("Høringssvar")),
            ),
        )
        record_decision(session, consultations(session, first)[0], "godkendt", "Direktionen godkendte udkastet.")
        closed = find_case(session, feeds_world.CLOSED_JOURNAL, "slagelse")
        set_case_content(
            session,
            closed,
            CaseText(
                presentation=CLOSED_TEXT,
                attachments=(AttachmentText(CLOSED_ATTACHMENT, "https://intra.slagelse.dk/hr/fratraedelse.pdf"),),
            ),
        )
    engine.dispose()
    return built


def client_for(world_db) -> TestClient:
    engine = world_db.engine()
    clock = FixedClock.on(TODAY, 9)
    app = create_app(
        engine=engine,
        context=FeedContext(clock=clock),
        clock=clock,
        orchestrator=InlineOrchestrator(Settings(database_url=world_db.url), clock=clock),
        security=SecuritySettings(secret=b"test-secret"),
    )
    return TestClient(app)


class Walk:
    """Everything reached from the System object: objects by id, and every answer's bytes."""

    def __init__(self, client: TestClient, schemas: dict[str, jsonschema.Draft7Validator]) -> None:
        self.client, self.schemas = client, schemas
        self.objects: dict[str, dict] = {}
        self.answers: list[bytes] = []
        self.referenced: set[str] = set()

    def get(self, url: str, **params) -> dict:
        # httpx replaces a URL's own query with `params`, even an empty one: pass them only when given.
        response = self.client.get(url, params=params) if params else self.client.get(url)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["access-control-allow-origin"] == "*"
        assert "set-cookie" not in response.headers
        self.answers.append(response.content)
        return response.json()

    def run(self) -> None:
        queue = [f"{ROOT}/"]
        fetched: set[str] = set()
        while queue:
            url = queue.pop()
            if url in fetched:
                continue
            fetched.add(url)
            answer = self.get(url)
            if "data" in answer:  # an external list page
                assert set(answer) >= {"data", "pagination", "links"}
                found = answer["data"]
                if "next" in answer["links"]:
                    queue.append(answer["links"]["next"])
            else:
                found = [answer]
            for obj in found:
                self.visit(obj, queue)
        # Every URL an object names answers, and an id answers with that very object.
        for url in sorted(self.referenced - fetched):
            answer = self.get(url)
            if "data" not in answer:
                self.visit(answer, [])
                queue.append(url)
        for url, obj in self.objects.items():
            assert self.get(url) == obj, url

    def visit(self, obj: dict, queue: list[str]) -> None:
        name = obj["type"].rsplit("/", 1)[-1]
        self.schemas[name].validate(obj)
        if obj["id"] in self.objects:
            assert self.objects[obj["id"]] == obj, f"{obj['id']} differs where it appears"
        self.objects[obj["id"]] = obj
        assert obj["created"] <= obj["modified"] or obj["created"][:19] <= obj["modified"][:19]
        for key, value in obj.items():
            if key == "id":
                continue
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, dict) and "type" in entry:
                    self.visit(entry, queue)
                elif isinstance(entry, str) and entry.startswith(ROOT):
                    self.referenced.add(entry)
                    queue.append(entry)

    def of_type(self, name: str) -> list[dict]:
        return [o for o in self.objects.values() if o["type"].endswith(f"/{name}")]


@pytest.fixture(scope="module")
def walk(world) -> Walk:
    result = Walk(client_for(world), _schemas())
    result.run()
    return result


def test_the_walk_reaches_every_kind_of_object_and_each_validates(walk, world):
    counts = {name: len(walk.of_type(name)) for name in ("Body", "Organization", "Meeting", "Paper", "Consultation")}
    assert counts["Body"] == 1
    assert counts["Paper"] == len(world.cases) == 50
    assert counts["Organization"] == len(load_profile("slagelse").bodies)
    assert counts["Meeting"] > 100 and counts["Consultation"] > 100
    assert walk.of_type("AgendaItem") and walk.of_type("File") and walk.of_type("Location")
    (body,) = walk.of_type("Body")
    assert body["name"] == load_profile("slagelse").name


def test_a_closed_item_is_lukket_punkt_and_nothing_else_in_any_answer(walk):
    closed = [p for p in walk.of_type("Paper") if p["name"] == "Lukket punkt"]
    assert len(closed) == 1
    assert "reference" not in closed[0] and "auxiliaryFile" not in closed[0]
    closed_items = [a for a in walk.of_type("AgendaItem") if not a["public"]]
    assert closed_items, "the closed case's treatment by Direktionen is on a published agenda"
    assert all(a["name"] == "Lukket punkt" and "resolutionText" not in a for a in closed_items)
    everything = b"".join(walk.answers)
    text = everything.decode("utf-8")
    unescaped = json.dumps([json.loads(answer) for answer in walk.answers], ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text and secret not in unescaped, secret
        assert secret.encode("utf-8") not in everything


def test_a_paper_lists_its_consultations_in_route_order_with_the_deciding_body_last(walk, world):
    profile = load_profile("slagelse")
    organizations = {o["id"]: o["shortName"] for o in walk.of_type("Organization")}
    papers = {p["reference"]: p for p in walk.of_type("Paper") if "reference" in p}
    case = world.cases[0]
    paper = papers[case.journal_number]
    bodies = [organizations[c["organization"][0]] for c in paper["consultation"]]
    route = profile.routes[case.route]
    assert bodies == [key for stage in route.stages for key in stage]
    assert [c["authoritative"] for c in paper["consultation"]] == [False] * (len(bodies) - 1) + [True]
    assert paper["consultation"][-1]["role"] == "Beslutning"
    # Planned treatments before the agenda is out: a meeting, and no agenda item yet.
    later = [c for p in papers.values() for c in p["consultation"] if "agendaItem" not in c]
    assert later and all(c["meeting"].startswith(f"{ROOT}/meeting/") for c in later)
    assert all(c["sagsgang:submissionDeadline"] < walk.objects[c["meeting"]]["start"][:10] for c in later)


def test_decisions_and_files_of_an_open_case(walk, world):
    paper = next(p for p in walk.of_type("Paper") if p.get("reference") == world.cases[0].journal_number)
    assert [f["accessUrl"] for f in paper["auxiliaryFile"]] == [PUBLIC_FILE]  # "Høringssvar" has no address
    first = walk.objects[paper["consultation"][0]["agendaItem"]]
    assert first["result"] == "godkendt"
    assert first["resolutionText"] == "Direktionen godkendte udkastet."
    assert first["name"] == world.cases[0].title


def test_cancelled_and_moved_meetings(walk):
    meetings = walk.of_type("Meeting")
    cancelled = [m for m in meetings if m["cancelled"]]
    assert len(cancelled) == 1 and cancelled[0]["meetingState"] == "aflyst"
    moved = [m for m in meetings if "sagsgang:movedFrom" in m]
    # The secretariat's move (2 March → 31 March), and the meetings the profile's rules move off a day
    # off: ØU's week-before meetings out of vinterferie (week 7) and efterårsferie (week 42) a week
    # earlier, and Miljø's meeting on Kristi himmelfartsdag (6 May 2027) to the next working day.
    assert sorted((m["sagsgang:movedFrom"], m["start"]) for m in moved) == [
        ("2027-02-15", "2027-02-08T15:00:00+01:00"),
        ("2027-03-02", "2027-03-31T15:00:00+02:00"),
        ("2027-05-06", "2027-05-07T15:00:00+02:00"),
        ("2027-10-18", "2027-10-11T15:00:00+02:00"),
    ]
    states = {m["meetingState"] for m in meetings if not m["cancelled"]}
    assert {"afholdt", "planlagt"} <= states  # before and after 15 March 2027


def test_lists_page_with_links_next_and_keep_the_filters(world):
    client = client_for(world)
    url, seen, pages = f"{ROOT}/body/slagelse/paper?limit=20&omit_internal=true", [], 0
    while url:
        page = client.get(url).json()
        pages += 1
        assert page["pagination"]["totalElements"] == 50
        seen += [p["id"] for p in page["data"]]
        assert all("auxiliaryFile" not in p for p in page["data"])
        url = page["links"].get("next")
        if url:
            assert "omit_internal=true" in url and "limit=20" in url
    assert pages == 3 and len(seen) == len(set(seen)) == 50
    meetings = client.get(f"{ROOT}/body/slagelse/meeting", params={"omit_internal": "true"}).json()["data"]
    assert meetings and all("agendaItem" not in m for m in meetings)
    whole = client.get(f"{ROOT}/body/slagelse/meeting", params={"limit": "100"}).json()["data"]
    assert [(m["id"], m["modified"]) for m in meetings] == [(m["id"], m["modified"]) for m in whole]


def test_meetings_with_their_agenda_items_come_ten_to_a_page_unless_the_client_asks(world):
    """A Meeting embeds its AgendaItems: the server's page is ten meetings; limit asks for more."""
    client = client_for(world)
    first = client.get(f"{ROOT}/body/slagelse/meeting").json()
    assert len(first["data"]) == first["pagination"]["elementsPerPage"] == 10
    assert "limit" not in first["links"]["next"]
    asked = client.get(f"{ROOT}/body/slagelse/meeting", params={"limit": "25"}).json()
    assert len(asked["data"]) == 25 and "limit=25" in asked["links"]["next"]
    assert [m["id"] for m in asked["data"][:10]] == [m["id"] for m in first["data"]]


def test_created_and_modified_filters(world):
    client = client_for(world)
    base = f"{ROOT}/body/slagelse/paper"
    everything = client.get(base).json()["pagination"]["totalElements"]
    future = "2030-01-01T00:00:00+01:00"
    assert client.get(base, params={"modified_since": future}).json()["data"] == []
    assert client.get(base, params={"created_since": future}).json()["data"] == []
    past = "2020-01-01T00:00:00+01:00"
    assert client.get(base, params={"created_since": past}).json()["pagination"]["totalElements"] == everything
    assert client.get(base, params={"modified_until": past}).json()["data"] == []
    meetings = client.get(f"{ROOT}/body/slagelse/meeting", params={"modified_since": future}).json()
    assert meetings["data"] == [] and "next" not in meetings["links"]
    bad = client.get(base, params={"modified_since": "i går"})
    assert bad.status_code == 400 and "tidszone" in bad.json()["message"]


def test_a_replanned_treatment_answers_deleted_and_its_paper_shows_the_change(world, tmp_path):
    copy = world.copy(tmp_path / "replanned.db")
    _all_written_long_ago(copy)  # else the re-plan below may fall in the second the world was made
    client = client_for(copy)
    journal = world.cases[1].journal_number
    before = next(p for p in client.get(f"{ROOT}/body/slagelse/paper").json()["data"] if p.get("reference") == journal)
    first_stage, later_stage = before["consultation"][0], before["consultation"][-1]
    assert "agendaItem" in first_stage  # its January meeting's agenda is out
    engine = copy.engine()
    profile = load_profile("slagelse")
    with db.session_scope(engine) as session:
        case = find_case(session, journal, "slagelse")
        schedule = Schedule.build(profile, load_meetings(session, "slagelse"))
        save_plan(session, case, plan(profile.routes[case.route_key], schedule, dt.date(2027, 6, 1)))
    engine.dispose()
    moved = client.get(later_stage["id"]).json()
    assert moved["meeting"] != later_stage["meeting"]  # same id, planned for a later meeting
    after = client.get(before["id"]).json()
    assert after["modified"] > before["modified"]
    gone = client.get(first_stage["agendaItem"])
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert client.get(first_stage["id"]).json()["meeting"] != first_stage["meeting"]
    gone = client.get(f"{ROOT}/consultation/{before['id'].rsplit('/', 1)[1]}-9-1-1")
    assert gone.status_code == 200
    assert gone.json()["deleted"] is True and gone.json()["created"] == before["created"]
    _schemas()["Consultation"].validate(gone.json())


# Every stamp a Meeting's or Paper's `modified` is made of, set back to before SINCE: the
# installation as a client last saw it.
WRITTEN_LONG_AGO = {
    "meetings": ("updated_at",),
    "cases": ("created_at", "updated_at"),
    "consultations": ("created_at",),
    "decisions": ("created_at",),
    "case_contents": ("updated_at",),
    "meeting_changes": ("changed_at",),
}
SINCE = "2026-06-01T00:00:00+00:00"  # the client's last visit: after the stamps above, before now


def _all_written_long_ago(world_db) -> None:
    engine = world_db.engine()
    with engine.begin() as connection:
        for table, columns in WRITTEN_LONG_AGO.items():
            assignments = ", ".join(f"{name} = '2026-01-01 00:00:00.000000'" for name in columns)
            connection.exec_driver_sql(f"UPDATE {table} SET {assignments}")
    engine.dispose()


def _meetings_modified_since(client: TestClient) -> dict[str, dict]:
    """The client's incremental update: every page of meetings modified since SINCE."""
    found: dict[str, dict] = {}
    url: str | None = f"{ROOT}/body/slagelse/meeting?" + urlencode({"modified_since": SINCE})
    while url:
        page = client.get(url).json()
        found |= {m["id"]: m for m in page["data"]}
        url = page["links"].get("next")
    return found


def _paper(client: TestClient, journal: str) -> dict:
    papers = client.get(f"{ROOT}/body/slagelse/paper", params={"omit_internal": "true"}).json()["data"]
    return client.get(next(p["id"] for p in papers if p.get("reference") == journal)).json()


def test_a_meeting_is_modified_when_an_item_on_it_is_decided_or_moved(world, tmp_path):
    """A client that last synced at SINCE asks for the meetings modified since: it gets exactly
    those whose agenda changed, a decision recorded on one item, then a case re-planned off its
    meetings onto later ones (the meetings it left are listed too), and nothing else."""
    copy = world.copy(tmp_path / "changed.db")
    _all_written_long_ago(copy)
    client = client_for(copy)
    assert _meetings_modified_since(client) == {}
    journal = world.cases[2].journal_number
    before = _paper(client, journal)
    first = before["consultation"][0]
    assert "agendaItem" in first and "result" not in client.get(first["agendaItem"]).json()

    engine = copy.engine()
    with db.session_scope(engine) as session:
        record_decision(session, consultations(session, find_case(session, journal, "slagelse"))[0], "godkendt")
    decided = _meetings_modified_since(client)
    assert list(decided) == [first["meeting"]]
    assert decided[first["meeting"]]["modified"] >= SINCE
    item = next(i for i in decided[first["meeting"]]["agendaItem"] if i["id"] == first["agendaItem"])
    assert item["result"] == "godkendt"

    _all_written_long_ago(copy)
    assert _meetings_modified_since(client) == {}
    profile = load_profile("slagelse")
    with db.session_scope(engine) as session:
        case = find_case(session, journal, "slagelse")
        schedule = Schedule.build(profile, load_meetings(session, "slagelse"))
        save_plan(session, case, plan(profile.routes[case.route_key], schedule, dt.date(2027, 6, 1)))
    engine.dispose()
    after = _paper(client, journal)
    left = {c["meeting"] for c in before["consultation"][1:]} - {c["meeting"] for c in after["consultation"]}
    assert left  # the later stages moved to other meetings
    moved = _meetings_modified_since(client)
    assert set(moved) == {c["meeting"] for c in before["consultation"] + after["consultation"]}
    assert all(m["modified"] >= SINCE for m in moved.values())


def test_after_the_upgrade_to_the_change_log_no_meeting_is_older_than_its_agenda_items(world, tmp_path):
    """An installation from before migration 0012 (no meeting_changes) is upgraded: every Meeting
    is still listed, and none says it was last modified before an AgendaItem it embeds (the
    backfill takes the stamps `modified` was computed from before)."""
    from alembic import command

    copy = world.copy(tmp_path / "upgraded.db")
    client = client_for(copy)
    meetings = f"{ROOT}/body/slagelse/meeting?limit=100"
    before = [m["id"] for m in client.get(meetings).json()["data"]]
    command.downgrade(db.alembic_config(copy.url), "0011")
    db.upgrade(copy.url)
    after = client.get(meetings).json()["data"]
    assert [m["id"] for m in after] == before
    items = [(m["modified"], item["modified"]) for m in after for item in m["agendaItem"]]
    assert items and all(meeting >= item for meeting, item in items)


def test_cors_preflight_and_unknown_objects(world):
    client = client_for(world)
    preflight = client.options(f"{ROOT}/body", headers={"Origin": "https://example.org"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"
    missing = client.get(f"{ROOT}/paper/99999")
    assert missing.status_code == 404
    assert missing.json()["type"] == "https://schema.oparl.org/1.1/Error"
    assert client.get(f"{ROOT}/body/aarhus").status_code == 404
