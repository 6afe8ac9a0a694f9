"""bench/feeds.py's serving part: `sagsgang serve`, the same app without FastPath, and nginx
running docs/nginx-kalender.conf, on the same published bytes, under the same load clients
(a bounded asyncio client and wrk). See bench/feeds.py's docstring for what is measured.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from calendars.clock import Clock

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS, ROUNDS, ROUND_SECONDS, ROUND_LIMIT = 8, 3, 3.0, 150_000
SERVE, PLAIN, NGINX = "sagsgang serve", "uvicorn, no FastPath", "nginx"
SERVER_SECONDS = 300  # every server is stopped by `timeout` after this, whatever happens here
FEED = "slagelse/organ/byraadet.ics"
NGINX_SITE = ROOT / "docs" / "nginx-kalender.conf"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def fetch(port: int, path: str, headers: str = "") -> tuple[int, dict[str, str], bytes]:
    async def run():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode())
        data = await reader.read()
        writer.close()
        return data

    data = asyncio.run(run())
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), fields, body


async def _connection(port: int, request: bytes, deadline: float, limit: int, counts: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = received = 0
    while done < limit and time.perf_counter() < deadline:
        writer.write(request)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError):  # closed a kept-alive connection: reconnect
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        done += 1
        received += length
    writer.close()
    counts.append((done, received))


def load(port: int, path: str, headers: str = "") -> tuple[float, float]:
    """Requests per second and MB/s over one bounded round."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n".encode()
    counts: list = []

    async def run() -> float:
        start = time.perf_counter()
        deadline = start + ROUND_SECONDS
        await asyncio.gather(
            *(_connection(port, request, deadline, ROUND_LIMIT // CONNECTIONS, counts) for _ in range(CONNECTIONS))
        )
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    return sum(c[0] for c in counts) / elapsed, sum(c[1] for c in counts) / elapsed / 1e6


def wrk(port: int, path: str, headers: str = "") -> float | None:
    if not shutil.which("wrk"):
        return None
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{int(ROUND_SECONDS)}s", f"http://127.0.0.1:{port}{path}"]
    if headers:
        command[1:1] = ["-H", headers.strip()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=ROUND_SECONDS + 30)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    return float(match.group(1)) if match else None


def nginx_config(folder: Path, port: int, published: Path, upstream: int, workers: int) -> Path:
    """docs/nginx-kalender.conf as it is, with only its listen address, folder and upstream set for
    this run, inside a main configuration like Debian's /etc/nginx/nginx.conf."""
    site = NGINX_SITE.read_text()
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("root /var/lib/sagsgang;", f"root {published.parent};"),  # the folder holding kalender/
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
    ):
        if site.count(old) != 1:
            raise RuntimeError(f"{NGINX_SITE} no longer has exactly one '{old}': update bench/feeds.py")
        site = site.replace(old, new)
    (folder / "kalender.conf").write_text(site)
    config = folder / "nginx.conf"
    temp = folder / "tmp"
    temp.mkdir()
    config.write_text(f"""
worker_processes {workers};
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 768; }}
http {{
  sendfile on; tcp_nopush on;
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {folder / "nginx-access.log"};  # like serve's access log: one line per request
  keepalive_requests 1000000;  # like uvicorn: no reconnects in the middle of a round
  client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
  uwsgi_temp_path {temp}; scgi_temp_path {temp};
  include {folder / "kalender.conf"};
}}
""")
    return config


def install_tools() -> None:
    """nginx (Debian's nginx-light) and wrk, installed when missing and running as root."""
    missing = [
        package for package, found in (("nginx-light", nginx_binary()), ("wrk", shutil.which("wrk"))) if not found
    ]
    if not missing:
        return
    if os.geteuid() != 0:
        print(f"  not installed: {', '.join(missing)} (apt-get install -y {' '.join(missing)}, as root)")
        return
    print(f"  installing {', '.join(missing)} (apt-get) …", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, **quiet).returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, check=True, **quiet)
    # Debian starts the packaged nginx as a service: this run starts its own.
    subprocess.run(["service", "nginx", "stop"], **quiet)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Servers:
    """The servers under test: real processes, each wrapped in `timeout`, each writing its output
    to a log file in the scratch folder; `check()` fails with the logs' tails when one has stopped."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.processes, self.logs = folder, {}, {}

    def start(self, name: str, command: list[str], **options) -> subprocess.Popen:
        log = self.logs[name] = self.folder / f"{name.replace(' ', '-')}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["timeout", str(SERVER_SECONDS), *command],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                **options,
            )
        self.processes[name] = process
        return process

    def check(self, when: str) -> None:
        stopped = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        if stopped:
            raise RuntimeError(f"{when}: server stopped: {stopped}\n{self.tails()}")

    def tails(self, lines: int = 30) -> str:
        parts = []
        for name, log in [*self.logs.items(), ("nginx error.log", self.folder / "error.log")]:
            if log.exists():
                text = log.read_text(errors="replace").splitlines()[-lines:]
                process = self.processes.get(name)
                state = "" if process is None else f", exit status {process.poll()}"
                parts.append(f"--- {name} ({log}{state}):\n" + "\n".join(text))
        return "\n".join(parts)

    def stop(self) -> None:
        for process in self.processes.values():
            stop(process)


def serve_http(folder: Path, url: str, problems: list[str], workers: int, clock: Clock) -> None:
    from models import db
    from sagsgang.publishing import feed_files, feeds

    ports = {name: free_port() for name in (SERVE, PLAIN, NGINX)}
    while len(set(ports.values())) < len(ports):
        ports = {name: free_port() for name in ports}
    base = f"http://127.0.0.1:{ports[SERVE]}"
    env = {
        **os.environ,
        "SAGSGANG_DATABASE_URL": url,
        "SAGSGANG_TODAY": "2027-01-04",
        "SAGSGANG_HOME": str(folder / "home"),
        "SAGSGANG_BASE_URL": base,  # the same bytes from all three: the same links inside
    }
    engine = db.make_engine(url)
    # the same bytes, the same ledger: what nginx serves
    feed_files.publish(engine, folder / "kalender", feeds.FeedContext(base_url=base, clock=clock))
    engine.dispose()
    install_tools()
    nginx = nginx_binary()
    servers = Servers(folder)
    uvicorn_options = ["--host", "127.0.0.1", "--workers", str(workers), "--http", "httptools", "--loop", "uvloop"]
    try:
        servers.start(
            SERVE,
            [
                sys.executable,
                "-m",
                "sagsgang.cli.main",
                "serve",
                "--uden-prefect",
                "--port",
                str(ports[SERVE]),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
        )
        wait_for(ports[SERVE], servers.processes[SERVE])  # one after the other: no start takes another's port
        # The same application without FastPath, under uvicorn as serve runs it (access log on).
        servers.start(
            PLAIN,
            [
                *(sys.executable, "-m", "uvicorn", "bench.plain_app:app", "--factory"),
                *(*uvicorn_options, "--port", str(ports[PLAIN]), "--backlog", "4096"),
                *("--no-server-header", "--no-proxy-headers"),
            ],
            env=env,
            cwd=ROOT,
        )
        wait_for(ports[PLAIN], servers.processes[PLAIN])
        if nginx:
            config = nginx_config(folder, ports[NGINX], folder / "kalender", ports[SERVE], workers)
            servers.start(NGINX, [nginx, "-c", str(config)])
            wait_for(ports[NGINX], servers.processes[NGINX])
        else:
            del ports[NGINX]
            print("  nginx is not installed: no baseline")
        path = f"/kalender/{FEED}"
        answers = {name: fetch(p, path) for name, p in ports.items()}
        size = len(answers[SERVE][2])
        if any(status != 200 for status, _, _ in answers.values()):
            problems.append(f"status: {[(n, a[0]) for n, a in answers.items()]}")
        if len({body for _, _, body in answers.values()}) != 1:
            problems.append(f"{', '.join(answers)} return different bytes for the same feed")
        etags = {name: answer[1].get("etag", "") for name, answer in answers.items()}
        if nginx:
            problems += check_nginx(ports[NGINX], path, answers[NGINX][1], etags[NGINX])

        each = (
            f"{workers} worker process{'es' if workers > 1 else ''} each (serve --workers {workers}, "
            f"uvicorn --workers {workers}, nginx worker_processes {workers}), access logs on in all three"
        )
        print(
            f"Serve: {path} ({size:,} bytes), {CONNECTIONS} keep-alive connections, {ROUNDS} alternating rounds "
            f"of ≤ {ROUND_SECONDS:.0f} s / ≤ {ROUND_LIMIT:,} requests, {each}"
        )
        print(f"  {SERVE}: uvicorn + FastPath (plain ASGI); {PLAIN}: the same app without FastPath;")
        print(f"  {NGINX}: {NGINX_SITE.relative_to(ROOT)}, the published file. Ratios: server / nginx.")
        for label, conditional in (("200 full feed", False), ("304 conditional poll", True)):
            rates: dict[str, list[float]] = {name: [] for name in ports}
            megabytes: dict[str, list[float]] = {name: [] for name in ports}
            for _ in range(ROUNDS):
                for name, p in ports.items():
                    servers.check(f"before a {label} round")
                    header = f"If-None-Match: {etags[name]}\r\n" if conditional else ""
                    rate, mb = load(p, path, header)
                    rates[name].append(rate)
                    megabytes[name].append(mb)
            for name in ports:
                ratio = (
                    f"  {statistics.median(rates[name]) / statistics.median(rates[NGINX]):.2f}× nginx"
                    if NGINX in ports
                    else ""
                )
                print(
                    f"  {label:<21} {name:<22} best {max(rates[name]):>8,.0f} req/s  median "
                    f"{statistics.median(rates[name]):>8,.0f} req/s  {max(megabytes[name]):7.1f} MB/s{ratio}"
                    "  (Python client)"
                )
            if shutil.which("wrk"):
                servers.check(f"before wrk's {label} rounds")
                measured = {
                    name: wrk(p, path, f"If-None-Match: {etags[name]}" if conditional else "")
                    for name, p in ports.items()
                }
                for name, rate in measured.items():
                    if rate is None:
                        problems.append(f"wrk gave no figure for {name} ({label})")
                        continue
                    ratio = f"  {rate / measured[NGINX]:.2f}× nginx" if measured.get(NGINX) else ""
                    print(f"  {label:<21} {name:<22} wrk  {rate:>8,.0f} req/s{ratio}")
        servers.check("after the last round")
    except (OSError, RuntimeError, asyncio.IncompleteReadError) as error:
        message = (
            str(error)
            if isinstance(error, RuntimeError) and "\n---" in str(error)
            else f"{type(error).__name__}: {error}\n{servers.tails()}"
        )
        print(f"\nSERVING FAILED: {message}")
        problems.append(f"serving failed: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        servers.stop()


def check_nginx(port: int, path: str, headers: dict[str, str], etag: str) -> list[str]:
    """What docs/nginx-kalender.conf promises: validators, Cache-Control, gzip on request, 304s,
    and everything that is not a published file answered by `sagsgang serve` behind it."""
    problems = []
    if headers.get("content-type") != "text/calendar; charset=utf-8":
        problems.append(f"nginx: Content-Type {headers.get('content-type')!r}")
    if headers.get("cache-control") != "public, no-cache" or not etag or "last-modified" not in headers:
        problems.append(f"nginx: validators or Cache-Control missing: {headers}")
    status, _, _ = fetch(port, path, f"If-None-Match: {etag}\r\n")
    if status != 304:
        problems.append(f"nginx: a conditional poll got {status}, not 304")
    status, zipped, body = fetch(port, path, "Accept-Encoding: gzip\r\n")
    if zipped.get("content-encoding") != "gzip" or len(body) >= int(headers.get("content-length", 0)):
        problems.append(f"nginx: no gzip when asked for it ({zipped.get('content-encoding')}, {len(body)} bytes)")
    status, _, body = fetch(port, "/kalender/personlig/" + "A" * 43 + ".ics")
    if status != 404 or b"findes ikke" not in body:
        problems.append(f"nginx: a personal feed's path did not reach sagsgang serve ({status})")
    status, _, body = fetch(port, "/login")
    if status != 200 or b'lang="da"' not in body:
        problems.append(f"nginx: /login did not reach sagsgang serve ({status})")
    return problems
