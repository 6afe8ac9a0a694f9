"""Sagsgang's settings, once: every SAGSGANG_* variable in one pydantic-settings object, read at
start-up and passed down (the FastAPI full-stack template's core/config.py shape).

Only the command-line and web entry points call `get_settings()`; everything below them takes the
values it needs as arguments. Tests build a `Settings(...)` of their own.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAGSGANG_", extra="ignore", frozen=True)

    home: Path = Field(Path("~/.sagsgang"), description="Sagsgang's own folder: database, mail, logs, secrets")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default a SQLite file in `home`")
    today: str | None = Field(None, description="Pins today's date (demos, tests): 2027-01-04 or 04-01-2027")

    # How the case lifecycle runs (sagsgang.orchestration): Prefect flows, or the same steps inline.
    orchestration: Literal["prefect", "inline"] = "prefect"

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

    # Web app
    secret_key: str | None = None
    secure_cookies: bool = False
    trust_proxy_user_header: str | None = None

    @property
    def home_folder(self) -> Path:
        return self.home.expanduser()

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.home_folder / 'sagsgang.db'}"


@cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings()
