"""Check-worthiness scores: F1 on ClaimBuster by cross-validation, MAP on CLEF CheckThat! 2019 debates.

ClaimBuster 2.5xNCS ships without folds, so the folds are stratified 4-fold
with a fixed seed. CLEF 2019 Task 1 training debates are held out entirely:
the model is trained on ClaimBuster only, less any sentence that also occurs
in a CLEF debate (ClaimBuster includes the three 2016 presidential debates),
and each debate's lines are ranked by score. MAP is the mean over debates of
average precision, as the CheckThat! 2019 scorer computes it.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from ..train.checkworthy import fit, load_claimbuster

CLEF = "CT19-T1-Training.csv"
FOLDS = 4
SEED = 0


def average_precision(labels: list[int], scores: list[float]) -> float:
    """Average precision of one debate ranked by descending score (0 when it has no positive line)."""
    ranked = [labels[i] for i in sorted(range(len(scores)), key=lambda i: -scores[i])]
    hits, precisions = 0, []
    for rank, label in enumerate(ranked, start=1):
        if label == 1:
            hits += 1
            precisions.append(hits / rank)
    return sum(precisions) / hits if hits else 0.0


def load_clef(data_dir: Path) -> dict[str, list[tuple[str, int]]]:
    """CLEF 2019 Task 1 training debates: file name -> [(line text, label)] in line order."""
    debates: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    with open(data_dir / CLEF, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            debates[row["file_name"]].append((int(row["line_number"]), row["text"], int(row["label"])))
    return {name: [(text, label) for _, text, label in sorted(lines)] for name, lines in sorted(debates.items())}


def evaluate_checkworthy(data_dir: Path, limit: int | None = None, max_debates: int | None = None) -> dict:
    """Cross-validated F1 on ClaimBuster and out-of-domain MAP on CLEF 2019; ``limit``/``max_debates`` subsample."""
    texts, labels = load_claimbuster(data_dir)
    if limit is not None and limit < len(texts):
        keep = np.sort(np.random.default_rng(SEED).choice(len(texts), size=limit, replace=False))
        texts, labels = [texts[i] for i in keep], labels[keep]

    predicted = np.zeros(len(texts), dtype=int)
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(texts, labels):
        model = fit([texts[i] for i in train], labels[train])
        predicted[test] = np.array(model.score([texts[i] for i in test])) >= 0.5
    precision, recall, f1, _ = precision_recall_fscore_support(labels, predicted, average="binary")

    debates = load_clef(data_dir)
    if max_debates is not None:
        debates = dict(list(debates.items())[:max_debates])
    clef_texts = {text for lines in debates.values() for text, _ in lines}
    train = [i for i, text in enumerate(texts) if text not in clef_texts]
    model = fit([texts[i] for i in train], labels[train])
    precisions = {
        name: average_precision([label for _, label in lines], model.score([text for text, _ in lines]))
        for name, lines in debates.items()
    }
    # Debates none of whose lines occur in ClaimBuster: held out even in topic and speakers.
    cb_texts = set(texts)
    unseen = [name for name, lines in debates.items() if not any(text in cb_texts for text, _ in lines)]

    return {
        "claimbuster": {
            "sentences": len(texts),
            "folds": FOLDS,
            "precision_positive": float(precision),
            "recall_positive": float(recall),
            "f1_positive": float(f1),
            "f1_macro": float(f1_score(labels, predicted, average="macro")),
        },
        "clef2019": {
            "debates": len(debates),
            "lines": sum(len(lines) for lines in debates.values()),
            "train_sentences": len(train),
            "map": float(np.mean(list(precisions.values()))),
            "unseen_debates": len(unseen),
            "map_unseen_debates": float(np.mean([precisions[name] for name in unseen])) if unseen else None,
            "average_precision": precisions,
        },
    }


if __name__ == "__main__":
    print(json.dumps(evaluate_checkworthy(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/claimbuster")), indent=2))
