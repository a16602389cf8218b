"""Complaint classification: which topics a mention complains about, in which language.

Most mentions are not complaints and match no topic, so the path they take is a ``fold``, a
``split`` and one set lookup: every word a post is made of is remembered with the query keys
it holds, and a post none of whose words routes to a query branch is done. The others run only
the branches their words route to, and only when the words of the branch's other required
sides (its gates) are there too; then the complaint / praise / question / news cues from
``thresholds.yaml`` decide:

- a topic query describes the problem ("charged twice", "caught fire");
- praise, a question or news about it is not a complaint ("so glad I switched, my old charger
  caught fire once") unless a complaint cue is there too ("thanks for nothing, still no refund").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from config.detection import TOPIC_OVERRIDES
from config.values import known_keys, mapping
from config.yaml_lines import LocatedYaml, Path
from stream.lang import UNDETERMINED, detect_folded, normalize_lang
from stream.normalize import fold, normalize_folded, tokens_folded
from stream.query import (
    Node,
    Predicate,
    Query,
    QueryError,
    any_source,
    compile_predicate,
    compile_query,
    cover,
    requirements,
)

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


WordKeys = tuple[frozenset[str], bool]  # the keys a post's word holds, whether one routes to a branch
_MAX_WORDS = 200_000  # distinct words remembered before starting afresh
Gates = tuple[frozenset[str], ...]  # key sets a post must hit each of before a branch can match
Route = tuple[tuple[int, Gates, Predicate], ...]  # (topic bit, gates, predicate) for a word's keys


def _gates(branch: Node) -> Gates:
    """The requirements of ``branch`` besides its cover (which routed the post to it), as key sets."""
    own = cover(branch)
    gates = {frozenset(a.key[0] for a in need) for need in requirements(branch) if need != own}
    return tuple(sorted(gates, key=sorted))


class Classifier:
    """Compiled topic queries and cues; cheap for the common case of no complaint at all."""

    def __init__(self, topics: dict[str, Rule], labels: dict[str, str], cues: dict[str, Rule]) -> None:
        self.topics: tuple[str, ...] = tuple(topics)
        self.labels = labels
        self._rules = tuple(topics.items())
        self._complaint = cues.get("complaint")
        self._vetoes = tuple(cues[c] for c in ("praise", "question", "news") if c in cues)
        # Every word of a query is a key: a cover's words route a post to a branch, the words of
        # the branch's other required sides are its gates.
        covers = [a for rule in topics.values() for q in rule.queries() for a in q.cover]
        branches = [b for rule in topics.values() for q in rule.queries() for b in q.branches]
        atoms = covers + [a for b in branches for need in requirements(b) for a in need]
        self._exact = frozenset(a.key[0] for a in atoms if a.key[1])
        self._prefixes = frozenset(a.key[0] for a in atoms if not a.key[1])
        self._routing = frozenset(a.key[0] for a in covers)
        self._words: dict[str, WordKeys] = {}  # a post's whitespace-separated words, as seen so far
        self._inert: set[str] = set()  # the words among them that route nowhere
        self._keyed: dict[str, dict[str, list[tuple[int, Node]]]] = {}
        self._routes: dict[str, dict[frozenset[str], Route]] = {}
        self._complaints: dict[str, Predicate] = {}
        self._compiled: dict[str, Predicate] = {}
        self._none: dict[str, Classification] = {}
        self._results: dict[tuple[str, int], Classification] = {}
        self._codes: dict[str, str | None] = {}

    def _word(self, word: str) -> WordKeys:
        """The keys a whitespace-separated word holds (``refunded,``: ``refund*``), and whether one routes.

        Remembered per word: a stream's vocabulary is Zipfian, so almost every word of a post
        is a set lookup, whatever the size of the queries' vocabulary.
        """
        if len(self._words) > _MAX_WORDS:
            self._words.clear()
            self._inert.clear()
        keys: set[str] = set()
        for token in tokens_folded(word):  # "late,refund" holds two; a URL or an @handle none
            keys.update(token[:end] for end in range(1, len(token) + 1) if token[:end] in self._prefixes)
            if token in self._exact:
                keys.add(token)
        routes = not self._routing.isdisjoint(keys)
        if not routes:
            self._inert.add(word)
        found = self._words[word] = (frozenset(keys), routes)
        return found

    def _branches_by_key(self, lang: str) -> dict[str, list[tuple[int, Node]]]:
        """For ``lang``: cover key → (topic index, branch) of every query branch routed by it."""
        found = self._keyed.get(lang)
        if found is None:
            found = self._keyed[lang] = {}
            for index, (_, rule) in enumerate(self._rules):
                for query in rule.queries(lang):
                    for branch in query.branches:
                        for key in {atom.key[0] for atom in cover(branch) or ()}:
                            found.setdefault(key, []).append((index, branch))
        return found

    def _route(self, lang: str, keys: frozenset[str]) -> Route:
        """The topics a post with a word holding ``keys`` can match in ``lang``, each with its gates and a predicate.

        The predicate holds only the branches of the topic's queries those keys route to, not
        the whole vocabulary; branches with different gates get different predicates.
        """
        routes = self._routes.setdefault(lang, {})
        by_key = self._branches_by_key(lang)
        groups: dict[tuple[int, Gates], dict[Node, None]] = {}
        for key in sorted(keys):
            for index, branch in by_key.get(key, ()):
                groups.setdefault((index, _gates(branch)), {})[branch] = None
        route = routes[keys] = tuple(
            (1 << index, gates, self._compile(any_source(branches)))
            for (index, gates), branches in sorted(groups.items(), key=lambda item: item[0][0])
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
        words = folded.split()
        known = self._words
        # Most posts: every word already known to route nowhere, one C-level check.
        infos = () if self._inert.issuperset(words) else [known.get(w) or self._word(w) for w in words]
        if not any(routing for _, routing in infos):  # not a complaint, language not worth detecting
            code = code or UNDETERMINED
            return self._none.get(code) or self._nothing(code)
        if code is None:
            code = detect_folded(text, folded)
        routes = self._routes.get(code) or {}
        found = 0  # bit i set: topic i matched
        s = ""
        present: frozenset[str] | None = None
        for keys, routing in infos:
            if not routing:
                continue
            route = routes.get(keys)
            if route is None:
                route = self._route(code, keys)
            for bit, gates, match in route:
                if found & bit:
                    continue
                if gates:
                    if present is None:
                        present = frozenset().union(*[word_keys for word_keys, _ in infos])
                    if any(gate.isdisjoint(present) for gate in gates):
                        continue
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
