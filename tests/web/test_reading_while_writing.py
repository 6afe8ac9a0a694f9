"""Pages and open data while another process writes. On the embedded default (SQLite) a flow run,
a CLI command or another web worker holds the database's write lock while it commits: a page read
meanwhile answers at once, and a form that stores something waits its turn (and, when the lock
outlasts the busy timeout, says so in Danish and stores nothing)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from fastapi.testclient import TestClient

from tests import configured
from tests.web_world import LAUNCH, SECRETARY, MovableClock, counts, login, make_app, token

CASE_PAGE = "/sager/slagelse/27.00.00-G01-1-27"


@pytest.fixture
def client(database, monkeypatch):
    # The busy timeout down from 30 s to 1 s: a page that waited for the lock would fail here.
    monkeypatch.setenv(configured.URL_VARIABLE, f"{database}?timeout=1")
    with TestClient(make_app(MovableClock(dt.date(2027, 3, 1))), raise_server_exceptions=False) as client:
        login(client, SECRETARY)
        yield client


@pytest.fixture
def writer(database):
    """Another process in the middle of a write transaction: it holds SQLite's write lock."""
    connection = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
    yield connection
    connection.close()


def start_case(client: TestClient, **changes):
    page = client.get("/sager/ny")
    return client.post("/sager/ny", data={**LAUNCH, **changes, "handling": "start", "csrf_token": token(page.text)})


def test_pages_and_open_data_answer_while_another_process_writes(client, writer):
    assert start_case(client).status_code == 200
    writer.execute("BEGIN IMMEDIATE")

    case_page = client.get(CASE_PAGE)
    assert case_page.status_code == 200 and "Erhvervsstrategi 2027–2030" in case_page.text
    assert "Erhvervsstrategi 2027–2030" in client.get("/sager").text
    assert client.get("/oparl/v1.1/").status_code == 200
    writer.rollback()


def test_a_form_that_stores_waits_for_the_lock_and_says_so_when_it_outlasts_the_timeout(client, writer):
    writer.execute("BEGIN IMMEDIATE")
    refused = start_case(client, journalnummer="27.00.00-G01-2-27")
    writer.rollback()

    assert refused.status_code == 503
    assert "er optaget af en anden, der skriver til den" in refused.text and "Traceback" not in refused.text
    assert counts()["cases"] == 0
    assert start_case(client, journalnummer="27.00.00-G01-2-27").status_code == 200  # the lock gone: stored
    assert counts()["cases"] == 1
