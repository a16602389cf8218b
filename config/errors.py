"""The one error type a bad configuration raises, so start-up can print it and stop."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration problem located in a file, with what is wrong and how to fix it."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
