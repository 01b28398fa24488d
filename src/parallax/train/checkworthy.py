"""Train the check-worthiness model on ClaimBuster 2.5xNCS (needs the ``train`` extra).

    python -m parallax.train.checkworthy --data ../shared/eval/claimbuster

Writes ``models/checkworthy.npz``; scikit-learn is used only here, to fit the
logistic regression over the features :mod:`parallax.extract.checkworthy` computes.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from ..extract.checkworthy import DEFAULT_MODEL, CheckWorthiness, terms

CLAIMBUSTER = "kfold_25ncs.json"
# Chosen by 4-fold cross-validation on ClaimBuster (see parallax.eval.checkworthy); balanced class
# weights lift positive-class F1 by about 2 points at threshold 0.5 (ClaimBuster is 29% positive).
C = 2.0
MIN_DF = 2


def load_claimbuster(data_dir: Path) -> tuple[list[str], np.ndarray]:
    """ClaimBuster sentences and their labels (1 = check-worthy factual sentence)."""
    rows = json.loads((data_dir / CLAIMBUSTER).read_text(encoding="utf-8"))
    return [row["text"] for row in rows], np.array([int(row["label"]) for row in rows])


def fit(texts: Sequence[str], labels: np.ndarray, c: float = C, min_df: int = MIN_DF) -> CheckWorthiness:
    """Vocabularies and idf from ``texts``, then a logistic regression on their TF-IDF rows."""
    df: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    for text in texts:
        for block, counts in zip(df, terms(text)):
            block.update(counts.keys())
    words, chars = ([term for term, n in sorted(block.items()) if n >= min_df] for block in df)
    doc_freq = np.array([df[0][t] for t in words] + [df[1][t] for t in chars], dtype=np.float64)
    idf = np.log((1 + len(texts)) / (1 + doc_freq)) + 1  # scikit-learn's smoothed idf
    model = CheckWorthiness(words, chars, idf, np.zeros(len(idf)), 0.0)

    # The training rows come from the inference vectoriser itself, so the two cannot drift apart.
    rows = [model.vectorise(text) for text in texts]
    indptr = np.cumsum([0] + [len(idx) for idx, _ in rows])
    matrix = csr_matrix(
        (np.concatenate([v for _, v in rows]), np.concatenate([i for i, _ in rows]), indptr),
        shape=(len(texts), model.size),
    )
    classifier = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=1000).fit(matrix, labels)
    model.coef = classifier.coef_[0].astype(np.float64)
    model.intercept = float(classifier.intercept_[0])
    return model


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/claimbuster"))
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    texts, labels = load_claimbuster(args.data)
    model = fit(texts, labels)
    model.save(args.out)
    print(f"{args.out}: {model.size:,} features, {args.out.stat().st_size / 1e6:.1f} MB, trained on {len(texts):,} sentences")


if __name__ == "__main__":
    main()
