"""The ``--config`` option every subcommand that reads thresholds.yaml shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]


def config_option(f: F) -> F:
    return click.option(
        "--config", "config_path", default="thresholds.yaml", show_default=True,
        envvar="CRISISWATCH_CONFIG", type=click.Path(dir_okay=False),
        help="Topics, thresholds and escalation plan.",
    )(f)
