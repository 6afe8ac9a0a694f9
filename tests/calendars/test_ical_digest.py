"""ical.digest: a publish skips rendering a feed whose digest is what its file was made of, so a
change anywhere in what a subscriber receives must change the digest."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from calendars import ical

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NAMESPACE = ical.namespace_for("sagsgang")

MEETING = ical.FeedEvent(
    key="slagelse/byraadet/2027-03-29",
    summary="Byrådet – møde",
    start=dt.datetime(2027, 3, 29, 18, 0, tzinfo=COPENHAGEN),
    end=dt.datetime(2027, 3, 29, 21, 0, tzinfo=COPENHAGEN),
    location="Byrådssalen",
    description="Møde i Byrådet.",
    url="https://sagsgang.slagelse.dk/slagelse/organ/byraadet",
    categories=("Møde",),
    alarm_before=dt.timedelta(days=1),
    sequence=1,
    stamp=dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC),
)
FEED = ical.Feed(key="slagelse/organ/byraadet", name="Byrådet – møder og frister", events=(MEETING,))

# One other value for every field of an event and of the calendar.
OTHER_EVENT = {
    "key": "slagelse/byraadet/2027-04-26",
    "summary": "AFLYST: Byrådet – møde",
    "start": dt.datetime(2027, 3, 29, 17, 0, tzinfo=COPENHAGEN),
    "end": dt.datetime(2027, 3, 29, 22, 0, tzinfo=COPENHAGEN),
    "status": ical.Status.CANCELLED,
    "location": "Rådhuset, mødelokale 1",
    "description": "Møde i Byrådet. Dagsorden udsendes 22. marts.",
    "url": "https://sagsgang.slagelse.dk/slagelse/organ/byraadet?aar=2027",
    "categories": ("Møde", "Byråd"),
    "transparent": True,
    "alarm_before": dt.timedelta(days=2),
    "sequence": 2,
    "stamp": dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC),
}
OTHER_FEED = {
    "key": "slagelse/organ/oekonomiudvalget",
    "name": "Byrådet – møder",
    "description": "Møder i Byrådet.",
    "url": "https://sagsgang.slagelse.dk/kalender/slagelse/organ/byraadet.ics",
    "refresh": dt.timedelta(hours=2),
}


def test_every_event_field_a_subscriber_receives_changes_the_digest():
    assert {field.name for field in dataclasses.fields(ical.FeedEvent)} == set(OTHER_EVENT)
    for name, value in OTHER_EVENT.items():
        changed = dataclasses.replace(FEED, events=(dataclasses.replace(MEETING, **{name: value}),))
        assert ical.render(changed, NAMESPACE) != ical.render(FEED, NAMESPACE), name
        assert ical.digest(changed, NAMESPACE) != ical.digest(FEED, NAMESPACE), name


def test_every_calendar_field_the_namespace_and_an_added_event_change_the_digest():
    assert {field.name for field in dataclasses.fields(ical.Feed)} - {"events"} == set(OTHER_FEED)
    variants = {name: dataclasses.replace(FEED, **{name: value}) for name, value in OTHER_FEED.items()}
    variants["an added event"] = dataclasses.replace(
        FEED, events=(MEETING, dataclasses.replace(MEETING, key="slagelse/byraadet/2027-04-26"))
    )
    for what, changed in variants.items():
        assert ical.digest(changed, NAMESPACE) != ical.digest(FEED, NAMESPACE), what
    assert ical.digest(FEED, ical.namespace_for("albertslund")) != ical.digest(FEED, NAMESPACE)


def test_the_same_calendar_built_again_has_the_same_digest():
    again = dataclasses.replace(FEED, events=(dataclasses.replace(MEETING),))
    assert again is not FEED and ical.digest(again, NAMESPACE) == ical.digest(FEED, NAMESPACE)
