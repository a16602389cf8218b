"""Redact texts once more before they reach a screen the whole room can read.

The pipeline already redacts what it stores; a second pass costs nothing and protects the wall
from a writer that forgot. ``stream.privacy`` is the project's rule; the fallback below covers
handles, e-mail addresses and phone numbers when that module is not importable.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)")


def _phone(match: re.Match[str]) -> str:
    return "[phone]" if sum(c.isdigit() for c in match.group()) >= 8 else match.group()


def _fallback(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _HANDLE.sub("@[user]", text)
    return _PHONE.sub(_phone, text)


def _pick() -> Callable[[str], str]:
    try:
        from stream.privacy import redact as project_redact
    except ImportError:
        return _fallback
    return project_redact


redact: Callable[[str], str] = _pick()
