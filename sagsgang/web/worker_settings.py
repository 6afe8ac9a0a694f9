"""How `sagsgang serve` hands its settings to uvicorn's worker processes, without touching the
environment.

uvicorn starts each worker as a fresh Python process that imports the app factory by name
(`sagsgang.web.app:app_from_settings`) and calls it without arguments, so the settings cannot be
passed as a value. `serve` therefore writes them, once and whole (Settings plus its own options),
to a file of its own: <home>/serve/<pid of the serve process>.json, mode 0600. A worker finds it
by its parent's process id (with --workers 1 uvicorn runs the app in the serve process itself:
its own id). Nothing is read from the environment in the worker but what Settings() reads there
anyway to find the home folder, which the serve process did not change.

Run by plain uvicorn (`uvicorn sagsgang.web.app:app_from_settings --factory`, as bench/feeds.py
does for its baseline) there is no such file, and the app is built from Settings() alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from sagsgang.settings import Settings


class ServeSettings(BaseModel):
    """What every worker of one `sagsgang serve` builds its app from."""

    settings: Settings
    profiles: list[str] = []  # --kommune: profile names or paths
    check_every: float = 1.0  # --tjek: seconds between checks for changes


def _folder(home: Path) -> Path:
    return home / "serve"


@contextmanager
def handed_to_workers(serve: ServeSettings) -> Iterator[Path]:
    """Write `serve` for the workers of this process while the block runs; removed afterwards."""
    folder = _folder(serve.settings.home_folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it may hold the SMTP password
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(serve.model_dump_json())
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def from_serve_process() -> ServeSettings:
    """In a worker: the settings its `sagsgang serve` process wrote, else (plain uvicorn) Settings()."""
    settings = Settings()
    folder = _folder(settings.home_folder)
    for pid in (os.getpid(), os.getppid()):
        path = folder / f"{pid}.json"
        if path.exists():
            return ServeSettings.model_validate_json(path.read_text(encoding="utf-8"))
    return ServeSettings(settings=settings)
