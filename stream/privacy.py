"""Privacy: who complained is stored only as a keyed pseudonym, and shown text is redacted.

A complaint is nobody's business but the customer's and the people solving it. A keyed hash
(not a plain one) means nobody can recompute a pseudonym from a known handle without the key.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets

_KEY_BYTES = 64  # blake2b's maximum key length


def _key(key: bytes) -> bytes:
    return key if len(key) <= _KEY_BYTES else hashlib.blake2b(key).digest()


def pseudonymise(author: str, key: bytes) -> str:
    """16 hex characters, stable for one key; keyed BLAKE2b (a MAC, faster than HMAC-SHA256)."""
    return hashlib.blake2b(author.encode("utf-8"), key=_key(key), digest_size=8).hexdigest()


def pseudonym_key_from_env(env_name: str = "CRISISWATCH_PSEUDONYM_KEY") -> tuple[bytes, bool]:
    """The key from ``env_name`` and ``True``; a random key and ``False`` when it is unset.

    A random key keeps privacy but gives new pseudonyms on every start, so distinct-voice
    counts across restarts only hold with a key set in the environment.
    """
    value = os.environ.get(env_name, "")
    if value:
        return value.encode("utf-8"), True
    return secrets.token_bytes(32), False


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@/.])@\w{1,50}")
# 8-15 digits with the separators people type; \d also covers Persian and Arabic-Indic digits.
_PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d\s().-]{6,22}\d(?![\w/])")
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")


def _phone(match: re.Match[str]) -> str:
    found = match.group()
    digits = sum(c.isdigit() for c in found)
    if not 8 <= digits <= 15 or _DATE.match(found.strip()):
        return found
    return "[phone]"


def redact(text: str) -> str:
    """Handles → ``@…``, e-mail addresses → ``[email]``, phone numbers → ``[phone]``."""
    text = _EMAIL.sub("[email]", text)
    text = _HANDLE.sub("@…", text)
    return _PHONE.sub(_phone, text)
