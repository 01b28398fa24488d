"""Persuasion techniques of SemEval-2020 Task 11 (the Propaganda Techniques Corpus) on exact spans.

Two stages, both trained on the PTC training articles by :mod:`parallax.train.rhetoric`:

1. **Span identification (SI)**: a linear-chain CRF over spaCy token features
   (words, lemmas, tags, dependencies, neighbours, in-quote and repetition cues)
   tags each sentence segment B/I/O; a span is a run of tokens whose marginal
   probability of being inside a technique exceeds a threshold.
2. **Technique classification (TC)**: a multinomial logistic regression over
   sparse features of the span and its context (words, bigrams, character
   n-grams, length, sentence coverage, punctuation, how often the span recurs
   in the article) picks one of the 14 techniques.

Inference needs numpy only: the CRF's weights and the classifier's weights are
stored in compressed ``.npz`` files under ``models/rhetoric/`` and decoded here
(forward-backward for the CRF, a sparse dot product for the classifier).

A small lexicon layer of ours follows the models (generic clichés, slogans and
pejorative labels, see :data:`CLICHES`, :data:`SLOGANS`, :data:`PEJORATIVES`),
and :data:`sentiment_lexicon` (VADER, MIT) feeds both models as features.

Tiers: ``fast`` (the default) and ``accurate``, selected with ``--rhetoric``
on ``parallax analyze``/``ingest``, ``PARALLAX_RHETORIC=accurate`` or the
``tier`` argument of :func:`detect`. ``accurate``
(:class:`~parallax.extract.rhetoric_encoder.AccurateRhetoricModel`, the
``accurate`` extra) keeps this module's CRF and features and adds MiniLM (int8
ONNX, onnxruntime): a copy fine-tuned on PTC as a span tagger, whose P(inside)
is mixed into the CRF's, and frozen span and sentence vectors in the technique
classifier. It is much slower and scores better on PTC dev (README, Scores).
"""

from __future__ import annotations

import math
import os
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from spacy.tokens import Doc, Token

from ..model import Article, Technique
from ..resources import MODELS_DIR
from . import extractor
from .crf import CompiledTemplates, LinearChainCRF, Template, pack_strings, unpack_strings
from .tokens import TokenTable, token_table

MODEL_DIR = MODELS_DIR / "rhetoric"

TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)
TIERS = ("fast", "accurate")
ENV_TIER = "PARALLAX_RHETORIC"

_QUOTES = set("\"“”«»„")


@lru_cache(maxsize=1)
def sentiment_lexicon() -> dict[str, float]:
    """VADER's general-purpose sentiment lexicon (word -> valence in [-4, 4]; MIT licence, C.J. Hutto).

    Used as CRF and classifier features, so the models learn from PTC how much
    a word's valence says about loaded language; shipped as models/rhetoric/vader_lexicon.tsv.
    """
    path = MODEL_DIR / "vader_lexicon.tsv"
    out: dict[str, float] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            word, _, score = line.partition("\t")
            try:
                out[word] = float(score)
            except ValueError:
                continue
    return out


def _valence(score: float | None) -> str | None:
    if score is None:
        return None
    if score <= -2.0:
        return "N2"
    if score <= -1.0:
        return "N1"
    if score < 0:
        return "N0"
    if score >= 2.0:
        return "P2"
    if score >= 1.0:
        return "P1"
    return "P0"
_WORD = re.compile(r"\w+", re.UNICODE)


# --------------------------------------------------------------------------- segments and token features


def segments(doc: Doc) -> list[list[int]]:
    """The doc's sentences, cut again at line breaks, without whitespace tokens (as token indices).

    PTC articles have one sentence a line and Parallax articles one paragraph a
    line, so a technique span never usefully crosses a line break.
    """
    table = token_table(doc)
    out: list[list[int]] = []
    current: list[int] = []
    for i, (text, space, starts) in enumerate(zip(table.text, table.is_space, table.sent_start)):
        if (starts or (space and "\n" in text)) and current:
            out.append(current)
            current = []
        if not space:
            current.append(i)
    if current:
        out.append(current)
    return out


def _bucket(n: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f"{edges[-1]}+"


def _shape(text: str) -> str:
    if text.isupper() and len(text) > 1:
        return "AA"
    if text[:1].isupper():
        return "Aa"
    if text.isalpha():
        return "a"
    if text.isdigit():
        return "d"
    if text.isalnum():
        return "ad"
    return "p:" + text[:2]


class _TokenAttributes:
    """Token strings by token index (spaCy builds a new Token object on every access: do it once)."""

    def __init__(self, doc: Doc):
        lexicon = sentiment_lexicon()
        table = token_table(doc)
        self.low = table.lower
        self.lem = [x.lower() for x in table.lemma]
        self.pos = table.pos
        self.tag = table.tag
        self.dep = table.dep
        self.ent = table.ent
        self.shape = [_shape(t) for t in table.text]
        heads = table.head
        self.hp = [self.pos[h] + "|" + d for h, d in zip(heads, self.dep)]
        self.hl = [self.lem[h] for h in heads]
        self.content = content_words(table)
        self.val = [_valence(lexicon.get(w, lexicon.get(l))) for w, l in zip(self.low, self.lem)]


def content_words(table: TokenTable) -> list[bool]:
    """Which tokens are content words: alphabetic, not stop words, longer than two characters."""
    return [a and not s and len(t) > 2 for a, s, t in zip(table.is_alpha, table.is_stop, table.text)]


class DocContext:
    """Article-level facts the features read: segments, lemma counts and lowercased text."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.table = token_table(doc)
        self.seg_ids = segments(doc)
        self._attrs: _TokenAttributes | None = None
        attrs = self.attributes()
        self.lemma_counts: Counter[str] = Counter(lem for lem, c in zip(attrs.lem, attrs.content) if c)
        self.title_lemmas = {attrs.lem[i] for i in self.seg_ids[0]} if self.seg_ids else set()
        self.text = self.table.doc_text
        self.lower = self.text.lower()
        self.seg_of = [-1] * len(doc)
        for k, seg in enumerate(self.seg_ids):
            for i in seg:
                self.seg_of[i] = k
        self.tokens = [i for seg in self.seg_ids for i in seg]
        ends = self.table.end
        self.ends = [ends[i] for i in self.tokens]

    @cached_property
    def segs(self) -> list[list[Token]]:
        """The segments as spaCy tokens (training and the accurate tier read them)."""
        doc = self.doc
        return [[doc[i] for i in seg] for seg in self.seg_ids]

    def attributes(self) -> "_TokenAttributes":
        """Per-token strings the CRF features read, computed once per doc."""
        if self._attrs is None:
            self._attrs = _TokenAttributes(self.doc)
        return self._attrs

    def tokens_in(self, start: int, end: int) -> list[int]:
        """The non-space tokens overlapping the character range [start, end)."""
        out = []
        starts = self.table.start
        for j in range(bisect_right(self.ends, start), len(self.tokens)):
            i = self.tokens[j]
            if starts[i] >= end:
                break
            out.append(i)
        return out


def segment_features(seg: list[Token], ctx: DocContext, seg_index: int) -> list[list[str]]:
    """CRF attributes of every token of one segment."""
    n = len(seg)
    A = ctx.attributes()
    ids = [t.i for t in seg]
    low = [A.low[j] for j in ids]
    pos = [A.pos[j] for j in ids]
    lem = [A.lem[j] for j in ids]
    val = [A.val[j] for j in ids]
    has_excl = "!" in low
    has_q = "?" in low
    seg_len = _bucket(n, (3, 6, 12, 25, 40))
    quote = False
    title = "T" if seg_index == 0 else "B"
    rows: list[list[str]] = []
    for i, j in enumerate(ids):
        w = low[i]
        if w in _QUOTES or w == "'":
            quote = not quote
        f = [
            "b",
            "w=" + w,
            "l=" + lem[i],
            "p=" + pos[i],
            "t=" + A.tag[j],
            "d=" + A.dep[j],
            "s=" + A.shape[j],
            "x3=" + w[-3:],
            "hp=" + A.hp[j],
            "hl=" + A.hl[j],
            "q=" + str(quote),
            "sl=" + seg_len,
            "ti=" + title,
            "e=" + A.ent[j],
            "pos=" + (str(i) if i < 3 else ("e" + str(n - 1 - i) if n - 1 - i < 3 else "m")),
        ]
        if val[i]:
            f.append("v=" + val[i])
            f.append("vp=" + val[i] + "|" + pos[i])
        if i > 0 and val[i - 1]:
            f.append("v-1=" + val[i - 1])
        if i < n - 1 and val[i + 1]:
            f.append("v+1=" + val[i + 1])
        if has_excl:
            f.append("!")
        if has_q:
            f.append("?")
        if A.content[j]:
            f.append("r=" + _bucket(ctx.lemma_counts[lem[i]], (1, 2, 4, 8)))
            if lem[i] in ctx.title_lemmas and seg_index:
                f.append("inT")
        if i > 0:
            f += ["w-1=" + low[i - 1], "p-1=" + pos[i - 1], "ww-1=" + low[i - 1] + "|" + w, "pp-1=" + pos[i - 1] + "|" + pos[i]]
            if i > 1:
                f += ["w-2=" + low[i - 2], "p-2=" + pos[i - 2]]
        else:
            f.append("BOS")
        if i < n - 1:
            f += ["w+1=" + low[i + 1], "p+1=" + pos[i + 1], "ww+1=" + w + "|" + low[i + 1], "pp+1=" + pos[i] + "|" + pos[i + 1]]
            if i < n - 2:
                f += ["w+2=" + low[i + 2], "p+2=" + pos[i + 2]]
        else:
            f.append("EOS")
        rows.append(f)
    return rows


# The attributes of :func:`segment_features` as templates over the columns of :func:`segment_columns`.
SI_TEMPLATES: tuple[Template, ...] = (
    Template("b", ("every",), flag=True),
    *(Template(name, (column,)) for name, column in (
        ("w", "low"), ("l", "lem"), ("p", "pos"), ("t", "tag"), ("d", "dep"), ("s", "shape"), ("x3", "x3"),
        ("hp", "hp"), ("hl", "hl"), ("q", "quoted"), ("sl", "seg_len"), ("ti", "title"), ("e", "ent"),
        ("pos", "position"), ("v", "val"), ("r", "repeats"),
    )),
    Template("vp", ("val", "pos"), (0, 0)),
    Template("v-1", ("val",), (-1,)),
    Template("v+1", ("val",), (1,)),
    Template("!", ("excl",), flag=True),
    Template("?", ("question",), flag=True),
    Template("inT", ("in_title",), flag=True),
    Template("w-1", ("low",), (-1,)),
    Template("p-1", ("pos",), (-1,)),
    Template("ww-1", ("low", "low"), (-1, 0)),
    Template("pp-1", ("pos", "pos"), (-1, 0)),
    Template("w-2", ("low",), (-2,)),
    Template("p-2", ("pos",), (-2,)),
    Template("BOS", ("first",), flag=True),
    Template("w+1", ("low",), (1,)),
    Template("p+1", ("pos",), (1,)),
    Template("ww+1", ("low", "low"), (0, 1)),
    Template("pp+1", ("pos", "pos"), (0, 1)),
    Template("w+2", ("low",), (2,)),
    Template("p+2", ("pos",), (2,)),
    Template("EOS", ("last",), flag=True),
)


def segment_columns(ctx: DocContext) -> tuple[dict[str, list], np.ndarray]:
    """What :data:`SI_TEMPLATES` read, for every token of every segment in order, and each token's segment."""
    A = ctx.attributes()
    ids = ctx.tokens
    gather = itemgetter(*ids) if len(ids) > 1 else (lambda xs: tuple(xs[j] for j in ids))
    low, lem = gather(A.low), gather(A.lem)
    columns: dict[str, list] = {
        name: list(gather(values))
        for name, values in (("pos", A.pos), ("tag", A.tag), ("dep", A.dep), ("shape", A.shape), ("hp", A.hp), ("hl", A.hl), ("ent", A.ent), ("val", A.val))
    }
    columns["low"], columns["lem"] = list(low), list(lem)
    columns["x3"] = [w[-3:] for w in low]
    content = gather(A.content)
    counts, title_lemmas = ctx.lemma_counts, ctx.title_lemmas
    columns["repeats"] = [_bucket(counts[x], (1, 2, 4, 8)) if c else None for x, c in zip(lem, content)]
    segment: list[int] = []
    quoted: list[str] = []
    per_token: dict[str, list] = {k: [] for k in ("seg_len", "title", "position", "excl", "question", "first", "last", "in_title")}
    k0 = 0
    for k, seg in enumerate(ctx.seg_ids):
        n = len(seg)
        words = low[k0 : k0 + n]
        quote = False
        for w in words:
            if w in _QUOTES or w == "'":
                quote = not quote
            quoted.append(str(quote))
        segment.extend([k] * n)
        per_token["seg_len"].extend([_bucket(n, (3, 6, 12, 25, 40))] * n)
        per_token["title"].extend(["T" if k == 0 else "B"] * n)
        per_token["position"].extend(str(i) if i < 3 else ("e" + str(n - 1 - i) if n - 1 - i < 3 else "m") for i in range(n))
        per_token["excl"].extend([("!" in words)] * n)
        per_token["question"].extend([("?" in words)] * n)
        per_token["first"].extend(i == 0 for i in range(n))
        per_token["last"].extend(i == n - 1 for i in range(n))
        per_token["in_title"].extend(bool(k) and c and x in title_lemmas for x, c in zip(lem[k0 : k0 + n], content[k0 : k0 + n]))
        k0 += n
    columns.update(per_token)
    columns["quoted"] = quoted
    columns["every"] = [True] * len(ids)
    return columns, np.array(segment, dtype=np.int64)


# --------------------------------------------------------------------------- span (TC) features


def _char_ngrams(word: str, lo: int = 3, hi: int = 5) -> Iterable[str]:
    padded = f"<{word}>"
    for n in range(lo, hi + 1):
        for i in range(len(padded) - n + 1):
            yield padded[i : i + n]


def span_features(ctx: DocContext, start: int, end: int, span_texts: Counter[str] | None = None) -> Counter[str]:
    """Sparse features of the character span [start, end) for technique classification."""
    text = ctx.text[start:end]
    toks = ctx.tokens_in(start, end)
    f: Counter[str] = Counter()
    if not toks:
        f["empty"] = 1.0
        return f
    T, A = ctx.table, ctx.attributes()
    lem, is_alpha = A.lem, T.is_alpha
    low = [T.lower[i] for i in toks]
    for w, i in zip(low, toks):
        f["u=" + w] = 1.0
        f["l=" + lem[i]] = 1.0
        if is_alpha[i]:
            for g in _char_ngrams(w):
                f["c=" + g] = 0.3
    for a, b in zip(low, low[1:]):
        f["b=" + a + "|" + b] = 1.0
    pos = [T.pos[i] for i in toks]
    for a, b in zip(pos, pos[1:]):
        f["pb=" + a + "|" + b] = 0.5
    f["f=" + low[0]] = 1.0
    f["z=" + low[-1]] = 1.0
    f["fp=" + pos[0]] = 1.0
    f["zp=" + pos[-1]] = 1.0
    n = len(toks)
    f["len=" + _bucket(n, (1, 2, 3, 5, 8, 15, 25))] = 1.0
    words = [i for i in toks if is_alpha[i]]
    lexicon = sentiment_lexicon()
    vals = [lexicon.get(T.lower[i], lexicon.get(lem[i])) for i in words]
    vals = [v for v in vals if v is not None]
    if vals:
        f["vneg=" + _bucket(sum(v <= -1.0 for v in vals), (0, 1, 2))] = 1.0
        f["vpos=" + _bucket(sum(v >= 1.0 for v in vals), (0, 1, 2))] = 1.0
        f["vmin=" + str(_valence(min(vals)))] = 1.0
    else:
        f["vnone"] = 1.0
    if words and all(T.text[i][:1].isupper() for i in words):
        f["allTitle"] = 1.0
    if any(T.text[i].isupper() and len(T.text[i]) > 1 for i in words):
        f["caps"] = 1.0
    for ch, name in (("!", "excl"), ("?", "qm")):
        if ch in text:
            f[name] = 1.0
    if any(c in _QUOTES for c in text):
        f["quote"] = 1.0
    # root of the span and entities in it
    ids = set(toks)
    root = next(i for i in toks if T.head[i] not in ids or T.head[i] == i)
    f["root=" + lem[root]] = 1.0
    f["rootd=" + T.dep[root]] = 1.0
    f["rootp=" + T.pos[root]] = 1.0
    for i in toks:
        if T.ent[i]:
            f["ent=" + T.ent[i]] = 1.0
    # the segment it sits in: coverage and context words
    k = ctx.seg_of[toks[0]]
    if k >= 0:
        seg = ctx.seg_ids[k]
        content = [i for i in seg if not T.is_punct[i]]
        inside = sum(1 for i in content if i in ids)
        cover = inside / max(1, len(content))
        f["cov=" + _bucket(int(cover * 10), (2, 5, 8, 9))] = 1.0
        if k == 0:
            f["title"] = 1.0
        left = [i for i in seg if i < toks[0]][-4:]
        right = [i for i in seg if i > toks[-1]][:4]
        f["segp=" + ("first" if not left else "last" if not right else "mid")] = 1.0
        for i in left:
            f["cl=" + lem[i]] = 0.5
        for i in right:
            f["cr=" + lem[i]] = 0.5
        if left:
            f["l1=" + T.lower[left[-1]]] = 1.0
        if right:
            f["r1=" + T.lower[right[0]]] = 1.0
        for i in seg:
            if i not in ids and is_alpha[i]:
                f["s=" + lem[i]] = 0.2
    # repetition: how often the span's text recurs in the article
    key = text.lower().strip()
    reps = ctx.lower.count(key) if key else 0
    f["rep=" + _bucket(reps, (1, 2, 3, 5))] = 1.0
    lemmas = [lem[i] for i in words if not T.is_stop[i] and len(T.text[i]) > 2]
    if lemmas:
        m = max(ctx.lemma_counts[x] for x in lemmas)
        f["lrep=" + _bucket(m, (1, 2, 3, 5, 8))] = 1.0
        if n <= 3:
            f["srep=" + _bucket(m, (1, 2, 3, 5, 8))] = 1.0
    if span_texts is not None:
        f["sset=" + _bucket(span_texts[key], (1, 2, 3))] = 1.0
    return f


def normalise_span_text(text: str) -> str:
    return text.lower().strip()


# --------------------------------------------------------------------------- models


class TechniqueClassifier:
    """Multinomial logistic regression over sparse span features (weights exported from scikit-learn)."""

    def __init__(self, features: Sequence[str], coef: np.ndarray, intercept: np.ndarray, classes: Sequence[str]):
        self.index = {f: i for i, f in enumerate(features)}
        self.coef = np.asarray(coef, dtype=np.float64)  # (n_features, n_classes)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.classes = list(classes)

    @classmethod
    def load(cls, path: Path) -> "TechniqueClassifier":
        with np.load(path, allow_pickle=False) as data:
            return cls._from_arrays(data)

    @classmethod
    def _from_arrays(cls, data) -> "TechniqueClassifier":
        return cls(unpack_strings(data["features"]), data["coef"], data["intercept"], unpack_strings(data["classes"]))

    def _arrays(self) -> dict[str, np.ndarray]:
        """What :meth:`save` stores (a subclass adds its own arrays)."""
        return {
            "features": pack_strings(sorted(self.index, key=self.index.get)),
            "classes": pack_strings(self.classes),
            "coef": self.coef.astype(np.float32),
            "intercept": self.intercept.astype(np.float32),
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **self._arrays())

    def vector(self, feats: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of the known features, l2-normalised as in training."""
        pairs = [(self.index[k], v) for k, v in feats.items() if k in self.index]
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        val = np.fromiter((p[1] for p in pairs), dtype=np.float64, count=len(pairs))
        return idx, val / np.linalg.norm(val)

    def proba(self, feats: Counter[str]) -> np.ndarray:
        idx, val = self.vector(feats)
        logits = self.intercept + val @ self.coef[idx]
        logits -= logits.max()
        p = np.exp(logits)
        return p / p.sum()


@dataclass
class Settings:
    """Decoding settings stored beside the models (chosen on held-out training articles)."""

    threshold: float = 0.5
    min_confidence: float = 0.0
    mix: float = 0.0  # accurate tier: weight of the fine-tuned MiniLM tagger in P(inside)


@dataclass
class RhetoricModel:
    tagger: LinearChainCRF
    classifier: TechniqueClassifier
    settings: Settings

    @classmethod
    def load(cls, directory: Path = MODEL_DIR, tier: str = "fast") -> "RhetoricModel":
        import json

        settings_file = directory / "settings.json"
        raw = json.loads(settings_file.read_text()) if settings_file.exists() else {}
        cfg = raw.get(tier, raw.get("fast", {}))
        return cls(
            LinearChainCRF.load(directory / "si_crf.npz"),
            TechniqueClassifier.load(directory / "tc_lr.npz"),
            Settings(**cfg),
        )

    # -- inference

    @cached_property
    def templates(self) -> CompiledTemplates:
        """The SI tagger's weights arranged by :data:`SI_TEMPLATES` (scores without feature strings)."""
        return CompiledTemplates(self.tagger, SI_TEMPLATES)

    def inside_probabilities(self, ctx: DocContext) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """P(inside a technique) and P(begins one) of every token, segment by segment."""
        if not ctx.seg_ids:
            return []
        columns, segment = segment_columns(ctx)
        emissions = self.templates.emissions(columns, segment)
        bounds = np.cumsum([len(seg) for seg in ctx.seg_ids])[:-1]
        marginals = self.tagger.marginals(np.split(emissions, bounds))
        labels = self.tagger.labels
        inside = np.array([lab != "O" for lab in labels])
        b = labels.index("B") if "B" in labels else None
        return [(probs[:, inside].sum(axis=1), probs[:, b] if b is not None else None) for probs in marginals]

    def spans(self, doc: Doc, ctx: DocContext | None = None, threshold: float | None = None, probabilities=None) -> list[tuple[int, int, float]]:
        """Technique spans as (start, end, probability) character offsets (``probabilities``: precomputed
        :meth:`inside_probabilities`, when trying several thresholds)."""
        ctx = ctx or DocContext(doc)
        threshold = self.settings.threshold if threshold is None else threshold
        out: list[tuple[int, int, float]] = []
        probabilities = self.inside_probabilities(ctx) if probabilities is None else probabilities
        T = ctx.table
        for seg, (inside, begin) in zip(ctx.seg_ids, probabilities):
            i, n = 0, len(seg)
            while i < n:
                if inside[i] < threshold or T.is_punct[seg[i]] and T.text[seg[i]] not in _QUOTES:
                    i += 1
                    continue
                j = i + 1
                while j < n and inside[j] >= threshold and not (begin is not None and begin[j] > 0.5 and j > i):
                    j += 1
                last = j - 1
                while last > i and T.is_punct[seg[last]] and T.text[seg[last]] not in ("!", "?") and T.text[seg[last]] not in _QUOTES:
                    last -= 1
                out.append((T.start[seg[i]], T.end[seg[last]], float(inside[i : last + 1].mean())))
                i = j
        return out

    def classify(self, ctx: DocContext, spans: Sequence[tuple[int, int]], top: int = 1) -> list[list[tuple[str, float]]]:
        """The ``top`` techniques with their probabilities for each span."""
        out = []
        for p in self.technique_probabilities(ctx, spans):
            order = np.argsort(-p)[:top]
            out.append([(self.classifier.classes[j], float(p[j])) for j in order])
        return out

    def technique_probabilities(self, ctx: DocContext, spans: Sequence[tuple[int, int]]) -> list[np.ndarray]:
        """P(technique) over :attr:`TechniqueClassifier.classes` for each span."""
        texts = Counter(normalise_span_text(ctx.text[s:e]) for s, e in spans)
        return [self.classifier.proba(span_features(ctx, s, e, texts)) for s, e in spans]

    def detect(self, doc: Doc, lexicon: bool = True) -> list[tuple[int, int, str, float]]:
        """(start, end, technique, confidence) of every technique found: the trained models, then the lexicon layer."""
        ctx = DocContext(doc)
        spans = self.spans(doc, ctx)
        labels = self.classify(ctx, [(s, e) for s, e, _ in spans])
        out = []
        for (s, e, p_span), ((tech, p_tech),) in zip(spans, labels):
            # confidence: geometric mean of P(span) and P(technique | span)
            conf = round(math.sqrt(p_span * p_tech), 4)
            if conf >= self.settings.min_confidence:
                out.append((s, e, tech, conf))
        if lexicon:
            for s, e, tech in lexicon_hits(ctx):
                if not any(s < e2 and s2 < e and (t2 == tech or tech == "Name_Calling,Labeling") for s2, e2, t2, _ in out):
                    out.append((s, e, tech, LEXICON_CONFIDENCE))
        return out


# --------------------------------------------------------------------------- lexicon layer
#
# A small, generic layer of ours added after the trained models: well-known
# thought-terminating clichés and political slogans, and pejorative labels for
# people and governments (with their adjective modifiers: "corrupt regime"),
# compiled from general knowledge of propaganda, not from any article. A hit
# the trained models already cover is dropped; the rest get LEXICON_CONFIDENCE.

LEXICON_CONFIDENCE = 0.5
CLICHES = (
    "enough is enough", "enough already", "it is what it is", "end of story", "case closed", "that's that",
    "nothing to see here", "so be it", "facts are facts", "rules are rules", "the rest is history",
    "time will tell", "at the end of the day", "let that sink in", "make no mistake", "full stop",
    "don't be fooled", "you know what they say", "think about it", "it's common sense", "that says it all",
    "what more is there to say", "the truth will out", "mark my words", "everyone knows that",
)
SLOGANS = (
    "never again", "no justice, no peace", "lock her up", "build the wall", "make america great again",
    "drain the swamp", "america first", "hands off", "not my president", "no war but class war",
    "yes we can", "we will never forget", "death to", "long live", "glory to",
)
PEJORATIVES = frozenset(
    """junta thug cabal clique henchman stooge puppet lackey traitor warmonger fascist nazi bandit scum vermin
    savage barbarian lunatic maniac tyrant despot butcher gangster mobster hooligan zealot fanatic demagogue crook
    liar hypocrite idiot moron imbecile snowflake libtard commie globalist shill propagandist usurper marauder
    occupier aggressor invader criminal murderer""".split()
)


def _phrase_patterns() -> list[tuple[tuple[str, ...], str]]:
    pats = [(tuple(_WORD.findall(p)), "Thought-terminating_Cliches") for p in CLICHES]
    pats += [(tuple(_WORD.findall(p)), "Slogans") for p in SLOGANS]
    return pats


_PATTERNS = _phrase_patterns()


def lexicon_hits(ctx: DocContext) -> list[tuple[int, int, str]]:
    """(start, end, technique) of every lexicon match."""
    T, lem = ctx.table, ctx.attributes().lem
    out: list[tuple[int, int, str]] = []
    for seg in ctx.seg_ids:
        words = [(i, T.lower[i].replace("’", "'")) for i in seg if not T.is_punct[i] or T.text[i] in ("'", "’")]
        low = [w for _, w in words]
        joined = " ".join(low)
        for pattern, tech in _PATTERNS:
            needle = " ".join(pattern)
            if needle not in joined:
                continue
            n = len(pattern)
            for k in range(len(low) - n + 1):
                # spaCy splits "don't" as "do" "n't"; compare on the regex words of the tokens
                if tuple(_WORD.findall(" ".join(low[k : k + n]))) == pattern:
                    first, last = words[k][0], words[k + n - 1][0]
                    end = T.end[last]
                    nxt = last + 1
                    if nxt < len(T) and T.text[nxt] in ("!", "."):
                        end = T.start[nxt] + 1
                    out.append((T.start[first], end, tech))
        for i in seg:
            if T.pos[i] in ("NOUN", "PROPN") and lem[i] in PEJORATIVES:
                # adjective or noun modifiers at most three tokens before: 'corrupt regime'
                mods = [
                    j for j in range(max(0, i - 3), i)
                    if T.head[j] == i and T.dep[j] in ("amod", "compound") and T.pos[j] in ("ADJ", "NOUN", "VERB")
                ]
                out.append((min([T.start[i]] + [T.start[j] for j in mods]), T.end[i], "Name_Calling,Labeling"))
    return out


@lru_cache(maxsize=2)
def load_model(tier: str = "fast") -> RhetoricModel:
    if tier not in TIERS:
        raise ValueError(f"unknown rhetoric tier {tier!r}; known: {', '.join(TIERS)}")
    if tier == "accurate":
        from .rhetoric_encoder import AccurateRhetoricModel

        return AccurateRhetoricModel.load(MODEL_DIR, tier)
    return RhetoricModel.load(MODEL_DIR, tier)


def current_tier() -> str:
    tier = os.environ.get(ENV_TIER, "fast").strip().lower() or "fast"
    return tier if tier in TIERS else "fast"


def detect(doc: Doc, article: Article, tier: str | None = None) -> list[Technique]:
    """Technique spans of one analysed article, sorted by position."""
    model = load_model(tier or current_tier())
    found = model.detect(doc)
    return [
        Technique(technique=tech, span=article.span(s, e), confidence=min(1.0, max(0.0, conf)))
        for s, e, tech, conf in sorted(found)
    ]


@extractor("techniques")
def extract_techniques(doc: Doc, article: Article) -> None:
    """Fill ``article.techniques`` (tier from ``PARALLAX_RHETORIC``: fast or accurate)."""
    article.techniques = detect(doc, article)


# --------------------------------------------------------------------------- summary


def rhetoric_summary(article: Article, top: int = 3) -> dict:
    """Technique counts, density per 1,000 words and the ``top`` most loaded sentences with their spans."""
    words = len(_WORD.findall(article.text))
    counts = Counter(t.technique for t in article.techniques)
    # sentences: lines / paragraphs cut at sentence-final punctuation (no spaCy needed here)
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^\n.!?]+(?:[.!?]+[\"”’']?|$)", article.text, re.M) if m.group().strip()]
    scored = []
    for s, e in sentences:
        inside = [t for t in article.techniques if t.span.start < e and t.span.end > s]
        if inside:
            score = sum(t.confidence for t in inside)
            scored.append((len(inside), score, s, e, inside))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2]))
    loaded = []
    for n, score, s, e, inside in scored[:top]:
        # strip leading whitespace so the sentence span starts on text
        while s < e and article.text[s].isspace():
            s += 1
        loaded.append(
            {
                "sentence": article.span(s, e).model_dump(),
                "techniques": n,
                "confidence": round(score, 3),
                "spans": [{"technique": t.technique, "confidence": t.confidence, **t.span.model_dump()} for t in inside],
            }
        )
    total = sum(counts.values())
    return {
        "words": words,
        "techniques": total,
        "counts": dict(counts.most_common()),
        "density_per_1000_words": round(1000.0 * total / words, 2) if words else 0.0,
        "most_loaded_sentences": loaded,
    }
