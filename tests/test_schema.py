"""The input contract: good records parse, every kind of bad record becomes a dead letter."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from stream.schema import parse_line, parse_records

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC).timestamp()


def rec(**fields: object) -> str:
    base = {"id": "1", "created_at": "2026-11-20T10:00:00Z", "author": "ana", "text": "site is down"}
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not ...})


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("2026-11-20T10:00:00Z", "2026-11-20T10:00:00+00:00"),
        ("2026-11-20T12:00:00+02:00", "2026-11-20T10:00:00+00:00"),
        ("2026-11-20T10:00:00", "2026-11-20T10:00:00+00:00"),  # no zone = UTC
        ("2026-11-20 10:00:00.250", "2026-11-20T10:00:00.250000+00:00"),
        (1795168800, "2026-11-20T10:00:00+00:00"),  # epoch seconds
        (1795168800000, "2026-11-20T10:00:00+00:00"),  # epoch milliseconds
        ("1795168800", "2026-11-20T10:00:00+00:00"),
    ],
)
def test_timestamps_in_every_accepted_form_are_utc(created_at: object, expected: str) -> None:
    mention = parse_line(rec(created_at=created_at), NOW)
    assert datetime.fromtimestamp(mention.created_at, tz=UTC).isoformat() == expected


def test_optional_fields_and_unknown_fields() -> None:
    m = parse_line(
        rec(lang="es-MX", channel="Facebook", followers=120, verified=True, url="https://f.b/1",
            in_reply_to="9", repost_of=None, sentiment_score=0.1, extra={"a": 1}),
        NOW,
    )
    assert (m.lang, m.channel, m.followers, m.verified, m.in_reply_to) == ("es", "facebook", 120, True, "9")


def test_twitter_v2_tweet_object_without_mapping() -> None:
    tweet = {
        "id": "1460323737035677698",
        "text": "@brand your app is down again",
        "author_id": "2244994945",
        "created_at": "2026-11-20T10:00:00.000Z",
        "lang": "en",
        "public_metrics": {"retweet_count": 3, "reply_count": 1, "like_count": 9, "quote_count": 0},
        "referenced_tweets": [{"type": "replied_to", "id": "1460323737035677000"}],
        "author": {"id": "2244994945", "username": "someone", "verified": True,
                   "public_metrics": {"followers_count": 250000}},
    }
    m = parse_line(json.dumps(tweet), NOW)
    assert m.author == "2244994945"
    assert m.channel == "twitter"
    assert (m.followers, m.verified) == (250000, True)
    assert m.in_reply_to == "1460323737035677000"


BAD: list[tuple[bytes | str, str]] = [
    (b"{not json", "invalid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('"just a string"', "expected a JSON object"),
    (rec(id=...), "missing field 'id'"),
    (rec(author=...), "missing field 'author'"),
    (rec(text=...), "missing field 'text'"),
    (rec(created_at=...), "missing field 'created_at'"),
    (rec(text=42), "text: expected a string"),
    (rec(author=1.5), "author: expected a string or integer id"),
    (rec(followers="many"), "followers: expected a number"),
    (rec(verified="yes"), "verified: expected true or false"),
    (rec(lang=42), "lang: expected a language code"),
    (rec(lang=["en"]), "lang: expected a language code"),
    (rec(channel=7), "channel: expected a string"),
    (rec(created_at="next tuesday"), "unparseable timestamp"),
    (rec(created_at="1970-01-01T00:00:00Z"), "absurd timestamp"),
    (rec(created_at="2031-01-01T00:00:00Z"), "absurd timestamp"),
    (rec(created_at=True), "created_at: expected"),
    (rec(text="   "), "text: empty"),
    (rec(text="x" * (64 * 1024 + 1)), "longer than 64 KB"),
    (rec(text="bad\u0000byte"), "NUL"),
    (b'{"id": "1", "text": "a\x00b"}', "NUL bytes"),
    (b"\xff\xfe\x00garbage\x80\x81", "binary junk"),
    (b"\x89PNG\r\n\x1a\n\xc3\xa9\xff", "binary junk"),
    (rec(text="\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"), "binary junk"),
]


@pytest.mark.parametrize(("raw", "reason"), BAD, ids=[r for _, r in BAD])
def test_bad_records_become_dead_letters_with_reason_and_raw(raw: bytes | str, reason: str) -> None:
    good_before, good_after = rec(id="before"), rec(id="after")
    mentions, dead = parse_records([good_before, raw, good_after], source="feed.jsonl", first_line=10, now=NOW)
    assert [m.id for m in mentions] == ["before", "after"], "good records around a bad one are kept"
    assert len(dead) == 1
    letter = dead[0]
    assert reason in letter.reason
    assert (letter.source, letter.line) == ("feed.jsonl", 11)
    expected_raw = raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")
    assert letter.raw == expected_raw[: len(letter.raw)] and letter.raw


def test_csv_rows_arrive_as_dicts_and_are_validated_the_same_way() -> None:
    mentions, dead = parse_records(
        [{"id": "1", "created_at": "2026-11-20T10:00:00Z", "author": "a", "text": "down", "followers": 5},
         {"id": "2", "author": "b", "text": "no time"}],
        now=NOW,
    )
    assert [m.id for m in mentions] == ["1"]
    assert dead[0].reason == "missing field 'created_at'"
    assert '"no time"' in dead[0].raw
