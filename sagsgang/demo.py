"""`sagsgang demo`: what Sagsgang does, on a shipped profile, in under a screenful."""

from __future__ import annotations

import datetime as dt

from calendars.clock import clock_from_env
from calendars.danish import long_date
from calendars.meetings import Schedule
from calendars.planner import plan
from calendars.profiles import load_profile
from sagsgang import timeline

PROFILE, ROUTE = "slagelse", "politisk"


def run() -> int:
    profile = load_profile(PROFILE)
    route = profile.routes[ROUTE]
    today = clock_from_env().today()
    schedule = Schedule.for_period(profile, today, today + dt.timedelta(days=3 * 365))
    result = plan(route, schedule, today)
    print(f"Sagsgang – demo på {profile.name}, rute '{route.key}', med en sag der er klar i dag "
          f"({long_date(today)}).\n")
    print(timeline.render(result, profile.name, "tabel"))
    print("Prøv selv:")
    print(f"  sagsgang plan --kommune {PROFILE} --rute politisk_oekonomi --klar {today:%d-%m-%Y}")
    print(f"  sagsgang plan --kommune {PROFILE} --rute {ROUTE} --senest byraadet:"
          f"{result.final.latest_meeting.day + dt.timedelta(days=120):%d-%m-%Y} --format md")
    print("  sagsgang kommuner        (profiler, organer og ruter)")
    return 0
