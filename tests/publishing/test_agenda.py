"""Agendas and minutes (dagsorden og referat) as the municipality publishes them.

The fixture is Albertslund's Chefforum meeting of 10 April 2024, copied by hand from its
published minutes (/work/shared/seeds/003_*.txt): items, journal numbers, time slots, indstilling
points, decisions, attachments and the Historik line from Direktørforum 19 March 2024. One item
is not in the seed: a closed personnel item, added to test what the public version hides.
Expected dates and working days are worked out by hand from the calendar (see the comments).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from calendars.meetings import MeetingStatus, meeting_plan
from calendars.profile_reader import load_profile
from calendars.profiles import ProfileError
from models import db
from models.agenda_items import (
    AttachmentText,
    CaseText,
    find_meeting,
    load_agenda,
    put_on_agenda,
    record_decision,
    set_case_content,
    set_meeting_notes,
)
from models.content import ItemKind
from models.store import cancel_meeting, sync_profile
from models.tables import Case, Outcome
from sagsgang.publishing.agenda import compose
from sagsgang.publishing.agenda_render import render_html, render_markdown
from tests import configured

MEETING_DAY = dt.date(2024, 4, 10)
AFTER_MEETING = dt.date(2024, 4, 15)

OUTLOOK = dict(journal_number="00.01.00-A00-11-24", title="CF - Ændringer i de tekniske indstillinger i Outlook")
OUTLOOK_TEXT = CaseText(
    kind=ItemKind.ORIENTATION,
    slot_minutes=5,
    occasion="Der er brug for at gennemføre en række tiltag for at minimere risikoen for databrud af både "
    "personhenførbare data såvel som data af forretningskritisk karakter for kommunen.",
    presentation='Datatilsynet skærpede den 28. august 2023 praksis i forhold til anvendelsen af "auto-complete" '
    "i mailprogrammer.\n\nDertil har en række af de databrud været forårsaget af større interne "
    "distributionsgrupper som:\n\n- AK – Alle (ak.alle@albertslund.dk)\n"
    "- AK – Rådhuset (ak.radhuset@albertslund.dk)",
    recommender="Afdelingschefen for Økonomi & Stab",
    points=("at Chefforum tager orienteringen til efterretning.",),
    attachments=(AttachmentText("Datatilsynets skærpede praksis"), AttachmentText("Adgang", "bilag/adgang.xlsx")),
)
OUTLOOK_DECISION = (
    "Chefforum tog orienteringen til efterretning.\n\nDe enkelte chefer kan efterfølgende via "
    "it-helpdesk få tilføjet yderligere medarbejdere som særligt bemyndigede."
)

TIME_REGISTRATION = dict(journal_number="81.10.00-A26-1-24", title="CF - Lov om tidsregistrering")
TIME_REGISTRATION_TEXT = CaseText(
    kind=ItemKind.ORIENTATION,
    slot_minutes=20,
    occasion="Der er den 23. januar 2024 vedtaget Lov om ændring af lov om gennemførelse af dele af "
    "arbejdstidsdirektivet og lov om Arbejdsretten og faglige voldgiftsretter. Loven træder i kraft "
    "den 1. juli 2024.",
    presentation="Følgende sag blev behandlet på Direktørforum den 19. marts 2024.\n\nMinimumskrav til "
    "arbejdstidsregistrering:\n\n- Arbejdsgiver skal sikre overholdelse af gældende regler om "
    "daglig og ugentlig hviletid\n- Arbejdsgiver skal sørge for, at lønmodtageren kan tilgå egne "
    "oplysninger",
    recommender="Kommunaldirektøren",
    points=("at Chefforum tager orienteringen til efterretning.",),
    economy="Såfremt et nyt system skal indkøbes vil der være en udgift til dette. Se sagsfremstilling.",
    legal_basis="<https://www.ft.dk/samling/20231/lovforslag/l68/index.htm>",
)
TIME_REGISTRATION_HISTORY = (
    "Kommunaldirektøren godkendte indstillingen.\n\nKommunaldirektøren besluttede "
    "endvidere, at indstillingen skal inkluderes på Chefforum 20. marts 2024 som "
    "orienteringspunkt."
)
TIME_REGISTRATION_DECISION = (
    "Chefforum tog orienteringen til efterretning.\n\nChefforum oplyste, at enkelte "
    "chefer kan have behov for at tilmelde flere deltagere til arbejdsgruppen."
)

PREPAREDNESS = dict(
    journal_number="27.00.00-A00-5-24",
    title="CF - Implementering af Albertslund Kommunes beredskabsplan om æresrelaterede konflikter og "
    "negativ social kontrol",
)
PREPAREDNESS_TEXT = CaseText(
    kind=ItemKind.DECISION,
    slot_minutes=30,
    occasion="Chefforum skal drøfte og beslutte, hvordan det sikres, at beredskabsplanen om æresrelaterede "
    "konflikter og negativ social kontrol bliver implementeret i Albertslund Kommune.",
    presentation="Barnets lov, som trådte i kraft den 1. januar 2024, indeholder bestemmelser, som forpligter "
    "kommunerne til at udarbejde et beredskab.",
    recommender="Konst. direktør for Børn, Sundhed & Velfærd",
    points=(
        "at Chefforum drøfter og tager stilling til, hvordan det sikres, at beredskab for negativ social "
        "kontrol og æresrelaterede konflikter samt ekstremisme bliver implementeret.",
    ),
    legal_basis="Barnets Lov.",
    attachments=(AttachmentText("Beredskabsplan 10.10.23"),),
)
PREPAREDNESS_DECISION = (
    "Chefforum besluttede, at de fire relevante afdelinger fortsat skal arbejde med at "
    "sikre implementering og drift af beredskabsplanen."
)

# Not in the seed: a closed personnel item (Kommunestyrelsesloven § 10).
CLOSED = dict(
    journal_number="81.03.00-G01-3-24", title="CF - Ansættelse af afdelingschef for Voksensocial", closed_item=True
)
CLOSED_TEXT = CaseText(
    kind=ItemKind.DECISION,
    slot_minutes=10,
    occasion="Ansættelsesudvalget indstiller Birgitte Sørensen til stillingen.",
    presentation="Der var 14 ansøgere til stillingen; tre blev indkaldt til anden samtale.",
    recommender="Kommunaldirektøren",
    points=("at Chefforum godkender ansættelsen af Birgitte Sørensen.",),
    attachments=(AttachmentText("Ansættelsesudvalgets vurdering af kandidaterne"),),
)
CLOSED_DECISION = "Chefforum godkendte ansættelsen af Birgitte Sørensen pr. 1. juni 2024."
CLOSED_SECRETS = (
    "Ansættelse af afdelingschef",
    "81.03.00-G01-3-24",
    "Birgitte Sørensen",
    "14 ansøgere",
    "Ansættelsesudvalgets vurdering",
    "1. juni 2024",
)

APPROVAL_DECISION = "Chefforum godkendte dagsordenen til dette møde samt referat fra Chefforum den 20. marts 2024."


def new_case(session, **fields) -> Case:
    case = Case(
        municipality="albertslund",
        route_key="orientering",
        ready_date=dt.date(2024, 3, 13),
        owner_name="Lise Holm",
        owner_email="lise.holm@albertslund.dk",
        **fields,
    )
    session.add(case)
    session.flush()
    return case


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    monkeypatch.setenv(configured.URL_VARIABLE, url)
    db.upgrade(configured.settings().database)
    return url


@pytest.fixture
def seed(url, albertslund):
    """The Chefforum meeting of 10 April 2024 and the Direktørforum meeting before it."""
    # The meetings were held, so they stand as planned. Chefforum did not meet between 20 March
    # and 10 April 2024 (the minutes approved on 10 April are those of 20 March): the shipped
    # profile's adopted plan says so (seed 003), so there is nothing to cancel.
    meetings = [
        dataclasses.replace(m, status=MeetingStatus.PLANNED)
        for m in meeting_plan(albertslund, dt.date(2024, 3, 1), dt.date(2024, 4, 30))
    ]
    with configured.session_scope() as session:
        sync_profile(session, albertslund, meetings)

        outlook = new_case(session, **OUTLOOK)
        closed = new_case(session, **CLOSED)
        time_registration = new_case(session, **TIME_REGISTRATION)
        preparedness = new_case(session, **PREPAREDNESS)
        for case, text in (
            (outlook, OUTLOOK_TEXT),
            (closed, CLOSED_TEXT),
            (time_registration, TIME_REGISTRATION_TEXT),
            (preparedness, PREPAREDNESS_TEXT),
        ):
            set_case_content(session, case, text)

        at_directors = put_on_agenda(session, albertslund, time_registration, "direktoerforum", dt.date(2024, 3, 19))
        record_decision(session, at_directors, Outcome.APPROVED, TIME_REGISTRATION_HISTORY)

        # Put on the meeting in this order; the closed item must still come after the open ones.
        on_meeting = {
            case.journal_number: put_on_agenda(session, albertslund, case, "chefforum", MEETING_DAY)
            for case in (outlook, closed, time_registration, preparedness)
        }
        meeting = find_meeting(session, "chefforum", MEETING_DAY)
        set_meeting_notes(session, meeting, journal_number="00.01.00-P35-7-23")
    return on_meeting


@pytest.fixture
def decided(seed):
    with configured.session_scope() as session:
        decisions = {
            OUTLOOK["journal_number"]: (Outcome.NOTED, OUTLOOK_DECISION),
            CLOSED["journal_number"]: (Outcome.APPROVED, CLOSED_DECISION),
            TIME_REGISTRATION["journal_number"]: (Outcome.NOTED, TIME_REGISTRATION_DECISION),
            PREPAREDNESS["journal_number"]: (Outcome.DISCUSSED, PREPAREDNESS_DECISION),
        }
        for journal_number, (outcome, text) in decisions.items():
            record_decision(session, session.merge(seed[journal_number]), outcome, text)
        set_meeting_notes(
            session,
            find_meeting(session, "chefforum", MEETING_DAY),
            approval_decision=APPROVAL_DECISION,
            other_business_decision="Intet.",
        )
    return seed


def document(profile, *, minutes=True, public=False, today=AFTER_MEETING, day=MEETING_DAY, body="chefforum", **options):
    with configured.session_scope() as session:
        stored = load_agenda(session, find_meeting(session, body, day))
    return compose(stored, profile, minutes=minutes, public=public, today=today, **options)


class _Text(HTMLParser):
    """The text a reader sees in an HTML page, one line per block; the CSS is not text."""

    BLOCKS = {"p", "h1", "h2", "h3", "li", "dt", "dd", "div", "section", "br", "ol", "ul", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = False

    def handle_starttag(self, tag, attrs):
        self.skip = tag == "style"
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "style":
            self.skip = False
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_lines(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def in_order(lines: list[str], *expected: str) -> None:
    """Each expected line appears, in this order."""
    position = 0
    for line in expected:
        assert line in lines[position:], f"{line!r} missing after line {position}: {lines[position : position + 8]}"
        position = lines.index(line, position) + 1


# --- the minutes look like the municipality's own ---------------------------------------------


def test_minutes_carry_the_seed_meetings_structure_and_facts(decided, albertslund):
    lines = visible_lines(render_html(document(albertslund)))
    in_order(
        lines,
        "Albertslund Kommune",
        "Referat – Chefforum",
        "Mødedato",
        "onsdag 10. april 2024 kl. 09:00",
        "Mødested",
        "915",
        "Indholdsfortegnelse",
        "Punkt 1: Godkendelse af dagsorden og referat",
        f"Punkt 2: {OUTLOOK['title']}",
        f"Punkt 3: {TIME_REGISTRATION['title']}",
        f"Punkt 4: {PREPAREDNESS['title']}",
        f"Punkt 5: {CLOSED['title']}",
        "Punkt 6: Eventuelt",
        "Punkt 1: Godkendelse af dagsorden og referat",
        "00.01.00-P35-7-23",
        "Indstilling",
        "Kommunaldirektøren indstiller,",
        "at dagsorden til dette møde godkendes",
        # Chefforum's meetings of 27 March and 3 April were cancelled: the one before is 20 March.
        "at referat fra mødet den 20. marts 2024 godkendes",
        "Beslutning",
        APPROVAL_DECISION,
        f"Punkt 2: {OUTLOOK['title']}",
        "00.01.00-A00-11-24 Orientering",
        "Anledning (5 min.)",
        OUTLOOK_TEXT.occasion,
        "Sagsfremstilling",
        "AK – Alle (ak.alle@albertslund.dk)",
        "Indstilling",
        "Afdelingschefen for Økonomi & Stab indstiller,",
        "at Chefforum tager orienteringen til efterretning.",
        "Beslutning",
        "Chefforum tog orienteringen til efterretning.",
        "De enkelte chefer kan efterfølgende via it-helpdesk få tilføjet yderligere medarbejdere som særligt "
        "bemyndigede.",
        "Bilag",
        "Datatilsynets skærpede praksis",
        "Adgang",
        f"Punkt 3: {TIME_REGISTRATION['title']}",
        "81.10.00-A26-1-24 Orientering",
        "Anledning (20 min.)",
        TIME_REGISTRATION_TEXT.occasion,
        "Sagsfremstilling",
        "Økonomi",
        TIME_REGISTRATION_TEXT.economy,
        "Lovgrundlag",
        "https://www.ft.dk/samling/20231/lovforslag/l68/index.htm",
        "Indstilling",
        "Kommunaldirektøren indstiller,",
        "Historik",
        "Direktørforum den 19. marts 2024:",
        "Kommunaldirektøren godkendte indstillingen.",
        "Beslutning",
        "Chefforum tog orienteringen til efterretning.",
        f"Punkt 4: {PREPAREDNESS['title']}",
        "27.00.00-A00-5-24 Beslutning",
        "Anledning (30 min.)",
        "Lovgrundlag",
        "Barnets Lov.",
        "Indstilling",
        "Konst. direktør for Børn, Sundhed & Velfærd indstiller,",
        "Beslutning",
        PREPAREDNESS_DECISION,
        "Bilag",
        "Beredskabsplan 10.10.23",
        f"Punkt 5: {CLOSED['title']}",
        "Punkt 6: Eventuelt",
        "Kommunaldirektøren indstiller,",
        "at punktet drøftes",
        "Beslutning",
        "Intet.",
    )
    assert lines.count("Historik") == 1  # only the case that Direktørforum treated first


def test_minutes_in_markdown_number_the_indstilling_and_keep_lists(decided, albertslund):
    text = render_markdown(document(albertslund))
    assert text.startswith("# Referat – Chefforum\n")
    assert "- Mødedato: onsdag 10. april 2024 kl. 09:00" in text
    assert "## Punkt 3: CF - Lov om tidsregistrering\n\n81.10.00-A26-1-24" in text
    assert "### Anledning (20 min.)" in text
    assert "Kommunaldirektøren indstiller,\n\n1. at Chefforum tager orienteringen til efterretning." in text
    assert (
        "Kommunaldirektøren indstiller,\n\n1. at dagsorden til dette møde godkendes\n"
        "2. at referat fra mødet den 20. marts 2024 godkendes"
    ) in text
    assert "*Direktørforum den 19. marts 2024:*\n\nKommunaldirektøren godkendte indstillingen." in text
    assert "- AK – Alle (ak.alle@albertslund.dk)\n- AK – Rådhuset" in text
    assert "1. Datatilsynets skærpede praksis\n2. [Adgang](<bilag/adgang.xlsx>)" in text
    assert text.rstrip().endswith(
        "## Punkt 6: Eventuelt\n\n00.01.00-P35-7-23\n\n### Indstilling\n\n"
        "Kommunaldirektøren indstiller,\n\n1. at punktet drøftes\n\n### Beslutning\n\n"
        "Intet."
    )


def test_the_agenda_has_history_but_no_decisions(decided, albertslund):
    agenda = render_html(document(albertslund, minutes=False, today=dt.date(2024, 4, 4)))
    lines = visible_lines(agenda)
    assert "Dagsorden – Chefforum" in lines
    assert "Beslutning" not in lines
    for decision in (OUTLOOK_DECISION, TIME_REGISTRATION_DECISION, APPROVAL_DECISION, CLOSED_DECISION):
        assert decision.split("\n")[0] not in agenda
    in_order(lines, "Historik", "Direktørforum den 19. marts 2024:", "Kommunaldirektøren godkendte indstillingen.")


def test_minutes_say_which_items_have_no_decision_yet(seed, albertslund):
    minutes = document(albertslund)
    assert minutes.undecided == (1, 2, 3, 4, 5, 6)
    assert visible_lines(render_html(minutes)).count("Beslutning er ikke registreret.") == 6


def test_a_decision_without_words_reads_as_what_the_body_did(seed, albertslund):
    with configured.session_scope() as session:
        record_decision(session, session.merge(seed[OUTLOOK["journal_number"]]), Outcome.NOTED)
    lines = visible_lines(render_html(document(albertslund)))
    in_order(lines, f"Punkt 2: {OUTLOOK['title']}", "Beslutning", "Chefforum tog orienteringen til efterretning.")


# --- public and internal versions ---------------------------------------------------------------


def test_public_minutes_show_a_closed_item_by_its_number_only(decided, albertslund):
    public = document(albertslund, public=True)
    for output in (render_html(public), render_markdown(public)):
        for secret in CLOSED_SECRETS:
            assert secret not in output
        assert "Punkt 5: Lukket punkt" in output
        assert "Intern udgave" not in output
        # Open items are all there.
        assert TIME_REGISTRATION_DECISION.split("\n")[0] in output
        assert "Punkt 6: Eventuelt" in output

    # The internal version has everything, and says it must not be published.
    internal = render_html(document(albertslund))
    for secret in CLOSED_SECRETS:
        assert secret in internal
    assert "Intern udgave: indeholder lukkede punkter og må ikke offentliggøres" in visible_lines(internal)


def test_public_agenda_hides_the_closed_item_too(decided, albertslund):
    agenda = document(albertslund, minutes=False, public=True, today=dt.date(2024, 4, 4))
    for output in (render_html(agenda), render_markdown(agenda)):
        for secret in CLOSED_SECRETS:
            assert secret not in output
        assert "Punkt 5: Lukket punkt" in output


def test_titles_and_texts_are_escaped_in_html(seed, albertslund):
    with configured.session_scope() as session:
        case = new_case(session, journal_number="05.01.08-G01-9-24", title="Vej & park <script>alert(1)</script>")
        set_case_content(
            session,
            case,
            CaseText(
                occasion='Fliser <b>og</b> bænke & "træer"',
                attachments=(AttachmentText("Kort <img src=x>", 'a"b.pdf'),),
            ),
        )
        put_on_agenda(session, load_profile("albertslund"), case, "chefforum", MEETING_DAY)
    html = render_html(document(albertslund))
    assert "<script>" not in html and "<b>og</b>" not in html and "<img" not in html
    assert "Vej &amp; park &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Fliser &lt;b&gt;og&lt;/b&gt; bænke &amp;" in html
    assert 'href="a&#34;b.pdf"' in html
    # A reader sees the title exactly as typed; an open item, so before the closed one.
    assert "Punkt 5: Vej & park <script>alert(1)</script>" in visible_lines(html)
    markdown = render_markdown(document(albertslund))
    assert "<script>" not in markdown and "<img" not in markdown


def test_meeting_dates_are_danish(decided, albertslund):
    with configured.session_scope() as session:
        stored = load_agenda(session, find_meeting(session, "direktoerforum", dt.date(2024, 3, 19)))
    directors = compose(stored, albertslund, minutes=True, public=False, today=AFTER_MEETING)
    assert "tirsdag 19. marts 2024 kl. 09:00" in visible_lines(render_html(directors))
    assert "Rådhuset, direktionsgangen" in visible_lines(render_html(directors))


# --- Kommunestyrelseslovens § 8, stk. 4 -------------------------------------------------------

COUNCIL_DAY = dt.date(2026, 5, 19)  # 3. tirsdag i maj 2026: Albertslund's kommunalbestyrelse
# The 4 hverdage before it: Mon 18, Fri 15, (Kristi himmelfartsdag Thu 14 May 2026 is a holiday),
# Wed 13, Tue 12. Published Tuesday 12 May is in time; Wednesday 13 May is 3 hverdage before.
IN_TIME, LATE = dt.date(2026, 5, 12), dt.date(2026, 5, 13)


@pytest.fixture
def council(url, albertslund):
    with configured.session_scope() as session:
        sync_profile(session, albertslund, meeting_plan(albertslund, dt.date(2026, 5, 1), dt.date(2026, 5, 31)))
        case = Case(
            municipality="albertslund",
            journal_number="00.22.00-A00-4-26",
            title="Regnskab 2025",
            route_key="politisk",
            ready_date=dt.date(2026, 3, 2),
            owner_name="Lise Holm",
            owner_email="lise.holm@albertslund.dk",
        )
        put_on_agenda(session, albertslund, case, "kommunalbestyrelsen", COUNCIL_DAY)


def council_agenda(profile, published, reason="", public=True):
    return document(
        profile,
        minutes=False,
        public=public,
        today=dt.date(2026, 5, 11),
        day=COUNCIL_DAY,
        body="kommunalbestyrelsen",
        published=published,
        reason=reason,
    )


def test_council_agenda_four_working_days_before_is_in_time(council, albertslund):
    agenda = council_agenda(albertslund, IN_TIME)
    assert not any("§ 8" in notice for notice in agenda.notices)
    assert "§ 8" not in render_html(agenda)


def test_council_agenda_three_working_days_before_is_flagged_and_needs_a_reason(council, albertslund):
    from sagsgang.publishing.agenda import AgendaError

    with pytest.raises(AgendaError, match=r"§ 8, stk\. 4") as refused:
        council_agenda(albertslund, LATE)
    assert "begrundelse" in str(refused.value)

    # The internal version is made, flagged.
    internal = visible_lines(render_html(council_agenda(albertslund, LATE, public=False)))
    assert any("senere end 4 hverdage før mødet (senest tirsdag 12. maj 2026)" in line for line in internal)

    reason = "Regnskabet blev først påtegnet af revisionen den 12. maj 2026."
    public = visible_lines(render_html(council_agenda(albertslund, LATE, reason)))
    assert any(
        "Dagsordenen udsendes onsdag 13. maj 2026" in line and f"Begrundelse: {reason}" in line for line in public
    )


def test_bodies_without_an_agenda_rule_are_never_flagged(decided, albertslund):
    # Chefforum has no agenda rule: an agenda sent the day before is fine.
    agenda = document(albertslund, minutes=False, public=True, today=dt.date(2024, 4, 9))
    assert not agenda.notices


# --- Kommunestyrelseslovens § 18, stk. 2 ------------------------------------------------------

PROFILE = """
name = "Testkommune"

[bodies.direktion]
name = "Direktionen"
kind = "administrativ"
cadence = "hver tirsdag kl. 09:00"
deadline = {{ working_days_before = 3 }}

[bodies.oekonomiudvalget]
name = "Økonomiudvalget"
kind = "politisk"
{finance}
cadence = "mandag i ugen før byraadet kl. 15:00"
deadline = {{ working_days_before = 6 }}

[bodies.byraadet]
name = "Byrådet"
kind = "politisk"
cadence = "sidste mandag i måneden kl. 18:00"
deadline = {{ working_days_before = 4 }}

[routes.budget]
name = "Budgetsag"
stages = {stages}
economic_impact = true
{waiver}
"""


def write_profile(tmp_path, stages, finance="finance_committee = true", waiver=""):
    path = tmp_path / "testkommune.toml"
    path.write_text(PROFILE.format(stages=stages, finance=finance, waiver=waiver), encoding="utf-8")
    return path


def test_economic_route_through_the_finance_committee_before_the_council_loads(tmp_path):
    path = write_profile(tmp_path, '["direktion", "oekonomiudvalget", "byraadet"]')
    assert load_profile(path).routes["budget"].economic_impact


@pytest.mark.parametrize("stages", ['["direktion", "byraadet"]', '["direktion", "byraadet", "oekonomiudvalget"]'])
def test_economic_route_without_the_finance_committee_before_the_last_stage_is_refused(tmp_path, stages):
    path = write_profile(tmp_path, stages)
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    message = str(refused.value)
    assert refused.value.key == "routes.budget.stages"
    assert str(path) in message and "§ 18, stk. 2" in message
    assert "oekonomiudvalget" in message and "economic_impact_waiver" in message


def test_without_a_marked_finance_committee_the_fix_says_how_to_mark_it(tmp_path):
    path = write_profile(tmp_path, '["direktion", "oekonomiudvalget", "byraadet"]', finance="")
    with pytest.raises(ProfileError, match="finance_committee = true"):
        load_profile(path)


def test_a_waiver_with_a_reason_lets_the_route_skip_the_finance_committee(tmp_path):
    reason = "Sagen er en orientering om en allerede vedtaget bevilling."
    path = write_profile(tmp_path, '["direktion", "byraadet"]', waiver=f'economic_impact_waiver = "{reason}"')
    assert load_profile(path).routes["budget"].economic_impact_waiver == reason
    empty = write_profile(tmp_path, '["direktion", "byraadet"]', waiver='economic_impact_waiver = "  "')
    with pytest.raises(ProfileError) as refused:
        load_profile(empty)
    assert refused.value.key == "routes.budget.economic_impact_waiver"


def test_planning_on_a_profile_that_breaks_section_18_is_refused_in_danish(tmp_path):
    path = write_profile(tmp_path, '["direktion", "byraadet"]')
    result = sagsgang("plan", "--kommune", str(path), "--rute", "budget", "--klar", "01-03-2027", database=None)
    assert result.returncode == 2
    assert "økonomiudvalget" in result.stderr and result.stdout == ""


# --- the commands ---------------------------------------------------------------------------------


def sagsgang(*args: str, database: str | None, today: str = "2024-04-15") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAGSGANG_TODAY": today}
    if database:
        env[configured.URL_VARIABLE] = database
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args], capture_output=True, text=True, env=env, timeout=60
    )


CASE_TEXT = '''
punkttype = "drøftelse"
tid = 20
anledning = "Chefforum skal drøfte tema og indhold for StoreMED- og Lederdag, der afholdes den 3. juni 2024."
sagsfremstilling = """
Den 3. juni 2024 afholdes StoreMEDdag for første gang i kombination med en Lederdag.

Dagen forventes opdelt som nedenfor:

- 09.00-12.00: Store MED dag
- 12.30-15.00: Lederdag
"""
indstiller = "Kommunaldirektøren"
indstilling = ["at Chefforum drøfter tema og indhold for StoreMED- og Lederdagen."]

[[bilag]]
titel = "Program for StoreMED- og Lederdag"
fil = "bilag/program.pdf"
'''


def test_case_texts_from_a_file_then_the_public_minutes_to_a_file(decided, url, tmp_path):
    with configured.session_scope() as session:
        case = new_case(session, journal_number="81.38.04-P00-2-24", title="CF - StoreMED - og Lederdag")
        put_on_agenda(session, load_profile("albertslund"), case, "chefforum", MEETING_DAY)
    texts = tmp_path / "storemed.toml"
    texts.write_text(CASE_TEXT, encoding="utf-8")
    (tmp_path / "bilag").mkdir()
    (tmp_path / "bilag" / "program.pdf").write_bytes(b"%PDF-1.4\n")  # an attachment must exist (issue 12)

    stored = sagsgang("sagstekst", "81.38.04-P00-2-24", str(texts), database=url)
    assert stored.returncode == 0, stored.stderr
    assert "81.38.04-P00-2-24" in stored.stdout and "1 bilag" in stored.stdout

    out = tmp_path / "referat.html"
    made = sagsgang("dagsorden", "chefforum", "10-04-2024", "--referat", "--offentlig", "-o", str(out), database=url)
    assert made.returncode == 0, made.stderr
    assert "punkt 5." in made.stderr  # the new item has no decision yet
    lines = visible_lines(out.read_text(encoding="utf-8"))
    # The new open item comes before the closed one.
    in_order(
        lines,
        "Referat – Chefforum",
        "Punkt 5: CF - StoreMED - og Lederdag",
        "81.38.04-P00-2-24 Drøftelse",
        "Anledning (20 min.)",
        "Dagen forventes opdelt som nedenfor:",
        "09.00-12.00: Store MED dag",
        "Kommunaldirektøren indstiller,",
        "Bilag",
        "Program for StoreMED- og Lederdag",
        "Punkt 6: Lukket punkt",
        "Punkt 7: Eventuelt",
    )
    assert not any(secret in line for secret in CLOSED_SECRETS for line in lines)


def run(capsys, monkeypatch, *args: str, today: str = "2024-04-15") -> tuple[int, str, str]:
    """The command in this process (fast); the database is the fixture's."""
    from sagsgang.cli.main import main

    monkeypatch.setenv("SAGSGANG_TODAY", today)
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_bad_input_gets_a_danish_message_exit_code_2_and_writes_nothing(decided, tmp_path, capsys, monkeypatch):
    texts = tmp_path / "tekst.toml"
    texts.write_text('anledning = "Ny tekst"\n', encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "sagstekst", "81.10.00-A26-1-2024", str(texts))
    assert code == 2 and "KLE" in err and "27.00.00-G01-1-24" in err

    texts.write_text('anledning = "Ny tekst"\nindstiling = ["at …"]\n', encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "sagstekst", "81.10.00-A26-1-24", str(texts))
    assert code == 2 and "'indstiling'" in err and "indstilling" in err

    texts.write_text('anledning = "Ny tekst"\ntid = 0\n', encoding="utf-8")
    assert run(capsys, monkeypatch, "sagstekst", "81.10.00-A26-1-24", str(texts))[0] == 2

    out = tmp_path / "referat.html"
    code, _, err = run(
        capsys, monkeypatch, "dagsorden", "chefforum", "10-04-2024", "--referat", "-o", str(out), today="2024-04-09"
    )
    assert code == 2 and "ikke holdt endnu" in err
    # No meeting in Easter week (the adopted plan, seed 003); a cancelled one says so.
    code, _, err = run(capsys, monkeypatch, "dagsorden", "chefforum", "03-04-2024")
    assert code == 2 and "intet møde onsdag 3. april 2024" in err
    with configured.session_scope() as session:
        cancel_meeting(session, "albertslund", "chefforum/2024-04-17")
    code, _, err = run(capsys, monkeypatch, "dagsorden", "chefforum", "17-04-2024")
    assert code == 2 and "aflyst" in err
    code, _, err = run(capsys, monkeypatch, "dagsorden", "chefforum", "11-04-2024")
    assert code == 2 and "onsdag 10. april 2024" in err  # the meetings near the date asked for
    code, _, err = run(capsys, monkeypatch, "dagsorden", "byraadet", "10-04-2024")
    assert code == 2 and "chefforum" in err
    code, _, err = run(capsys, monkeypatch, "dagsorden", "chefforum", "10-04-2024", "--format", "pdf")
    assert code == 2 and "-o" in err
    assert not out.exists()

    # The case's texts are unchanged.
    lines = visible_lines(render_html(document(load_profile("albertslund"))))
    assert TIME_REGISTRATION_TEXT.occasion in lines and "Ny tekst" not in lines


def test_standing_items_decisions_from_the_command_line(seed, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "faste-punkter", "chefforum", "10-04-2024", "--journalnr", "00.01.00-P35")
    assert code == 2 and "27.00.00-G01-1-24" in err
    code, _, _ = run(
        capsys,
        monkeypatch,
        "faste-punkter",
        "chefforum",
        "10-04-2024",
        "--godkendelse",
        APPROVAL_DECISION,
        "--eventuelt",
        "Intet.",
    )
    assert code == 0
    lines = visible_lines(render_html(document(load_profile("albertslund"))))
    in_order(
        lines,
        "Punkt 1: Godkendelse af dagsorden og referat",
        "00.01.00-P35-7-23",
        "Beslutning",
        APPROVAL_DECISION,
        "Punkt 6: Eventuelt",
        "Beslutning",
        "Intet.",
    )


def test_agenda_to_the_screen_is_markdown(decided, capsys, monkeypatch):
    code, out, _ = run(
        capsys, monkeypatch, "dagsorden", "chefforum", "10-04-2024", "--kommune", "albertslund", today="2024-04-04"
    )
    assert code == 0
    assert out.startswith("# Dagsorden – Chefforum\n") and "## Punkt 3: CF - Lov om tidsregistrering" in out


def test_standing_items_journal_number_must_be_in_kle_form(seed):
    with configured.session_scope() as session:
        meeting = find_meeting(session, "chefforum", MEETING_DAY)
        with pytest.raises(ValueError, match="emne-handlingsfacet-løbenummer-år, fx 27.00.00-G01-1-24"):
            set_meeting_notes(session, meeting, journal_number="00.01.00-P35-7")


@pytest.mark.e2e
def test_minutes_as_pdf(decided, url, tmp_path):
    out = tmp_path / "referat.pdf"
    made = sagsgang("dagsorden", "chefforum", "10-04-2024", "--referat", "--offentlig", "-o", str(out), database=url)
    assert made.returncode == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF")
    # pdftotext (Debian's poppler-utils, installed by tests/e2e/run.sh) reads the PDF independently.
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    assert "Punkt 3: CF - Lov om tidsregistrering" in text
    assert "Birgitte Sørensen" not in text
