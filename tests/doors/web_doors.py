"""The web app's doors: every writing form and JSON API operation, each with one bad value.

A door is (method, path, kind, payload): kind "json" is sent to the API with the CSRF header,
"form" as a browser posts the page's form with its CSRF field."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st

from tests.doors import strategies as bad
from tests.doors.world import JOURNAL

CASE = {
    "kommune": "slagelse",
    "titel": "Ny erhvervsplan",
    "journalnummer": "27.00.00-G01-2-27",
    "sagsbehandler": "Mette Hansen",
    "sagsbehandler_email": "meha@slagelse.dk",
    "leder": "Lars Berg",
    "leder_email": "labe@slagelse.dk",
    "afdeling": "Erhverv",
    "rute": "politisk",
    "klar": "01-03-2027",
}
CASE_FIELDS = {
    "titel": bad.bad_required_line,
    "journalnummer": st.one_of(bad.bad_journal.filter(lambda s: len(s) <= 100), st.just(JOURNAL)),
    "sagsbehandler": bad.bad_required_line.filter(lambda s: len(s) <= 500),
    "sagsbehandler_email": bad.bad_email.filter(lambda s: len(s) <= 500),
    "leder": bad.bad_required_line.filter(lambda s: len(s) <= 500),
    "leder_email": bad.bad_email.filter(lambda s: len(s) <= 500),
    "afdeling": bad.with_control(),
    "klar": bad.bad_date.filter(lambda s: s.strip() and len(s) <= 40),
    "maal_dato": bad.bad_date.filter(lambda s: s.strip() and len(s) <= 40),
    "rute": bad.unknown_key,
    "kommune": bad.unknown_key,
    "tid": st.one_of(bad.huge_number, st.sampled_from(["0", "-5", "abc", "1e3"])),
}
PLAN_FIELDS = {  # what a preview reads: the plan's inputs, and any text it is sent
    **{k: CASE_FIELDS[k] for k in ("klar", "maal_dato", "rute", "kommune", "tid")},
    "titel": bad.with_control(),
    "journalnummer": bad.bad_journal.filter(lambda s: s.strip() and len(s) <= 100),
}
CASES = f"/api/sager/slagelse/{JOURNAL}"


def _one_bad(base: dict, fields: dict) -> st.SearchStrategy[dict]:
    return st.sampled_from(sorted(fields)).flatmap(lambda k: fields[k].map(lambda v: {**base, k: v}))


def _door(method: str, path, kind: str, payload) -> st.SearchStrategy:
    path = path if isinstance(path, st.SearchStrategy) else st.just(path)
    payload = payload if isinstance(payload, st.SearchStrategy) else st.just(payload)
    return st.tuples(st.just(method), path, st.just(kind), payload)


DECISION = {"organ": "direktion", "udfald": "godkendt", "tekst": "", "ny_klar": ""}
LATE = {"organ": "chefforum", "dato": "20-03-2027", "besluttet_af": "Direktørforum", "begrundelse": ""}
MOVE = {"handling": "flyt", "ny_dato": "10-03-2027", "tid": "", "bekraeft": True}

WEB_DOORS = {
    "api sager": _door("POST", "/api/sager", "json", _one_bad(CASE, CASE_FIELDS)),
    "api tidsplan": _door("POST", "/api/sager/tidsplan", "json", _one_bad(CASE, PLAN_FIELDS)),
    "api beslutning": _door(
        "POST",
        f"{CASES}/beslutninger",
        "json",
        _one_bad(
            DECISION,
            {
                "organ": bad.unknown_key,
                "udfald": bad.unknown_key,
                "ny_klar": bad.bad_date.filter(lambda s: s.strip() and len(s) <= 40).map(str),
                "tekst": bad.with_control().map(lambda s: s + "\x00"),
            },
        ),
    ),
    "api eftersendelse": _door(
        "POST",
        f"{CASES}/eftersendelse",
        "json",
        _one_bad(
            LATE,
            {
                "dato": bad.bad_date.filter(lambda s: len(s) <= 40),
                "besluttet_af": bad.bad_required_line.filter(lambda s: len(s) <= 200),
                "organ": bad.unknown_key,
            },
        ),
    ),
    "api møde": st.one_of(
        _door(
            "POST",
            "/api/moeder/slagelse/direktion/09-03-2027",
            "json",
            _one_bad(
                MOVE,
                {
                    "ny_dato": bad.bad_date.filter(lambda s: len(s) <= 40),
                    "tid": bad.bad_time.filter(lambda s: s.strip()),
                },
            ),
        ),
        _door(
            "POST",
            bad.bad_date.filter(str.strip).map(lambda d: f"/api/moeder/slagelse/direktion/{quote(d, safe='')}"),
            "json",
            MOVE,
        ),
    ),
    "api abonnement": st.one_of(
        _door("POST", "/api/abonnementer", "json", bad.with_control().map(lambda s: {"afdeling": s})),
        _door("DELETE", bad.huge_number.map(lambda n: f"/api/abonnementer/{n}"), "json", None),
    ),
    "api sag ukendt": _door(
        "POST",
        bad.bad_journal.filter(str.strip).map(lambda j: f"/api/sager/slagelse/{quote(j, safe='')}/beslutninger"),
        "json",
        DECISION,
    ),
    "form ny sag": _door("POST", "/sager/ny", "form", _one_bad({**CASE, "handling": "start"}, CASE_FIELDS)),
    "form beslutning": _door(
        "POST",
        f"/sager/slagelse/{JOURNAL}/beslutning",
        "form",
        _one_bad(DECISION, {"udfald": bad.unknown_key, "ny_klar": bad.bad_date.filter(lambda s: s.strip())}),
    ),
}
