"""Where Sagsgang's own log lines go: a file under SAGSGANG_HOME/logs, for IT. A user's terminal
gets Danish sentences only; tracebacks, Prefect's English log lines and warnings land here.

`to_file(settings, name)` sends the root logger (and so every library's logger) to
`<home>/logs/<name>.log`, rotated at 10 MB with five old files kept. Calling it again for the same
file does nothing, so every entry point may call it.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sagsgang.settings import Settings

FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 10 * 1024 * 1024
KEEP = 5


def log_folder(settings: Settings) -> Path:
    return settings.home_folder / "logs"


def log_file(settings: Settings, name: str = "sagsgang") -> Path:
    return log_folder(settings) / f"{name}.log"


def to_file(settings: Settings, name: str = "sagsgang", level: int = logging.INFO) -> Path:
    """Log to `<home>/logs/<name>.log` from now on; the file's path."""
    path = log_file(settings, name)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path.absolute():
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=KEEP, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path
