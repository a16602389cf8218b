"""The Boolean query language: what matches, and the errors an operator sees for a bad query."""

from __future__ import annotations

import os

import pytest

from config.errors import ConfigError
from config.yaml_lines import load_yaml
from stream.classify import build_classifier
from stream.eval_classifier import DEFAULT_DATA, load_examples
from stream.normalize import normalize
from stream.query import Node, QueryError, compile_query, parse


def matches(query: str, text: str) -> bool:
    return compile_query(query).match(normalize(text))


def test_terms_match_whole_words_only() -> None:
    assert matches("down", "is the site DOWN?")
    assert not matches("down", "just downloaded the update")
    assert not matches("app", "my happy place")


def test_phrases_prefixes_and_operators() -> None:
    q = '(refund* OR "money back") AND NOT "refund policy"'
    assert matches(q, "still no refund!!")
    assert matches(q, "I was refunded twice lol")
    assert matches(q, "I want my money back")
    assert not matches(q, "what is your refund policy?")
    assert not matches(q, "money is back in my account")  # a phrase needs its words together


def test_implicit_and_and_precedence() -> None:
    assert matches("charged twice", "twice they charged me")
    assert not matches("charged twice", "they charged me")
    assert matches("a OR b AND c", "a")  # AND binds tighter than OR
    assert not matches("(a OR b) AND c", "a")


def test_near_measures_words_between_in_either_order_or_forward_only() -> None:
    q = '(parcel OR package OR "my order") NEAR/3 (late OR lost)'
    assert matches(q, "my parcel is 2 weeks late")  # 3 words between
    assert matches(q, "lost my package again")  # the other order
    assert matches(q, "so my order is late")  # a phrase side
    assert not matches(q, "the parcel came, but the train home was late")  # too far apart
    assert not matches(q, "parcel")
    forward = "order NEAR/1f cancel*"
    assert matches(forward, "order got cancelled") and not matches(forward, "cancelled my order")
    assert matches('refund* NEAR/0 "never came"', "refund never came")
    # Many occurrences of both sides: only the closest pair counts, in either direction.
    far = "late " * 5 + "a b c d " + "parcel x x x x " * 3 + "y y y y late"
    assert not matches(q, far) and matches(q, far + " parcel") and matches(q, far.replace(" d ", " "))
    spam = "cancelled " * 50 + "my order"
    assert not matches(forward, spam) and matches(forward, spam + " cancelled")


def _walk(node: Node, s: str) -> bool:
    """The query's meaning read straight off the syntax tree, one term at a time."""
    if node.atom is not None:
        return node.atom.needle in s
    if node.op == "not":
        return not _walk(node.children[0], s)
    if node.op == "near":
        words = s.split()
        sides = [_occurrences(child, words) for child in node.children]
        return any(
            0 <= b[0] - a[1] - 1 <= node.distance or (not node.forward and 0 <= a[0] - b[1] - 1 <= node.distance)
            for a in sides[0] for b in sides[1]
        )
    results = (_walk(c, s) for c in node.children)
    return all(results) if node.op == "and" else any(results)


def _occurrences(node: Node, words: list[str]) -> list[tuple[int, int]]:
    """(first, last) word index of every place a NEAR side (term, phrase or OR of them) occurs."""
    if node.atom is None:
        return [span for child in node.children for span in _occurrences(child, words)]
    n, prefix = len(node.atom.words), node.atom.prefix
    return [
        (i, i + n - 1) for i in range(len(words) - n + 1)
        if list(node.atom.words[:-1]) == words[i : i + n - 1]
        and (words[i + n - 1].startswith(node.atom.words[-1]) if prefix else words[i + n - 1] == node.atom.words[-1])
    ]


def test_long_term_lists_match_exactly_what_the_query_says() -> None:
    q = 'refund* OR "money back" OR chargeback OR "charged twice" OR (bill AND NOT "bill gates")'
    assert matches(q, "I was refunded twice") and matches(q, "filed a chargeback")
    assert matches(q, "got charged twice!!") and matches(q, "the bill is wrong")
    assert not matches(q, "bill gates said") and not matches(q, "money is back") and not matches(q, "refun")
    near = '(parcel* OR "my order" OR package) NEAR/2 (late OR "never came") AND NOT refund*'
    for text in ("parcel late", "my order never came", "late: my packages", "my order, it is very late", "refund late"):
        assert compile_query(near).match(normalize(text)) == _walk(parse(near), normalize(text)), text
    # Every shipped query, compiled, agrees with a plain reading of its tree on every labelled post.
    doc = load_yaml(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "thresholds.yaml"))
    texts = [normalize(e.text) for e in load_examples(DEFAULT_DATA)]
    queries = [doc.data["topics"][t]["queries"][lang] for t in doc.data["topics"] for lang in ("en", "fa")]
    for text in queries:
        tree, compiled = parse(text), compile_query(text)
        assert [compiled.match(s) for s in texts] == [_walk(tree, s) for s in texts]


def test_greek_and_persian_terms_match_their_variants() -> None:
    assert matches("εφαρμογ* AND επεσε", "Η ΕΦΑΡΜΟΓΗ έπεσε πάλι")
    assert matches('"نمیتونم وارد"', "نمي‌تونم وارد بشم")


@pytest.mark.parametrize(
    ("query", "column", "fragment"),
    [
        ("(refund OR money", 1, "unbalanced parenthesis"),
        ("refund OR money)", 16, "unbalanced parenthesis"),
        ('refund OR "money back', 11, "unclosed quote"),
        ("refund OR", 8, "nothing on its right"),
        ("AND refund", 1, "nothing on its left"),
        ("refund or money", 8, "write OR"),
        ("re*fund", 3, "wildcard"),
        ("()", 1, "empty parentheses"),
        ("", 1, "empty"),
        ("NOT refund", 1, "add a term it must contain"),
        ("@brand", 1, "nothing to match"),
        ("late NEAR lost", 6, "say how near"),
        ("late near/3 lost", 6, "write NEAR/3"),
        ("late NEAR/3 (lost AND parcel)", 6, "both sides must be terms"),
        ("a NEAR/3 b NEAR/3 c", 12, "one NEAR per pair"),
        ("NEAR/2 lost", 1, "nothing on its left"),
    ],
)
def test_malformed_queries_say_what_and_where(query: str, column: int, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert caught.value.column == column
    assert fragment in caught.value.message


CONFIG = """\
topics:
  billing:
    label: Billing
    query: refund*
    queries:
      en: '"charged twice" OR overcharg*'
      ro: '(taxat OR "banii inapoi" AND plata'
"""


def test_a_bad_query_in_the_file_stops_with_file_line_key_and_column() -> None:
    with pytest.raises(ConfigError) as caught:
        build_classifier(load_yaml("thresholds.yaml", CONFIG))
    err = caught.value
    assert (err.path, err.line) == ("thresholds.yaml", 7)
    assert str(err).startswith("thresholds.yaml:7: topics.billing.queries.ro: unbalanced parenthesis at column 1")


def test_detection_keys_are_accepted_and_misspelt_keys_are_not() -> None:
    ok = "topics:\n  outage:\n    query: outage*\n    priority: true\n    crisis_voices: 50\n    window: 10m\n"
    assert build_classifier(load_yaml("t.yaml", ok)).topics == ("outage",)
    bad = "topics:\n  outage:\n    query: outage*\n    crisis_voice: 50\n"
    with pytest.raises(ConfigError) as caught:
        build_classifier(load_yaml("t.yaml", bad))
    assert caught.value.line == 4 and "did you mean 'crisis_voices'" in str(caught.value)


def test_topic_without_a_query_and_bad_language_code_are_located() -> None:
    with pytest.raises(ConfigError, match=r"t.yaml:2: .*needs a query"):
        build_classifier(load_yaml("t.yaml", "topics:\n  outage:\n    label: Outage\n"))
    with pytest.raises(ConfigError, match=r"t.yaml:4: .*not a language code"):
        build_classifier(load_yaml("t.yaml", "topics:\n  outage:\n    queries:\n      english: down\n"))
