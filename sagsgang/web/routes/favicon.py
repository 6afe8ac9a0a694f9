"""/favicon.ico: browsers ask for it on every site, also the public calendar pages; answer with the
app's icon (static/favicon.svg) instead of a 404."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

router = APIRouter(include_in_schema=False)


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)
