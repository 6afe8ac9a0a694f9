"""The heartbeat: when the daily check has not run by 09:00 on a working day, the secretariat sees
a Danish banner and gets one mail that day. Slagelse's calendar: Tuesday 2 March 2027 is a working
day; Saturday 6 March and Anden påskedag (Monday 29 March 2027) are not."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pendulum
from sqlmodel import Session

from sagsgang.accounts import logins
from sagsgang.notifications import daily, heartbeat
from tests import configured
from tests.lifecycle_world import launch


def at(day: date, hour: int, minute: int = 0) -> dt.datetime:
    return pendulum.datetime(day.year, day.month, day.day, hour, minute, tz="Europe/Copenhagen")


def banner(when: dt.datetime) -> str | None:
    with Session(configured.engine()) as session:
        return heartbeat.banner(session, when)


def run_step(step, /, *args):
    return step(*args)


def secretariat_and_a_case() -> None:
    with configured.session_scope() as session:
        logins.create_user(session, "kiol@slagelse.dk", "sekretariat", "sekretariat-kode-2027", "Kirsten Olsen")
        logins.create_user(session, "labe@slagelse.dk", "leder", "leder-kode-2027-abc", "Lars Berg")
    launch(ready=date(2027, 3, 15))  # nothing due in early March: the check would send nothing


def test_no_daily_check_by_nine_on_a_working_day_shows_a_banner_and_mails_the_secretariat_once(database, smtp):
    secretariat_and_a_case()
    tuesday = date(2027, 3, 2)
    assert banner(at(tuesday, 8, 59)) is None
    assert banner(at(tuesday, 9)) == (
        "Dagens kontrol (påmindelser og eskaleringer) er ikke kørt i dag, tirsdag 2. marts 2027. "
        "Kontrollér at tjenesten kører (sagsgang tjeneste), eller kør sagsgang daglig."
    )
    for minute in (0, 5, 10):  # the wake-up flow asks every 5 minutes
        heartbeat.warn_if_missing(configured.settings(), at(tuesday, 9, minute))
    heartbeat.warn_if_missing(configured.settings(), at(tuesday, 15))
    assert smtp.subjects() == ["Driftsadvarsel: dagens kontrol er ikke kørt 2. marts 2027"]
    assert [tos for _, tos in smtp.envelopes] == [["kiol@slagelse.dk"]]  # the secretariat, not the manager

    daily.check(configured.settings(), at(tuesday, 15, 30), run_step)  # someone runs it by hand
    assert banner(at(tuesday, 16)) is None
    heartbeat.warn_if_missing(configured.settings(), at(tuesday, 16))
    assert len(smtp.messages) == 1

    wednesday = date(2027, 3, 3)  # a new day, a new check due
    assert banner(at(wednesday, 9, 30)) is not None
    heartbeat.warn_if_missing(configured.settings(), at(wednesday, 9, 30))
    assert smtp.subjects()[-1] == "Driftsadvarsel: dagens kontrol er ikke kørt 3. marts 2027"


def test_a_check_that_ran_at_eight_means_no_banner_and_no_mail(database, smtp):
    secretariat_and_a_case()
    tuesday = date(2027, 3, 2)
    daily.check(configured.settings(), at(tuesday, 8), run_step)
    assert banner(at(tuesday, 9, 30)) is None
    assert heartbeat.warn_if_missing(configured.settings(), at(tuesday, 9, 30)) == 0
    assert smtp.messages == []


def test_no_banner_on_days_off(database, smtp):
    secretariat_and_a_case()
    for day in (date(2027, 3, 6), date(2027, 3, 7), date(2027, 3, 29)):  # Saturday, Sunday, Anden påskedag
        assert banner(at(day, 10)) is None
        heartbeat.warn_if_missing(configured.settings(), at(day, 10))
    assert smtp.messages == []
