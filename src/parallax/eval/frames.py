"""Document frames: cross-validated micro/macro F1 on the SemEval-2023 Task 3 English training articles.

    python -m parallax.eval.frames --data ../shared/eval/semeval23-frames [--folds 5] [--char]

Everything the model learns (vocabulary, idf, weights, calibration, thresholds) is fitted inside
each training fold only; the held-out fold is scored once. Beside the model, two baselines that
read no text: *majority* (a frame is predicted when most training articles carry it) and
*top-k prior* (the k most frequent frames for every article, k chosen on the training fold).

These figures are cross-validation on the 433 training articles, not the official test set, so
they are not comparable with the SemEval leaderboard (where the test articles differ in topic).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from ..extract.frames import CHAR_NGRAMS, DEFAULT_CONFIG, FRAMES
from ..train.frames import (
    DEFAULT_DATA,
    THRESHOLD_MODES,
    Corpus,
    Settings,
    fit,
    frame_f1,
    load_dataset,
    micro_f1,
)


def _scores(pred: np.ndarray, y: np.ndarray) -> dict:
    pred = pred.astype(bool)
    per_frame = frame_f1(pred, y)
    tp = int((pred & (y == 1)).sum())
    return {
        "micro_f1": round(micro_f1(pred, y), 4),
        "macro_f1": round(float(per_frame.mean()), 4),
        "precision": round(tp / max(int(pred.sum()), 1), 4),
        "recall": round(tp / max(int(y.sum()), 1), 4),
        "per_frame_f1": {frame: round(float(f), 4) for frame, f in zip(FRAMES, per_frame)},
    }


def _top_k_prior(y_train: np.ndarray) -> np.ndarray:
    """The most frequent frames, as many as maximise micro-F1 on the training fold."""
    order = np.argsort(-y_train.mean(axis=0), kind="stable")
    best, best_f1 = order[:1], -1.0
    for k in range(1, len(order) + 1):
        pred = np.zeros_like(y_train, dtype=bool)
        pred[:, order[:k]] = True
        f1 = micro_f1(pred, y_train)
        if f1 > best_f1:
            best, best_f1 = order[:k], f1
    mask = np.zeros(y_train.shape[1], dtype=bool)
    mask[best] = True
    return mask


def evaluate_frames(data_dir: Path, folds: int = 5, seed: int = 0, settings: Settings | None = None,
                    verbose: bool = False) -> dict:
    """Cross-validated F1 of the frame model under each threshold rule, and of two text-blind baselines.

    Returns ``{"documents", "folds", "settings", "systems": {name: {micro_f1, macro_f1, precision,
    recall, per_frame_f1}}, "chosen": name of the rule the shipped model uses, "brier": {model, prior},
    "seconds"}``.
    """
    settings = settings or Settings()
    started = time.perf_counter()
    _, texts, y = load_dataset(Path(data_dir))
    corpus = Corpus(texts, settings.config)
    n = len(texts)
    preds = {mode: np.zeros(y.shape, dtype=bool) for mode in THRESHOLD_MODES}
    preds["baseline: majority"] = np.zeros(y.shape, dtype=bool)
    preds["baseline: top-k prior"] = np.zeros(y.shape, dtype=bool)
    probs = np.zeros(y.shape)
    prior_probs = np.zeros(y.shape)
    for fold, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(np.arange(n))):
        fitted = fit(corpus, train, y[train], settings, seed=seed)
        probs[test] = fitted.probs(corpus.counts[test])
        for mode in THRESHOLD_MODES:
            preds[mode][test] = probs[test] >= fitted.thresholds(mode)
        prior = y[train].mean(axis=0)
        prior_probs[test] = prior
        preds["baseline: majority"][test] = prior >= 0.5
        preds["baseline: top-k prior"][test] = _top_k_prior(y[train])
        if verbose:
            print(f"fold {fold + 1}/{folds}: micro-F1 {micro_f1(preds[settings.threshold][test], y[test]):.3f}",
                  flush=True)
    systems = {
        (f"model, thresholds: {mode}" if mode in THRESHOLD_MODES else mode): _scores(pred, y)
        for mode, pred in preds.items()
    }
    return {
        "documents": n,
        "folds": folds,
        "settings": {"C": settings.C, "class_weight": settings.class_weight, "min_df": settings.min_df,
                     "inner_folds": settings.inner_folds, "features": settings.config},
        "systems": systems,
        "chosen": f"model, thresholds: {settings.threshold}",
        "brier": {"model": round(float(((probs - y) ** 2).mean()), 4),
                  "prior": round(float(((prior_probs - y) ** 2).mean()), 4)},
        "seconds": round(time.perf_counter() - started, 1),
    }


def print_report(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Document frames: {result['folds']}-fold CV on {result['documents']} SemEval-2023 "
                        f"English training articles", title_justify="left")
    for column in ("system", "micro-F1", "macro-F1", "precision", "recall"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, s in result["systems"].items():
        label = f"{name} (shipped)" if name == result["chosen"] else name
        table.add_row(label, f"{s['micro_f1']:.3f}", f"{s['macro_f1']:.3f}", f"{s['precision']:.3f}", f"{s['recall']:.3f}")
    console = Console(highlight=False)
    console.print(table)
    frames = Table(title="Per-frame F1", title_justify="left")
    frames.add_column("frame")
    for name in ("shipped", "top-k prior"):
        frames.add_column(name, justify="right")
    chosen = result["systems"][result["chosen"]]["per_frame_f1"]
    prior = result["systems"]["baseline: top-k prior"]["per_frame_f1"]
    for frame in FRAMES:
        frames.add_row(frame, f"{chosen[frame]:.3f}", f"{prior[frame]:.3f}")
    console.print(frames)
    console.print(f"Brier score: model {result['brier']['model']:.4f}, prior {result['brier']['prior']:.4f}; "
                  f"{result['seconds']} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m parallax.eval.frames", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--C", type=float, default=Settings().C)
    parser.add_argument("--class-weight", choices=("balanced", "none"), default=Settings().class_weight or "none")
    parser.add_argument("--char", action=argparse.BooleanOptionalAction,
                        default=DEFAULT_CONFIG["char_ngrams"][1] > 0, help="add in-word character n-grams")
    parser.add_argument("--threshold", choices=THRESHOLD_MODES, default=Settings().threshold)
    args = parser.parse_args(argv)
    config = dict(DEFAULT_CONFIG)
    config["char_ngrams"] = list(CHAR_NGRAMS) if args.char else [0, 0]
    settings = Settings(C=args.C, class_weight=None if args.class_weight == "none" else "balanced",
                        threshold=args.threshold, config=config)
    print_report(evaluate_frames(args.data, args.folds, args.seed, settings, verbose=True))


if __name__ == "__main__":
    main()
