"""Shared fixtures: a real redis-server per test session, a clean namespace per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from state.server import EmbeddedRedis


@pytest.fixture(autouse=True, scope="session")
def _private_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands that fall back to $CRISISWATCH_HOME (embedded Redis, reports) stay out of $HOME."""
    old = os.environ.get("CRISISWATCH_HOME")
    os.environ["CRISISWATCH_HOME"] = str(tmp_path_factory.mktemp("crisiswatch-home"))
    yield
    if old is None:
        os.environ.pop("CRISISWATCH_HOME", None)
    else:
        os.environ["CRISISWATCH_HOME"] = old


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis() as server:
        yield server


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def namespace() -> str:
    """A fresh key namespace so tests sharing one server never see each other's state."""
    return f"test-{uuid.uuid4().hex[:10]}"
