"""Which of an operator's options at a site reads most like the rest of the file.

Code is repetitive and predictable, and a statistical language model of a
project's tokens captures it (Hindle et al., "On the Naturalness of Software",
ICSE 2012); buggy lines are less natural than the lines that fix them (Ray et
al., "On the 'Naturalness' of Buggy Code", ICSE 2016). An operator's options
at one site (the clause to add, the statement to copy, the name to read) are
ranked here by how likely the rewritten line is under a token trigram model of
the same file with the site's own line left out, so a buggy line never vouches
for itself. ``if t not in done and all(...)`` ranks first among 60 clauses when
another function of the file tests ``t not in done and not all(...)``.

``rank_weights`` turns a ranking into drawing weights ``1 / rank``
(Zipf): the most natural option is drawn most often, every option stays
possible, and how much more likely the first is does not hang on the model's
raw probabilities, which are poorly calibrated on one small file.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import libcst as cst

from mutations._index import ModuleIndex, position

_TOKEN = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|#.*|[A-Za-z_]\w*|\d[\w.]*"
                    r"|==|!=|<=|>=|\*\*|//|->|\+=|-=|\*=|/=|[^\s\w]")
_START, _END = "<s>", "</s>"
_LAMBDAS = (0.6, 0.3, 0.1)
"""Interpolation weights of the trigram, bigram and unigram estimates (Jelinek and Mercer, 1980)."""

Gram = tuple[str, ...]


def tokens(line: str) -> list[str]:
    """The tokens of one physical line of Python, comments dropped (a rough lexer: a string that spans
    lines splits into pieces, which only costs it some probability)."""
    return [t for t in _TOKEN.findall(line) if not t.startswith("#")]


def _grams(words: Sequence[str]) -> Counter[Gram]:
    """Every 1-, 2- and 3-gram of one line, padded with start and end markers."""
    padded = [_START, _START, *words, _END]
    found: Counter[Gram] = Counter()
    for i in range(2, len(padded)):
        found[(padded[i],)] += 1
        found[(padded[i - 1], padded[i])] += 1
        found[(padded[i - 2], padded[i - 1], padded[i])] += 1
    return found


def _contexts(grams: Counter[Gram]) -> Counter[Gram]:
    """How often each 1- and 2-gram occurs as the context of a longer gram."""
    found: Counter[Gram] = Counter()
    for gram, count in grams.items():
        if len(gram) > 1:
            found[gram[:-1]] += count
    return found


class FileModel:
    """A token trigram model of one file, from which any lines can be left out.

    ``scorer(without)`` gives a function from text (one or more lines) to its
    natural-log probability under the model trained on every line of the file
    but those in ``without`` (1-based line numbers). Estimates are interpolated
    (``_LAMBDAS``), the unigram one with add-one smoothing, so no token has
    probability 0.
    """

    def __init__(self, source: str) -> None:
        self.lines = [_grams(tokens(line)) for line in source.splitlines()]
        self.grams: Counter[Gram] = Counter()
        for grams in self.lines:
            self.grams.update(grams)

    def scorer(self, without: Iterable[int] = ()) -> Callable[[str], float]:
        """text -> its natural-log probability (the sum over its tokens and line ends), trained
        without the lines ``without``."""
        grams = Counter(self.grams)
        for line in without:
            if 0 < line <= len(self.lines):
                grams.subtract(self.lines[line - 1])
        grams = +grams  # drop what is left at 0
        contexts = _contexts(grams)
        total = sum(c for g, c in grams.items() if len(g) == 1)
        vocabulary = sum(1 for g in grams if len(g) == 1) + 1

        def logprob(text: str) -> float:
            score = 0.0
            for line in text.splitlines():
                padded = [_START, _START, *tokens(line), _END]
                for i in range(2, len(padded)):
                    word = padded[i]
                    estimate = _LAMBDAS[2] * (grams[(word,)] + 1) / (total + vocabulary)
                    weight = _LAMBDAS[2]
                    for order, lam in ((2, _LAMBDAS[1]), (3, _LAMBDAS[0])):
                        history = tuple(padded[i - order + 1:i])
                        seen = contexts[history]
                        if seen > 0:
                            estimate += lam * grams[(*history, word)] / seen
                            weight += lam
                    score += math.log(estimate / weight)
            return score

        return logprob


def model(index: ModuleIndex) -> FileModel:
    """The file's model (built once per index)."""
    found = index.memo.get("token_model")
    if found is None:
        found = index.memo["token_model"] = FileModel(index.source)
    return found  # type: ignore[return-value]


def own_lines(node_id: str, index: ModuleIndex) -> range:
    """The lines of the statement holding the node, a compound statement's header only."""
    holder = node_id
    for candidate in [node_id, *index.ancestors(node_id)]:
        if isinstance(index.nodes[candidate], (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            holder = candidate
            break
    first, _, last, _ = position(holder)
    node = index.nodes[holder]
    body = getattr(node, "body", None)
    if isinstance(node, cst.BaseCompoundStatement) and isinstance(body, cst.IndentedBlock) and body.body:
        first_inner = index.ids.get(body.body[0])
        if first_inner is not None:
            last = max(first, position(first_inner)[0] - 1)
    return range(first, last + 1)


_STUB = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])


def _stubbed(node: cst.CSTNode, original: cst.CSTNode) -> cst.CSTNode:
    """``node`` with the blocks it shares with the site's original node replaced by ``pass``: every
    option keeps them alike, so they cannot change a ranking, and rendering them costs the most."""
    if not isinstance(node, cst.BaseCompoundStatement):
        return node
    changes: dict[str, Any] = {}
    if getattr(node, "body", None) is getattr(original, "body", False):
        changes["body"] = _STUB
    orelse = getattr(node, "orelse", None)
    if orelse is not None and orelse is getattr(original, "orelse", False):
        changes["orelse"] = None
    return node.with_changes(**changes) if changes else node


def _rendered(result: Any, original: cst.CSTNode, index: ModuleIndex) -> str | None:
    """The code a rewrite of ``original`` produced, shared blocks stubbed (None: it does not apply)."""
    if result is None:
        return None
    if isinstance(result, cst.RemovalSentinel):
        return ""
    if isinstance(result, cst.FlattenSentinel):
        return "".join(index.module.code_for_node(_stubbed(n, original)) for n in result.nodes)
    return index.module.code_for_node(_stubbed(result, original))


def rewritten_lines(node_id: str, code: str, lines: Sequence[str]) -> str:
    """The site's lines of the file (``lines``: its source's) with the node's code replaced by ``code``."""
    l1, c1, l2, c2 = position(node_id)
    return lines[l1 - 1][:c1] + code + lines[l2 - 1][c2:]


def rank_weights(scores: Sequence[Any]) -> list[float]:
    """``1 / rank`` by descending score (any comparable: numbers, tuples), ties sharing their mean rank;
    ``None`` (the option does not rewrite) ranks last."""
    present = sorted({s for s in scores if s is not None}, reverse=True)
    ranks: list[float] = [0.0] * len(scores)
    placed = 0
    for value in [*present, None]:
        members = [i for i, s in enumerate(scores) if s == value]
        for i in members:
            ranks[i] = placed + (len(members) + 1) / 2
        placed += len(members)
    return [1.0 / r for r in ranks]


def rewrites(operator: Any, node_id: str, options: Sequence[Any], index: ModuleIndex) -> list[str | None]:
    """For each of ``operator``'s ``options`` at ``node_id``: the site's lines as the option rewrites
    them (None: it does not rewrite the site), memoised."""
    key = ("rewrites", operator.name, node_id)
    found = index.memo.get(key)
    if found is None:
        node, lines = index.nodes[node_id], index.source.splitlines()
        found = []
        for option in options:
            code = _rendered(operator.rewrite(node_id, node_id, node, node, option, index), node, index)
            found.append(None if code is None else rewritten_lines(node_id, code, lines))
        index.memo[key] = found
    return found  # type: ignore[return-value]


def naturalness_scores(operator: Any, node_id: str, options: Sequence[Any], index: ModuleIndex) -> list[float | None]:
    """For each of ``operator``'s ``options`` at ``node_id``: the natural-log probability of the
    rewritten site's lines under the file's model with those lines left out (None: no rewrite)."""
    score = model(index).scorer(own_lines(node_id, index))
    return [None if text is None else score(text) for text in rewrites(operator, node_id, options, index)]


def bag_similarity(a: Counter[str], b: Counter[str]) -> float:
    """Jaccard similarity of two bags of tokens: shared count over total count (0 when both are empty)."""
    union = sum((a | b).values())
    return sum((a & b).values()) / union if union else 0.0


def first_of_each(texts: Sequence[str | None]) -> list[bool]:
    """Which entries are the first with their text (options that write the same code are one edit)."""
    seen: set[str | None] = set()
    out = []
    for text in texts:
        out.append(text not in seen)
        seen.add(text)
    return out
