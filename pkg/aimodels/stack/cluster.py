"""A private PostgreSQL 15 cluster under the repo's git-ignored .devstack/ folder.

Debian's server binaries are used as they are. Postgres refuses to run as root, so when we
are root the cluster belongs to the `postgres` system user and every server command runs as
that user; otherwise it runs as whoever we are.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import time
from pathlib import Path

import psycopg

from aimodels.stack.errors import PortTaken, StackError, ToolMissing
from aimodels.stack.keys import DB_PASSWORD
from aimodels.stack.ports import pick_port as pick_port  # where other wings import it from
from aimodels.stack.ports import port_is_free
from aimodels.stack.process import CommandFailed, as_unprivileged, run

PG_BIN = Path(os.environ.get("AIMODELS_PG_BIN", "/usr/lib/postgresql/15/bin"))

# A development cluster that is thrown away and rebuilt freely: durability buys nothing
# here and costs seconds on every reset.
_SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "200",
    "shared_buffers": "'256MB'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
}


class ClusterError(StackError):
    """The local cluster could not be created, started or reached."""


class LocalCluster:
    """Create, start, stop and reach one private Postgres cluster."""

    def __init__(self, root: Path, port: int) -> None:
        self.owner = "postgres" if os.geteuid() == 0 else None
        self.root = self._reachable_root(root)
        self.port = port
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "run"
        self.log_file = self.root / "postgres.log"

    # -- URLs ---------------------------------------------------------------------------
    def url(self, role: str = "postgres", database: str = "postgres") -> str:
        return f"postgresql://{role}:{DB_PASSWORD}@127.0.0.1:{self.port}/{database}"

    # -- lifecycle ------------------------------------------------------------------------
    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialized():
            return False
        result = run(
            as_unprivileged(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "status"], self.owner
            ),
            check=False,
        )
        return result.returncode == 0

    def initialize(self) -> None:
        """initdb with a password for the superuser and scram auth over TCP."""
        if self.is_initialized():
            return
        if not (PG_BIN / "initdb").exists():
            raise ToolMissing(
                f"PostgreSQL 15 server binaries not found in {PG_BIN}: run ./scripts/setup"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        password_file = self.root / "initdb.pw"
        password_file.write_text(DB_PASSWORD + "\n")
        self._give_to_owner(self.root)
        try:
            run(
                as_unprivileged(
                    [
                        str(PG_BIN / "initdb"),
                        "-D",
                        str(self.data_dir),
                        "-U",
                        "postgres",
                        "--pwfile",
                        str(password_file),
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                    ],
                    self.owner,
                )
            )
        finally:
            password_file.unlink(missing_ok=True)
        settings = "\n".join(f"{key} = {value}" for key, value in _SERVER_SETTINGS.items())
        with (self.data_dir / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"\n{settings}\n")

    def start(self, timeout: float = 30) -> None:
        """Start on `self.port`; PortTaken if another program holds it, before or meanwhile."""
        if self.is_running():
            return
        if not port_is_free(self.port):
            raise PortTaken(self.port)
        try:
            self._launch("start", "-w", "-t", str(int(timeout)))
        except CommandFailed as failure:
            # The postmaster exits when it cannot bind; whoever holds the port now took it.
            if not port_is_free(self.port):
                raise PortTaken(self.port) from failure
            raise ClusterError(
                f"Postgres did not start: {failure.one_line()} (see {self.log_file})"
            ) from failure
        self.wait_until_ready(timeout)

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every connection is cut; same port, same settings."""
        self._launch("restart", "-m", "fast", "-w")
        self.wait_until_ready(30)

    def _launch(self, action: str, *options: str) -> None:
        """`pg_ctl start` or `restart` on our port and socket folder, logging to our log.

        The server's output must go to its log file: a pipe would stay open and hang `run`.
        """
        run(
            as_unprivileged(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    f"-p {self.port} -k {self.socket_dir}",
                    *options,
                    action,
                ],
                self.owner,
            )
        )

    def stop(self) -> None:
        if not self.is_running():
            return
        run(
            as_unprivileged(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
                self.owner,
            )
        )

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError as error:
                last_error = error
                time.sleep(0.2)
        raise ClusterError(f"Postgres on port {self.port} did not accept connections: {last_error}")

    # -- databases ------------------------------------------------------------------------
    def create_database(self, name: str, *, template: str = "template1") -> str:
        """A throwaway database (benchmarks, mutation checks); returns its superuser URL."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(f'create database "{name}" template "{template}"')
        return self.url(database=name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')

    def _reachable_root(self, root: Path) -> Path:
        """Where the cluster's files live: `root`, unless the server's user cannot reach it.

        A checkout under a private folder (/root, pytest's tmp) is closed to the postgres
        user; then the files live under /var/tmp and `root` becomes a link to them, so the
        cluster stays findable from the repo. Server commands always get the real path.
        """
        if self.owner is None:
            return root
        if root.is_symlink():
            return root.resolve()
        root.mkdir(parents=True, exist_ok=True)
        reachable = run(as_unprivileged(["test", "-x", str(root)], self.owner), check=False)
        if reachable.returncode == 0:
            return root
        digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
        elsewhere = Path("/var/tmp") / f"aimodels-{digest}"
        elsewhere.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(root)
        root.symlink_to(elsewhere, target_is_directory=True)
        return elsewhere

    def _give_to_owner(self, path: Path) -> None:
        if self.owner is None:
            return
        record = pwd.getpwnam(self.owner)
        for directory, _, files in os.walk(path):
            os.chown(directory, record.pw_uid, record.pw_gid)
            for file in files:
                os.chown(Path(directory) / file, record.pw_uid, record.pw_gid)
