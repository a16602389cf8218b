"""The ``escalation:`` section of thresholds.yaml: receivers, levels per severity, retries.

A receiver whose ``enabled_if_env`` variable is unset is kept but disabled, and its ``${ENV}``
secrets are not read, so the shipped file loads on a laptop with no secrets at all. Every
other problem is a located ``ConfigError`` that says what to write instead.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from config.values import duration, get, known_keys, mapping, number
from config.yaml_lines import LocatedYaml, Path, expand_env

SEVERITIES = ("emerging", "crisis")
SECTION = "escalation"

# type -> (allowed option keys, required keys, keys whose values are secrets)
RECEIVER_TYPES: dict[str, tuple[set[str], set[str], set[str]]] = {
    "console": ({"stream"}, set(), set()),
    "pagerduty": ({"routing_key", "url", "severity_map", "source"}, {"routing_key"}, {"routing_key"}),
    "opsgenie": ({"api_key", "url", "priority_map", "responders", "tags"}, {"api_key"}, {"api_key"}),
    "slack": ({"url", "channel", "username", "icon_emoji"}, {"url"}, {"url"}),
    "webhook": ({"url", "secret", "headers"}, {"url"}, {"url", "secret"}),
    "email": ({"host", "port", "from", "to", "username", "password", "starttls", "ssl"},
              {"host", "from", "to"}, {"password"}),
}
COMMON_KEYS = {"type", "enabled", "enabled_if_env", "fallback", "send_resolved"}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class RetryPolicy:
    """Delivery retries. These run on the wall clock even during a replay: a receiver's
    outage lasts real seconds whatever the event time is."""

    attempts: int = 4
    backoff_s: float = 2.0
    max_backoff_s: float = 60.0
    timeout_s: float = 10.0

    def delay(self, attempt: int, rnd: float) -> float:
        """Exponential backoff with equal jitter: half fixed, half random, so a fleet of
        retries after an outage does not hit the receiver in one burst."""
        base = min(self.max_backoff_s, self.backoff_s * 2 ** max(0, attempt - 1))
        return base / 2 + base / 2 * rnd


@dataclass(frozen=True)
class ReceiverConfig:
    name: str
    type: str
    enabled: bool = True
    disabled_reason: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    fallback: str | None = None
    send_resolved: bool = True

    def __repr__(self) -> str:
        hidden = {k: "***" for k in self.secrets}
        return (f"ReceiverConfig(name={self.name!r}, type={self.type!r}, enabled={self.enabled}, "
                f"options={self.options!r}, secrets={hidden!r})")

    def value(self, key: str, default: Any = None) -> Any:
        return self.secrets.get(key, self.options.get(key, default))

    def mask(self, text: str) -> str:
        """``text`` with every secret value replaced, for logs and the error shown on the wall."""
        for secret in sorted(self.secrets.values(), key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text


@dataclass(frozen=True)
class Level:
    receivers: tuple[str, ...]
    after_s: float


@dataclass(frozen=True)
class Policy:
    """Who is paged for one severity: levels by time since the severity was reached, and how
    often the current level is reminded until the incident is resolved (None = never)."""

    levels: tuple[Level, ...]
    remind_every_s: float | None = None

    def receivers(self) -> list[str]:
        """Every receiver in plan order, each once: the order fallbacks follow."""
        seen: list[str] = []
        for level in self.levels:
            seen += [r for r in level.receivers if r not in seen]
        return seen


@dataclass
class EscalationPlan:
    receivers: dict[str, ReceiverConfig]
    severities: dict[str, Policy]
    topics: dict[str, dict[str, Policy]] = field(default_factory=dict)
    wall_url: str = "http://127.0.0.1:8050"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    path: str = ""

    def policy(self, topic: str, severity: str) -> Policy:
        severity = severity if severity in SEVERITIES else "emerging"
        override = self.topics.get(topic, {}).get(severity)
        return override or self.severities.get(severity) or Policy(())

    def enabled(self, name: str) -> bool:
        cfg = self.receivers.get(name)
        return bool(cfg and cfg.enabled)

    def link(self, incident_id: str) -> str:
        return f"{self.wall_url.rstrip('/')}/?incident={incident_id}" if self.wall_url else ""


def default_plan() -> EscalationPlan:
    """No ``escalation:`` section: print pages on the console, so a trial run still shows them."""
    console = ReceiverConfig("console", "console")
    level = Policy((Level(("console",), 0.0),), None)
    return EscalationPlan({"console": console}, {"emerging": level, "crisis": level})


def _suggest(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; defined: {', '.join(sorted(choices)) or 'none'}"


def _after(doc: LocatedYaml, kp: Path) -> float:
    value = get(doc, kp, 0)
    if value in (0, "0", "0s", "0m"):
        return 0.0
    return duration(doc, kp)


def _env_refs(value: Any) -> list[str]:
    return _ENV_REF.findall(value) if isinstance(value, str) else []


def _receiver(doc: LocatedYaml, name: str) -> ReceiverConfig:
    kp: Path = (SECTION, "receivers", name)
    body = mapping(doc, kp, required=True)
    rtype = body.get("type")
    if rtype not in RECEIVER_TYPES:
        raise doc.error((*kp, "type") if "type" in body else kp,
                        f"receiver {name!r}: type {rtype!r} is not one of {', '.join(RECEIVER_TYPES)}")
    allowed, required, secret_keys = RECEIVER_TYPES[rtype]
    known_keys(doc, kp, allowed | COMMON_KEYS)
    for key in sorted(required - set(body)):
        raise doc.error(kp, f"receiver {name!r} ({rtype}) needs {key}:"
                        + (" — write it as ${ENV_NAME} and set that variable" if key in secret_keys else ""))
    enabled, reason = True, ""
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise doc.error((*kp, "enabled"), "enabled: must be true or false")
        enabled, reason = body["enabled"], "enabled: false"
    gate = body.get("enabled_if_env")
    if gate is not None:
        if not isinstance(gate, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", gate):
            raise doc.error((*kp, "enabled_if_env"), "enabled_if_env: the NAME of an environment variable, "
                            "without ${}")
        if enabled and not os.environ.get(gate):
            enabled, reason = False, f"{gate} is not set"
    for key in secret_keys & set(body):
        value = body[key]
        if not isinstance(value, str) or not _env_refs(value):
            raise doc.error((*kp, key), f"receiver {name!r}: {key} is a secret; write it as ${{ENV_NAME}} "
                            "and put the value in the environment, not in this file")
    options: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    for key, value in body.items():
        if key in COMMON_KEYS:
            continue
        if enabled and isinstance(value, str):
            value = expand_env(value, doc, (*kp, key))
        (secrets if key in secret_keys else options)[key] = value
    if enabled:
        _check_options(doc, kp, rtype, {**options, **secrets})
    send_resolved = body.get("send_resolved", True)
    if not isinstance(send_resolved, bool):
        raise doc.error((*kp, "send_resolved"), "send_resolved: must be true or false")
    fallback = body.get("fallback")
    if fallback is not None and not isinstance(fallback, str):
        raise doc.error((*kp, "fallback"), "fallback: the name of another receiver")
    return ReceiverConfig(name, rtype, enabled, reason, options, secrets, fallback, send_resolved)


def _check_options(doc: LocatedYaml, kp: Path, rtype: str, values: dict[str, Any]) -> None:
    url = values.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise doc.error((*kp, "url"), "url: must start with http:// or https://")
    if rtype == "email":
        to = values.get("to")
        if isinstance(to, str):
            to = [to]
        if not isinstance(to, list) or not to or not all(isinstance(a, str) and "@" in a for a in to):
            raise doc.error((*kp, "to"), "to: one e-mail address or a list of them, e.g. [pr-lead@example.com]")
        if "port" in values:
            number(doc, (*kp, "port"), minimum=1, integer=True)
    for key in ("severity_map", "priority_map", "headers"):
        if key in values and not isinstance(values[key], dict):
            raise doc.error((*kp, key), f"{key}: must be a mapping, e.g. {{crisis: critical, emerging: warning}}")


def _policy(doc: LocatedYaml, kp: Path, receivers: dict[str, ReceiverConfig]) -> Policy:
    known_keys(doc, kp, {"levels", "remind_every"})
    levels_raw = get(doc, (*kp, "levels"))
    if not isinstance(levels_raw, list) or not levels_raw:
        raise doc.error(kp, "levels: a list like [{receivers: [console], after: 0}, {receivers: [pr-agency], "
                        "after: 15m}]")
    levels: list[Level] = []
    for i, raw in enumerate(levels_raw):
        lp = (*kp, "levels", i)
        if not isinstance(raw, dict):
            raise doc.error(lp, "each level is a mapping: {receivers: [...], after: 15m}")
        known_keys(doc, lp, {"receivers", "after"})
        names = raw.get("receivers")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not names:
            raise doc.error(lp, "receivers: a list of receiver names defined under escalation.receivers")
        for j, name in enumerate(names):
            if name not in receivers:
                raise doc.error((*lp, "receivers", j), f"unknown receiver {name!r}{_suggest(str(name), receivers)}")
        after = _after(doc, (*lp, "after"))
        if i == 0 and after > 0:
            raise doc.error((*lp, "after"), "the first level must have after: 0 — the first people are told at once")
        if levels and after <= levels[-1].after_s:
            raise doc.error((*lp, "after"), "after: each level must come later than the one before "
                            "(time since the severity was reached, e.g. 0, 15m, 45m)")
        levels.append(Level(tuple(n for n in names if receivers[n].enabled), after))
    remind = None
    if get(doc, (*kp, "remind_every")) not in (None, 0, "0", "never", False):
        remind = duration(doc, (*kp, "remind_every"))
    return Policy(tuple(levels), remind)


def _retry(doc: LocatedYaml) -> RetryPolicy:
    kp: Path = (SECTION, "retry")
    known_keys(doc, kp, {"attempts", "backoff", "max_backoff", "timeout"})
    base = RetryPolicy()
    return RetryPolicy(
        attempts=int(number(doc, (*kp, "attempts"), base.attempts, minimum=1, integer=True)),
        backoff_s=duration(doc, (*kp, "backoff"), base.backoff_s),
        max_backoff_s=duration(doc, (*kp, "max_backoff"), base.max_backoff_s),
        timeout_s=duration(doc, (*kp, "timeout"), base.timeout_s),
    )


def parse_escalation(doc: LocatedYaml, topic_names: Sequence[str]) -> EscalationPlan:
    """The plan from ``doc``; a located ``ConfigError`` on any problem."""
    if doc.data.get(SECTION) is None:
        plan = default_plan()
        plan.path = doc.path
        return plan
    mapping(doc, (SECTION,), required=True)
    known_keys(doc, (SECTION,), {"receivers", "plan", "topics", "wall_url", "retry"})
    raw_receivers = mapping(doc, (SECTION, "receivers"), required=True)
    receivers = {str(name): _receiver(doc, str(name)) for name in raw_receivers}
    for name, cfg in receivers.items():
        if cfg.fallback is not None and (cfg.fallback not in receivers or cfg.fallback == name):
            raise doc.error((SECTION, "receivers", name, "fallback"),
                            f"fallback: {cfg.fallback!r} must be another receiver{_suggest(cfg.fallback, receivers)}")
    known_keys(doc, (SECTION, "plan"), set(SEVERITIES))
    mapping(doc, (SECTION, "plan"), required=True)
    severities: dict[str, Policy] = {}
    for severity in SEVERITIES:
        if get(doc, (SECTION, "plan", severity)) is None:
            raise doc.error((SECTION, "plan"), f"plan: needs a {severity}: entry with its levels")
        severities[severity] = _policy(doc, (SECTION, "plan", severity), receivers)
    topics: dict[str, dict[str, Policy]] = {}
    for topic in mapping(doc, (SECTION, "topics")):
        if topic not in topic_names:
            raise doc.error((SECTION, "topics", topic), f"unknown topic {topic!r}{_suggest(str(topic), topic_names)}")
        known_keys(doc, (SECTION, "topics", topic), set(SEVERITIES))
        topics[topic] = {s: _policy(doc, (SECTION, "topics", topic, s), receivers)
                         for s in mapping(doc, (SECTION, "topics", topic), required=True)}
    wall_url = get(doc, (SECTION, "wall_url"), "http://127.0.0.1:8050")
    if isinstance(wall_url, str):
        wall_url = expand_env(wall_url, doc, (SECTION, "wall_url"))
    if not isinstance(wall_url, str) or not wall_url.startswith(("http://", "https://")):
        raise doc.error((SECTION, "wall_url"), "wall_url: the wall's address, e.g. http://wall.example.com:8050")
    return EscalationPlan(receivers, severities, topics, wall_url, _retry(doc), doc.path)
