"""Errors raised by Tocsin.

One root class, so that callers can catch everything Tocsin raises on purpose and nothing else::

    TocsinError
    ├── InputError            the user's input cannot be read (file, line, field named)
    │   └── RecordError       one record of an otherwise readable input is bad
    ├── ConfigError           a setting, rule pack or model is invalid
    └── ModelError            a model cannot be loaded or does not fit this version

Each class carries an ``exit_code`` used by the CLI (and, later, an HTTP status used by the API),
so that the mapping lives in one place.
"""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "ModelError", "RecordError", "TocsinError"]


class TocsinError(Exception):
    """Root of every error Tocsin raises on purpose."""

    exit_code: int = 1
    http_status: int = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(TocsinError):
    """Input that cannot be read at all: a missing file, an unknown format, a bad option."""

    exit_code = 2
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.source = source
        self.line = line
        self.field = field

    @property
    def place(self) -> str:
        """Where the problem is, as ``file:line (field)``, for messages."""
        parts = []
        if self.source is not None:
            parts.append(self.source if self.line is None else f"{self.source}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return " ".join(parts)

    def __str__(self) -> str:
        text = f"{self.place}: {self.message}" if self.place else self.message
        return f"{text} ({self.hint})" if self.hint else text


class RecordError(InputError):
    """One bad record inside a readable input; the other records are still processed."""

    exit_code = 3
    http_status = 422


class ConfigError(TocsinError):
    """An invalid setting, indicator pack or model file."""

    exit_code = 4
    http_status = 500


class ModelError(ConfigError):
    """A learned model that cannot be loaded, or does not match this version of Tocsin."""
