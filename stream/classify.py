"""Complaint classification: which topics a mention complains about, in which language.

Most mentions are not complaints and match no topic, so the path they take is one ``fold``
and one search of a single precompiled regex (the prefilter built from every topic query's
cover words). The words it finds route the mention to the few query branches that contain
them: only those run, on the normalised text, then the complaint / praise / question / news
cues from ``thresholds.yaml``:

- a topic query describes the problem ("charged twice", "caught fire");
- praise, a question or news about it is not a complaint ("so glad I switched, my old charger
  caught fire once") unless a complaint cue is there too ("thanks for nothing, still no refund").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from config.detection import TOPIC_OVERRIDES
from config.values import known_keys, mapping
from config.yaml_lines import LocatedYaml, Path
from stream.lang import UNDETERMINED, detect_folded, normalize_lang
from stream.normalize import collapse_repeats, fold, normalize_folded
from stream.query import Atom, Node, Predicate, Query, QueryError, any_source, compile_predicate, compile_query, cover

TOPIC_KEYS = {"label", "query", "queries"}
CUES = ("complaint", "praise", "question", "news")
_TOPIC_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, slots=True)
class Classification:
    lang: str  # given lang (normalised like 'en', 'pt'); detected only when it can matter; else 'und'
    topics: tuple[str, ...]  # complaint topics; empty = not a complaint


@dataclass(frozen=True)
class Rule:
    """A query in general terms plus optional per-language queries (OR-ed with it)."""

    general: Query | None
    by_lang: dict[str, Query]

    def match(self, s: str, lang: str) -> bool:
        if self.general is not None and self.general.match(s):
            return True
        own = self.by_lang.get(lang)
        if own is not None:
            return own.match(s)
        # A language without its own query (or an unknown one): any language's terms count.
        return any(q.match(s) for q in self.by_lang.values())

    def source(self, lang: str) -> str:
        """``match(s, lang)`` as one expression of ``s`` (see ``Query.source``)."""
        parts = [self.general.source] if self.general is not None else []
        own = self.by_lang.get(lang)
        parts.extend([own.source] if own is not None else [q.source for q in self.by_lang.values()])
        return " or ".join(parts) or "False"

    def queries(self, lang: str | None = None) -> Iterable[Query]:
        """The queries ``match`` may run for ``lang`` (all of them for ``None``)."""
        if self.general is not None:
            yield self.general
        if lang is not None and lang in self.by_lang:
            yield self.by_lang[lang]
        else:
            yield from self.by_lang.values()


Route = tuple[tuple[int, Predicate], ...]  # (topic bit, predicate) pairs
_END_EXACT, _END_PREFIX = "\x00", "\x01"


def _trie_pattern(node: dict[str, dict], repeats: bool) -> str:  # type: ignore[type-arg]
    if _END_PREFIX in node:
        return ""  # any continuation matches a prefix
    alternatives = []
    for char in sorted(node):
        if char == _END_EXACT:
            alternatives.append(r"(?!\w)")
            continue
        # Letters may repeat in raw text ("dowwwn"); normalisation collapses them. ``xx*``, not
        # ``x+``: a branch that starts with a literal is skipped by the regex engine in one test.
        unit = re.escape(char) + ((re.escape(char) + "*") if repeats and char.isalnum() else "")
        alternatives.append(unit + _trie_pattern(node[char], repeats))
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def build_prefilter(atoms: Iterable[Atom], repeats: bool = True) -> re.Pattern[str]:
    """One regex that finds every post any of the queries could match.

    With ``repeats`` it scans ``fold``-ed raw text (letters may still repeat); without, the
    normalised text.
    """
    words: dict[str, dict] = {}  # type: ignore[type-arg]
    others: set[str] = set()
    for atom in atoms:
        word, exact = atom.key
        if not re.match(r"\w", word):
            others.add(re.escape(word))
            continue
        node = words
        for char in word:
            node = node.setdefault(char, {})
        node[_END_EXACT if exact else _END_PREFIX] = {}
    parts = []
    if words:
        # ``\b`` rather than ``(?<!\w)``: the same here (every key starts with a word character),
        # and a cheaper test at each of the many positions the scan tries.
        parts.append(r"\b" + _trie_pattern(words, repeats))
    parts.extend(sorted(others))
    return re.compile("|".join(parts) if parts else r"(?!)")


class Classifier:
    """Compiled topic queries and cues; cheap for the common case of no complaint at all."""

    def __init__(self, topics: dict[str, Rule], labels: dict[str, str], cues: dict[str, Rule]) -> None:
        self.topics: tuple[str, ...] = tuple(topics)
        self.labels = labels
        self._rules = tuple(topics.items())
        self._complaint = cues.get("complaint")
        self._vetoes = tuple(cues[c] for c in ("praise", "question", "news") if c in cues)
        atoms = [a for rule in topics.values() for q in rule.queries() for a in q.cover]
        self._prefilter = build_prefilter(atoms)
        # Most posts are ASCII once folded (Latin scripts lose their diacritics): for them, a
        # regex without the Greek and Persian keys is a third cheaper to scan.
        self._findall_ascii = build_prefilter(a for a in atoms if a.key[0].isascii()).findall
        self._keyed: dict[str, tuple[list[str], dict[str, list[tuple[int, Node]]]]] = {}
        self._routes: dict[str, dict[str, Route]] = {}
        self._complaints: dict[str, Predicate] = {}
        self._compiled: dict[str, Predicate] = {}
        self._none: dict[str, Classification] = {}
        self._results: dict[tuple[str, int], Classification] = {}
        self._codes: dict[str, str | None] = {}
        self._findall = self._prefilter.findall

    def _branches_by_key(self, lang: str) -> tuple[list[str], dict[str, list[tuple[int, Node]]]]:
        """For ``lang``: prefilter word → (topic index, branch) of every query branch whose match contains it."""
        found = self._keyed.get(lang)
        if found is None:
            by_key: dict[str, list[tuple[int, Node]]] = {}
            for index, (_, rule) in enumerate(self._rules):
                for query in rule.queries(lang):
                    for branch in query.branches:
                        for word in {atom.key[0] for atom in cover(branch) or ()}:
                            by_key.setdefault(word, []).append((index, branch))
            found = self._keyed[lang] = (sorted(by_key), by_key)
        return found

    def _route(self, lang: str, word: str) -> Route:
        """The topics a post with the prefilter hit ``word`` can match in ``lang``, each with one predicate.

        The predicate holds only the branches of the topic's queries that ``word`` can satisfy,
        not the whole vocabulary. A hit on ``refund`` also stands for longer words that start
        with it (``refunded``): the regex reports the shortest word that matches at a position.
        Raw hits with repeated letters ("dowwwn") are looked up collapsed and not remembered.
        """
        word = collapse_repeats(word)
        routes = self._routes.setdefault(lang, {})
        route = routes.get(word)
        if route is None:
            keys, by_key = self._branches_by_key(lang)
            by_topic: dict[int, dict[Node, None]] = {}
            at = bisect.bisect_left(keys, word)
            while at < len(keys) and keys[at].startswith(word):
                for index, branch in by_key[keys[at]]:
                    by_topic.setdefault(index, {})[branch] = None
                at += 1
            route = routes[word] = tuple(
                (1 << index, self._compile(any_source(branches))) for index, branches in sorted(by_topic.items())
            )
        return route

    def _compile(self, source: str) -> Predicate:
        found = self._compiled.get(source)
        if found is None:
            found = self._compiled[source] = compile_predicate(source)
        return found

    def _complaint_for(self, lang: str) -> Predicate:
        """``is_complaint`` for ``lang`` as one generated call (the cue and veto queries OR-ed)."""
        found = self._complaints.get(lang)
        if found is None:
            vetoes = " or ".join(veto.source(lang) for veto in self._vetoes) or "False"
            complaint = f"not ({vetoes})"
            if self._complaint is not None:
                complaint = f"({self._complaint.source(lang)}) or {complaint}"
            found = self._complaints[lang] = compile_predicate(complaint)
        return found

    def _result(self, lang: str, found: int) -> Classification:
        """The (shared, immutable) classification for the topics whose bits are set in ``found``."""
        result = self._results[lang, found] = Classification(
            lang, tuple(topic for i, topic in enumerate(self.topics) if found >> i & 1)
        )
        return result

    def _nothing(self, lang: str) -> Classification:
        found = self._none.get(lang)
        if found is None:
            found = self._none[lang] = Classification(lang, ())
        return found

    def _code(self, lang: str) -> str | None:
        """``normalize_lang`` remembered per code: a feed sends a handful of distinct ones."""
        if len(self._codes) > 10_000:
            self._codes.clear()
        code = self._codes[lang] = normalize_lang(lang)
        return code

    def is_complaint(self, s: str, lang: str) -> bool:
        """For a normalised text that matched a topic: is it a complaint, not praise/question/news?"""
        if self._complaint is not None and self._complaint.match(s, lang):
            return True
        return not any(veto.match(s, lang) for veto in self._vetoes)

    def classify(self, text: str, lang: str | None = None) -> Classification:
        folded = fold(text)
        if lang:
            code = self._codes.get(lang, "")  # "" = not seen yet (normalize_lang never returns it)
            if code == "":
                code = self._code(lang)
        else:
            code = None
        words = (self._findall_ascii if folded.isascii() else self._findall)(folded)
        if not words:  # not a complaint: its language is not worth detecting
            code = code or UNDETERMINED
            return self._none.get(code) or self._nothing(code)
        if code is None:
            code = detect_folded(text, folded)
        routes = self._routes.get(code) or {}
        found = 0  # bit i set: topic i matched
        s = ""
        for word in words:
            route = routes.get(word)
            if route is None:
                route = self._route(code, word)
            for bit, match in route:
                if not found & bit:
                    s = s or normalize_folded(folded)
                    if match(s):
                        found |= bit
        if not found or not (self._complaints.get(code) or self._complaint_for(code))(s):
            return self._nothing(code)
        return self._results.get((code, found)) or self._result(code, found)

    def classify_many(self, items: Sequence[tuple[str, str | None]]) -> list[Classification]:
        classify = self.classify
        return [classify(text, lang) for text, lang in items]


def _compile(doc: LocatedYaml, key_path: Path, value: object) -> Query:
    where = ".".join(map(str, key_path))
    if not isinstance(value, str):
        raise doc.error(key_path, f"{where}: a query must be text, got {value!r}")
    try:
        return compile_query(value)
    except QueryError as exc:
        raise doc.error(key_path, f"{where}: {exc.message}") from None


def _rule(doc: LocatedYaml, key_path: Path, what: str) -> Rule:
    node = mapping(doc, key_path)
    general = _compile(doc, (*key_path, "query"), node["query"]) if node.get("query") is not None else None
    by_lang: dict[str, Query] = {}
    for code in mapping(doc, (*key_path, "queries")):
        path = (*key_path, "queries", code)
        if not isinstance(code, str) or not _LANG_CODE.match(code) or normalize_lang(code) != code:
            raise doc.error(path, f"{'.'.join(map(str, path))}: {code!r} is not a language code; "
                                  "use two letters like en, es, ro, el, id, fa")
        by_lang[code] = _compile(doc, path, node["queries"][code])
    if general is None and not by_lang:
        raise doc.error(key_path, f"{'.'.join(map(str, key_path))}: {what} needs a query: or queries: {{en: ...}}")
    return Rule(general, by_lang)


def build_classifier(doc: LocatedYaml) -> Classifier:
    """Read ``topics:`` and ``classifier:``; any problem is a ``ConfigError`` with file and line."""
    topics_node = mapping(doc, ("topics",), required=True)
    if not topics_node:
        raise doc.error(("topics",), "topics: define at least one topic with a query")
    rules: dict[str, Rule] = {}
    labels: dict[str, str] = {}
    for name in topics_node:
        path: Path = ("topics", name)
        if not isinstance(name, str) or not _TOPIC_NAME.match(name):
            raise doc.error(path, f"topic name {name!r}: use lower-case letters, digits, - or _ (e.g. billing)")
        if not isinstance(topics_node[name], dict):
            raise doc.error(path, f"topics.{name} must be a mapping with label:, query: and/or queries:")
        known_keys(doc, path, TOPIC_KEYS | set(TOPIC_OVERRIDES))  # overrides: read by config/detection.py
        label = topics_node[name].get("label", name)
        if not isinstance(label, str) or not label.strip():
            raise doc.error((*path, "label"), f"topics.{name}.label: expected a non-empty name, got {label!r}")
        labels[name] = label.strip()
        rules[name] = _rule(doc, path, f"topic {name!r}")
    cues: dict[str, Rule] = {}
    known_keys(doc, ("classifier",), set(CUES))
    for cue in CUES:
        if mapping(doc, ("classifier", cue)):
            known_keys(doc, ("classifier", cue), {"query", "queries"})
            cues[cue] = _rule(doc, ("classifier", cue), f"the {cue} cue")
    return Classifier(rules, labels, cues)


__all__ = ["Classification", "Classifier", "build_classifier", "UNDETERMINED"]
