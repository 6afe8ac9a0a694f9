"""After a command has stored its fact: the follow-up through the orchestration port (handed to the
running service, or here), and the Danish lines that say what happens next — the run's address, and
with `--vent` its outcome and the cases afterwards; or the case as it now stands, and why it ran here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sagsgang.cases import follow_up

if TYPE_CHECKING:
    from sagsgang.orchestration import Orchestrator
    from sagsgang.settings import Settings

T = TypeVar("T")
HANDED_OFF = "Sagen er gemt og planlagt; tjenesten sender påmindelserne."
MEETING_HANDED_OFF = "Mødeændringen er gemt; tjenesten planlægger sagerne på mødet igen."
SUBMISSION_HANDED_OFF = "Materialet er registreret; tjenesten følger sagen op og sender påmindelserne."
LAUNCHED = "Sagen {journal_number} er oprettet og planlagt."
NO_CASES = "Ingen sager var planlagt på mødet."
DAILY_HANDED_OFF = "Den daglige kontrol er givet til tjenesten, som sender mailene."
OUTCOMES_DA = {"COMPLETED": "gennemført", "FAILED": "fejlet", "CRASHED": "brudt ned", "CANCELLED": "annulleret"}
WAIT_SECONDS = 300


def orchestrator(settings: Settings) -> Orchestrator:
    """The settings' orchestration; when no service runs, the follow-up here leaves the mails due
    to the service: building and sending them would hold the command for a second or more."""
    from sagsgang.orchestration import orchestrator as chosen

    return chosen(settings, remind_here=False)


def print_summary(result: Mapping[str, Any]) -> None:
    for line in result.get("beskrivelse", []):
        print(line)
    for key in result.get("sendt", []):
        print(f"  Mail sendt: {key}")
    for about in result.get("venter", []):
        print(f"  Sendes, når tjenesten kører: {about}")
    if result.get("naeste_koersel") and not result.get("venter"):  # with mails waiting, the case wakes now
        import datetime as dt

        from calendars.danish import long_date

        at = dt.datetime.fromisoformat(result["naeste_koersel"])
        print(f"  Næste påmindelse eller fristkontrol: {long_date(at.date())} kl. {at:%H:%M}")


def run_follow_up(what: str, call: Callable[[], T]) -> T | None:
    """Run the follow-up (here, or handed to the service); its failure after our own change was
    stored is not the user's input."""
    from sagsgang.inputs import UserError

    try:
        return call()
    except UserError:
        raise
    except Exception as error:
        print(
            f"Advarsel: {what} er gemt, men sagsforløbet kunne ikke køres nu ({error}). "
            "Den daglige kontrol tager det op.",
            file=sys.stderr,
        )
        return None


def advance(
    settings: Settings,
    what: str,
    journal_number: str,
    municipality: str,
    wait: bool = False,
    handed_off: str = HANDED_OFF,
) -> int:
    """After a recorded fact: follow the case's route on and print where it stands (1 if that failed)."""
    chosen = orchestrator(settings)
    result = run_follow_up(what, lambda: chosen.advance(journal_number, municipality))
    if result is None:
        return 1
    return followed(settings, chosen, result, wait, [(journal_number, municipality)], handed_off)


def followed(
    settings: Settings,
    chosen: Any,
    result: Mapping[str, Any],
    wait: bool,
    cases: Sequence[tuple[str, str | None]],
    handed_off: str = HANDED_OFF,
) -> int:
    """Print what happens next: handed to the service (its run's address; with --vent, its outcome
    and the cases afterwards), or done here (and why: the service was busy, or is off)."""
    from sagsgang.orchestration import hand_off

    service = hand_off(chosen)
    if service is None or not follow_up.handed_off(result):
        if "beskrivelse" in result:
            print_summary(result)
        if said := follow_up.ran_here(result, settings.orchestration == "auto"):
            print(said)
        return 0
    print(f"{handed_off} Følg kørslen: {result['koersel_url']}")
    if not wait:
        return 0
    state = waited(service, result["koersel_id"])
    if state is None:
        return 1
    from sagsgang.cases import steps

    for journal_number, municipality in cases:
        if len(cases) > 1:
            print(f"Sagen {journal_number}:")
        print_summary(steps.summary_now(settings, journal_number, municipality))
    return 0 if state == "COMPLETED" else 1


def waited(service: Any, run_id: str) -> str | None:
    """Wait for the service's run (`--vent`) and say how it ended; its final state, or None."""
    state: str | None = service.wait(run_id, WAIT_SECONDS)
    if state is None:
        print(f"Kørslen er ikke færdig efter {WAIT_SECONDS} sekunder; den fortsætter i tjenesten.")
        return None
    print(f"Kørslen er {OUTCOMES_DA.get(state, state.lower())}.")
    return state
