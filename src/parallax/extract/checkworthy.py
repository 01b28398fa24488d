"""Check-worthiness: how much a claim reads as a factual statement worth verifying.

A logistic regression over TF-IDF features (word 1-2 grams, character 2-5 grams
within words, and a few surface cues), trained on the ClaimBuster 2.5xNCS
sentences by ``python -m parallax.train.checkworthy``. Inference is numpy only:
vocabulary, idf and weights are one compressed ``.npz`` under ``models/``.
The classes were weighted to balance in training, so a score is the probability
under equal priors: 0.5 is the decision threshold, not the base rate.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Sequence

import numpy as np
from spacy.tokens import Doc

from ..model import Article
from ..resources import MODELS_DIR
from . import extractor

DEFAULT_MODEL = MODELS_DIR / "checkworthy.npz"

_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")
_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "we", "us", "our", "ours"})
_CHAR_NGRAMS = range(2, 6)


def _normalise(text: str) -> str:
    # Digits fold to 0 so "12 civilians" and "37 civilians" share their n-grams.
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    return _DIGIT.sub("0", text)


@lru_cache(maxsize=1 << 16)
def _char_ngrams(token: str) -> tuple[str, ...]:
    padded = f" {token} "
    return tuple(padded[i : i + n] for n in _CHAR_NGRAMS for i in range(len(padded) - n + 1))


def terms(text: str) -> tuple[Counter[str], Counter[str]]:
    """Term counts of one sentence: (word 1-2 grams and cues, character 2-5 grams within words)."""
    tokens = _TOKEN.findall(_normalise(text))
    return _word_terms(text, tokens), Counter(chain.from_iterable(map(_char_ngrams, tokens)))


def _word_terms(text: str, tokens: list[str]) -> Counter[str]:
    words = Counter(tokens)
    words.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))
    # Surface cues the n-grams see only diffusely: numbers, dates, names, the speaker's own voice, length.
    if _DIGIT.search(text):
        words["#number"] += 1
    if _MONTHS.intersection(tokens):
        words["#month"] += 1
    if sum(t[:1].isupper() for t in _TOKEN.findall(text)[1:]) >= 2:
        words["#names"] += 1
    if _FIRST_PERSON.intersection(tokens):
        words["#first_person"] += 1
    words[f"#length_{min(len(tokens) // 8, 5)}"] += 1
    return words


class CheckWorthiness:
    """A trained model: vocabularies of both blocks, idf and logistic-regression weights over their union."""

    def __init__(self, words: Sequence[str], chars: Sequence[str], idf: np.ndarray, coef: np.ndarray, intercept: float):
        # Feature i < len(words) is a word term, the rest character n-grams; each block is
        # l2-normalised on its own, as a union of two vectorisers would be.
        self.indices = ({t: i for i, t in enumerate(words)}, {t: i for i, t in enumerate(chars, start=len(words))})
        self._token_chars: dict[str, np.ndarray] = {}  # token -> its known character n-grams (with repeats)
        self.idf = idf.astype(np.float64)
        self.coef = coef.astype(np.float64)
        self.intercept = float(intercept)

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> "CheckWorthiness":
        with np.load(path, allow_pickle=False) as data:
            words, chars = (bytes(data[k]).decode("utf-8").split("\n") for k in ("words", "chars"))
            return cls(words, chars, data["idf"], data["coef"], float(data["intercept"]))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        words, chars = ("\n".join(index).encode("utf-8") for index in self.indices)
        np.savez_compressed(
            path,
            words=np.frombuffer(words, dtype=np.uint8),
            chars=np.frombuffer(chars, dtype=np.uint8),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=np.float64(self.intercept),
        )

    @property
    def size(self) -> int:
        return sum(map(len, self.indices))

    def vectorise(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse TF-IDF row of one sentence: (feature indices, values); sublinear tf, l2 per block."""
        _, idx, values = self.rows([text])
        return idx, values

    def rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sparse TF-IDF rows of many sentences at once: (row, feature index, value) of every entry."""
        word_rows: list[int] = []
        word_terms: list[str] = []
        word_tf: list[int] = []
        token_rows: list[int] = []
        char_ids: list[np.ndarray] = []
        cached = self._token_chars.get
        for r, text in enumerate(texts):
            tokens = _TOKEN.findall(_normalise(text))
            words = _word_terms(text, tokens)
            word_rows.extend([r] * len(words))
            word_terms.extend(words)
            word_tf.extend(words.values())
            # a sentence's character n-grams are its tokens' (n-grams stay within a word): each token looked up once
            known_chars = [cached(t) for t in tokens]
            if any(ids is None for ids in known_chars):
                known_chars = [self._chars_of(t) if ids is None else ids for ids, t in zip(known_chars, tokens)]
            char_ids.extend(known_chars)
            token_rows.extend([r] * len(tokens))
        get = self.indices[0].get
        idx = np.fromiter((get(t, -1) for t in word_terms), dtype=np.int64, count=len(word_terms))
        known = idx >= 0
        words_block = self._block(np.array(word_rows, dtype=np.int64)[known], idx[known], np.array(word_tf, dtype=np.float64)[known])
        # character n-gram counts per row: unique (row, n-gram) pairs
        width = len(self.idf)
        if char_ids:
            owners = np.repeat(np.array(token_rows, dtype=np.int64), np.fromiter(map(len, char_ids), dtype=np.int64, count=len(char_ids)))
            pairs = owners * width + np.concatenate(char_ids)
        else:
            pairs = np.zeros(0, dtype=np.int64)
        pairs, counts = np.unique(pairs, return_counts=True)
        chars_block = self._block(pairs // width, pairs % width, counts.astype(np.float64))
        return tuple(np.concatenate([w, c]) for w, c in zip(words_block, chars_block))  # type: ignore[return-value]

    def _chars_of(self, token: str) -> np.ndarray:
        get = self.indices[1].get
        ids = np.array([i for i in map(get, _char_ngrams(token)) if i is not None], dtype=np.int64)
        if len(self._token_chars) < 200_000:
            self._token_chars[token] = ids
        return ids

    def _block(self, rows: np.ndarray, idx: np.ndarray, tf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sublinear tf times idf, each row l2-normalised."""
        weights = (1.0 + np.log(tf)) * self.idf[idx]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights))
        norms[norms == 0] = 1.0
        return rows, idx, weights / norms[rows]

    def score(self, texts: Sequence[str]) -> list[float]:
        """P(check-worthy) for each text."""
        rows, idx, values = self.rows(texts)
        logits = self.intercept + np.bincount(rows, weights=values * self.coef[idx], minlength=len(texts))
        return (1.0 / (1.0 + np.exp(-logits))).tolist()


@lru_cache(maxsize=1)
def _model() -> CheckWorthiness:
    return CheckWorthiness.load()


def score_sentences(texts: Sequence[str]) -> list[float]:
    """P(check-worthy) for each sentence, from the shipped model (loaded once per process)."""
    return _model().score(texts) if texts else []


@extractor("checkworthiness")
def score_claims(doc: Doc, article: Article) -> None:
    """Fill ``checkworthiness`` of every claim from its content text, all claims in one batch."""
    scores = score_sentences([claim.content.span.text for claim in article.claims])
    for claim, score in zip(article.claims, scores):
        claim.checkworthiness = score
