"""Typed, checked access to one section of a config, with errors that name the full key.

``_Reader`` is what every section parser (``config_parsers``) reads through:
an unknown key, a value of the wrong type, a number out of bounds or a string
outside its choices (``_choice``) becomes one ``ConfigError`` line such as
``weekly.yaml: 'search.population' must be at least 2, got 1``.
"""

from __future__ import annotations

from typing import Any

from evolve.errors import ConfigError


class _Reader:
    """Typed access to one section, with errors that name the full key."""

    def __init__(self, data: Any, prefix: str, label: str, allowed: set[str]) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{label}: '{prefix}' must be a mapping, got {type(data).__name__}")
        unknown = sorted(set(data) - allowed)
        if unknown:
            key = f"{prefix}.{unknown[0]}" if prefix else unknown[0]
            raise ConfigError(f"{label}: unknown key '{key}'; allowed here: {', '.join(sorted(allowed))}")
        self.data, self.prefix, self.label = data, prefix, label

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.label}: '{self.key(name)}' {problem}")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = self.data.get(name, default)
        if value is None:
            return default
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(name, f"must be {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, got {type(value).__name__} {value!r}")
        return value

    def number(self, name: str, kind: type, default: Any, low: float, high: float | None = None,
               cap: float | None = None) -> Any:
        """A number in ``[low, high]``; ``cap`` is a sanity ceiling far above any sensible value."""
        value = self.get(name, kind, default)
        if value != value:  # NaN compares false with every bound
            raise self.fail(name, "must be a number, got nan")
        if cap is not None and value > cap:
            raise self.fail(name, f"must be at most {cap:,}, got {value:,}")
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise self.fail(name, f"must be {bound}, got {value}")
        return value

    def strings(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(name, default)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of strings")
        return tuple(value)

    def section(self, name: str, allowed: set[str]) -> _Reader:
        return _Reader(self.data.get(name), self.key(name), self.label, allowed)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
             dict: "a mapping", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _choice(reader: _Reader, name: str, choices: tuple[str, ...], default: str) -> str:
    value = reader.get(name, str, default)
    if value not in choices:
        raise reader.fail(name, f"must be one of {', '.join(choices)}, got {value!r}")
    return value
