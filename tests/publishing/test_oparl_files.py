"""OParl File objects for uploaded bilag (issue 15 item 4, "File per public attachment"): an open
case's uploaded bilag is a File with its public address, media type, size and SHA-512, listed
in the Paper's auxiliaryFile once the case is on a published agenda; the walk validates every
object against the OParl 1.1 schemas (tests/publishing/test_oparl.py) and fetches the accessUrl.
A closed item's bilag is no File, and its public address answers 404."""

from __future__ import annotations

import hashlib

import pytest

from models import db
from models.agenda_items import AttachmentText, CaseText, find_case, record_decision, set_case_content
from models.store import consultations
from sagsgang.cases import attachments
from tests import configured, feeds_world
from tests.publishing.test_oparl import Walk, _schemas, client_for

OPEN_PDF = b"%PDF-1.4\n% Udkast til erhvervsstrategi\n%%EOF\n"
CLOSED_PDF = b"%PDF-1.4\n% Fratraedelsesaftale\n%%EOF\n"


@pytest.fixture
def world(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv(configured.HOME_VARIABLE, str(home))
    built = feeds_world.build(tmp_path / "slagelse.db")
    open_file = attachments.store(home, OPEN_PDF, "udkast.pdf", 10)
    closed_file = attachments.store(home, CLOSED_PDF, "aftale.pdf", 10)
    engine = built.engine()
    with db.session_scope(engine) as session:
        first = find_case(session, built.cases[0].journal_number, "slagelse")
        set_case_content(session, first, CaseText(attachments=(AttachmentText("Udkast til strategi", open_file.url),)))
        record_decision(session, consultations(session, first)[0], "godkendt", "Direktionen godkendte udkastet.")
        closed = find_case(session, feeds_world.CLOSED_JOURNAL, "slagelse")
        set_case_content(session, closed, CaseText(attachments=(AttachmentText("Aftale", closed_file.url),)))
    engine.dispose()
    return built, open_file, closed_file


def test_an_open_item_s_uploaded_bilag_is_a_valid_file_whose_address_serves_it(world):
    built, open_file, closed_file = world
    client = client_for(built)
    walk = Walk(client, _schemas())
    walk.run()  # every object validated against the OParl 1.1 schemas, every id resolves
    files = {f["accessUrl"]: f for f in walk.of_type("File")}
    address = f"http://testserver/offentlig/bilag/{open_file.sha256}.pdf"
    assert set(files) == {address}
    found = files[address]
    assert found["name"] == "Udkast til strategi" and found["mimeType"] == "application/pdf"
    assert found["size"] == len(OPEN_PDF) and found["sha512Checksum"] == hashlib.sha512(OPEN_PDF).hexdigest()
    assert found["downloadUrl"] == address
    paper = next(p for p in walk.of_type("Paper") if p.get("reference") == built.cases[0].journal_number)
    assert [f["id"] for f in paper["auxiliaryFile"]] == [found["id"]]
    served = client.get(address)
    assert served.status_code == 200 and served.content == OPEN_PDF
    assert client.get(f"/offentlig/bilag/{closed_file.sha256}.pdf").status_code == 404
    assert closed_file.sha256 not in b"".join(walk.answers).decode()
