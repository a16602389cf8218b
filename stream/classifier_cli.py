"""``crisiswatch eval-classifier``: precision and recall per language on the labelled set."""

from __future__ import annotations

import sys

import click

from config.errors import ConfigError
from config.yaml_lines import load_yaml
from stream.classify import build_classifier
from stream.eval_classifier import DEFAULT_DATA, TARGET_PRECISION, TARGET_RECALL, evaluate, load_examples, table


@click.command("eval-classifier")
@click.option("--config", "config_path", default="thresholds.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="thresholds.yaml with the topics: and classifier: sections.")
@click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
              type=click.Path(exists=True, file_okay=False), help="Directory of labelled *.jsonl files.")
@click.option("--show-mistakes", is_flag=True, help="List every post the classifier got wrong.")
def eval_classifier(config_path: str, data_dir: str, show_mistakes: bool) -> None:
    """Score the complaint classifier; exit 1 if a language misses the precision/recall target."""
    try:
        classifier = build_classifier(load_yaml(config_path))
        scores = evaluate(classifier, load_examples(data_dir))
    except (ConfigError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if not scores:
        click.echo(f"error: no labelled *.jsonl files in {data_dir}", err=True)
        sys.exit(2)
    click.echo(f"targets: precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL} (per language, "
               "over (post, topic) pairs); lang-id = detection accuracy without the label")
    for row in table(scores):
        click.echo(row)
    if show_mistakes:
        for score in scores.values():
            for mistake in score.mistakes:
                click.echo(mistake)
    missed = [s.lang for s in scores.values() if not s.meets_target()]
    if missed:
        click.echo(f"target missed for: {', '.join(missed)}", err=True)
        sys.exit(1)


COMMANDS = [eval_classifier]
