"""Sagsgang's settings, once: every SAGSGANG_* variable in one pydantic-settings object, read at
start-up and passed down (the FastAPI full-stack template's core/config.py shape).

Only the entry points read them, with `Settings()`: the command line (`sagsgang.cli.main`, once
per command), the web app (`sagsgang.web.app.create_app`; the workers of `sagsgang serve` get the
serve process's through `sagsgang.web.worker_settings`) and the Prefect flows (`flows.run_settings`).
Everything below them takes the values it needs as arguments. Tests build a `Settings(...)` of
their own, or set SAGSGANG_* variables for the entry points to read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from calendars.clock import Clock, FixedClock, SystemClock
from calendars.danish import parse_date

if TYPE_CHECKING:  # the CLI's planning path imports neither SQLAlchemy nor the database layer
    from sqlalchemy.engine import Engine

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    # An empty variable counts as unset: `SAGSGANG_FEEDS_DIR=` must not mean the current folder.
    model_config = SettingsConfigDict(env_prefix="SAGSGANG_", extra="ignore", frozen=True, env_ignore_empty=True)

    home: Path = Field(Path("~/.sagsgang"), description="Sagsgang's own folder: database, mail, logs, secrets")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default a SQLite file in `home`")
    today: str | None = Field(None, description="Pins today's date (demos, tests): 2027-01-04 or 04-01-2027")

    # How the case lifecycle runs (sagsgang.orchestration): `auto` hands the follow-up to the running
    # service (`tjeneste`) when one answers, else runs it `inline`; `prefect` runs the flows here.
    orchestration: Literal["auto", "tjeneste", "prefect", "inline"] = "auto"

    # Calendar feeds
    installation: str = Field(
        "sagsgang", description="Namespace of every feed UID: never change it once people subscribe"
    )
    base_url: str = DEFAULT_BASE_URL
    feeds_dir: Path | None = None

    # Mail (without smtp_host mails are written as .eml files to home/mail)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Sagsgang <sagsgang@localhost>"
    smtp_tls: Literal["starttls", "ssl", "nej"] | None = None
    mail_lease_seconds: int = Field(
        300, ge=1, description="A mail claimed by a sender that died is sent by another after this many seconds"
    )

    # Web app
    secret_key: str | None = None
    secure_cookies: bool = False
    trust_proxy_user_header: str | None = None
    max_attachment_mb: int = Field(20, ge=1, le=500, description="Largest bilag the web app accepts, in MB")

    @field_validator("secure_cookies", mode="before")
    @classmethod
    def _danish_yes_no(cls, value: object) -> object:
        """SAGSGANG_SECURE_COOKIES=ja/nej, as well as 1/0 and true/false."""
        if isinstance(value, str) and value.strip().lower() in ("ja", "nej"):
            return value.strip().lower() == "ja"
        return value

    @property
    def home_folder(self) -> Path:
        return self.home.expanduser()

    @property
    def database(self) -> str:
        """The database URL: database_url, else a SQLite file in the home folder."""
        return self.database_url or f"sqlite:///{self.home_folder / 'sagsgang.db'}"

    def engine(self) -> Engine:
        """The shared engine of this database (models.db keeps one per URL)."""
        from models.db import get_engine

        return get_engine(self.database)

    def as_environment(self) -> dict[str, str]:
        """These settings as the SAGSGANG_* variables a child process reads them from (the home
        folder and the database URL resolved, so the child finds what this process uses)."""
        env = {f"SAGSGANG_{name.upper()}": str(value) for name, value in self.model_dump().items() if value is not None}
        env["SAGSGANG_HOME"] = str(self.home_folder)
        env["SAGSGANG_DATABASE_URL"] = self.database
        return env

    def clock(self) -> Clock:
        """`today` pins the date (demos, tests); otherwise the system clock."""
        if self.today:
            return FixedClock.on(parse_date(self.today))
        return SystemClock()
