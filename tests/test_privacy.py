"""Pseudonyms are keyed and stable; shown text loses handles, e-mails and phone numbers."""

from __future__ import annotations

import re

import pytest

from stream.privacy import pseudonym_key_from_env, pseudonymise, redact


def test_pseudonym_is_stable_for_a_key_and_different_across_keys() -> None:
    a = pseudonymise("@maria_ionescu", b"key-one")
    assert a == pseudonymise("@maria_ionescu", b"key-one")
    assert re.fullmatch(r"[0-9a-f]{16}", a)
    assert a != pseudonymise("@maria_ionescu", b"key-two")
    assert a != pseudonymise("@maria_ionescu2", b"key-one")
    assert "maria" not in a


def test_long_keys_work() -> None:
    assert pseudonymise("u1", b"k" * 200) != pseudonymise("u1", b"k" * 201)


def test_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CW_TEST_KEY", "s3cret")
    assert pseudonym_key_from_env("CW_TEST_KEY") == (b"s3cret", True)


def test_missing_key_gives_a_random_one_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CW_TEST_KEY", raising=False)
    first, from_env = pseudonym_key_from_env("CW_TEST_KEY")
    second, _ = pseudonym_key_from_env("CW_TEST_KEY")
    assert not from_env
    assert len(first) >= 16 and first != second


def test_redact_removes_handles_emails_and_phones() -> None:
    text = "@brand_help call me +40 721 555 019 or mail ion.pop@gmail.com, cc @ana"
    assert redact(text) == "@… call me [phone] or mail [email], cc @…"


def test_redact_handles_persian_digits_and_keeps_what_is_not_personal() -> None:
    assert redact("شماره من ۰۹۱۲ ۳۴۵ ۶۷۸۹ هست") == "شماره من [phone] هست"
    kept = "order 12345 on 2024-03-02, error 503, see https://status.example.com/incidents/42"
    assert redact(kept) == kept
