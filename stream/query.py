"""Boolean topic queries as social-listening users write them, compiled to fast predicates.

Syntax: ``term``, ``"quoted phrase"``, ``AND`` / ``OR`` / ``NOT`` (upper case; adjacent terms
mean AND), parentheses, a trailing ``*`` for a prefix (``refund*``), and ``A NEAR/n B``: A and
B (terms, phrases or parenthesised OR lists of them) at most n words apart, in either order
(``NEAR/nf``: A first), as Brandwatch and Talkwalker write it. Terms are folded with
``stream.normalize`` exactly like posts, and always match whole words of the normalised text
(`` down `` does not match ``download``). A compiled query is a function of the normalised
string; ``cover`` gives the words at least one of which every match of a part of it contains,
which is what the classifier routes posts by (``stream.classify``, ``stream.keyed``).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from stream.lang import COMMON_WORDS
from stream.normalize import tokens

Predicate = Callable[[str], bool]


class QueryError(ValueError):
    """A query that cannot be compiled; ``column`` is 1-based in the query text."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(message)


@dataclass(frozen=True)
class Atom:
    """One word, prefix or phrase in normalised form; ``needle`` is what ``in`` looks for.

    ``key`` is the word the classifier looks for (the rarest-looking one), ``word*`` when it
    is a prefix: a post holds the key ``refund`` when one of its words is exactly "refund",
    and ``refund*`` when one starts with it, so single-word atoms are decided by set lookups.
    ``cost`` guesses how often the key occurs in everyday posts (common and short words cost
    more). ``word_atoms`` are a phrase's words as atoms of their own (the last a prefix when
    the phrase is), or the term itself. All are worked out once, as plain attributes: the
    classifier reads them a lot.
    """

    words: tuple[str, ...]
    prefix: bool
    key: str = field(init=False, compare=False, repr=False)
    cost: float = field(init=False, compare=False, repr=False)
    word_atoms: tuple[Atom, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        last = len(self.words) - 1
        best = min(range(len(self.words)), key=lambda i: (self.words[i] in COMMON_WORDS, -len(self.words[i])))
        word = self.words[best]
        prefix = self.prefix and best == last
        cost = 50.0 if word in COMMON_WORDS else (6.0 if len(word) <= 3 else 3.0 if len(word) <= 5 else 1.0)
        object.__setattr__(self, "key", word + ("*" if prefix else ""))
        object.__setattr__(self, "cost", cost + (0.5 if prefix and cost < 50 else 0.0))
        object.__setattr__(self, "word_atoms", (self,) if last == 0 else tuple(
            Atom((word,), self.prefix and i == last) for i, word in enumerate(self.words)
        ))

    @property
    def needle(self) -> str:
        return " " + " ".join(self.words) + ("" if self.prefix else " ")


@dataclass(frozen=True)
class Node:
    op: str  # "atom", "and", "or", "not", "near"
    children: tuple[Node, ...] = ()
    atom: Atom | None = None
    distance: int = 0  # near: at most this many words between the two sides
    forward: bool = False  # near: the left side must come first


_OPERATORS = {"AND", "OR", "NOT"}
_NEAR = re.compile(r"NEAR/(\d{1,2})(f?)", re.IGNORECASE)


def _lex(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, column) with kind in ``( ) AND OR NOT NEAR TERM PHRASE``."""
    out: list[tuple[str, str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append((c, c, i + 1))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(f'unclosed quote at column {i + 1} — add the closing "', i + 1)
            out.append(("PHRASE", text[i + 1 : end], i + 1))
            i = end + 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '()"':
                i += 1
            word = text[start:i]
            near = _NEAR.fullmatch(word)
            if near is not None:
                if not word.startswith("NEAR/"):
                    raise QueryError(f"{word!r} at column {start + 1}: write NEAR/{near[1]}{near[2].lower()} "
                                     "for the operator", start + 1)
                out.append(("NEAR", word, start + 1))
                continue
            if word == "NEAR":
                raise QueryError(f"NEAR at column {start + 1}: say how near, e.g. NEAR/3 (at most 3 words apart), "
                                 'or write "near" in quotes for the word', start + 1)
            if word.upper() in _OPERATORS and word not in _OPERATORS:
                raise QueryError(
                    f"{word!r} at column {start + 1}: write {word.upper()} for the operator, or \"{word}\" in quotes "
                    "for the word", start + 1,
                )
            out.append((word if word in _OPERATORS else "TERM", word, start + 1))
    return out


def _atom(value: str, column: int, phrase: bool) -> Atom:
    what = f'phrase "{value}"' if phrase else f"term {value!r}"
    prefix = value.endswith("*")
    body = value.rstrip("*") if prefix else value
    if value.count("*") > 1 and value.endswith("**"):
        raise QueryError(f"{what} at column {column}: write a single * at the end (refund*)", column)
    if "*" in body:
        where = column + value.index("*") + (1 if phrase else 0)
        raise QueryError(
            f"wildcard * at column {where} must end the {'phrase' if phrase else 'term'} "
            f"(refund* or \"charged twi*\"); leading or inner wildcards are not supported",
            where,
        )
    words = tuple(tokens(body))
    if not words:
        raise QueryError(
            f"{what} at column {column} has nothing to match (empty, only punctuation, a URL or an @handle)", column
        )
    return Atom(words, prefix)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _lex(text)
        self.pos = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def end_column(self) -> int:
        return len(self.text.rstrip()) + 1

    def parse(self) -> Node:
        if not self.toks:
            raise QueryError("the query is empty — write at least one term", 1)
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:
            if tok[0] == ")":
                raise QueryError(f"unbalanced parenthesis at column {tok[2]} — remove it or open it with (", tok[2])
            raise QueryError(f"unexpected {tok[1]!r} at column {tok[2]}", tok[2])
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while (tok := self.peek()) is not None and tok[0] == "OR":
            self.pos += 1
            parts.append(self.parse_and(after=tok))
        return parts[0] if len(parts) == 1 else Node("or", tuple(parts))

    def parse_and(self, after: tuple[str, str, int] | None = None) -> Node:
        parts = [self.parse_near(after)]
        while (tok := self.peek()) is not None and tok[0] not in ("OR", ")"):
            if tok[0] == "AND":
                self.pos += 1
                parts.append(self.parse_near(tok))
            else:
                parts.append(self.parse_near(None))
        return parts[0] if len(parts) == 1 else Node("and", tuple(parts))

    def parse_near(self, after: tuple[str, str, int] | None) -> Node:
        left = self.parse_unary(after)
        tok = self.peek()
        if tok is None or tok[0] != "NEAR":
            return left
        self.pos += 1
        right = self.parse_unary(tok)
        for side in (left, right):
            if _needles(side) is None:
                raise QueryError(f"{tok[1]} at column {tok[2]}: both sides must be terms, phrases or an OR list of "
                                 'them in parentheses, e.g. (parcel OR "my order") NEAR/3 (late OR lost)', tok[2])
        if (nxt := self.peek()) is not None and nxt[0] == "NEAR":
            raise QueryError(f"{nxt[1]} at column {nxt[2]}: one NEAR per pair of sides — join pairs with AND, "
                             "e.g. (a NEAR/3 b) AND (b NEAR/3 c)", nxt[2])
        how = _NEAR.fullmatch(tok[1])
        assert how is not None
        return Node("near", (left, right), distance=int(how[1]), forward=bool(how[2]))

    def parse_unary(self, after: tuple[str, str, int] | None) -> Node:
        tok = self.peek()
        if tok is None or tok[0] in ("AND", "OR", "NEAR", ")"):
            if after is not None:
                where = after[2]
                raise QueryError(f"{after[1]} at column {where} has nothing on its right — add a term or remove it",
                                 where)
            column = tok[2] if tok else self.end_column()
            if tok is not None and tok[0] in ("AND", "OR", "NEAR"):
                raise QueryError(f"{tok[1]} at column {column} has nothing on its left — add a term or remove it",
                                 column)
            if tok is not None and tok[0] == ")":
                raise QueryError(f"empty parentheses or unbalanced parenthesis at column {column} — "
                                 "put a term inside or remove it", column)
            raise QueryError(f"the query ends too early at column {column}", column)
        self.pos += 1
        kind, value, column = tok
        if kind == "NOT":
            return Node("not", (self.parse_unary(tok),))
        if kind == "(":
            if (nxt := self.peek()) is not None and nxt[0] == ")":
                raise QueryError(f"empty parentheses at column {column} — put a term inside or remove them", column)
            node = self.parse_or()
            close = self.peek()
            if close is None or close[0] != ")":
                raise QueryError(f"unbalanced parenthesis at column {column} — close it or remove it", column)
            self.pos += 1
            return node
        return Node("atom", atom=_atom(value, column, kind == "PHRASE"))


def parse(text: str) -> Node:
    """The syntax tree of ``text``; raises ``QueryError`` with the column of the problem."""
    if not isinstance(text, str):
        raise QueryError(f"a query must be text, got {type(text).__name__}")
    return _Parser(text).parse()


# What the generated predicates call or test by name (searchers, NEAR tests, key sets), shared by content.
SEARCHERS: dict[str, object] = {}
MIN_GROUPED = 4  # fewer terms than this: plain ``in`` tests are as fast as one regex call


def shared(kind: str, spec: str, make: Callable[[], object]) -> str:
    """The name generated code uses for what ``make`` builds: built once per distinct ``spec``."""
    name = f"_{kind}_" + hashlib.blake2b(spec.encode(), digest_size=10).hexdigest()
    if name not in SEARCHERS:
        SEARCHERS[name] = make()
    return name


def _trie(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    if "" in node:
        return ""  # a needle ends here: whatever follows, the search has matched
    alternatives = [re.escape(char) + _trie(node[char]) for char in sorted(node)]
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def needle_regex(needles: Iterable[str]) -> re.Pattern[str]:
    """One regex that finds any of ``needles``, built as a character trie so a miss fails fast."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for needle in needles:
        node = root
        for char in needle:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(_trie(root))


def searcher_call(needles: list[str], text: str = "s") -> str:
    """The source of a call that tests all ``needles`` in one regex search of ``text``."""
    unique = sorted(set(needles))
    name = shared("any", "\x00".join(unique), lambda: needle_regex(unique).search)
    return f"({name}({text}) is not None)"


def _needles(node: Node) -> list[str] | None:
    """The needles of a NEAR side: a term, a phrase or an OR of them; ``None`` for anything else."""
    if node.op == "atom" and node.atom is not None:
        return [node.atom.needle]
    if node.op != "or":
        return None
    found = [_needles(branch) for branch in alternatives(node)]
    return None if any(f is None for f in found) else [n for f in found for n in f]  # type: ignore[union-attr]


def _spans(needles: list[str]) -> Callable[[str], list[tuple[int, int]]]:
    """For a normalised text: (first, last) word index of every occurrence of any of ``needles``."""
    longest_first = sorted(set(needles), key=len, reverse=True)
    find = re.compile("(?=(" + "|".join(map(re.escape, longest_first)) + "))").finditer

    def spans(s: str) -> list[tuple[int, int]]:
        out = []
        words = at = 0  # spaces counted so far, up to ``at``: a long post is scanned once
        for hit in find(s):
            words += s.count(" ", at, hit.start())
            at = hit.start()
            out.append((words, words + hit.group(1).strip().count(" ")))
        return out

    return spans


def near_test(left: list[str], right: list[str], distance: int, forward: bool) -> Predicate:
    """True when an occurrence of ``left`` and one of ``right`` have at most ``distance`` words between them."""
    left_spans, right_spans = _spans(left), _spans(right)

    def near(s: str) -> bool:
        rights = right_spans(s)
        if not rights:
            return False
        # Binary searches, not all pairs: a spam post repeating both sides stays cheap.
        starts = [r_first for r_first, _ in rights]  # in text order already
        ends = sorted(r_last for _, r_last in rights)
        for first, last in left_spans(s):
            i = bisect_left(starts, last + 1)  # right side after: starts within distance of the end
            if i < len(starts) and starts[i] <= last + 1 + distance:
                return True
            j = bisect_left(ends, first - 1 - distance)  # right side before: ends within distance
            if not forward and j < len(ends) and ends[j] <= first - 1:
                return True
        return False

    return near


def near_call(node: Node, text: str = "s") -> str:
    """The source of a call that tests a NEAR node's distance in ``text`` (not whether both sides are there)."""
    left, right = (_needles(child) or [] for child in node.children)
    spec = repr((sorted(set(left)), sorted(set(right)), node.distance, node.forward))
    name = shared("near", spec, lambda: near_test(left, right, node.distance, node.forward))
    return f"{name}({text})"


def _near_source(node: Node) -> str:
    # Both sides must be there at all before their distance is worth measuring.
    return f"({_source(node.children[0])} and {_source(node.children[1])} and {near_call(node)})"


def _source(node: Node) -> str:
    if node.op == "near":
        return _near_source(node)
    if node.op == "atom":
        assert node.atom is not None
        return f"({node.atom.needle!r} in s)"
    if node.op == "not":
        return f"(not {_source(node.children[0])})"
    if node.op == "or":
        # A vocabulary of hundreds of alternatives costs hundreds of substring scans per post as
        # ``in`` tests; as one trie regex it is a single scan.
        needles = [c.atom.needle for c in node.children if c.atom is not None]
        if len(needles) >= MIN_GROUPED:
            rest = [_source(c) for c in node.children if c.atom is None]
            return "(" + " or ".join([searcher_call(needles), *rest]) + ")"
    joiner = " and " if node.op == "and" else " or "
    return "(" + joiner.join(_source(c) for c in node.children) + ")"


def alternatives(node: Node) -> tuple[Node, ...]:
    """The branches of ``node``'s top-level OR (nested ORs flattened): it matches when one does."""
    if node.op != "or":
        return (node,)
    return tuple(branch for child in node.children for branch in alternatives(child))


def guessed_cost(atom: Atom) -> float:
    """``Atom.cost``: how common its key looks, before a stream has been seen."""
    return atom.cost


def cover(
    node: Node, cost: Callable[[Atom], float] = guessed_cost,
    memo: MutableMapping[int, frozenset[Atom] | None] | None = None,
) -> frozenset[Atom] | None:
    """Single-word atoms one of which every match contains; ``None`` if a match can contain none.

    Where there is a choice (the sides of an AND, the words of a phrase) the cheapest by
    ``cost`` is taken: a guess at how often the words occur in everyday posts. ``memo``
    (by node id) saves work when the covers of a tree's parts are asked for one by one.
    """
    if memo is not None and id(node) in memo:
        return memo[id(node)]
    found = _cover(node, cost, memo)
    if memo is not None:
        memo[id(node)] = found
    return found


def _cover(
    node: Node, cost: Callable[[Atom], float], memo: MutableMapping[int, frozenset[Atom] | None] | None
) -> frozenset[Atom] | None:
    if node.op == "atom":
        assert node.atom is not None
        return frozenset((min(node.atom.word_atoms, key=cost),))
    if node.op == "not":
        return None
    return _joined(node.op, [cover(c, cost, memo) for c in node.children], cost)


def _joined(op: str, covers: list[frozenset[Atom] | None], cost: Callable[[Atom], float]) -> frozenset[Atom] | None:
    """A node's cover from its children's: all of an OR's, the cheapest side of an AND or a NEAR."""
    if op == "or":
        return None if None in covers else frozenset().union(*covers)  # type: ignore[arg-type]
    usable = [c for c in covers if c is not None]
    return min(usable, key=lambda c: sum(map(cost, c))) if usable else None


def keys_under(node: Node, memo: MutableMapping[int, frozenset[str]]) -> frozenset[str]:
    """The keys of every word in ``node``, phrases' words included (``memo`` by node id)."""
    found = memo.get(id(node))
    if found is None:
        if node.atom is not None:  # its key is one of its words'
            found = frozenset(word.key for word in node.atom.word_atoms)
        else:
            found = frozenset().union(*(keys_under(child, memo) for child in node.children))
        memo[id(node)] = found
    return found


def cover_besides(
    node: Node, avoid: frozenset[str], cost: Callable[[Atom], float],
    covers: MutableMapping[int, frozenset[Atom] | None], keys: MutableMapping[int, frozenset[str]],
) -> frozenset[Atom] | None:
    """A cover (see ``cover``) with none of the keys in ``avoid``; ``None`` if there is none.

    A post that holds a key of one cover of a branch needs one of another too before the
    branch can match: a second test, as cheap as the first. ``covers`` and ``keys`` are
    memos by node id for ``cover`` and ``keys_under``.
    """
    if avoid.isdisjoint(keys_under(node, keys)):
        return cover(node, cost, covers)
    if node.op == "atom":
        assert node.atom is not None
        words = [word for word in node.atom.word_atoms if word.key not in avoid]
        return frozenset((min(words, key=cost),)) if words else None
    if node.op == "not":
        return None
    return _joined(node.op, [cover_besides(child, avoid, cost, covers, keys) for child in node.children], cost)


@dataclass(frozen=True)
class Query:
    """A compiled query: ``match(normalised_text)``.

    ``branches`` are the alternatives of its top-level OR (see ``alternatives``), so a caller
    that knows which words a post contains can run only the branches those words can satisfy.
    """

    text: str
    match: Predicate
    branches: tuple[Node, ...]


def compile_lambda(params: str, source: str) -> Callable[..., Any]:
    """``lambda <params>: <source>`` for an expression generated from queries, with ``SEARCHERS`` in scope."""
    # The expression holds only ``in`` tests of repr()'d literals and calls of the shared
    # searchers built from them, never user code.
    match: Callable[..., Any] = eval(compile(f"lambda {params}: {source}", "<query>", "eval"), SEARCHERS)  # noqa: S307
    return match


def compile_query(text: str) -> Query:
    """Parse and compile ``text``; raises ``QueryError`` (with the column) when it is wrong."""
    tree = parse(text)
    if cover(tree) is None:
        raise QueryError("the query can match a post that contains none of its terms (only NOT ...) — "
                         'add a term it must contain, e.g. refund* AND NOT "refund policy"', 1)
    # Generated code: the predicate is one boolean expression of ``in`` tests, as fast as
    # Python evaluates anything; the needles are repr()'d literals, never user code.
    return Query(text, compile_lambda("s", _source(tree)), alternatives(tree))
