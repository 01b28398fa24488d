"""Main-text extraction scores as the ScrapingHub article-extraction benchmark defines them.

Each document is compared on bags of 4-token shingles; its true/false positive
and negative counts are normalised to sum to one so long pages do not dominate,
and precision and recall are averaged over documents (F1 from the averages).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


@dataclass(frozen=True)
class Counts:
    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fn == 0 else self.tp / (self.tp + self.fn)


def compare(true: str, pred: str) -> Counts:
    """Normalised shingle counts of one predicted body against its gold body."""
    gold, guess = shingles(true), shingles(pred)
    tp = sum((gold & guess).values())
    fp = sum((guess - gold).values())
    fn = sum((gold - guess).values())
    total = tp + fp + fn
    return Counts(tp / total, fp / total, fn / total) if total else Counts(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    documents: int


def score(pairs: Iterable[tuple[str, str]]) -> Score:
    """Benchmark precision, recall and F1 over (gold, predicted) text pairs."""
    counts = [compare(gold, pred) for gold, pred in pairs]
    precision = statistics.mean(c.precision for c in counts if c.tp + c.fp > 0) if counts else 0.0
    recall = statistics.mean(c.recall for c in counts if c.tp + c.fn > 0) if counts else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, len(counts))
