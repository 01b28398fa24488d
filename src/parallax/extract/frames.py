"""Document frames: how an article frames its subject, scored over the 14 Media Frames Corpus frames.

A one-vs-rest logistic regression over TF-IDF word 1-2 grams, trained on the SemEval-2023 Task 3 English articles
by :mod:`parallax.train.frames` and shipped as numpy weights
(``models/frames.npz``): inference is a sparse dot product in pure
numpy, no scikit-learn. Each frame's score is a probability calibrated on
out-of-fold predictions (Platt scaling folded into the weights); a frame is
*predicted* when its score reaches its own threshold, chosen by cross-validation
for micro-F1. ``article.frames`` lists all 14 frames, highest score first.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from ..model import Article, Frame
from ..resources import model_file
from . import extractor

FRAMES: tuple[str, ...] = (
    "Economic",
    "Capacity_and_resources",
    "Morality",
    "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence",
    "Policy_prescription_and_evaluation",
    "Crime_and_punishment",
    "Security_and_defense",
    "Health_and_safety",
    "Quality_of_life",
    "Cultural_identity",
    "Public_opinion",
    "Political",
    "External_regulation_and_reputation",
)

MODEL_NAME = "frames.npz"

_WORD = re.compile(r"(?u)\b\w\w+\b")
_SPACE = re.compile(r"\s+")

# Feature settings; the trainer stores the ones it used in the model and inference reads them back.
# In-word character n-grams ([3, 5]) are supported but off: they scored within noise of words alone
# in cross-validation, at three times the features and inference time.
DEFAULT_CONFIG: dict = {"word_ngrams": [1, 2], "char_ngrams": [0, 0], "max_chars": 20000}
CHAR_NGRAMS = [3, 5]


@lru_cache(maxsize=200_000)
def _char_grams(word: str, lo: int, hi: int) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1))


def features(text: str, config: dict | None = None) -> Counter:
    """Counts of the article's word n-grams (``w:``) and in-word character n-grams (``c:``).

    The one featuriser both training and inference use, so the two cannot drift apart.
    """
    config = config or DEFAULT_CONFIG
    text = _SPACE.sub(" ", text[: config["max_chars"]].lower())
    counts: Counter = Counter()
    lo, hi = config["word_ngrams"]
    if hi >= 1:
        words = _WORD.findall(text)
        for n in range(max(lo, 1), hi + 1):
            counts.update("w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    lo, hi = config["char_ngrams"]
    if hi >= 1:
        for word, k in Counter(text.split()).items():
            for gram in _char_grams(word, lo, hi):
                counts["c:" + gram] += k
    return counts


class FrameModel:
    """The shipped weights: vocabulary, idf, per-frame weights (calibration folded in) and thresholds."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                 thresholds: np.ndarray, frames: tuple[str, ...], config: dict, meta: dict | None = None):
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float64)
        self.coef = coef.astype(np.float64)  # (n_features, n_frames)
        self.intercept = intercept.astype(np.float64)
        self.thresholds = thresholds.astype(np.float64)
        self.frames = tuple(frames)
        self.config = config
        self.meta = meta or {}

    @classmethod
    def load(cls, path: Path | None = None) -> "FrameModel":
        path = path or model_file(MODEL_NAME)
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            vocab = {term: i for i, term in enumerate(str(data["vocabulary"]).split("\n"))}
            return cls(vocab, data["idf"], data["coef"], data["intercept"], data["thresholds"],
                       tuple(header["frames"]), header["config"], header.get("meta"))

    def save(self, path: Path) -> None:
        terms = sorted(self.vocabulary, key=self.vocabulary.get)
        if any("\n" in t for t in terms):
            raise ValueError("a vocabulary term contains a newline")
        header = {"frames": list(self.frames), "config": self.config, "meta": self.meta}
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            header=np.array(json.dumps(header)),
            vocabulary=np.array("\n".join(terms)),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
        )

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse TF-IDF vector of a text (sublinear tf, l2-normalised): indices and values."""
        counts = features(text, self.config)
        pairs = [(self.vocabulary[t], c) for t, c in counts.items() if t in self.vocabulary]
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
        tf = np.fromiter((c for _, c in pairs), dtype=np.float64, count=len(pairs))
        values = (1.0 + np.log(tf)) * self.idf[idx]
        values /= np.linalg.norm(values)
        return idx, values

    def scores(self, text: str) -> np.ndarray:
        """Calibrated probability of each frame, in :attr:`frames` order."""
        idx, values = self.vector(text)
        logits = values @ self.coef[idx] + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


@lru_cache(maxsize=1)
def load_model() -> FrameModel:
    return FrameModel.load()


def score_frames(text: str, model: FrameModel | None = None) -> list[Frame]:
    """All frames with their calibrated scores, highest first."""
    model = model or load_model()
    probs = model.scores(text)
    order = sorted(range(len(model.frames)), key=lambda i: (-probs[i], model.frames[i]))
    return [Frame(frame=model.frames[i], score=round(float(probs[i]), 4)) for i in order]


def frames_above_threshold(article: Article, model: FrameModel | None = None) -> list[Frame]:
    """The article's predicted frames: those whose score reaches the frame's cross-validated threshold."""
    model = model or load_model()
    thresholds = dict(zip(model.frames, model.thresholds))
    return [f for f in article.frames if f.score >= round(float(thresholds[f.frame]), 4)]


@extractor("frames")
def extract_frames(doc: Doc, article: Article) -> None:
    article.frames = score_frames(article.text)
