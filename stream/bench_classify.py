"""Classifier throughput on a realistic mix: most mentions are chatter that matches no topic.

The mix draws from the simulator's posts and the labelled set (both written like real posts,
six languages), ``complaint_share`` of them complaints, and gives ``lang`` on half of them as
real feeds do. Prints mentions per second on one core; ``crisiswatch bench`` can call ``run``.
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


def _pools(data_dir: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    chatter = [(t.replace("{h}", "brand_help"), lang) for lang, texts in CHATTER.items() for t in texts]
    complaints = [
        (t.replace("{n}", "3").replace("{h}", "brand_help"), lang)
        for by_lang in COMPLAINTS.values() for lang, texts in by_lang.items() for t in texts
    ]
    if os.path.isdir(data_dir):
        for ex in load_examples(data_dir):
            (complaints if ex.topics else chatter).append((ex.text, ex.lang))
    return chatter, complaints


def realistic_mix(n: int, complaint_share: float = 0.15, seed: int = 11, data_dir: str = DEFAULT_DATA) -> list[Item]:
    rng = random.Random(seed)
    chatter, complaints = _pools(data_dir)
    out: list[Item] = []
    for _ in range(n):
        text, lang = rng.choice(complaints if rng.random() < complaint_share else chatter)
        # Vary the text a little, as a stream would: ids, numbers, a handle.
        text = f"{text} #{rng.randint(1, 999)}" if rng.random() < 0.3 else text
        out.append((text, lang if rng.random() < 0.5 else None))
    return out


def run(n: int = 200_000, classifier: Classifier | None = None, config_path: str = "thresholds.yaml",
        complaint_share: float = 0.15, batch: int = 2000) -> dict[str, Any]:
    """Classify ``n`` generated mentions in batches; returns the numbers it measured."""
    if classifier is None:
        classifier = build_classifier(load_yaml(config_path))
    items = realistic_mix(n, complaint_share)
    complaints = 0
    started = time.perf_counter()
    for i in range(0, n, batch):
        complaints += sum(1 for c in classifier.classify_many(items[i : i + batch]) if c.topics)
    elapsed = time.perf_counter() - started
    return {
        "mentions": n,
        "seconds": elapsed,
        "per_second": n / elapsed,
        "us_per_mention": elapsed / n * 1e6,
        "complaints": complaints,
        "complaint_share": complaint_share,
    }


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 200_000
    config_path = argv[2] if len(argv) > 2 else "thresholds.yaml"
    r = run(n, config_path=config_path)
    print(f"classify: {r['mentions']:,} mentions in {r['seconds']:.2f} s = {r['per_second']:,.0f} mentions/s "
          f"({r['us_per_mention']:.2f} µs each; {r['complaints']:,} complaints, "
          f"{r['complaint_share']:.0%} of the mix drawn from complaints)")


if __name__ == "__main__":
    main(sys.argv)
