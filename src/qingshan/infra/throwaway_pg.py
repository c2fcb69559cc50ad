"""A throwaway PostgreSQL server for tests and benchmarks, from the machine's server binaries.

    with ThrowawayPostgres() as pg:
        url = pg.create_database("t1")     # postgresql+psycopg://…

It runs ``initdb`` in a temporary directory, starts ``postgres`` on a free loopback port (fsync
on, as in production) and removes everything on exit. PostgreSQL refuses to run as root, so as
root it runs the server as the ``postgres`` system user (created by Debian's package) or, where
that user is missing, as a system user ``qingshan-pg`` that it creates. Binaries are looked up
in ``$QINGSHAN_PG_BIN`` or the newest ``/usr/lib/postgresql/*/bin``; ``make pg`` installs them.

``python -m qingshan.infra.throwaway_pg`` starts one and prints its URL until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

SERVICE_USER = "qingshan-pg"


def find_bin_dir() -> Path:
    env = os.environ.get("QINGSHAN_PG_BIN")
    candidates = [Path(env)] if env else []
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        versions = sorted((p for p in root.iterdir() if p.name.split(".")[0].isdigit()),
                          key=lambda p: int(p.name.split(".")[0]), reverse=True)
        candidates += [v / "bin" for v in versions]
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(Path(which).parent)
    for c in candidates:
        if (c / "initdb").exists() and (c / "pg_ctl").exists():
            return c
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) were not found: run "
                       "`make pg` or `apt-get install postgresql-15`, or set QINGSHAN_PG_BIN")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _service_user() -> str | None:
    """The user to run the server as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", SERVICE_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    SERVICE_USER], check=True, capture_output=True)
    return SERVICE_USER


class ThrowawayPostgres:
    def __init__(self, *, fsync: bool = True, dbname: str = "qingshan") -> None:
        self.bin = find_bin_dir()
        self.fsync = fsync
        self.dbname = dbname
        self.user = _service_user()
        self.port = 0
        self.dir: Path | None = None

    # ------------------------------------------------------------------ commands
    def _run(self, *args: str, check: bool = True,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True,
                              timeout=timeout)

    def _log_tail(self) -> str:
        assert self.dir is not None
        log = self.dir / "server.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"

    @property
    def socket_dir(self) -> Path:
        assert self.dir is not None
        return self.dir / "sock"

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    @property
    def url(self) -> str:
        return self.url_for(self.dbname)

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={self.dbname}"

    # ------------------------------------------------------------------ life cycle
    def start(self) -> ThrowawayPostgres:
        self.dir = Path(tempfile.mkdtemp(prefix="qingshan-pg-"))
        self.dir.chmod(0o755)
        data = self.dir / "data"
        data.mkdir()
        self.socket_dir.mkdir()
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for p in (self.dir, data, self.socket_dir):
                os.chown(p, entry.pw_uid, entry.pw_gid)
        try:
            self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
        except subprocess.CalledProcessError as exc:
            self.cleanup()
            raise RuntimeError(f"initdb failed: {exc.stderr or exc.stdout}") from exc
        self.port = _free_port()
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.socket_dir} -c max_connections=200 "
                f"-c fsync={'on' if self.fsync else 'off'} -c shared_buffers=128MB")
        if not self.fsync:
            opts += " -c synchronous_commit=off -c full_page_writes=off"
        log = self.dir / "server.log"
        if self.user is not None:
            log.touch()
            entry = pwd.getpwnam(self.user)
            os.chown(log, entry.pw_uid, entry.pw_gid)
        result = self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(log), "-o",
                           opts, "-w", "-t", "60", "start", check=False)
        if result.returncode != 0:
            tail = self._log_tail()
            self.cleanup()
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{tail}")
        self._wait_ready()
        if self.dbname != "postgres":
            self._create(self.dbname)
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self._admin_dsn(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL is not accepting connections:\n"
                                       f"{self._log_tail()}") from None
                time.sleep(0.1)

    def _admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def _create(self, name: str, template: str | None = None) -> None:
        import psycopg

        for n in (name, template or name):
            if not n.replace("_", "").isalnum():
                raise ValueError(f"unsafe database name {n!r}")
        with psycopg.connect(self._admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'
                         + (f' TEMPLATE "{template}"' if template else ""))

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create another database on this server and return its SQLAlchemy URL; with
        ``template``, a copy of that database (which nobody may be connected to)."""
        self._create(name, template)
        return self.url_for(name)

    def stop(self) -> None:
        if self.dir is not None and (self.dir / "data" / "postmaster.pid").exists():
            r = self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                          "immediate", "-w", "-t", "30", "stop", check=False)
            if r.returncode != 0:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                          "fast", "-w", "stop", check=False)
        self.cleanup()

    def cleanup(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main() -> None:
    with ThrowawayPostgres() as pg:
        print(pg.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
