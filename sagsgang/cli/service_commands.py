"""The service's commands: `sagsgang tjeneste` (old name `serve`), `sagsgang arbejder` (old name
`worker`) and `sagsgang log`.

`tjeneste` is what one municipality runs on one machine: the web app and feeds in this process
(uvicorn), and around them the Prefect pieces of sagsgang.service.supervisor (its own Prefect
server unless PREFECT_API_URL names one, the deployments, `prefect worker` processes). With
`--uden-prefect` it serves the web only and hands follow-ups to PREFECT_API_URL (scale-out).
Everything Prefect and uvicorn say goes to the log files under SAGSGANG_HOME/logs.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque

from sagsgang.cli.database import upgraded_database
from sagsgang.cli.feed_commands import _base_url, _context
from sagsgang.cli.main import command_name
from sagsgang.inputs import UserError

PROFILE_HELP = "kommunens profil (navn eller .toml-sti); standard: de medfølgende profiler for kommunerne i databasen"


def _interrupted(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM while starting: stop what was started, like Ctrl+C


def service_command(args) -> int:
    from sagsgang import danish_words, logs
    from sagsgang.service import discovery, processes, supervisor

    serve = _serve_settings(args)
    logs.to_file(args.settings, "tjeneste")
    api_url = os.environ.get("PREFECT_API_URL")
    if args.uden_prefect:
        follow_up = f"opfølgning til {api_url}" if api_url else "opfølgning straks, uden Prefect"
        print(
            f"Sagsgang på http://{args.host}:{args.port}/ (log ind; brugere oprettes med 'sagsgang bruger opret'), "
            f"kalendere på /kalender/, {danish_words.count(args.workers, 'proces')}, "
            f"{follow_up} – stop med Ctrl+C.",
            flush=True,
        )
        _run_web(serve, args)
        return 0
    if not 0 < args.prefect_arbejdere <= 64:
        raise UserError(f"--prefect-arbejdere skal være mellem 1 og 64 (fik {args.prefect_arbejdere}).")
    plan = supervisor.Plan(
        settings=args.settings,
        web_url=serve.settings.base_url,
        prefect_port=args.prefect_port,
        workers=args.prefect_arbejdere,
        wait_seconds=args.ventetid,
        api_url_given=api_url,
    )
    print("Sagsgang-tjenesten starter (Prefect-server, deployments og arbejdere) …", flush=True)
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        # uvicorn handles SIGTERM while it serves and raises it again once it has stopped: then
        # `_interrupted` turns it into KeyboardInterrupt, so the Prefect pieces are stopped too.
        with supervisor.started(plan) as running:
            print(f"Webappen:  {running.web_url}/ (log ind; brugere oprettes med '{command_name()} bruger opret')")
            print(f"Prefect:   {discovery.ui_url(running.prefect_api_url)}/ (kørsler, tidsplaner, arbejdere)")
            print(
                f"Daglig kontrol kl. 08:00, sager vækkes hvert 5. minut; log i {logs.log_folder(args.settings)}. "
                "Stop med Ctrl+C.",
                flush=True,
            )
            try:
                _run_web(serve, args)
            finally:
                print("Stopper arbejderne og Prefect-serveren (op til et halvt minut) …", flush=True)
    except processes.StartFailed as error:
        print(f"Fejl: {error} Se {error.log}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("Sagsgang-tjenesten er stoppet.")
    return 0


def _serve_settings(args):
    from sagsgang.web import security
    from sagsgang.web.app import default_workers
    from sagsgang.web.worker_settings import ServeSettings

    if not 0 < args.port < 65536:
        raise UserError(f"--port skal være mellem 1 og 65535 (fik {args.port}).")
    args.workers = default_workers() if args.workers is None else args.workers
    if not 0 < args.workers <= 256:
        raise UserError(f"--workers skal være mellem 1 og 256 (fik {args.workers}).")
    if not args.tjek >= 0:
        raise UserError(f"--tjek skal være et antal sekunder, 0 eller mere (fik {args.tjek}).")
    if args.base_url:
        _base_url(args.base_url)
    else:
        set_by_user = "base_url" in args.settings.model_fields_set  # SAGSGANG_BASE_URL
        args.base_url = args.settings.base_url if set_by_user else f"http://{args.host}:{args.port}"
    upgraded_database(args.settings)  # migrations once, here, before any worker starts
    _context(args)  # a wrong --kommune is told here, not by every worker
    security.load_secret(args.settings)  # made once here (if not set): every worker signs sessions with it
    # Every worker builds the same app from these (sagsgang.web.app.app_from_settings).
    return ServeSettings(
        settings=args.settings.model_copy(update={"base_url": args.base_url.rstrip("/")}),
        profiles=args.kommune or [],
        check_every=args.tjek,
    )


def _run_web(serve, args) -> None:
    import uvicorn

    from sagsgang.web.worker_settings import handed_to_workers

    # sagsgang.cli.main lets SIGPIPE kill the process (quiet `sagsgang ... | head`); a server must instead
    # shrug off a client that hangs up mid-answer (wrk at the end of a round, a calendar program
    # closing), which otherwise kills it on the next write to that socket.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    fast = _installed("httptools") and _installed("uvloop")
    with handed_to_workers(serve):
        # httptools + uvloop (uvicorn[standard]) roughly double the polls a worker answers. uvicorn's
        # proxy-header handling is off because app_from_settings applies it behind the feeds' fast path.
        # Access logs are on (uvicorn's "info" level): one line per request, in the log file.
        uvicorn.run(
            "sagsgang.web.app:app_from_settings",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            http="httptools" if fast else "auto",
            loop="uvloop" if fast else "auto",
            backlog=4096,
            log_level="info",
            log_config=None,  # uvicorn's loggers propagate to the log file (sagsgang.logs.to_file)
            access_log=True,
            server_header=False,
            proxy_headers=False,
            timeout_worker_healthcheck=30,
        )


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def worker_command(args) -> int:
    """Register the pool and deployments on PREFECT_API_URL; then, unless --kun-opsaetning, become
    a `prefect worker` for the pool (its English output in the log file)."""
    from sagsgang import logs

    if not os.environ.get("PREFECT_API_URL"):
        raise UserError(
            "Sæt PREFECT_API_URL til jeres Prefect-server (fx http://127.0.0.1:4200/api, startet med "
            "'prefect server start' eller 'sagsgang tjeneste'), så arbejderen kan køre sagsgangens flows."
        )
    upgraded_database(args.settings)  # once, before any flow runs
    from sagsgang.orchestration import worker
    from sagsgang.service import processes

    names = worker(args.settings).register()
    print(f"Deployments i arbejdspuljen '{processes.POOL}': {', '.join(sorted(names))}.", flush=True)
    if args.kun_opsaetning:
        return 0
    log = logs.log_file(args.settings, f"prefect-worker-{os.getpid()}")
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"Sagsgang-arbejderen kører flows for puljen '{processes.POOL}'; log i {log}. Stop med Ctrl+C.", flush=True)
    command = [processes.prefect_program(), "worker", "start", "--pool", processes.POOL, "--type", "process"]
    if args.samtidige:
        command += ["--limit", str(args.samtidige)]
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.execv(command[0], command)  # signals (systemd's SIGTERM) now reach the worker itself


def log_command(args) -> int:
    from sagsgang import logs

    folder = logs.log_folder(args.settings)
    path = logs.log_file(args.settings, args.navn)
    if not path.exists():
        found = sorted(p.stem for p in folder.glob("*.log")) if folder.exists() else []
        raise UserError(
            f"Loggen '{args.navn}' findes ikke i {folder}."
            + (f" Der er: {', '.join(found)}." if found else " Der er ingen logfiler endnu.")
        )
    with path.open(encoding="utf-8", errors="replace") as file:
        for line in deque(file, maxlen=args.linjer):
            print(line, end="")
    return 0


def register(commands) -> None:
    service = commands.add_parser(
        "tjeneste",
        aliases=["serve"],
        help="kør Sagsgang: webapp, kalendere, påmindelser og sagsforløb",
        description="Tjenesten på én maskine: webappen til sekretariat og ledere (log ind; /api/ til andre "
        "systemer), kalenderne på /kalender/, en Prefect-server med sagsgangens deployments, tidsplaner "
        "(daglig kontrol kl. 08:00, opvækning hvert 5. minut) og arbejdere. Med PREFECT_API_URL bruges "
        "den Prefect-server i stedet for en egen.",
    )
    service.add_argument("--host", default="127.0.0.1", help="adressen, webappen lytter på (standard 127.0.0.1)")
    service.add_argument("--port", type=int, default=8000, help="webappens port (standard 8000)")
    service.add_argument("--base-url", metavar="URL", help="den offentlige adresse (standard: http://HOST:PORT)")
    service.add_argument("--kommune", action="append", metavar="NAVN|STI", help=PROFILE_HELP)
    service.add_argument(
        "--tjek",
        type=float,
        default=1.0,
        metavar="SEKUNDER",
        help="hvor ofte databasen tjekkes for ændringer (standard 1 sekund; hver proces for sig)",
    )
    service.add_argument(
        "--workers",
        type=int,
        metavar="ANTAL",
        help="antal webprocesser (standard: én pr. CPU, som nginx' worker_processes auto)",
    )
    service.add_argument("--prefect-port", type=int, default=4200, help="den egne Prefect-servers port (standard 4200)")
    service.add_argument(
        "--prefect-arbejdere", type=int, default=1, metavar="ANTAL", help="antal Prefect-arbejdere (standard 1)"
    )
    service.add_argument(
        "--ventetid",
        type=float,
        default=180,
        metavar="SEKUNDER",
        help="hvor længe der ventes på, at Prefect-serveren svarer (standard 180)",
    )
    service.add_argument(
        "--uden-prefect",
        action="store_true",
        help="kun webappen; opfølgningen sendes til Prefect-serveren i PREFECT_API_URL (flere webmaskiner), "
        "eller køres straks uden Prefect, hvis den ikke er sat",
    )
    service.set_defaults(handler=service_command)

    worker = commands.add_parser(
        "arbejder",
        aliases=["worker"],
        help="kør sagsgangens flows på denne maskine (Prefect-arbejder)",
        description="Opretter arbejdspuljen 'sagsgang' og sagsgangens deployments på Prefect-serveren i "
        "PREFECT_API_URL og kører en Prefect-arbejder for puljen.",
    )
    worker.add_argument("--samtidige", type=int, default=None, metavar="N", help="højst N kørsler ad gangen")
    worker.add_argument("--kun-opsaetning", action="store_true", help="opret kun puljen og deployments, og stop så")
    worker.set_defaults(handler=worker_command)

    log = commands.add_parser(
        "log",
        help="vis slutningen af en logfil (til IT)",
        description="Viser de sidste linjer af en logfil i SAGSGANG_HOME/logs: tjeneste, sagsgang, "
        "prefect-server, prefect-worker-1, prefect-opsaetning …",
    )
    log.add_argument("navn", nargs="?", default="tjeneste", metavar="NAVN", help="logfilens navn (standard tjeneste)")
    log.add_argument("--linjer", type=int, default=40, metavar="N", help="antal linjer (standard 40)")
    log.set_defaults(handler=log_command)
