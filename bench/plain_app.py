"""bench/feeds.py's middle server: `sagsgang serve`'s application without the FastPath middleware
in front, so every poll goes through FastAPI's routing (the feed cache still answers it).

    python -m uvicorn bench.plain_app:app --factory   (from the checkout, settings as for serve)
"""

from __future__ import annotations

from sagsgang.web.app import app_from_settings


def app():
    return app_from_settings().app  # FastPath(inner, cache): the application behind it
