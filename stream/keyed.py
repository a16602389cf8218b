"""Queries compiled against the keys a post's words hold, for the classifier's hot path.

``Query.match`` scans the normalised text. The classifier already knows, for every word of a
post, which query keys it holds (``Atom.key``: ``refund`` for the word, ``refund*`` for any
word starting with it), so here a single-word term is a set lookup and an OR of hundreds of
terms one ``isdisjoint`` call. Only phrases and NEAR distances read the text, and the text is
normalised only when one of them gets that far. The generated expressions are of ``p`` and
``w``, the post's keys and its words (``text.split()``): compile them with
``compile_lambda("p, w", ...)``.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Iterable

from stream.normalize import normalize_words
from stream.query import (
    MIN_GROUPED,
    SEARCHERS,
    Atom,
    Node,
    alternatives,
    cover,
    guessed_cost,
    near_call,
    searcher_call,
    shared,
)

KeyedPredicate = Callable[[frozenset[str], list[str]], int]
_TEXT = "_text(w)"
_last: tuple[list[str], str] = ([], normalize_words([]))


def _text(words: list[str]) -> str:
    """The normalised text, remembered for the post at hand: several predicates may read it."""
    global _last
    last = _last
    if last[0] is words:
        return last[1]
    s = normalize_words(words)
    _last = (words, s)  # one assignment: a reader sees a consistent pair
    return s


SEARCHERS["_text"] = _text


_KEY_SETS: dict[frozenset[str], str] = {}


def _key_set(keys: Iterable[str]) -> str:
    """The name of a shared frozenset constant holding ``keys``."""
    unique = frozenset(keys)
    name = _KEY_SETS.get(unique)
    if name is None:  # routes are written while the stream flows: the same sets recur in many
        name = _KEY_SETS[unique] = shared("keys", "\x00".join(sorted(unique)), lambda: unique)
    return name


def _words_gate(phrases: list[Atom]) -> str:
    """The source of a test of ``p``: does it hold every word of one of ``phrases``?

    Only then is the text worth normalising and searching for them.
    """
    others: dict[str, set[frozenset[str]]] = {}  # a phrase's rarest-looking key → its other keys
    for atom in phrases:
        others.setdefault(atom.key, set()).add(frozenset(w.key for w in atom.word_atoms) - {atom.key})
    index = {key: tuple(rest) for key, rest in others.items()}
    first_keys = frozenset(index)

    def gate(p: frozenset[str]) -> bool:
        for key in first_keys.intersection(p):
            for rest in index[key]:
                if rest <= p:
                    return True
        return False

    spec = repr(sorted((key, sorted(map(sorted, rest))) for key, rest in others.items()))
    return f"(not p.isdisjoint({_key_set(first_keys)}) and {shared('words', spec, lambda: gate)}(p))"


def _reads_text(node: Node) -> bool:
    if node.op == "near":
        return True
    if node.op == "atom":
        return node.atom is not None and len(node.atom.words) > 1
    return any(_reads_text(child) for child in node.children)


Cost = Callable[[Atom], float]
_GROUP = 8  # branches behind one guard


Covers = dict[int, frozenset[Atom] | None]  # node id → cover, for nodes that outlive the call


class _Writer:
    """Writes one keyed expression; remembers the covers of the tree's parts while it does.

    Its own memo is by node id, so it lives only as long as the tree it was made for;
    ``known`` holds the covers of long-lived nodes (the configured queries').
    """

    def __init__(self, cost: Cost, known: Covers | None) -> None:
        self.cost = cost
        self.covers: ChainMap[int, frozenset[Atom] | None] = ChainMap({}, known if known is not None else {})

    def rarity(self, node: Node) -> tuple[bool, float]:
        """Sort key: set lookups before reading the text, then the rarest cover first."""
        atoms = cover(node, self.cost, self.covers)
        return _reads_text(node), float("inf") if atoms is None else sum(map(self.cost, atoms))

    def source(self, node: Node) -> str:
        if node.op == "atom":
            assert node.atom is not None
            if len(node.atom.words) == 1:
                return f"({node.atom.key!r} in p)"
            keys = " and ".join(f"{w.key!r} in p" for w in sorted(node.atom.word_atoms, key=self.cost))
            return f"({keys} and {node.atom.needle!r} in {_TEXT})"
        if node.op == "not":
            return f"(not {self.source(node.children[0])})"
        if node.op == "near":
            left, right = sorted(node.children, key=self.rarity)
            return f"({self.source(left)} and {self.source(right)} and {near_call(node, _TEXT)})"
        if node.op == "and":
            return "(" + " and ".join(self.source(c) for c in sorted(node.children, key=self.rarity)) + ")"
        return self.any_source(alternatives(node))

    def any_source(self, branches: tuple[Node, ...]) -> str:
        words = [b.atom.key for b in branches if b.atom is not None and len(b.atom.words) == 1]
        phrases = [b.atom for b in branches if b.atom is not None and len(b.atom.words) > 1]
        parts = [f"(not p.isdisjoint({_key_set(words)}))"] if len(words) > 1 else [f"({w!r} in p)" for w in words]
        if len(phrases) >= MIN_GROUPED:
            parts.append(f"({_words_gate(phrases)} and {searcher_call([a.needle for a in phrases], _TEXT)})")
        else:
            parts += [self.source(Node("atom", atom=a)) for a in phrases]
        others = [b for b in branches if b.atom is None]
        if others:
            parts.append(self.guarded(others))
        return "(" + " or ".join(parts) + ")" if parts else "False"

    def guarded(self, branches: list[Node]) -> str:
        """An OR of ``branches`` behind a test that the post holds one of their covers' keys at all.

        Many branches are split into groups that share cover keys, each behind its own test:
        a post holding a common word ("no") then runs only the group that needs it.
        """
        covers = {id(b): cover(b, self.cost, self.covers) for b in branches}
        if any(c is None for c in covers.values()):  # a branch that needs no word: no guard
            return "(" + " or ".join(self.source(b) for b in sorted(branches, key=self.rarity)) + ")"
        keys = _key_set(a.key for b in branches for a in covers[id(b)] or ())
        if len(branches) <= _GROUP:
            inner = " or ".join(self.source(b) for b in sorted(branches, key=self.rarity))
        else:
            ordered = sorted(branches, key=lambda b: sorted(a.key for a in covers[id(b)] or ()))
            groups = [ordered[i : i + _GROUP] for i in range(0, len(ordered), _GROUP)]
            inner = " or ".join(self.guarded(group) for group in groups)
        return f"(not p.isdisjoint({keys}) and ({inner}))"


def assume(node: Node, keys: frozenset[str]) -> Node | bool:
    """``node`` simplified for posts known to hold ``keys``: the terms they are decide, constants fold.

    A word routes a post to branches it is a term of; with that term known to be there, what
    is left of most branches is one OR of words, and all of those merge into one set test.
    """
    if node.op == "atom":
        assert node.atom is not None
        return True if len(node.atom.words) == 1 and node.atom.key in keys else node
    if node.op == "near":
        return node  # the distance still has to be measured in the text
    if node.op == "not":
        inner = assume(node.children[0], keys)
        return (not inner) if isinstance(inner, bool) else Node("not", (inner,))
    decisive = node.op == "or"  # True decides an OR, False an AND
    rest: list[Node] = []
    for child in node.children:
        found = assume(child, keys)
        if found is decisive:
            return decisive
        if not isinstance(found, bool):
            rest.append(found)
    if not rest:
        return not decisive
    if len(rest) == len(node.children) and all(a is b for a, b in zip(rest, node.children, strict=True)):
        return node  # untouched: the same node, so what is known about it still applies
    return rest[0] if len(rest) == 1 else Node(node.op, tuple(rest))


def keyed_any_source(nodes: Iterable[Node], cost: Cost = guessed_cost, known: Covers | None = None) -> str:
    """The expression of ``p`` (a post's keys) and ``w`` (its words) that is true when one of ``nodes`` matches.

    ``cost`` guesses how common a key is: the rarest side of an AND is tested first, and an
    OR of several branches first tests whether the post holds any of their rarest keys at all,
    so a post that cannot match costs one set operation. ``known`` may hold the covers of
    long-lived nodes under the same ``cost``, by node id.
    """
    return _Writer(cost, known).any_source(tuple(b for node in nodes for b in alternatives(node)))
