"""ACLED sub-event types from a sentence: the TF-IDF + logistic-regression classifier, numpy inference.

Trained on the CASE 2021 Task 2 snippets by :mod:`parallax.train.events` and stored in
``models/events-acled.npz``. The event extractor asks it for the sub-type of a violent or
protest event (ASSAULT, PROTEST), choosing only among the sub-types of ACLED event types that
fit the event's PLOVER category; :mod:`parallax.eval.events` measures that by cross-validation.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..resources import MODELS_DIR

DEFAULT_MODEL = MODELS_DIR / "events-acled.npz"
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's default, which training uses
_TOKEN = re.compile(TOKEN_PATTERN)


class AcledClassifier:
    """Numpy-only inference for the stored TF-IDF + logistic regression model."""

    def __init__(self, path: Path | str = DEFAULT_MODEL):
        z = np.load(path)
        vocab = json.loads(str(z["vocab"]))
        self.index = {w: i for i, w in enumerate(vocab)}
        self.idf = z["idf"].astype(np.float32)
        self.coef = z["coef"].astype(np.float32)
        self.intercept = z["intercept"]
        self.classes = json.loads(str(z["classes"]))

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's sparse TF-IDF row: (feature indices, l2-normalised sublinear tf-idf values)."""
        toks = _TOKEN.findall(text.lower())
        grams = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
        counts: dict[int, int] = {}
        for g in grams:
            j = self.index.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[idx]
        n = np.linalg.norm(values)
        return idx, values / n if n else values

    def scores(self, text: str) -> dict[str, float]:
        idx, values = self._vector(text)
        z = self.coef[:, idx] @ values + self.intercept
        p = np.exp(z - z.max())
        p /= p.sum()
        return dict(zip(self.classes, p.tolist()))

    def predict(self, text: str) -> tuple[str, float]:
        s = self.scores(text)
        best = max(s, key=s.get)
        return best, s[best]


@lru_cache(maxsize=1)
def shipped_classifier() -> AcledClassifier | None:
    """The stored model, loaded once; None when its file is missing."""
    return AcledClassifier(DEFAULT_MODEL) if DEFAULT_MODEL.exists() else None
