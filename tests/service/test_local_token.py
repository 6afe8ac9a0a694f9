"""The service's local token (sagsgang.service.local_token): a new one in SAGSGANG_HOME while
`sagsgang tjeneste` runs, readable by its user only, gone when it stops."""

from __future__ import annotations

import stat

from sagsgang.service import local_token, supervisor
from sagsgang.settings import Settings


def test_the_service_writes_its_own_token_while_it_runs_and_removes_it_when_it_stops(tmp_path, monkeypatch):
    monkeypatch.setattr(supervisor.processes, "run", lambda *_args: 0)  # the deployments: not here
    settings = Settings(home=tmp_path)
    plan = supervisor.Plan(settings, web_url="http://127.0.0.1:8000", workers=0, api_url_given="http://p.test/api")
    with supervisor.started(plan):
        token = local_token.read(tmp_path)
        assert token and len(token) >= 40
        assert stat.S_IMODE(local_token.path(tmp_path).stat().st_mode) == 0o600
        first = token
    assert not local_token.path(tmp_path).exists()
    with supervisor.started(plan):
        assert local_token.read(tmp_path) not in (None, first)  # each start has its own


def test_a_stopping_service_leaves_a_newer_services_token(tmp_path):
    old = local_token.create(tmp_path)
    new = local_token.create(tmp_path)
    local_token.remove(tmp_path, old)
    assert local_token.read(tmp_path) == new
    assert local_token.matches(tmp_path, new) and not local_token.matches(tmp_path, old)
