"""Classifier throughput on a realistic mix: most mentions are chatter that matches no topic.

The mix draws from the simulator's posts and the labelled set (both written like real posts,
six languages): ``complaint_share`` of it complaints, and of the rest ``hard_share`` drawn from
the labelled hard negatives (praise, questions and news that use topic words), the remainder
everyday chatter. ``lang`` is given on half of the posts, as real feeds do. Prints mentions per
second on one core (CPU time, so a busy machine does not distort it); ``crisiswatch bench``
can call ``run``.
"""

from __future__ import annotations

import os
import random
import sys
import time
from typing import Any

from config.yaml_lines import load_yaml
from stream.classify import Classifier, build_classifier
from stream.eval_classifier import DEFAULT_DATA, load_examples
from stream.simulator_texts import CHATTER, COMPLAINTS

Item = tuple[str, str | None]


Pool = list[tuple[str, str]]


def _pools(data_dir: str) -> tuple[Pool, Pool, Pool]:
    chatter = [(t.replace("{h}", "brand_help"), lang) for lang, texts in CHATTER.items() for t in texts]
    complaints = [
        (t.replace("{n}", "3").replace("{h}", "brand_help"), lang)
        for by_lang in COMPLAINTS.values() for lang, texts in by_lang.items() for t in texts
    ]
    hard: Pool = []
    if os.path.isdir(data_dir):
        for ex in load_examples(data_dir):
            (complaints if ex.topics else hard).append((ex.text, ex.lang))
    return chatter, hard or chatter, complaints


def realistic_mix(
    n: int, complaint_share: float = 0.15, hard_share: float = 0.3, seed: int = 11, data_dir: str = DEFAULT_DATA,
) -> list[Item]:
    rng = random.Random(seed)
    chatter, hard, complaints = _pools(data_dir)
    out: list[Item] = []
    for _ in range(n):
        if rng.random() < complaint_share:
            pool = complaints
        elif rng.random() < hard_share:
            pool = hard
        else:
            pool = chatter
        text, lang = rng.choice(pool)
        # Vary the text a little, as a stream would: ids, numbers, a handle.
        text = f"{text} #{rng.randint(1, 999)}" if rng.random() < 0.3 else text
        out.append((text, lang if rng.random() < 0.5 else None))
    return out


def run(n: int = 200_000, classifier: Classifier | None = None, config_path: str = "thresholds.yaml",
        complaint_share: float = 0.15, hard_share: float = 0.3, batch: int = 2000) -> dict[str, Any]:
    """Classify ``n`` generated mentions in batches; returns the numbers it measured."""
    if classifier is None:
        classifier = build_classifier(load_yaml(config_path))
    items = realistic_mix(n, complaint_share, hard_share)
    classifier.classify_many(items[:batch])  # warm the per-language tables
    complaints = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, n, batch):
        complaints += sum(1 for c in classifier.classify_many(items[i : i + batch]) if c.topics)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    return {
        "mentions": n,
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "per_second": n / cpu,
        "us_per_mention": cpu / n * 1e6,
        "complaints": complaints,
        "complaint_share": complaint_share,
        "hard_share": hard_share,
    }


def main(argv: list[str]) -> None:
    """``python -m stream.bench_classify [N] [thresholds.yaml] [hard_share]``."""
    n = int(argv[1]) if len(argv) > 1 else 200_000
    config_path = argv[2] if len(argv) > 2 else "thresholds.yaml"
    hard_share = float(argv[3]) if len(argv) > 3 else 0.3
    r = run(n, config_path=config_path, hard_share=hard_share)
    print(f"classify: {r['mentions']:,} mentions in {r['cpu_seconds']:.2f} s CPU ({r['wall_seconds']:.2f} s wall) "
          f"= {r['per_second']:,.0f} mentions/s, {r['us_per_mention']:.2f} µs each; {r['complaints']:,} complaints "
          f"(mix: {r['complaint_share']:.0%} complaints, {r['hard_share']:.0%} of the rest hard negatives)")


if __name__ == "__main__":
    main(sys.argv)
