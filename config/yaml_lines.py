"""YAML loading that remembers where each value came from.

Plain ``yaml.safe_load`` forgets line numbers; an operator who mistyped one threshold in a
300-line file needs to be told which line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from config.errors import ConfigError

Path = tuple[Any, ...]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the 1-based line of every mapping value and sequence item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise ConfigError(
                loader.name, key_node.start_mark.line + 1, f"duplicate key {key!r}; keep only one"
            )
        out[key] = loader.construct_object(value_node, deep=True)
        loader.key_lines[id(out), key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    out = [loader.construct_object(child, deep=True) for child in node.value]
    for index, child in enumerate(node.value):
        loader.key_lines[id(out), index] = child.start_mark.line + 1
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@dataclass
class LocatedYaml:
    """A parsed YAML document plus the line of every value, addressed by its key path."""

    path: str
    data: Any
    _lines: dict[tuple[int, Any], int] = field(default_factory=dict, repr=False)

    def line(self, key_path: Path) -> int | None:
        """Line of the value at ``key_path`` (or of its nearest existing parent)."""
        node = self.data
        best: int | None = None
        for key in key_path:
            line = self._lines.get((id(node), key))
            if line is None:
                break
            best = line
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        return best

    def error(self, key_path: Path, message: str) -> ConfigError:
        return ConfigError(self.path, self.line(key_path), message)


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(value: str, doc: LocatedYaml, key_path: Path) -> str:
    """Replace ``${NAME}`` with the environment variable; a missing one is a located error."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise doc.error(key_path, f"environment variable {name} is not set (referenced as ${{{name}}})")
        return os.environ[name]

    return _ENV_REF.sub(sub, value)


def load_yaml(path: str, text: str | None = None) -> LocatedYaml:
    """Parse ``path`` (or ``text`` reported as ``path``) keeping line numbers."""
    if text is None:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise ConfigError(
                path, None, f"file not found (looked in {os.getcwd()}); pass --config PATH or set CRISISWATCH_CONFIG"
            ) from None
        except UnicodeDecodeError as exc:
            raise ConfigError(path, None, f"not UTF-8 text ({exc.reason})") from None
    loader = _LineLoader(text)
    loader.name = path
    loader.key_lines = {}
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(path, line, f"invalid YAML: {exc.problem or exc.context}") from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, 1, "the top level must be a mapping of sections (topics:, detection:, ...)")
    return LocatedYaml(path, data, loader.key_lines)
