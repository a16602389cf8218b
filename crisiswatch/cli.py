"""The ``crisiswatch`` command: each stage contributes its own subcommands."""

from __future__ import annotations

import importlib

import click

# Each module exposes ``COMMANDS``: a list of click commands for its stage.
COMMAND_MODULES = (
    "crisiswatch.pipeline_cli",
    "crisiswatch.suite_cli",
    "crisiswatch.bench_cli",
    "crisiswatch.worker_cli",
    "crisiswatch.serve_cli",
    "reports.cli",
    "dashboard.cli",
    "crisiswatch.produce",
    "stream.classifier_cli",
    "escalation.cli",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Crisis detection for brands on social media: replay, demo, wall, pages, reports."""


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        main.add_command(_command)
