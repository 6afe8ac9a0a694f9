"""How a short Sagsgang process ends: a command (sagsgang.cli.main), a background feed publish
(sagsgang.publishing.background)."""

from __future__ import annotations

import atexit
import gc


def skip_final_collections() -> None:
    """Let this process end without searching its objects for garbage again. As the interpreter
    shuts down it runs several full collections over every object still alive, SQLAlchemy's and
    pydantic's included: about 0.2 s of a lifecycle action's second on a slow machine
    (bench/action_cpu.py), for a process that ends right after. `gc.freeze()`, as the last exit
    handler, moves them out of the collector's sight. Objects are still released as usual, and the
    exit handlers registered after this one (logging's flush among them) run before it."""
    atexit.register(gc.freeze)
