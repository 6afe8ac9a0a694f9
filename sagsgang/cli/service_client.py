"""The thin path: while the service runs, `sag opret|indsend|beslut|eftersend` and `mødeplan
flyt|aflys` are sent to the service's own web app, whose JSON API does each of them
(sagsgang.web.routes.api_cases, api_case_edit, api_meetings), and this process prints its answer.
It imports neither the database layer, holidays, pydantic-settings nor Prefect: an action costs
Python's start-up, argparse and one or two HTTP requests on this machine (http.client, imported
only once a running service is found).

When it is used: tjeneste.json (sagsgang.service.discovery) names a live process and a plain-http
`web_url` on this machine, the service's local token (sagsgang.service.local_token) can be read,
SAGSGANG_ORCHESTRATION is `auto` or `tjeneste`, and the command has no `--vent`. The web app acts
as the secretariat under this user's name, recorded in the case's history as coming from the
command line, as the command's own path records it. Otherwise `run` returns None and the command
takes its own path (sagsgang.cli.case_commands), as it also does when the request certainly did
not reach the app (connection refused), when the app refuses the token (401) or finds that the
command has other settings (421: SAGSGANG_TODAY, SAGSGANG_DATABASE_URL), and for what the API
cannot carry (a profile given as a file, `tilbagesendt` without --klar, which asks at the
terminal, an outcome spelled otherwise than the API's words).

Once the request is sent, the action is the service's: a missing answer (a timeout, a dropped
connection) or a 5xx is told, never run again here, as it may have been stored. Running the
command again is safe: the service refuses a second case with the journal number, a second
decision on the meeting, material already received, a meeting no longer on the date.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from sagsgang.cli import case_arguments
from sagsgang.cli.argparse_da import DanishArgumentParser
from sagsgang.cli.follow_ups import HANDED_OFF, LAUNCHED, MEETING_HANDED_OFF, NO_CASES, SUBMISSION_HANDED_OFF
from sagsgang.cli.main import EXIT_UNEXPECTED
from sagsgang.errors import EXIT_BAD_INPUT, EXIT_UNAVAILABLE
from sagsgang.service import discovery, local_token

ACTIONS = {"sag": ("opret", "indsend", "beslut", "eftersend"), "mødeplan": ("flyt", "aflys")}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::")
CONNECT_SECONDS = 0.5  # the app is on this machine: it accepts at once, or nothing listens
ANSWER_SECONDS = 120.0  # storing the fact and handing off; a busy Prefect makes the app follow up itself
NOT_ANSWERED = (
    "Tjenesten svarede ikke på handlingen ({reason}); den kan være gemt. Se efter {look}, før du prøver igen."
)


@dataclass(frozen=True)
class Service:
    host: str
    port: int
    token: str


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any]
    look: str  # where to see whether it was stored, when no answer came
    said: Callable[[Mapping[str, Any]], list[str]]  # the lines the command prints after it
    handed_off: str  # …and the line when the service follows up
    hints: Mapping[str, str] = field(default_factory=dict)  # a field's error: what to add on the command line


class NotSent(Exception):
    """The request certainly did not reach the app: the command takes its own path."""


def run(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int | None:
    """The command's exit code when the running service took the action; None when the command
    must take its own path."""
    environ = os.environ if environ is None else environ
    if len(argv) < 2 or argv[1] not in ACTIONS.get(argv[0], ()) or {"-h", "--help"} & set(argv):
        return None
    if setting(environ, "orchestration", "auto") not in ("auto", "tjeneste"):
        return None
    service = running_service(environ)
    if service is None:
        return None
    args = parser().parse_args(list(argv))  # bad arguments: argparse's Danish message, exit 2
    if args.vent:
        return None
    headers = _headers(service, environ)
    try:
        request = _request(args, service, headers)
    except NotSent:
        return None
    except _Refused as refused:
        return refused.code
    if request is None:
        return None
    try:
        status, answer = _send(service, headers, request.method, request.path, request.body)
    except NotSent:
        return None
    except _NoAnswer as gone:
        print(f"Fejl: {NOT_ANSWERED.format(reason=gone, look=request.look)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    if status in (401, 421) or (status == 422 and _only_field(answer, "udfald")):
        return None  # refused before anything was done: the command's own path runs it
    if status >= 400:
        return _refused(status, answer, request.hints)
    for line in request.said(answer):
        print(line)
    return _followed(answer, request.handed_off)


def setting(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """SAGSGANG_<NAME> as sagsgang.settings.Settings reads it (the name in any case)."""
    wanted = f"SAGSGANG_{name.upper()}"
    return next((value for key, value in environ.items() if key.upper() == wanted), default).strip()


def running_service(environ: Mapping[str, str]) -> Service | None:
    home = Path(setting(environ, "home") or "~/.sagsgang").expanduser()
    running = discovery.read_in(home)
    if running is None or not running.web_url or not discovery.alive(running.pid):
        return None
    address = urlsplit(running.web_url)
    if address.scheme != "http" or address.hostname not in LOCAL_HOSTS:
        return None  # a public https address: the command takes its own path
    token = local_token.read(home)
    if token is None:
        return None
    host = (
        "127.0.0.1"
        if address.hostname in ("0.0.0.0", "localhost")
        else "::1"
        if address.hostname == "::"
        else address.hostname
    )
    return Service(host, address.port or 80, token)


def parser() -> DanishArgumentParser:
    """The actions' own arguments (sagsgang.cli.case_arguments), under the same command names."""
    top = DanishArgumentParser(prog="sagsgang")
    commands = top.add_subparsers(required=True, parser_class=DanishArgumentParser)
    cases = case_arguments.case_group(commands)
    for add_case in (case_arguments.add_launch, case_arguments.add_submit, case_arguments.add_decide):
        add_case(cases).set_defaults(action=add_case)
    case_arguments.add_late(cases).set_defaults(action=case_arguments.add_late)
    meetings = case_arguments.meeting_group(commands)
    for add_meeting in (case_arguments.add_move, case_arguments.add_cancel):
        add_meeting(meetings).set_defaults(action=add_meeting)
    return top


def _headers(service: Service, environ: Mapping[str, str]) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {service.token}",
        "Content-Type": "application/json",
        local_token.USER_HEADER: quote(getpass.getuser(), safe=""),
        local_token.TODAY_HEADER: setting(environ, "today"),
        local_token.DATABASE_HEADER: local_token.fingerprint(setting(environ, "database_url")),
    }


def _profile_file(name: str) -> bool:
    """--kommune names a profile file, which the service does not know by that name."""
    return "/" in name or name.endswith(".toml")


def _request(args, service: Service, headers: Mapping[str, str]) -> Request | None:
    add = args.action
    if add is case_arguments.add_launch:
        return _launch(args)
    if add in (case_arguments.add_move, case_arguments.add_cancel):
        return _meeting(args, moving=add is case_arguments.add_move)
    if add is case_arguments.add_decide and args.klar is None and args.udfald.strip() == "tilbagesendt":
        return None  # the command asks for the new ready date at the terminal
    municipality = args.kommune or _municipality_of(service, headers, args.sag)
    case = f"/api/sager/{quote(municipality, safe='')}/{quote(args.sag.strip(), safe='')}"
    look = f"med 'sagsgang sag vis {args.sag.strip()}'"
    if add is case_arguments.add_submit:
        body = {"organ": args.organ} if args.organ is not None else {}
        return Request("POST", f"{case}/materiale", body, look, _message, SUBMISSION_HANDED_OFF)
    if add is case_arguments.add_decide:
        body = {"organ": args.organ, "udfald": args.udfald, "tekst": args.tekst or "", "ny_klar": args.klar or ""}
        return Request("POST", f"{case}/beslutninger", body, look, _message, HANDED_OFF)
    body = {
        "organ": args.organ,
        "dato": args.dato,
        "besluttet_af": args.besluttet_af,
        "begrundelse": args.begrundelse or "",
    }
    return Request("POST", f"{case}/eftersendelse", body, look, _message, HANDED_OFF)


def _launch(args) -> Request | None:
    if _profile_file(args.kommune) or (args.senest is not None and ":" not in args.senest):
        return None  # the command's own path reads the file, or says what --senest should look like
    target_body, _, target_day = (args.senest or "").partition(":")
    body = {
        "kommune": args.kommune,
        "titel": args.titel,
        "journalnummer": args.journalnummer,
        "sagsbehandler": args.sagsbehandler,
        "sagsbehandler_email": args.sagsbehandler_email,
        "leder": args.leder,
        "leder_email": args.leder_email,
        "afdeling": args.afdeling,
        "rute": args.rute,
        "klar": args.klar or "",
        "maal_organ": target_body.strip(),
        "maal_dato": target_day.strip(),
        "lukket": args.lukket,
    }
    look = f"med 'sagsgang sag vis {args.journalnummer.strip()}'"
    return Request("POST", "/api/sager", body, look, _launched, HANDED_OFF)


def _meeting(args, moving: bool) -> Request | None:
    if _profile_file(args.kommune):
        return None
    path = f"/api/moeder/{quote(args.kommune, safe='')}/{quote(args.organ, safe='')}/{quote(args.dato, safe='')}"
    body: dict[str, Any] = {"handling": "flyt" if moving else "aflys", "bekraeft": True}
    if moving:
        body |= {"ny_dato": args.ny_dato, "tid": args.tid or "", "bekraeft_dag": args.bekraeft_dag}
    hints = {"bekraeft_dag": case_arguments.CONFIRM_DAY_HINT}
    return Request("POST", path, body, "under Møder i webappen", _meeting_changed, MEETING_HANDED_OFF, hints)


def _launched(answer: Mapping[str, Any]) -> list[str]:
    return [LAUNCHED.format(journal_number=answer["journalnummer"])]


def _message(answer: Mapping[str, Any]) -> list[str]:
    return [str(answer["besked"])]


def _meeting_changed(answer: Mapping[str, Any]) -> list[str]:
    return [str(answer["besked"])] + ([] if answer.get("sager") else [NO_CASES])


def _municipality_of(service: Service, headers: Mapping[str, str], journal: str) -> str:
    """The municipality of the case (the command has no --kommune); its Danish refusal, exit 2."""
    try:
        status, answer = _send(service, headers, "GET", f"/api/sagsnumre/{quote(journal.strip(), safe='')}", None)
    except _NoAnswer:  # a question, not yet the action: the command's own path may still run it
        raise NotSent() from None
    if status in (401, 421):
        raise NotSent()
    if status != 200:
        raise _Refused(_refused(status, answer, {}))
    return str(answer["kommune"])


class _Refused(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _NoAnswer(Exception):
    """The request was sent, and no answer came: the action may have been stored."""


def _send(
    service: Service, headers: Mapping[str, str], method: str, path: str, body: dict[str, Any] | None
) -> tuple[int, dict[str, Any]]:
    """(status, JSON answer). NotSent when the app could not be reached at all."""
    import http.client  # only once a service runs: it is a twentieth of every command's start-up

    connection = http.client.HTTPConnection(service.host, service.port, timeout=CONNECT_SECONDS)
    try:
        try:
            connection.connect()
        except OSError as error:  # refused, or nothing answers on this machine: the request never left
            raise NotSent() from error
        assert connection.sock is not None
        connection.sock.settimeout(ANSWER_SECONDS)
        data = None if body is None else json.dumps(body).encode("utf-8")
        try:
            connection.request(method, path, body=data, headers=dict(headers))
            response = connection.getresponse()
            status, raw = response.status, response.read()
        except TimeoutError:
            raise _NoAnswer(f"intet svar efter {ANSWER_SECONDS:.0f} sekunder") from None
        except (OSError, http.client.HTTPException) as error:
            raise _NoAnswer(type(error).__name__) from None
    finally:
        connection.close()
    try:
        answer = json.loads(raw) if raw else {}
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}


def _only_field(answer: Mapping[str, Any], name: str) -> bool:
    problems = answer.get("fejl")
    return isinstance(problems, dict) and set(problems) == {name}


def _refused(status: int, answer: Mapping[str, Any], hints: Mapping[str, str]) -> int:
    """The app's Danish refusal, printed as the command prints bad input (exit 2; nothing was
    written); a fault in what the service depends on exits 3, anything else 1."""
    problems = answer.get("fejl")
    if isinstance(problems, dict) and problems:
        for name, message in problems.items():
            print(f"Fejl: {message}{' ' + hints[name] if name in hints else ''}", file=sys.stderr)
    else:
        print(f"Fejl: {answer.get('detail') or 'Tjenesten afviste handlingen.'}", file=sys.stderr)
    if status < 500:
        return EXIT_BAD_INPUT
    return EXIT_UNAVAILABLE if status == 503 else EXIT_UNEXPECTED


def _followed(answer: Mapping[str, Any], handed_off: str) -> int:
    """What happens next, in the command's words: handed to the service (its run's page), or run
    by the service's web app because Prefect was busy; a warning (exit 1) when it could not run."""
    if answer.get("advarsel"):
        print(f"Advarsel: {answer['advarsel']}", file=sys.stderr)
        return EXIT_UNEXPECTED
    if answer.get("koersel"):
        print(f"{handed_off} Følg kørslen: {answer['koersel']}")
    elif answer.get("naeste"):
        print(answer["naeste"])
    return 0
