"""Train the ACLED sub-event classifier (TF-IDF + logistic regression) on CASE 2021 Task 2 snippets.

Training needs scikit-learn (``pip install parallax[train]``); the stored model
(``models/events-acled.npz``: vocabulary, idf, weights) runs on numpy alone through
:class:`AcledClassifier`. The snippets are the only ACLED-labelled data here, so the
evaluation scores this model by cross-validation, never the stored file.

    python -m parallax.train.events ../shared/eval/events/case2021-task2-dev.tsv models/events-acled.npz
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import numpy as np

from ..resources import MODELS_DIR

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
DEFAULT_MODEL = MODELS_DIR / "events-acled.npz"


def read_case(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("EventSnippet") and row.get("SubType"):
                texts.append(row["EventSnippet"])
                labels.append(row["SubType"])
    return texts, labels


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w\w+\b")


def _classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=20.0, max_iter=2000, class_weight="balanced")


def fit(texts: list[str], labels: list[str]):
    vec = _vectorizer()
    x = vec.fit_transform(texts)
    clf = _classifier().fit(x, labels)
    return vec, clf


def save(vec, clf, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    coef = clf.coef_.astype(np.float16)
    np.savez_compressed(
        path, vocab=np.array(json.dumps(vocab)), idf=vec.idf_.astype(np.float32), coef=coef,
        intercept=clf.intercept_.astype(np.float32), classes=np.array(json.dumps(list(clf.classes_))),
    )


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

    def _vector(self, text: str) -> np.ndarray:
        toks = _TOKEN.findall(text.lower())
        grams = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
        counts: dict[int, int] = {}
        for g in grams:
            j = self.index.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        v = np.zeros(len(self.idf), dtype=np.float32)
        for j, c in counts.items():
            v[j] = (1.0 + np.log(c)) * self.idf[j]
        n = np.linalg.norm(v)
        return v / n if n else v

    def scores(self, text: str) -> dict[str, float]:
        z = self.coef @ self._vector(text) + self.intercept
        p = np.exp(z - z.max())
        p /= p.sum()
        return dict(zip(self.classes, p.tolist()))

    def predict(self, text: str) -> tuple[str, float]:
        s = self.scores(text)
        best = max(s, key=s.get)
        return best, s[best]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    tsv = Path(argv[0]) if argv else Path("../shared/eval/events/case2021-task2-dev.tsv")
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_MODEL
    texts, labels = read_case(tsv)
    vec, clf = fit(texts, labels)
    save(vec, clf, out)
    print(f"trained on {len(texts)} snippets, {len(clf.classes_)} labels -> {out}")


if __name__ == "__main__":
    main()
