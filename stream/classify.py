"""Complaint classification: which topics a mention complains about, in which language.

Most mentions are not complaints and match no topic, so the path they take is a ``split`` and
one set check: every word a post is made of is remembered, as written, with the query keys it
holds (``stream.keyed``), and a post none of whose words routes to a query branch is done. The
others run one generated call per routing word, which decides the branches that word routes to
from the post's keys, reading the text only for phrases and NEAR; then the complaint / praise /
question / news cues from ``thresholds.yaml`` decide:

- a topic query describes the problem ("charged twice", "caught fire");
- praise, a question or news about it is not a complaint ("so glad I switched, my old charger
  caught fire once") unless a complaint cue is there too ("thanks for nothing, still no refund").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from config.detection import TOPIC_OVERRIDES
from config.values import known_keys, mapping
from config.yaml_lines import LocatedYaml, Path
from stream.keyed import Covers, KeyedPredicate, assume, keyed_any_source
from stream.lang import UNDETERMINED, detect_lang, normalize_lang, word_votes
from stream.normalize import word_text
from stream.query import (
    Atom,
    Node,
    Query,
    QueryError,
    compile_lambda,
    compile_query,
    cover,
    cover_besides,
    keys_under,
)

TOPIC_KEYS = {"label", "query", "queries"}
CUES = ("complaint", "praise", "question", "news")
_TOPIC_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, slots=True)
class Classification:
    lang: str  # given lang (normalised like 'en', 'pt'); else detected for a complaint, 'und' for the rest
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

    def queries(self, lang: str | None = None) -> Iterable[Query]:
        """The queries ``match`` may run for ``lang`` (all of them for ``None``)."""
        if self.general is not None:
            yield self.general
        if lang is not None and lang in self.by_lang:
            yield self.by_lang[lang]
        else:
            yield from self.by_lang.values()


# For a routing key, given a post's keys, words and the topic bits found so far: the bits of
# the topics not found yet that the branches it routes to match.
Route = Callable[[frozenset[str], list[str], int], int]
_MAX_WORDS = 200_000  # distinct words remembered before starting afresh
_FIRST_PLAN = 1024  # counted posts before routes are first chosen from them (then at each doubling)
_SETTLED = 8192  # counted posts after which one post in 64 is counted instead of one in 8


class Classifier:
    """Compiled topic queries and cues; cheap for the common case of no complaint at all.

    Every query branch is routed by one of the words it cannot match without: the side of an
    AND, or the word of a phrase, that is rarest. Rarest is first guessed from the words
    themselves, then measured on the stream (one post in 8; in 64 once 8,192 are counted), and
    the routes are chosen again after 1,024, 2,048, 4,096, ... counted posts. A post that
    holds routing words must also hold, for one of them, a word of another cover of a branch
    it routes to, or it is done before its language is detected. Routing decides only how much
    work a post costs, never what it is classified as.
    """

    def __init__(self, topics: dict[str, Rule], labels: dict[str, str], cues: dict[str, Rule]) -> None:
        self.topics: tuple[str, ...] = tuple(topics)
        self.labels = labels
        self._rules = tuple(topics.items())
        self._complaint = cues.get("complaint")
        self._vetoes = tuple(cues[c] for c in ("praise", "question", "news") if c in cues)
        # Every key of every query, cues included, so a post's keys decide all single-word terms.
        rules = (*topics.values(), *cues.values())
        self._keys_under: dict[int, frozenset[str]] = {}  # query node id → the keys of its words
        keys = frozenset().union(
            *(keys_under(b, self._keys_under) for rule in rules for q in rule.queries() for b in q.branches)
        )
        self._exact = frozenset(k for k in keys if not k.endswith("*"))
        self._prefixes = frozenset(k[:-1] for k in keys if k.endswith("*"))
        self._longest_prefix = max(map(len, self._prefixes), default=0)
        self._branches = [b for rule in topics.values() for q in rule.queries() for b in q.branches]
        self._words: dict[str, frozenset[str]] = {}  # a post's words as written, seen so far → their keys
        self._inert: set[str] = set()  # the words among them that route nowhere
        self._word_votes: dict[str, tuple[str, ...]] = {}  # a post's words → the languages they hint at
        self._complaints: dict[str, KeyedPredicate] = {}
        self._none: dict[str, Classification] = {}
        self._results: dict[tuple[str, int], Classification] = {}
        self._codes: dict[str, str | None] = {}
        self._frequency: Counter[str] = Counter()  # key → counted posts holding it
        self._seen = 0
        self._counted = 0
        self._next_plan = _FIRST_PLAN
        self._sample_mask = 7
        self._covers: dict[int, frozenset[Atom]] = {}
        self._keyed: dict[str, dict[str, list[tuple[int, Node]]]] = {}
        self._routes: dict[str, dict[str, Route]] = {}
        self._compiled: dict[str, Route] = {}
        self._routed: dict[str, list[Node]] = {}  # routing key → the branches it routes to, all languages
        self._besides: dict[int, set[str] | None] = {}  # branch id → keys of a cover apart from its routing one
        self._needs: dict[str, frozenset[str] | None] = {}  # routing key → what ``_need`` found, once per key
        self._measured: Covers = {}  # every query node's cover by the frequencies counted at the last plan
        self._known: Covers = {}  # every query node's cover as guessed from its words, for writing routes
        for branch in self._branches:
            cover(branch, memo=self._known)
        self._plan()

    def _plan(self) -> None:
        """Choose every branch's routing words anew from the key frequencies counted so far."""
        cost = self._cost

        def total(atoms: frozenset[Atom]) -> float:
            return sum(map(cost, atoms))

        covers = {}
        self._measured = {}
        for branch in self._branches:
            new = cover(branch, cost, self._measured) or frozenset()
            old = self._covers.get(id(branch), new)
            covers[id(branch)] = new if total(new) < total(old) / 2 else old  # change only for a clear gain
        moved = {key for i, atoms in covers.items() if atoms != self._covers.get(i) for key in
                 {a.key for a in atoms} | {a.key for a in self._covers.get(i, ())}}
        self._covers = covers
        self._routing = frozenset(a.key for atoms in covers.values() for a in atoms)
        self._inert = {word for word, keys in self._words.items() if self._routing.isdisjoint(keys)}
        self._keyed = {}
        self._routed = {}
        for branch in self._branches:
            for key in {atom.key for atom in covers[id(branch)]}:
                self._routed.setdefault(key, []).append(branch)
        self._besides = {}
        for key in moved.intersection(self._needs):  # like routes, worked out again only where they moved
            del self._needs[key]
        for routes in self._routes.values():  # only the routes of keys that gained or lost branches
            for key in moved.intersection(routes):
                del routes[key]

    def _need(self, key: str) -> frozenset[str] | None:
        """The keys one of which a post holding routing ``key`` also needs for a branch it routes to to match.

        ``None`` where a branch may match with ``key`` alone. Over all languages: it is checked
        before the language is known, so a post that holds a common routing word (a brand,
        "order", "store") and nothing that could complete a branch is done without detecting
        its language or running a route.
        """
        found: set[str] = set()
        for branch in self._routed[key]:
            if id(branch) not in self._besides:  # another cover of the branch, none of whose keys route it
                keys = frozenset(atom.key for atom in self._covers[id(branch)])
                atoms = cover_besides(branch, keys, self._cost, self._measured, self._keys_under)
                self._besides[id(branch)] = None if atoms is None else {atom.key for atom in atoms}
            other = self._besides[id(branch)]
            if other is None:  # the branch needs its routing keys twice (both sides of a NEAR)
                atoms = cover_besides(branch, frozenset((key,)), self._cost, self._measured, self._keys_under)
                if atoms is None:
                    self._needs[key] = None
                    return None
                other = {atom.key for atom in atoms}
            found |= other
        need = self._needs[key] = frozenset(found)
        return need

    def _cost(self, atom: Atom) -> float:
        """How common ``atom``'s key is in the stream; the guess from the word only breaks ties between unseen keys."""
        return self._frequency.get(atom.key, 0) + atom.cost / 100

    def _count(self, keys: frozenset[str]) -> None:
        """Count the keys of a post towards the frequencies routes are chosen by."""
        self._frequency.update(keys)
        self._counted += 1
        if self._counted == _SETTLED:
            self._sample_mask = 63
        if self._counted >= self._next_plan:
            self._next_plan *= 2
            self._plan()

    def _keys(self, words: list[str]) -> frozenset[str]:
        """The keys a post's words hold."""
        known = self._words
        try:
            return frozenset().union(*map(known.__getitem__, words))
        except KeyError:
            return frozenset().union(*[known[w] if w in known else self._word(w) for w in words])

    def _word(self, word: str) -> frozenset[str]:
        """The keys a whitespace-separated word holds (``Refunded,``: ``refund*``).

        Remembered per word: a stream's vocabulary is Zipfian, so almost every word of a post
        is a set lookup, whatever the size of the queries' vocabulary.
        """
        if len(self._words) > _MAX_WORDS:
            self._words.clear()
            self._inert.clear()
            self._word_votes.clear()
        self._word_votes[word] = word_votes(word)
        keys: set[str] = set()
        for token in word_text(word).split():  # "late,refund" holds two; a URL or an @handle none
            ends = range(1, min(len(token), self._longest_prefix) + 1)  # a 60 KB "word" costs no more
            keys.update(token[:end] + "*" for end in ends if token[:end] in self._prefixes)
            if token in self._exact:
                keys.add(token)
        if self._routing.isdisjoint(keys):
            self._inert.add(word)
        found = self._words[word] = frozenset(keys)
        return found

    def _branches_by_key(self, lang: str) -> dict[str, list[tuple[int, Node]]]:
        """For ``lang``: routing key → (topic index, branch) of every query branch it routes to."""
        found = self._keyed.get(lang)
        if found is None:
            found = self._keyed[lang] = {}
            for index, (_, rule) in enumerate(self._rules):
                for query in rule.queries(lang):
                    for branch in query.branches:
                        for key in {atom.key for atom in self._covers[id(branch)]}:
                            found.setdefault(key, []).append((index, branch))
        return found

    def _route(self, lang: str, key: str) -> Route:
        """One generated call for a post holding routing ``key`` in ``lang``: the bits of the topics it matches."""
        groups: dict[int, list[Node]] = {}
        for index, branch in self._branches_by_key(lang).get(key, ()):
            groups.setdefault(index, []).append(branch)
        parts = []
        for index, branches in sorted(groups.items()):
            left = [assume(branch, frozenset((key,))) for branch in branches]
            if True in left:
                parts.append(str(1 << index))
            elif nodes := [node for node in left if not isinstance(node, bool)]:
                bit = 1 << index  # not tested again when another word of the post already found it
                parts.append(f"({bit} if not f & {bit} and {keyed_any_source(nodes, known=self._known)} else 0)")
        source = " | ".join(parts)
        route = self._compiled.get(source)
        if route is None:
            route = self._compiled[source] = compile_lambda("p, w, f", source or "0")
        self._routes.setdefault(lang, {})[key] = route
        return route

    def _complaint_for(self, lang: str) -> KeyedPredicate:
        """``is_complaint`` for ``lang`` as one generated call (the cue and veto queries OR-ed)."""
        found = self._complaints.get(lang)
        if found is None:
            def branches(rule: Rule | None) -> list[Node]:
                return [b for q in rule.queries(lang) for b in q.branches] if rule is not None else []

            vetoes = [b for veto in self._vetoes for b in branches(veto)]
            source = f"{keyed_any_source(branches(self._complaint))} or not {keyed_any_source(vetoes)}"
            found = self._complaints[lang] = compile_lambda("p, w", source)
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
        if lang:
            code = self._codes.get(lang, "")  # "" = not seen yet (normalize_lang never returns it)
            if code == "":
                code = self._code(lang)
        else:
            code = None
        words = text.split()  # the words as written: folded once each, when first seen
        self._seen += 1
        counted = not self._seen & self._sample_mask
        # Most posts: every word already known to route nowhere, one C-level check.
        present = self._keys(words) if counted or not self._inert.issuperset(words) else frozenset()
        if counted:
            self._count(present)  # may choose routes anew: routing is read after it
        routing = self._routing.intersection(present)
        needs = self._needs
        for key in routing:
            try:
                keys = needs[key]
            except KeyError:
                keys = self._need(key)
            if keys is None or not present.isdisjoint(keys):
                break
        else:  # not a complaint, language not worth detecting
            code = code or UNDETERMINED
            return self._none.get(code) or self._nothing(code)
        given = code
        if code is None:
            try:  # every word's votes were remembered with its keys
                code = detect_lang(text, self._word_votes.__getitem__, words)
            except KeyError:  # the word memory was just emptied
                code = detect_lang(text)
        routes = self._routes.get(code) or {}
        found = 0  # bit i set: topic i matched
        for key in routing:
            found |= (routes.get(key) or self._route(code, key))(present, words, found)
        if not found or not (self._complaints.get(code) or self._complaint_for(code))(present, words):
            # Whether the language was worth detecting depends on the routes of the moment.
            return self._nothing(given or UNDETERMINED)
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
