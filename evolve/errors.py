"""The one error type a user sees: a single line that says what is wrong and what to do."""

from __future__ import annotations


class EvolveError(Exception):
    """Bad input or an unusable target. The CLI prints it as one line and exits with 2."""

    exit_code = 2


class ConfigError(EvolveError):
    """The experiment config is wrong; the message names the key."""
