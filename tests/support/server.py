"""A real server process (uvicorn, one worker) for concurrency and crash tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(self, database_url: str, key_path: Path, port: int | None = None) -> None:
        self.database_url = database_url
        self.key_path = key_path
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Any = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60, *, leader: bool = True,
              env: dict[str, str] | None = None) -> ServerProcess:
        """Start and wait until it answers and (``leader``) holds the writer lock; a
        standby (``leader=False``) is ready once it answers, which it does after waiting
        for the lock for a second (``QINGSHAN_LEADER_WAIT_SECONDS``; 30 s by default, all
        of it spent idle in a test that starts a standby on purpose)."""
        env = dict(os.environ, QINGSHAN_DATABASE_URL=self.database_url,
                   QINGSHAN_SIGNING_KEY_PATH=str(self.key_path),
                   **({} if leader else {"QINGSHAN_LEADER_WAIT_SECONDS": "1"}), **(env or {}))
        self.log = open(self.key_path.parent / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qingshan.cli.main", "serve", "--port", str(self.port)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                health = httpx.get(f"{self.base}/healthz", timeout=1).json()
                if health.get("leader") or not leader:
                    return self
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def health(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.base}/healthz", timeout=5).json()
        return body

    def sigterm(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout: float) -> int:
        """Wait for the process to end by itself; its exit status (-15: ended by SIGTERM)."""
        assert self.proc is not None
        code = self.proc.wait(timeout)
        self._close_log()
        return code

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._close_log()

    def _close_log(self) -> None:
        if self.log is not None:
            self.log.close()
            self.log = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._close_log()
