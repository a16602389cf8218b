"""Find the state store every command shares.

``REDIS_URL`` wins. Without it, commands share one embedded redis-server per data directory
(``$CRISISWATCH_HOME``, default ``~/.local/share/crisiswatch``): the first command starts it
and records its address; later commands (``ack``, ``incidents``, ``dashboard``, ``report``)
find it there. The embedded server saves to the data directory, so a report can still be made
after the replay that produced the state has exited.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from state.keys import Keys
from state.server import EmbeddedRedis


def data_home() -> Path:
    return Path(os.environ.get("CRISISWATCH_HOME", Path.home() / ".local/share/crisiswatch"))


def _running_url(home: Path) -> str | None:
    url_file = home / "redis.url"
    if not url_file.exists():
        return None
    url = url_file.read_text().strip()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.3)
        client.ping()
        client.close()
        return url
    except (redis.RedisError, OSError):
        return None


@dataclass
class State:
    client: redis.Redis
    keys: Keys
    url: str


@contextmanager
def open_state(redis_url: str | None = None, namespace: str = "default") -> Iterator[State]:
    """Yield a connected ``State``; stop the embedded server on exit if this call started it."""
    url = redis_url or os.environ.get("REDIS_URL")
    embedded: EmbeddedRedis | None = None
    home = data_home()
    if not url:
        url = _running_url(home)
    if not url:
        home.mkdir(parents=True, exist_ok=True)
        embedded = EmbeddedRedis(persist_dir=str(home)).start(save=True)
        url = embedded.url
        (home / "redis.url").write_text(url + "\n")
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        yield State(client, Keys(namespace), url)
    finally:
        client.close()
        if embedded:
            (home / "redis.url").unlink(missing_ok=True)
            embedded.stop()
