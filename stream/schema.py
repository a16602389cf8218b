"""The input contract: one mention per JSON line, from a file, Kafka or an HTTP body.

Every record either becomes a ``Mention`` or a ``DeadLetter`` with the raw record and the
reason: nothing crashes the job and nothing is dropped silently.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

MAX_TEXT_BYTES = 64 * 1024
MAX_RECORD_BYTES = 256 * 1024
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
MAX_FUTURE_S = 24 * 3600
RAW_KEEP_BYTES = 8 * 1024


@dataclass(slots=True)
class Mention:
    """A validated mention; ``author`` is the source's id until the pipeline pseudonymises it."""

    id: str
    created_at: float
    author: str
    text: str
    lang: str | None = None
    channel: str = "unknown"
    followers: int = 0
    verified: bool = False
    url: str | None = None
    in_reply_to: str | None = None
    repost_of: str | None = None


@dataclass(slots=True)
class DeadLetter:
    reason: str
    raw: str
    source: str = ""
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "raw": self.raw, "source": self.source, "line": self.line}


class Invalid(ValueError):
    """A record that breaks the contract; the message is the dead letter's reason."""


def raw_text(raw: bytes | str | dict[str, Any]) -> str:
    """The record as it came, cut to a size a dead-letter store can keep."""
    if isinstance(raw, dict):
        raw = json.dumps(raw, ensure_ascii=False, default=str)
    if isinstance(raw, bytes):
        raw = raw[:RAW_KEEP_BYTES].decode("utf-8", errors="backslashreplace")
    return raw[:RAW_KEEP_BYTES]


def parse_time(value: Any, now: float | None = None) -> float:
    """Event time in epoch seconds (UTC) from ISO-8601 or epoch seconds / milliseconds."""
    kind = type(value)
    if kind is float or kind is int:
        ts = float(value)
    elif kind is str:
        ts = _parse_time_text(value)
    else:
        raise Invalid(f"created_at: expected ISO-8601 text or epoch number, got {_json_type(value)}")
    if not math.isfinite(ts):
        raise Invalid(f"created_at: not a finite number ({value!r})")
    if ts > 1e11:  # epoch milliseconds: 1e11 s would be the year 5138
        ts /= 1000.0
    if ts < EARLIEST_EVENT or ts > (time.time() if now is None else now) + MAX_FUTURE_S:
        raise Invalid(f"created_at: absurd timestamp {value!r} (before 2000 or more than a day ahead)")
    return ts


def _parse_time_text(value: str) -> float:
    text = value.strip()
    if text[:4].isdigit() and text[4:5] == "-":  # ISO-8601: skip the failing float() attempt
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise Invalid(f"created_at: unparseable timestamp {value[:64]!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    try:
        return float(text)
    except ValueError:
        raise Invalid(f"created_at: unparseable timestamp {value[:64]!r}") from None


def _ident(value: Any, key: str) -> str:
    if value is None:
        raise Invalid(f"missing field {key!r}")
    if type(value) is int:
        return str(value)
    if type(value) is not str:
        raise Invalid(f"{key}: expected a string or integer id, got {_json_type(value)}")
    value = value.strip()
    if not value:
        raise Invalid(f"{key}: empty")
    if len(value) > 256:
        raise Invalid(f"{key}: longer than 256 characters")
    return value


def _text(text: Any) -> str:
    if text is None:
        raise Invalid("missing field 'text'")
    if type(text) is not str:
        raise Invalid(f"text: expected a string, got {_json_type(text)}")
    if "\x00" in text:
        raise Invalid("text: contains NUL bytes")
    if not text.strip():
        raise Invalid("text: empty")
    if len(text) > MAX_TEXT_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise Invalid(f"text: longer than {MAX_TEXT_BYTES // 1024} KB")
    if not text.isprintable() and _is_junk(text):
        raise Invalid("text: binary junk (mostly control characters)")
    return text


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _is_junk(text: str) -> bool:
    """Mostly control characters or replacement marks: a binary payload, not a post."""
    controls = len(_CONTROL.findall(text))
    return controls > 4 and controls * 10 > len(text)


def _int(value: Any, key: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid(f"{key}: expected a number, got {type(value).__name__}")
    try:
        number = int(value)
    except (ValueError, OverflowError):
        raise Invalid(f"{key}: expected a number, got {value!r}") from None
    if number < 0:
        raise Invalid(f"{key}: negative ({number})")
    return number


def _bool(value: Any, key: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{key}: expected true or false, got {value!r}")
    return value


def _optional_str(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        return value[:2048] or None
    if type(value) is int:
        return str(value)
    raise Invalid(f"{key}: expected a string, got {_json_type(value)}")


def _twitter_v2(record: dict[str, Any]) -> dict[str, Any]:
    """Map an X/Twitter API v2 tweet object onto the flat contract (no mapping step for users)."""
    out = dict(record)
    author = record.get("author")
    out["author"] = record["author_id"]
    out.setdefault("channel", "twitter")
    metrics = record.get("public_metrics")
    user = author if isinstance(author, dict) else record.get("user")
    if isinstance(user, dict):
        user_metrics = user.get("public_metrics") or {}
        if "followers" not in record and isinstance(user_metrics, dict):
            out["followers"] = user_metrics.get("followers_count")
        if "verified" not in record:
            out["verified"] = user.get("verified")
    elif "followers" not in record and isinstance(metrics, dict) and "followers_count" in metrics:
        out["followers"] = metrics["followers_count"]
    for ref in record.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            out.setdefault("in_reply_to", ref.get("id"))
        elif isinstance(ref, dict) and ref.get("type") == "retweeted":
            out.setdefault("repost_of", ref.get("id"))
    if "url" not in record and "id" in record:
        out["url"] = f"https://x.com/i/status/{record['id']}"
    return out


def mention_from_dict(record: Any, now: float | None = None) -> Mention:
    if type(record) is not dict:
        raise Invalid(f"expected a JSON object, got {_json_type(record)}")
    if "author_id" in record and not isinstance(record.get("author"), str | int):
        record = _twitter_v2(record)
    get = record.get
    if "created_at" not in record:
        raise Invalid("missing field 'created_at'")
    lang = get("lang")
    if lang is not None and not (type(lang) is str and len(lang) == 2 and lang.isalpha() and lang.islower()):
        if type(lang) is not str:
            raise Invalid(f"lang: expected a language code, got {_json_type(lang)}")
        lang = lang.strip().lower().split("-")[0] or None
    channel = get("channel")
    if channel is None:
        channel = "unknown"
    elif type(channel) is str:
        channel = channel.strip().lower()[:32] or "unknown"
    else:
        raise Invalid(f"channel: expected a string, got {_json_type(channel)}")
    followers = get("followers")
    if type(followers) is not int or followers < 0:
        followers = _int(followers, "followers")
    verified = get("verified")
    if type(verified) is not bool:
        verified = _bool(verified, "verified")
    # The checks below are the helpers' common case inlined (this runs once per mention of the
    # firehose); anything unusual goes through the helper, which raises or returns the same value.
    ident = get("id")
    if type(ident) is not str or not 0 < len(ident) <= 256 or ident[0].isspace() or ident[-1].isspace():
        ident = _ident(ident, "id")
    created = record["created_at"]
    kind = type(created)
    if (kind is float or kind is int) and EARLIEST_EVENT <= created <= (
        time.time() if now is None else now
    ) + MAX_FUTURE_S:
        created = float(created)
    else:
        created = parse_time(created, now)
    author = get("author")
    if type(author) is not str or not 0 < len(author) <= 256 or author[0].isspace() or author[-1].isspace():
        author = _ident(author, "author")
    text = get("text")
    if (
        type(text) is not str
        or not text
        or len(text) > MAX_TEXT_BYTES // 4
        or not text.isprintable()  # also catches NUL and other control characters
        or (text[0].isspace() and not text.strip())
    ):
        text = _text(text)
    url = get("url")
    if url is not None:
        url = _optional_str(url, "url")
    reply = get("in_reply_to")
    if reply is not None:
        reply = _optional_str(reply, "in_reply_to")
    repost = get("repost_of")
    if repost is not None:
        repost = _optional_str(repost, "repost_of")
    return Mention(ident, created, author, text, lang, channel, followers, verified, url, reply, repost)


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number" if isinstance(value, int | float) else type(value).__name__
    )


def parse_line(raw: bytes | str, now: float | None = None) -> Mention:
    """One JSON line to a ``Mention``; raises ``Invalid`` with the dead-letter reason."""
    if len(raw) > MAX_RECORD_BYTES:
        raise Invalid(f"record longer than {MAX_RECORD_BYTES // 1024} KB")
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if (b"\x00" if isinstance(raw, bytes) else "\x00") in raw:  # type: ignore[operator]
            raise Invalid("binary junk: NUL bytes in the record") from None
        if isinstance(raw, bytes):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise Invalid(f"binary junk: not UTF-8 ({bad.reason} at byte {bad.start})") from None
        raise Invalid(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    return mention_from_dict(record, now)


def parse_records(
    records: Sequence[bytes | str | dict[str, Any]], source: str = "", first_line: int | None = None,
    now: float | None = None,
) -> tuple[list[Mention], list[DeadLetter]]:
    """Parse JSON lines (or already-decoded dicts, e.g. CSV rows); good records around a bad one are kept."""
    now = time.time() if now is None else now
    good: list[Mention] = []
    bad: list[DeadLetter] = []
    loads = orjson.loads
    for offset, raw in enumerate(records):
        try:
            if type(raw) is bytes and len(raw) <= MAX_RECORD_BYTES:  # the common case, inlined
                try:
                    record = loads(raw)
                except orjson.JSONDecodeError:
                    good.append(parse_line(raw, now))  # raises Invalid with the reason
                    continue
                good.append(mention_from_dict(record, now))
            else:
                good.append(mention_from_dict(raw, now) if isinstance(raw, dict) else parse_line(raw, now))
        except Invalid as exc:
            line = None if first_line is None else first_line + offset
            bad.append(DeadLetter(str(exc), raw_text(raw), source, line))
    return good, bad
