"""ical.made_of: a publish skips rendering a feed whose digest is what its file was made of, and
reuses the VEVENT bytes of each event whose digest is unchanged, so a change anywhere in what a
subscriber receives must change the digests."""

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
        assert ical.made_of(changed, NAMESPACE).digest != ical.made_of(FEED, NAMESPACE).digest, name
        assert ical.made_of(changed, NAMESPACE).events != ical.made_of(FEED, NAMESPACE).events, name


def test_every_calendar_field_the_namespace_and_an_added_event_change_the_digest():
    assert {field.name for field in dataclasses.fields(ical.Feed)} - {"events"} == set(OTHER_FEED)
    variants = {name: dataclasses.replace(FEED, **{name: value}) for name, value in OTHER_FEED.items()}
    variants["an added event"] = dataclasses.replace(
        FEED, events=(MEETING, dataclasses.replace(MEETING, key="slagelse/byraadet/2027-04-26"))
    )
    for what, changed in variants.items():
        assert ical.made_of(changed, NAMESPACE).digest != ical.made_of(FEED, NAMESPACE).digest, what
    other = ical.made_of(FEED, ical.namespace_for("albertslund"))
    assert other.digest != ical.made_of(FEED, NAMESPACE).digest
    assert other.events != ical.made_of(FEED, NAMESPACE).events  # the UID is made from the namespace


def test_the_same_calendar_built_again_has_the_same_digest():
    again = dataclasses.replace(FEED, events=(dataclasses.replace(MEETING),))
    assert again is not FEED and ical.made_of(again, NAMESPACE) == ical.made_of(FEED, NAMESPACE)


def test_a_feed_rendered_with_the_vevents_of_its_last_file_is_the_feed_rendered_from_scratch():
    """A title changed and an event added: the unchanged events' bytes come from the old file."""
    evening = dataclasses.replace(
        MEETING,
        key="slagelse/byraadet/2027-04-26",
        summary="Byrådet – møde, budget; 2. behandling",
        start=dt.datetime(2027, 4, 26, 18, 0, tzinfo=COPENHAGEN),
        end=None,
        description="Linje 1\nLinje 2, ø",
    )
    old = dataclasses.replace(FEED, events=(MEETING, evening))
    old_body = ical.render(old, NAMESPACE)
    blocks = ical.vevents(old_body)
    assert [block.startswith(b"BEGIN:VEVENT\r\n") and block.endswith(b"END:VEVENT\r\n") for block in blocks] == [
        True,
        True,
    ]
    known = dict(zip(ical.made_of(old, NAMESPACE).events, blocks, strict=True))
    added = dataclasses.replace(
        MEETING, key="slagelse/byraadet/2027-05-31", start=MEETING.start + dt.timedelta(days=63)
    )
    new = dataclasses.replace(
        FEED, events=(dataclasses.replace(MEETING, summary="Byrådet – ekstraordinært møde"), evening, added)
    )
    ical.clear_cache()  # a fresh process: nothing serialized before
    assert ical.render(new, NAMESPACE, known) == ical.calendar(new, NAMESPACE).to_ical()
    assert blocks[1] in ical.render(new, NAMESPACE, known)
