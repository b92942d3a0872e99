"""A throwaway PostgreSQL server for the tests and benchmarks, from Debian's ``postgresql``.

:class:`PgServer` runs ``initdb`` in a temporary folder and starts ``postgres`` on a free
loopback port, with its socket in the same folder, and stops it (and removes the folder)
when done, also after a failure. As root, the server runs as ``nobody`` (PostgreSQL refuses
to run as root) and owns its folder.

Sign-in is as a team server has it: the superuser ``postgres`` is trusted over the unix
socket only (the fixtures make databases through it); over TCP every role signs in with a
password (scram-sha-256). The tests connect over TCP as ``postgres`` with the password in
``PGPASSWORD``, as an assessor would, so the password path is the one exercised.

Run as a script it starts a server and prints its URL until interrupted::

    python tests/pg_support.py
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

#: The superuser's password over TCP (a throwaway server on loopback only).
PASSWORD = "throwaway-test-password"
SUPERUSER = "postgres"
RUN_AS = "nobody"

MISSING = (
    "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found: run "
    "tools/system-packages.sh, which installs Debian's postgresql package"
)


def server_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian's newest, or the one pg_config names."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PgServer:
    """One running throwaway server; :meth:`stop` ends it and removes its folder."""

    def __init__(self, *, fsync: bool = False) -> None:
        bindir = server_bin()
        if bindir is None:
            raise RuntimeError(MISSING)
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="assessment-kit-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_user = os.geteuid() == 0
        self._started = False
        #: The databases made by new_database and not dropped yet.
        self.created: list[str] = []
        try:
            self._start(fsync)
        except BaseException:
            self.stop()
            raise

    def _run(self, *argv: str) -> None:
        command = list(argv)
        if self._as_user:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv[:2])} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}\n{self._log()}"
            )

    def _log(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-4000:] if log.exists() else ""

    def _start(self, fsync: bool) -> None:
        if self._as_user:
            shutil.chown(self.root, user=RUN_AS)
        password_file = self.root / "password"
        password_file.write_text(PASSWORD + "\n")
        if self._as_user:
            shutil.chown(password_file, user=RUN_AS)
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data),
            "-U", SUPERUSER,
            "--pwfile", str(password_file),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip
        password_file.unlink()
        settings = [
            f"port={self.port}",
            "listen_addresses='127.0.0.1'",
            f"unix_socket_directories='{self.root}'",
            "max_connections=200",
            f"fsync={'on' if fsync else 'off'}",
            f"synchronous_commit={'on' if fsync else 'off'}",
            f"full_page_writes={'on' if fsync else 'off'}",
        ]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.root / "server.log"),
            "-w", "-t", "60",
            "start",
        )  # fmt: skip
        self._started = True

    # -- URLs and databases -----------------------------------------------------------

    def url(self, database: str, user: str = SUPERUSER) -> str:
        """A mission URL over TCP (the password comes from PGPASSWORD, never the URL)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres") -> Any:
        """A psycopg connection as the superuser over the socket (autocommit)."""
        import psycopg

        return psycopg.connect(
            host=str(self.root),
            port=self.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
        )

    def new_database(self, prefix: str = "mission") -> str:
        """A new empty database; returns its mission URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        self.created.append(name)
        return self.url(name)

    def drop_created(self) -> None:
        """Drop the databases made by new_database, closing what is still connected.

        Each is 7.5 MB of files: a suite that kept them all wrote gigabytes to disk, and
        spent 20 s removing them at its end. Dropped after its test, a database's pages are
        mostly never written at all (fsync is off)."""
        dropping, self.created = self.created, []
        if not dropping:
            return  # most tests make none: no connection for them
        with self.admin() as conn:
            for name in dropping:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def environment(self) -> dict[str, str]:
        """What a client process needs in its environment to sign in."""
        return {"PGPASSWORD": PASSWORD}

    # -- ending -----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the server at once and remove its folder (idempotent)."""
        if self._started:
            self._started = False
            try:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"
                )
            except RuntimeError:
                pid_file = self.data / "postmaster.pid"
                if pid_file.exists():
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


if __name__ == "__main__":
    server = PgServer()
    try:
        print(server.url("postgres"), "PGPASSWORD=" + PASSWORD, flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
