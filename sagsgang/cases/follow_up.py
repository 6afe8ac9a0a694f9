"""What happens after an action, said the same way by the CLI and the web app: the follow-up was
handed to the running service (it follows the case and sends the reminders), ran here because the
service was busy, or ran here because no service runs (then reminders go out only once it does).
The orchestration port's summaries tell which (sagsgang.orchestration: `koersel_id`, `optaget`).
"""

from __future__ import annotations

from collections.abc import Mapping

HANDED_OFF = "Tjenesten følger op og sender påmindelserne."
BUSY = "Tjenesten var optaget, så opfølgningen er kørt her; tjenesten sender påmindelserne."
NOT_RUNNING = "Tjenesten kører ikke: de næste påmindelser sendes først, når `sagsgang tjeneste` kører."


def handed_off(result: Mapping[str, object]) -> bool:
    """The follow-up is a run of the service's (its id and page are in the summary)."""
    return "koersel_id" in result


def ran_here(result: Mapping[str, object], automatic: bool) -> str | None:
    """What to say about a follow-up that ran in this process: the service was busy, or (when the
    orchestration was chosen automatically) it does not run; None when inline was asked for."""
    if result.get("optaget"):
        return BUSY
    return NOT_RUNNING if automatic else None


# What a web page says after an action, by a key that can go into its redirect's address.
NEXT_STEPS = {"tjeneste": HANDED_OFF, "optaget": BUSY}


class NextStep(str):
    """A key of NEXT_STEPS (it goes into a redirect's address as it is), and the page of the
    service's run when the follow-up was handed off (`run_url`: the JSON API answers with it)."""

    run_url: str | None

    def __new__(cls, key: str, run_url: str | None = None) -> NextStep:
        made = super().__new__(cls, key)
        made.run_url = run_url
        return made


def next_step(result: object) -> NextStep | None:
    """The key of NEXT_STEPS after an action: handed to the service, or the service was busy; None
    when no service runs (the page then says what it always said)."""
    if not isinstance(result, Mapping):
        return None
    if handed_off(result):
        url = result.get("koersel_url")
        return NextStep("tjeneste", url if isinstance(url, str) else None)
    return NextStep("optaget") if result.get("optaget") else None
