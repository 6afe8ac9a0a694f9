"""The arguments of the lifecycle's actions: `sag opret|beslut|eftersend|indsend` and `mødeplan
flyt|aflys`. Declared once, here, for both ways an action runs: sagsgang.cli.case_commands (the
fact stored by this process) and sagsgang.cli.service_client (sent to the running service). Only
argparse: the thin path parses them without importing the database layer.
"""

from __future__ import annotations

import argparse

WAIT_HELP = "vent på tjenestens kørsel og vis resultatet"
CONFIRM_DAY_HINT = "Tilføj --bekræft-dag for at flytte mødet dertil alligevel."
CONFIRM_DAY_HINT = "Tilføj --bekræft-dag for at flytte mødet dertil alligevel."
OUTCOMES = "godkendt, anbefalet, 'taget til efterretning', drøftet, udsat, tilbagesendt, 'ikke godkendt'"


def case_group(commands) -> argparse._SubParsersAction:
    case = commands.add_parser(
        "sag",
        help="opret sager, registrér beslutninger og materiale",
        description="En sags livsforløb: oprettelse, materiale, beslutninger.",
    )
    return case.add_subparsers(title="kommandoer", metavar="<kommando>", required=True)


def meeting_group(commands) -> argparse._SubParsersAction:
    meetings = commands.add_parser(
        "mødeplan",
        help="flyt, aflys eller indlæs møder; sagerne på dem planlægges igen",
        description="Ændringer i mødeplanen. Sager på mødet planlægges igen.",
    )
    return meetings.add_subparsers(title="kommandoer", metavar="<kommando>", required=True)


def add_launch(sub) -> argparse.ArgumentParser:
    launch = sub.add_parser(
        "opret",
        help="opret en sag og planlæg dens rute",
        description="Opretter sagen, planlægger ruten og starter påmindelserne.",
    )
    launch.add_argument("--kommune", required=True, metavar="NAVN|STI", help="kommunens profil")
    launch.add_argument("--titel", required=True, help="sagens titel")
    launch.add_argument("--journalnummer", required=True, metavar="KLE", help="fx 27.00.00-G01-1-24")
    launch.add_argument("--sagsbehandler", required=True, metavar="NAVN")
    launch.add_argument("--sagsbehandler-email", required=True, metavar="E-MAIL")
    launch.add_argument("--leder", required=True, metavar="NAVN")
    launch.add_argument("--leder-email", required=True, metavar="E-MAIL")
    launch.add_argument("--afdeling", default="", metavar="NAVN")
    launch.add_argument("--rute", required=True, metavar="RUTE", help="rutens nøgle i profilen")
    launch.add_argument("--klar", metavar="DATO", help="datoen sagen er klar (standard i dag)")
    launch.add_argument("--senest", metavar="ORGAN:DATO", help="mål: organets seneste møde på eller før datoen")
    launch.add_argument("--lukket", action="store_true", help="lukket punkt")
    launch.add_argument("--vent", action="store_true", help=WAIT_HELP)
    return launch


def add_decide(sub) -> argparse.ArgumentParser:
    decide = sub.add_parser(
        "beslut",
        help="registrér et organs beslutning efter mødet",
        description=f"Udfald: {OUTCOMES}. Godkendt og lignende fører sagen videre; "
        "udsat giver organets næste møde; tilbagesendt planlægger fra en ny "
        "klar-dato; ikke godkendt afslutter sagen.",
    )
    decide.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    decide.add_argument("organ", metavar="ORGAN", help="organets nøgle, fx direktion")
    decide.add_argument("udfald", metavar="UDFALD", help=OUTCOMES)
    decide.add_argument("--tekst", metavar="TEKST", help="beslutningens ordlyd")
    decide.add_argument("--klar", metavar="DATO", help="ved tilbagesendt: hvornår sagen er klar igen")
    decide.add_argument("--kommune", metavar="NAVN", help="kun nødvendig hvis journalnummeret findes i flere")
    decide.add_argument("--vent", action="store_true", help=WAIT_HELP)
    return decide


def add_late(sub) -> argparse.ArgumentParser:
    late = sub.add_parser(
        "eftersend",
        help="sæt sagen på et møde efter sagsfristen (eftersendt punkt)",
        description="Sagen optages på organets møde efter fristen, fordi nogen har besluttet det "
        "(fx Direktørforum). Kun denne sag: organets frist for andre sager er uændret. "
        "Sagen planlægges igen, og dagsordenen viser den som eftersendt punkt.",
    )
    late.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    late.add_argument("organ", metavar="ORGAN", help="organets nøgle, fx chefforum")
    late.add_argument("dato", metavar="DATO", help="mødets dato, fx 20-03-2024")
    late.add_argument("--besluttet-af", required=True, metavar="HVEM", help="hvem besluttede det, fx Direktørforum")
    late.add_argument("--begrundelse", metavar="TEKST", help="hvorfor sagen eftersendes")
    late.add_argument("--kommune", metavar="NAVN", help="kun nødvendig hvis journalnummeret findes i flere")
    late.add_argument("--vent", action="store_true", help=WAIT_HELP)
    return late


def add_submit(sub) -> argparse.ArgumentParser:
    submit = sub.add_parser(
        "indsend",
        help="registrér at materialet er afleveret til sagsfristen",
        description="Materialet er afleveret: påmindelserne om fristen stopper.",
    )
    submit.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    submit.add_argument("--organ", metavar="ORGAN", help="kun til dette organ (standard: hele det aktuelle trin)")
    submit.add_argument("--kommune", metavar="NAVN")
    submit.add_argument("--vent", action="store_true", help=WAIT_HELP)
    return submit


def add_move(msub) -> argparse.ArgumentParser:
    move = msub.add_parser("flyt", help="flyt et møde til en ny dato")
    move.add_argument("organ", metavar="ORGAN")
    move.add_argument("dato", metavar="DATO", help="mødets nuværende dato")
    move.add_argument("ny_dato", metavar="NY_DATO")
    move.add_argument("--tid", metavar="TT:MM", help="nyt klokkeslæt (standard: det samme)")
    move.add_argument(
        "--bekræft-dag",
        dest="bekraeft_dag",
        action="store_true",
        help="flyt også til en helligdag, lukkedag, weekend eller ferie (ellers afvises det)",
    )
    move.add_argument("--kommune", required=True, metavar="NAVN|STI")
    move.add_argument("--vent", action="store_true", help=WAIT_HELP)
    return move


def add_cancel(msub) -> argparse.ArgumentParser:
    cancel = msub.add_parser("aflys", help="aflys et møde")
    cancel.add_argument("organ", metavar="ORGAN")
    cancel.add_argument("dato", metavar="DATO")
    cancel.add_argument("--kommune", required=True, metavar="NAVN|STI")
    cancel.add_argument("--vent", action="store_true", help=WAIT_HELP)
    return cancel
