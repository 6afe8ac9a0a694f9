"""The bad-input suite (tests/doors) on PostgreSQL: the same doors, the same bad values and the
same promises (exit 2 / 4xx, Danish, no traceback, no row written), with Sagsgang's data in a
database of the e2e cluster instead of a SQLite file (row counts and SAGSGANG_HOME; PostgreSQL's own
files are its business)."""

from __future__ import annotations

import pytest

from tests.doors.test_cli_doors import test_bad_input_is_refused_in_danish_and_writes_nothing  # noqa: F401
from tests.doors.test_web_doors import (  # noqa: F401
    test_bad_requests_get_a_4xx_in_danish_and_write_nothing,
    test_the_login_answers_csrf_token_works_for_the_first_write,
    web_client,
)
from tests.doors.world import make_world, record
from tests.e2e.conftest import as_postgres_user, postgres_bindir

pytestmark = pytest.mark.e2e


def _database(postgres, name: str) -> str:
    host, port, user = postgres
    as_postgres_user([str(postgres_bindir() / "createdb"), "-h", host, "-p", str(port), "-U", user, name])
    return f"postgresql+psycopg://{user}@{host}:{port}/{name}"


@pytest.fixture(scope="module")
def world(postgres, tmp_path_factory):
    world = make_world(_database(postgres, "sagsgang_doors_cli"), tmp_path_factory.mktemp("doors-pg"), files=False)
    yield world
    record("cli (PostgreSQL)", world)


@pytest.fixture(scope="module")
def web(postgres, tmp_path_factory):
    world = make_world(_database(postgres, "sagsgang_doors_web"), tmp_path_factory.mktemp("webdoors-pg"), files=False)
    with web_client(world) as client:
        yield world, client
    record("web (PostgreSQL)", world)
