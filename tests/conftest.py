"""Fixtures shared by the test files: the session's own instrument cache, one throwaway
PostgreSQL server per session, and the ``backend`` the store tests run against (an SQLite
file, or a PostgreSQL database)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pg_support import MISSING, PgServer, server_bin


@pytest.fixture(scope="session", autouse=True)
def instrument_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The parsed-instrument cache of the session's own (subprocesses inherit it): the tests
    never write the user's cache folder, nor read what another run left in it."""
    from assessment_kit.questionnaire.cache import ENV_VAR

    folder = tmp_path_factory.mktemp("instrument-cache")
    saved = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(folder)
    try:
        yield folder
    finally:
        if saved is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = saved


#: The session's PostgreSQL server, once a test has asked for it.
_servers: list[PgServer] = []


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Each test's PostgreSQL databases are dropped when it ends (after its own fixtures,
    which may still hold connections: autouse fixtures are set up first, ended last)."""
    yield
    for server in _servers:
        server.drop_created()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the whole session, stopped at its end (also on failure).

    Never skipped: without PostgreSQL's server programs the tests fail and say how to get
    them. PGPASSWORD is set for the session, as an assessor's environment sets it.
    """
    if server_bin() is None:
        pytest.fail(MISSING)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("psycopg is not installed: pip install -e '.[all,dev]'")
    server = PgServer()
    saved = {key: os.environ.get(key) for key in server.environment()}
    os.environ.update(server.environment())
    _servers.append(server)
    try:
        yield server
    finally:
        _servers.remove(server)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


@dataclass
class Backend:
    """Where the test's missions go: ``name`` is "sqlite" or "postgresql"."""

    name: str
    folder: Path
    server: PgServer | None = None

    def target(self, stem: str = "mission") -> str:
        """A new place for a mission: a file path, or an empty database's URL."""
        if self.server is None:
            return str(self.folder / f"{stem}.db")
        return self.server.new_database(stem)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each store test runs once on an SQLite file and once on a PostgreSQL database."""
    if request.param == "sqlite":
        return Backend("sqlite", tmp_path)
    server: PgServer = request.getfixturevalue("pg_server")
    return Backend("postgresql", tmp_path, server)
