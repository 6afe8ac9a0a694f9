"""Bad input at every writing form and JSON API operation (issue 12): a 4xx, Danish text (none of
pydantic's or SQLAlchemy's English), no traceback, and nothing written. The API client logs in with
POST /api/login and writes with the CSRF token that answer gave (its first write must work).
The same suite runs on PostgreSQL in `make e2e`."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.doors.web_doors import WEB_DOORS
from tests.doors.world import ENGLISH, SECRETARY, make_world, record

EXAMPLES = 12  # per door: 10 doors → 120 bad requests per run (with the CLI's 216: 336)


def web_client(world):
    import pendulum

    from sagsgang.cases.inline import InlineOrchestrator
    from sagsgang.web.app import create_app
    from sagsgang.web.security import SecuritySettings

    class Clock:
        def now(self):
            return pendulum.datetime(2027, 1, 4, 9, tz="Europe/Copenhagen")

        def today(self) -> dt.date:
            return dt.date(2027, 1, 4)

    clock = Clock()
    app = create_app(
        world.settings,
        clock=clock,
        orchestrator=InlineOrchestrator(world.settings, clock=clock),
        security=SecuritySettings(secret=b"doors-test-secret"),
    )
    client = TestClient(app, raise_server_exceptions=False)
    answer = client.post("/api/login", json={"brugernavn": SECRETARY[0], "adgangskode": SECRETARY[1]})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    folder = tmp_path_factory.mktemp("webdoors")
    world = make_world(f"sqlite:///{folder / 'db' / 'sagsgang.db'}", folder / "home", files=True)
    with web_client(world) as client:
        yield world, client
    record("web (SQLite)", world)


def _form_token(client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sager/ny").text)
    assert found, "the form has no CSRF token"
    return found.group(1)


def knock(world, client, method: str, path: str, kind: str, payload) -> None:
    before = world.snapshot()
    if kind == "form":
        answer = client.request(method, path, data={**payload, "csrf_token": _form_token(client)})
    else:
        answer = client.request(method, path, json=payload)
    said = answer.text
    for value in sorted((str(v) for v in (payload or {}).values()), key=len, reverse=True):
        for shown in (value, json.dumps(value, ensure_ascii=False)[1:-1]):
            if len(shown) > 2:
                said = said.replace(shown, "")
    if kind == "form":  # the page's own markup and script are not the message
        said = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", said, flags=re.S)
    english = ENGLISH.search(said)
    written = world.snapshot() != before
    world.tally(not 400 <= answer.status_code < 500, "Traceback" in answer.text, english is not None, written)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:500])
    assert english is None, f"English in the answer ({english.group(0)!r}): {answer.text[:500]}"
    assert not written, f"something was written: {answer.text[:500]}"


@pytest.mark.parametrize("door", sorted(WEB_DOORS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.data())
def test_bad_requests_get_a_4xx_in_danish_and_write_nothing(web, door, data):
    world, client = web
    method, path, kind, payload = data.draw(WEB_DOORS[door], label="request")
    knock(world, client, method, path, kind, payload)


def test_the_login_answers_csrf_token_works_for_the_first_write(web):
    world, _ = web
    with web_client(world) as client:  # a new API client: no cookies before its login
        answer = client.post("/api/abonnementer", json={"afdeling": "Erhverv"})
    assert answer.status_code == 201, answer.text
