"""Fuzzing the web app: the JSON API from its own OpenAPI document (schemathesis, valid and
invalid inputs, in process) and the Ny sag form with hypothesis. Whatever arrives, no 5xx, and a
refused request stores nothing. The figures (requests tried, 5xx seen, refused) are printed and
written to test-artifacts/fuzz-web.json for the report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web_world import LAUNCH, SECRETARY, MovableClock, counts, login, make_app, meeting_rows, token

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EXAMPLES_PER_OPERATION = 40
FORM_EXAMPLES = 60


@pytest.fixture
def secretary(database):
    app = make_app(MovableClock(dt.date(2027, 3, 20)))
    with TestClient(app, raise_server_exceptions=False) as client:
        login(client, SECRETARY)
        # One real case, so that case, decision and meeting paths have something to hit.
        page = client.get("/sager/ny")
        client.post("/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)})
        yield client


def _record(name: str, figures: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "fuzz-web.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = figures
    path.write_text(json.dumps(known, indent=2, ensure_ascii=False))
    print(f"\n{name}: {figures} -> {path}")


def _state():
    return counts(), meeting_rows()


def test_the_json_api_survives_schemathesis(secretary):
    import schemathesis
    from schemathesis.generation import GenerationMode

    schema = schemathesis.openapi.from_dict(secretary.app.openapi())
    csrf = secretary.get("/api/mig").json()["csrf_token"]
    figures = {"requests": 0, "5xx": 0, "refused": 0, "refused_that_wrote": 0, "operations": 0}
    problems: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/login":
            continue  # guessing passwords only feeds the login throttle; tested in test_web.py
        figures["operations"] += 1
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case) -> None:
            kwargs = case.as_transport_kwargs(base_url="http://testserver")
            headers = {
                k: str(v)
                for k, v in (kwargs.get("headers") or {}).items()
                if k.lower() not in ("cookie", "content-length", "host")
            }
            headers["X-CSRF-Token"] = csrf
            before = _state()
            try:
                response = secretary.request(
                    kwargs["method"],
                    kwargs["url"],
                    params=kwargs.get("params"),
                    headers=headers,
                    json=kwargs.get("json"),
                    data=kwargs.get("data"),
                    content=kwargs.get("content"),
                )
            except (UnicodeEncodeError, ValueError):  # not even sendable over HTTP (httpx refuses it)
                return
            figures["requests"] += 1
            if response.status_code >= 500:
                figures["5xx"] += 1
                problems.append(f"{kwargs['method']} {kwargs['url']}: {response.status_code}")
            elif response.status_code >= 400:
                figures["refused"] += 1
                if _state() != before:
                    figures["refused_that_wrote"] += 1
                    problems.append(f"{kwargs['method']} {kwargs['url']}: {response.status_code} but wrote rows")

        run()

    _record("api_schemathesis", figures)
    assert figures["requests"] > 100
    assert problems == []


FIELDS = list(LAUNCH) + ["maal_organ", "maal_dato", "lukket", "punkttype", "oekonomi", "bilag"]
nasty = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "31-02-2027",
            "2027-13-01",
            "00-00-0000",
            "99.99.99-Z99-9-99",
            "<script>alert(1)</script>",
            "byraadet",
            "politisk",
            "x" * 600,
            "\x00",
            "'; DROP TABLE cases;--",
            "1e9",
            "-5",
            "0",
            "ja",
            "beslutning",
        ]
    ),
)


def test_the_new_case_form_survives_hypothesis(secretary):
    figures = {"requests": 0, "5xx": 0, "refused": 0, "refused_that_wrote": 0, "accepted": 0}
    problems: list[str] = []
    csrf = token(secretary.get("/sager/ny").text)

    @settings(
        max_examples=FORM_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        changes=st.dictionaries(st.sampled_from(FIELDS), nasty, min_size=1, max_size=6),
        path=st.sampled_from(["/sager/ny", "/sager/ny/tidsplan"]),
    )
    def run(changes, path) -> None:
        data = {**LAUNCH, **changes, "handling": "start", "csrf_token": csrf}
        before = _state()
        response = secretary.post(path, data=data, follow_redirects=False)
        figures["requests"] += 1
        if response.status_code >= 500:
            figures["5xx"] += 1
            problems.append(f"{path} {changes}: {response.status_code}")
        elif response.status_code >= 400 or path.endswith("tidsplan"):
            figures["refused" if response.status_code >= 400 else "accepted"] += 1
            if _state() != before:
                figures["refused_that_wrote"] += 1
                problems.append(f"{path} {changes}: wrote rows")
        else:
            figures["accepted"] += 1

    run()
    _record("form_hypothesis", figures)
    assert problems == []
