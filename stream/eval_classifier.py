"""Precision and recall of the complaint classifier on a labelled set, per language.

A labelled line is ``{"text": ..., "lang": ..., "topics": [...]}`` (no topics = not a
complaint). Scores count (post, topic) pairs, so a post that complains about billing and
delivery must get both right; language detection is scored separately on the same posts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from stream.classify import Classifier
from stream.lang import detect_lang

TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90
DEFAULT_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data", "labelled")


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    topics: frozenset[str]
    where: str  # file:line, for the list of mistakes


@dataclass
class Score:
    lang: str
    posts: int = 0
    complaints: int = 0
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    detected: int = 0  # posts whose language was detected correctly without the label
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0

    @property
    def lang_accuracy(self) -> float:
        return self.detected / self.posts if self.posts else 1.0

    def meets_target(self) -> bool:
        return self.precision >= TARGET_PRECISION and self.recall >= TARGET_RECALL


def load_examples(directory: str) -> Iterator[Example]:
    """Every ``*.jsonl`` in ``directory``; a malformed line raises ``ValueError`` naming it."""
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".jsonl"):
            continue
        path = os.path.join(directory, name)
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    row = json.loads(line)
                    yield Example(str(row["text"]), str(row["lang"]), frozenset(row["topics"]), where)
                except (ValueError, KeyError, TypeError) as exc:
                    raise ValueError(f"{where}: expected {{\"text\", \"lang\", \"topics\"}}: {exc}") from None


def evaluate(classifier: Classifier, examples: Iterable[Example]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for ex in examples:
        score = scores.setdefault(ex.lang, Score(ex.lang))
        got = frozenset(classifier.classify(ex.text, ex.lang).topics)
        score.posts += 1
        score.complaints += bool(ex.topics)
        score.true_pos += len(got & ex.topics)
        score.false_pos += len(got - ex.topics)
        score.false_neg += len(ex.topics - got)
        score.detected += detect_lang(ex.text) == ex.lang
        if got != ex.topics:
            score.mistakes.append(
                f"{ex.where}: expected {sorted(ex.topics) or 'no complaint'}, got {sorted(got) or 'no complaint'}: "
                f"{ex.text}"
            )
    return dict(sorted(scores.items()))


def total(scores: dict[str, Score]) -> Score:
    out = Score("all")
    for s in scores.values():
        out.posts += s.posts
        out.complaints += s.complaints
        out.true_pos += s.true_pos
        out.false_pos += s.false_pos
        out.false_neg += s.false_neg
        out.detected += s.detected
    return out


def table(scores: dict[str, Score]) -> list[str]:
    rows = [f"{'lang':<5} {'n':>5} {'complaints':>10} {'precision':>9} {'recall':>7} {'lang-id':>7}  target"]
    for s in [*scores.values(), total(scores)]:
        mark = "ok" if s.meets_target() else "MISSED"
        rows.append(
            f"{s.lang:<5} {s.posts:>5} {s.complaints:>10} {s.precision:>9.3f} {s.recall:>7.3f} "
            f"{s.lang_accuracy:>7.3f}  {mark}"
        )
    return rows
