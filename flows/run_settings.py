"""The settings of a flow run (sagsgang.settings). A flow run is an entry point: it reads them once,
at the flow's start, and passes them to the steps as an argument like every other entry point.

Called in this process by flows.orchestrator.PrefectOrchestrator, a flow runs with the settings
that orchestrator was built with (`given`); run by a Prefect worker (`sagsgang worker`, a
deployment), it reads the worker process's own (`Settings()`). The settings are never a flow
parameter: Prefect stores parameters in its database and shows them in its UI, and the settings
hold the SMTP password and the secret key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sagsgang.settings import Settings

_given: ContextVar[Settings | None] = ContextVar("sagsgang_flow_settings", default=None)


@contextmanager
def given(settings: Settings) -> Iterator[None]:
    """Flows called inside the block (in this thread) run with `settings`."""
    token = _given.set(settings)
    try:
        yield
    finally:
        _given.reset(token)


def read_settings() -> Settings:
    """The settings of the flow run starting now: the calling orchestrator's, else this process's."""
    return _given.get() or Settings()
