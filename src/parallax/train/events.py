"""Train the ACLED sub-event classifier (TF-IDF + logistic regression) on CASE 2021 Task 2 snippets.

Training needs scikit-learn (``pip install parallax[train]``); the stored model
(``models/events-acled.npz``: vocabulary, idf, weights) runs on numpy alone through
:class:`parallax.extract.acled.AcledClassifier`. The snippets are the only ACLED-labelled data here, so the
evaluation scores this model by cross-validation, never the stored file.

    python -m parallax.train.events ../shared/eval/events/case2021-task2-dev.tsv models/events-acled.npz
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

from ..extract.acled import DEFAULT_MODEL, TOKEN_PATTERN


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

    return TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=TOKEN_PATTERN)


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
