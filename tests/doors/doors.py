"""Every command's doors, each with the bad values it may be handed: (argv, stdin) strategies.

One valid call per command, with exactly one value replaced by a bad one, so each refusal is the
door's own (not a neighbouring field's). The suites (test_cli_doors, and the same on PostgreSQL in
tests/e2e/test_doors_e2e.py) run each door with hypothesis."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.doors import strategies as bad
from tests.doors.world import JOURNAL, LAUNCH, SECRETARY

OPTIONS = {  # sag opret's options and the bad values each must refuse
    "--titel": bad.bad_required_line,
    "--journalnummer": st.one_of(bad.bad_journal, st.just(JOURNAL), st.just(f" {JOURNAL}\n")),  # or the case there is
    "--sagsbehandler": bad.bad_required_line,
    "--sagsbehandler-email": bad.bad_email,
    "--leder": bad.bad_required_line,
    "--leder-email": bad.bad_email,
    "--afdeling": bad.bad_line,
    "--klar": bad.bad_date,
    "--senest": st.one_of(
        bad.bad_date.map(lambda d: f"byraadet:{d}"),
        bad.unknown_key.map(lambda b: f"{b}:24-06-2027"),
        bad.free_text.filter(lambda s: ":" not in s),
    ),
    "--rute": bad.unknown_key,
    "--kommune": bad.unknown_key,
}


def _launch_with(option: str, value: str) -> tuple[list[str], str]:
    argv = list(LAUNCH)
    if option in argv:
        argv[argv.index(option) + 1] = value
    else:
        argv += [option, value]
    return argv, ""


def _call(*parts: st.SearchStrategy[str] | str, stdin: st.SearchStrategy[str] | str = "") -> st.SearchStrategy:
    drawn = [p if isinstance(p, st.SearchStrategy) else st.just(p) for p in parts]
    return st.tuples(st.tuples(*drawn).map(list), stdin if isinstance(stdin, st.SearchStrategy) else st.just(stdin))


known_organ = st.sampled_from(["direktion", "chefforum", "byraadet"])
DOORS: dict[str, st.SearchStrategy[tuple[list[str], str]]] = {
    "sag opret": st.sampled_from(sorted(OPTIONS)).flatmap(lambda o: OPTIONS[o].map(lambda v: _launch_with(o, v))),
    "sag beslut": st.one_of(
        _call("sag", "beslut", bad.bad_journal, "direktion", "godkendt"),
        _call("sag", "beslut", JOURNAL, bad.unknown_key, "godkendt"),
        _call("sag", "beslut", JOURNAL, "direktion", bad.unknown_key),
        _call("sag", "beslut", JOURNAL, "direktion", "tilbagesendt", "--klar", bad.bad_date),
        _call("sag", "beslut", JOURNAL, "direktion", "tilbagesendt"),  # no terminal to ask for the date
        _call(
            "sag",
            "beslut",
            JOURNAL,
            "direktion",
            "godkendt",
            "--tekst",
            bad.with_control(bad.free_text).map(lambda s: s + "\x00"),
        ),
    ),
    "sag eftersend": st.one_of(
        _call("sag", "eftersend", JOURNAL, known_organ, bad.bad_date, "--besluttet-af", "Direktørforum"),
        _call("sag", "eftersend", JOURNAL, "chefforum", "20-03-2027", "--besluttet-af", bad.bad_required_line),
        _call("sag", "eftersend", bad.bad_journal, "chefforum", "20-03-2027", "--besluttet-af", "Direktørforum"),
    ),
    "sag indsend/vis": st.one_of(
        _call("sag", st.sampled_from(["indsend", "vis"]), bad.bad_journal),
        _call("sag", "indsend", JOURNAL, "--organ", bad.unknown_key),
    ),
    "mødeplan": st.one_of(
        _call("mødeplan", "flyt", "direktion", "09-03-2027", bad.bad_date, "--kommune", "slagelse"),
        _call("mødeplan", "flyt", "direktion", bad.bad_date, "16-03-2027", "--kommune", "slagelse"),
        _call(
            "mødeplan", "flyt", "direktion", "09-03-2027", "10-03-2027", "--tid", bad.bad_time, "--kommune", "slagelse"
        ),
        _call("mødeplan", st.sampled_from(["flyt", "aflys"]), bad.unknown_key, "09-03-2027", "--kommune", "slagelse"),
        _call("mødeplan", "aflys", "direktion", bad.bad_date, "--kommune", "slagelse"),
    ),
    "plan/møder": st.one_of(
        _call("plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", bad.bad_date),
        _call("plan", "--kommune", "slagelse", "--rute", "politisk", "--mellemrum", bad.huge_number),
        _call(
            "plan",
            "--kommune",
            "slagelse",
            "--rute",
            "politisk",
            "--senest",
            bad.bad_date.map(lambda d: f"byraadet:{d}"),
        ),
        _call("møder", "--kommune", "slagelse", "--fra", bad.bad_date, "--til", "31-12-2027"),
        _call("dagsorden", "direktion", bad.bad_date, "--kommune", "slagelse"),
    ),
    "bruger opret": st.one_of(
        _call(
            "bruger",
            "opret",
            bad.bad_username,
            "--rolle",
            "leder",
            "--adgangskode-fra-stdin",
            stdin="en-lang-adgangskode-1\n",
        ),
        _call(
            "bruger",
            "opret",
            "ny",
            "--rolle",
            "leder",
            "--adgangskode-fra-stdin",
            stdin=bad.bad_password.map(lambda p: p + "\n"),
        ),
        _call("bruger", "opret", "ny", "--rolle", "leder", "--navn", bad.bad_required_line, "--kun-sso"),
        _call("bruger", "opret", "ny", "--rolle", "leder", "--email", bad.bad_email, "--kun-sso"),
        _call("bruger", "opret", "ny", "--rolle", bad.unknown_key, "--kun-sso"),
        _call("bruger", "opret", SECRETARY[0], "--rolle", "leder", "--kun-sso"),  # exists
        _call("bruger", "opret", "ny", "--rolle", "leder"),  # no terminal for the password
    ),
    "abonnement": st.one_of(
        _call("abonnement", "opret", bad.bad_email),
        _call("abonnement", "tilbagekald", st.one_of(bad.huge_number, bad.bad_email)),
    ),
    "argparse": st.one_of(
        _call("sag", "opret", bad.unknown_key.map(lambda k: f"--{k}")),
        _call(st.sampled_from(["sag", "mødeplan", "bruger", "abonnement"]), bad.unknown_key),
        _call(
            "plan",
            "--kommune",
            "slagelse",
            "--rute",
            "politisk",
            "--mellemrum",
            bad.free_text.filter(lambda s: not s.strip().lstrip("-").isdigit()),
        ),
    ),
}
