"""Subcommands that run the streaming pipeline."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
