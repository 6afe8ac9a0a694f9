"""The council's agenda and økonomiudvalget's recommendation (coupled stages, issue 13): the council
takes the cases ØU treated the week before, and "Økonomiudvalgets indstilling" is added to its
agenda once ØU has met (Kommunestyrelseslovens § 18, stk. 2). Slagelse: Byrådet takes its cases
from Økonomiudvalget (calendars/profiles/slagelse.toml)."""

from __future__ import annotations

from datetime import date, time

from calendars.meetings import MeetingStatus
from calendars.profiles import BodyKind
from models.agenda_items import StoredItem, StoredMeeting, Treatment
from models.tables import Outcome
from sagsgang.publishing.agenda import compose
from sagsgang.publishing.agenda_render import render_markdown

COUNCIL_DAY = date(2027, 5, 31)  # Byrådet, adopted plan; ØU met Monday 24 May


def council_agenda(slagelse, *history: Treatment) -> str:
    item = StoredItem("27.00.00-G01-1-27", "Erhvervsstrategi 2027", False, None, history, None)
    stored = StoredMeeting(
        "slagelse", "byraadet/2027-05-31", "byraadet", "Byrådet", BodyKind("politisk"), COUNCIL_DAY,
        time(18), "Byrådssalen", MeetingStatus.PLANNED, None, "", "", "", (item,),
    )  # fmt: skip
    return render_markdown(compose(stored, slagelse, minutes=False, public=False, today=date(2027, 5, 25)))


def test_the_council_agenda_prints_oekonomiudvalgets_indstilling_once_it_has_met(slagelse):
    oeu = Treatment(
        "Økonomiudvalget", date(2027, 5, 24), Outcome.RECOMMENDED, "Økonomiudvalget anbefaler indstillingen."
    )
    text = council_agenda(slagelse, oeu)
    assert "### Økonomiudvalgets indstilling\n\nØkonomiudvalget anbefaler indstillingen." in text


def test_before_oekonomiudvalget_has_met_there_is_no_indstilling_on_the_council_agenda(slagelse):
    committee = Treatment("Erhvervsudvalget", date(2027, 5, 4), Outcome.RECOMMENDED, "")
    text = council_agenda(slagelse, committee)
    assert "s indstilling" not in text
    assert "Erhvervsudvalget anbefalede indstillingen." in text  # Historik still shows it
