"""How a command finds the running service: `$SAGSGANG_HOME/tjeneste.json` ({"prefect_api_url",
"web_url", "pid"}), written by `sagsgang tjeneste` while it runs, or a Prefect server named by
PREFECT_API_URL (scale-out). Found means: the file's process is alive and the Prefect API knows
our deployments, answering within a fraction of a second. No Prefect import: one small HTTP request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sagsgang.settings import Settings

FILE = "tjeneste.json"
ADVANCE_FLOW = "sagsforloeb"  # flows.deployments registers its deployment `sagsgang`
ADVANCE_DEPLOYMENT = f"deployments/name/{ADVANCE_FLOW}/sagsgang"
HEALTH_TIMEOUT = 0.5  # seconds: a service on this machine answers in milliseconds
# The advance deployment's id per Prefect API, as has_deployments() found it: the hand-off starts
# its run with it instead of asking the server for it again (one request less per action).
_advance_ids: dict[str, str] = {}


@dataclass(frozen=True)
class Running:
    prefect_api_url: str
    web_url: str | None
    pid: int


def service_file(settings: Settings) -> Path:
    return settings.home_folder / FILE


def write(settings: Settings, running: Running) -> Path:
    path = service_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(running)), encoding="utf-8")
    temporary.replace(path)  # readers never see half a file
    return path


def remove(settings: Settings, pid: int) -> None:
    """Remove the file if it is still this process's (a newer service may have taken over)."""
    found = read(settings)
    if found is not None and found.pid == pid:
        service_file(settings).unlink(missing_ok=True)


def read(settings: Settings) -> Running | None:
    return read_in(settings.home_folder)


def read_in(home: Path) -> Running | None:
    """tjeneste.json in the home folder `home` (the CLI's thin path has no Settings)."""
    try:
        data = json.loads((home / FILE).read_text(encoding="utf-8"))
        return Running(str(data["prefect_api_url"]), data.get("web_url"), int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def tls_options(url: str) -> dict[str, Any]:
    """httpx's options for a request to `url`. A plain-http Prefect API (the service's own, on this
    machine) needs no certificate store, and httpx loads one for every client it makes (about 30 ms
    of CPU, more than the request itself); https keeps httpx's verified default. Redirects, the one
    way an http request could turn into an https one, are not followed (httpx's default)."""
    return {} if url.lower().startswith("https:") else {"verify": False}


def answers(api_url: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    """The Prefect API's health endpoint answers 200."""
    import httpx

    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout, **tls_options(api_url)).status_code == 200
    except httpx.HTTPError:
        return False


def has_deployments(api_url: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    """The Prefect API answers and knows the lifecycle's advance deployment (so also the others)."""
    import httpx

    try:
        answer = httpx.get(f"{api_url.rstrip('/')}/{ADVANCE_DEPLOYMENT}", timeout=timeout, **tls_options(api_url))
    except httpx.HTTPError:
        return False
    if answer.status_code != 200:
        return False
    with suppress(ValueError, KeyError, TypeError):  # found, but without an id: the hand-off asks for it
        _advance_ids[api_url.rstrip("/")] = str(answer.json()["id"])
    return True


def advance_deployment_id(api_url: str) -> str | None:
    """The advance deployment's id on `api_url`, if this process has seen it (has_deployments)."""
    return _advance_ids.get(api_url.rstrip("/"))


def api_url(settings: Settings, environ: Mapping[str, str] | None = None) -> str | None:
    """The Prefect API a follow-up is handed to: PREFECT_API_URL if it has our deployments, else
    the running service's; None when neither answers (the follow-up then runs inline)."""
    named = (os.environ if environ is None else environ).get("PREFECT_API_URL")
    if named:
        return named if has_deployments(named) else None
    running = read(settings)
    if running is None or not alive(running.pid) or not has_deployments(running.prefect_api_url):
        return None
    return running.prefect_api_url


def ui_url(api_url: str) -> str:
    """The Prefect UI next to its API (…/api → …)."""
    base = api_url.rstrip("/")
    return base[: -len("/api")] if base.endswith("/api") else base
