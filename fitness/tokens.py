"""Tokens: how much code there is, counted in significant tokens.

Tokens rather than lines so that reformatting, comments and blank lines
neither reward nor punish a variant; only code that was added or removed does.
"""

from __future__ import annotations

import io
import tokenize
from functools import lru_cache
from typing import ClassVar

from fitness._base import Objective
from fitness.observation import Observation

IGNORED = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                     tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING})


@lru_cache(maxsize=512)  # unchanged files recur in every variant
def count_tokens(source: str) -> int:
    """Significant tokens in ``source``; raises ``tokenize.TokenError``/``SyntaxError`` if it does not tokenize."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return sum(1 for token in tokens if token.type not in IGNORED)


class Tokens(Objective):
    """Significant tokens over all target files; lower is better."""

    name: ClassVar[str] = "tokens"
    unit: ClassVar[str] = "tokens"
    higher_is_better: ClassVar[bool] = False

    def measure(self, observation: Observation) -> float | None:
        if not observation.sources:
            return None
        try:
            return float(sum(count_tokens(source) for source in observation.sources.values()))
        except (tokenize.TokenError, SyntaxError):
            return None
