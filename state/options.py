"""The ``--redis-url`` / ``--namespace`` options every subcommand that touches state shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]


def state_options(f: F) -> F:
    f = click.option(
        "--redis-url", envvar="REDIS_URL", default=None,
        help="Redis to use; default: the embedded server in $CRISISWATCH_HOME.",
    )(f)
    return click.option(
        "--namespace", envvar="CRISISWATCH_NAMESPACE", default="default", show_default=True,
        help="Key namespace, so several runs can share one Redis.",
    )(f)
