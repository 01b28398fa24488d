"""Train the document-frame model on the SemEval-2023 Task 3 English articles (needs the ``train`` extra).

    python -m parallax.train.frames --data ../shared/eval/semeval23-frames

Writes ``models/frames.npz``, read by :mod:`parallax.extract.frames` with numpy alone.
The recipe, one-vs-rest over the 14 frames:

1. TF-IDF (sublinear tf, smoothed idf, l2 rows) over the features
   :func:`parallax.extract.frames.features` computes, terms in at least ``min_df`` articles;
2. an L2 logistic regression per frame (liblinear, dual: far faster with more terms than articles);
3. Platt scaling per frame, fitted on out-of-fold decision values (``inner_folds``-fold CV on the
   training articles), folded into the weights, so the shipped scores are calibrated probabilities;
4. thresholds chosen on those out-of-fold probabilities (see :data:`THRESHOLD_MODES`).

Everything is fitted on the training rows it is given, so :mod:`parallax.eval.frames` can run it
inside each cross-validation fold and keep the held-out articles unseen.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from ..extract.frames import CHAR_NGRAMS, DEFAULT_CONFIG, FRAMES, MODEL_NAME, FrameModel, features
from ..resources import MODELS_DIR

DEFAULT_DATA = Path("../shared/eval/semeval23-frames")

# How a frame's threshold is chosen on out-of-fold calibrated probabilities:
#   half   0.5 for every frame;
#   global one threshold for all frames, the one that maximises micro-F1;
#   frame  each frame's own F1-maximising threshold (best macro-F1, overfits rare frames);
#   micro  per frame, by coordinate ascent on micro-F1 starting from the global threshold.
THRESHOLD_MODES = ("half", "global", "frame", "micro")
_GRID = np.round(np.linspace(0.05, 0.95, 91), 2)


@dataclass
class Settings:
    """Hyperparameters; the defaults were chosen by cross-validated micro-F1 (parallax.eval.frames)."""

    C: float = 1.0
    class_weight: str | None = "balanced"
    min_df: int = 2
    inner_folds: int = 4
    threshold: str = "global"
    config: dict = field(default_factory=lambda: dict(DEFAULT_CONFIG))


def load_dataset(data_dir: Path) -> tuple[list[str], list[str], np.ndarray]:
    """Article ids, texts and the (articles x 14) 0/1 label matrix, in ``FRAMES`` order."""
    ids, texts, rows = [], [], []
    for line in (data_dir / "train-labels.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc_id, _, labels = line.partition("\t")
        names = {name.strip() for name in labels.split(",") if name.strip()}
        unknown = names - set(FRAMES)
        if unknown:
            raise ValueError(f"article {doc_id}: unknown frame(s) {sorted(unknown)}")
        ids.append(doc_id.strip())
        texts.append((data_dir / "train-articles" / f"article{doc_id.strip()}.txt").read_text(encoding="utf-8"))
        rows.append([name in names for name in FRAMES])
    return ids, texts, np.array(rows, dtype=np.int8).reshape(len(rows), len(FRAMES))


class Corpus:
    """Feature counts of every article, computed once: an (articles x terms) count matrix."""

    def __init__(self, texts: Sequence[str], config: dict | None = None):
        self.config = dict(config or DEFAULT_CONFIG)
        index: dict[str, int] = {}
        cols, vals, indptr = [], [], [0]
        for text in texts:
            for term, count in features(text, self.config).items():
                cols.append(index.setdefault(term, len(index)))
                vals.append(count)
            indptr.append(len(cols))
        self.terms = np.array(list(index), dtype=object)
        self.counts = csr_matrix(
            (np.array(vals, dtype=np.float64), np.array(cols, dtype=np.int64), np.array(indptr)),
            shape=(len(texts), len(index)),
        )


def _tfidf(counts: csr_matrix, idf: np.ndarray) -> csr_matrix:
    """Sublinear tf times idf, rows l2-normalised: what FrameModel.vector computes for one article."""
    x = counts.copy().astype(np.float64)
    x.data = 1.0 + np.log(x.data)
    x = x @ diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(diags(1.0 / norms) @ x)


@dataclass
class _Raw:
    """A fitted but uncalibrated model: the kept term columns, idf, weights and intercepts."""

    keep: np.ndarray
    idf: np.ndarray
    coef: np.ndarray  # (kept terms, frames)
    intercept: np.ndarray

    def decision(self, counts: csr_matrix) -> np.ndarray:
        return _tfidf(counts[:, self.keep], self.idf) @ self.coef + self.intercept


def _fit_raw(counts: csr_matrix, y: np.ndarray, settings: Settings) -> _Raw:
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(df >= settings.min_df)
    idf = np.log((1 + counts.shape[0]) / (1 + df[keep])) + 1.0  # scikit-learn's smoothed idf
    x = _tfidf(counts[:, keep], idf)
    coef = np.zeros((len(keep), y.shape[1]))
    intercept = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        positives = int(y[:, j].sum())
        if positives in (0, len(y)):  # nothing to learn: the (smoothed) prior
            intercept[j] = np.log((positives + 0.5) / (len(y) - positives + 0.5))
            continue
        clf = LogisticRegression(C=settings.C, class_weight=settings.class_weight, solver="liblinear",
                                 dual=True, max_iter=2000)
        clf.fit(x, y[:, j])
        coef[:, j] = clf.coef_[0]
        intercept[j] = clf.intercept_[0]
    return _Raw(keep, idf, coef, intercept)


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid calibration p = 1 / (1 + exp(-(a * d + b))), fitted on out-of-fold decisions."""
    if y.min() == y.max():
        return 0.0, float(np.log((y.sum() + 0.5) / (len(y) - y.sum() + 0.5)))
    clf = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(decision.reshape(-1, 1), y)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def _counts(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame true positives, false positives, false negatives of 0/1 predictions ``p``."""
    p = p.astype(bool)
    y = y.astype(bool)
    return (p & y).sum(axis=0), (p & ~y).sum(axis=0), (~p & y).sum(axis=0)


def micro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp, fp, fn = (c.sum() for c in _counts(pred, y))
    return float(2 * tp / max(2 * tp + fp + fn, 1))


def frame_f1(pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    tp, fp, fn = _counts(pred, y)
    return 2 * tp / np.maximum(2 * tp + fp + fn, 1)


def choose_thresholds(probs: np.ndarray, y: np.ndarray, mode: str) -> np.ndarray:
    """One threshold per frame, chosen on (out-of-fold) probabilities ``probs`` for gold ``y``."""
    n = y.shape[1]
    if mode == "half":
        return np.full(n, 0.5)
    scores = [micro_f1(probs >= t, y) for t in _GRID]
    best = np.full(n, _GRID[int(np.argmax(scores))])
    if mode == "global":
        return best
    if mode == "frame":
        out = np.empty(n)
        for j in range(n):
            f1 = [frame_f1((probs[:, [j]] >= t), y[:, [j]])[0] for t in _GRID]
            out[j] = _GRID[int(np.argmax(f1))]
        return out
    if mode == "micro":
        # Others fixed, move one frame's threshold where micro-F1 is highest; two passes suffice.
        tp, fp, fn = _counts(probs >= best, y)
        for _ in range(2):
            for j in range(n):
                rest_tp, rest_fp, rest_fn = tp.sum() - tp[j], fp.sum() - fp[j], fn.sum() - fn[j]
                pj = probs[:, j][:, None] >= _GRID[None, :]
                yj = y[:, j].astype(bool)[:, None]
                tpj, fpj, fnj = (pj & yj).sum(0), (pj & ~yj).sum(0), (~pj & yj).sum(0)
                f1 = 2 * (rest_tp + tpj) / np.maximum(2 * (rest_tp + tpj) + rest_fp + fpj + rest_fn + fnj, 1)
                current = int(np.argmin(np.abs(_GRID - best[j])))
                k = int(np.argmax(f1))
                if f1[k] <= f1[current] + 1e-12:  # ties keep the global threshold: less to overfit
                    k = current
                best[j] = _GRID[k]
                tp[j], fp[j], fn[j] = tpj[k], fpj[k], fnj[k]
        return best
    raise ValueError(f"unknown threshold mode {mode!r}; choose from {', '.join(THRESHOLD_MODES)}")


@dataclass
class Fitted:
    """A calibrated model fitted on some rows, with the out-of-fold probabilities its thresholds came from."""

    raw: _Raw
    slope: np.ndarray
    offset: np.ndarray
    oof_probs: np.ndarray
    oof_labels: np.ndarray

    def probs(self, counts: csr_matrix) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.raw.decision(counts) * self.slope + self.offset)))

    def thresholds(self, mode: str) -> np.ndarray:
        return choose_thresholds(self.oof_probs, self.oof_labels, mode)


def fit(corpus: Corpus, rows: np.ndarray, y: np.ndarray, settings: Settings, seed: int = 0) -> Fitted:
    """Fit on the articles ``rows`` of ``corpus`` (labels ``y``, one row each); calibrate by inner CV."""
    counts = corpus.counts[rows]
    oof = np.zeros(y.shape)
    for train, held in KFold(settings.inner_folds, shuffle=True, random_state=seed).split(rows):
        oof[held] = _fit_raw(counts[train], y[train], settings).decision(counts[held])
    raw = _fit_raw(counts, y, settings)
    slope, offset = np.zeros(y.shape[1]), np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        slope[j], offset[j] = _platt(oof[:, j], y[:, j])
    oof_probs = 1.0 / (1.0 + np.exp(-(oof * slope + offset)))
    return Fitted(raw, slope, offset, oof_probs, y)


def to_model(corpus: Corpus, fitted: Fitted, settings: Settings, meta: dict | None = None) -> FrameModel:
    """The shippable numpy model: calibration folded into weights and intercepts."""
    raw = fitted.raw
    vocabulary = {str(term): i for i, term in enumerate(corpus.terms[raw.keep])}
    return FrameModel(
        vocabulary=vocabulary,
        idf=raw.idf,
        coef=raw.coef * fitted.slope,
        intercept=raw.intercept * fitted.slope + fitted.offset,
        thresholds=fitted.thresholds(settings.threshold),
        frames=FRAMES,
        config=corpus.config,
        meta=meta,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m parallax.train.frames", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="semeval23-frames folder")
    parser.add_argument("--out", type=Path, default=MODELS_DIR / MODEL_NAME)
    parser.add_argument("--seed", type=int, default=0)
    defaults = Settings()
    parser.add_argument("--C", type=float, default=defaults.C)
    parser.add_argument("--threshold", choices=THRESHOLD_MODES, default=defaults.threshold)
    parser.add_argument("--char", action=argparse.BooleanOptionalAction, default=defaults.config["char_ngrams"][1] > 0,
                        help="add in-word character n-grams")
    args = parser.parse_args(argv)

    config = dict(DEFAULT_CONFIG)
    config["char_ngrams"] = list(CHAR_NGRAMS) if args.char else [0, 0]
    settings = Settings(C=args.C, threshold=args.threshold, config=config)
    started = time.perf_counter()
    ids, texts, y = load_dataset(args.data)
    corpus = Corpus(texts, settings.config)
    fitted = fit(corpus, np.arange(len(texts)), y, settings, seed=args.seed)
    meta = {
        "trained_on": f"SemEval-2023 Task 3 subtask 2, English train ({len(texts)} articles)",
        "settings": {k: v for k, v in asdict(settings).items() if k != "config"},
        "oof_micro_f1": round(micro_f1(fitted.oof_probs >= fitted.thresholds(settings.threshold), y), 4),
    }
    model = to_model(corpus, fitted, settings, meta)
    model.save(args.out)
    # The shipped model (float16 weights), read back, must score as the training matrices do.
    expected = fitted.probs(corpus.counts[:20])
    shipped = FrameModel.load(args.out)
    drift = float(np.abs(expected - np.array([shipped.scores(text) for text in texts[:20]])).max())
    if drift > 2e-3:
        raise SystemExit(f"numpy inference drifts from training by {drift:.4f}")
    print(json.dumps({
        "out": str(args.out), "bytes": args.out.stat().st_size, "terms": len(model.vocabulary),
        "thresholds": dict(zip(FRAMES, np.round(model.thresholds, 2).tolist())),
        "max_drift": round(drift, 5), "seconds": round(time.perf_counter() - started, 1), **meta,
    }, indent=1))


if __name__ == "__main__":
    main()
