"""Train the persuasion-technique models on the PTC training articles (needs the ``train`` extra).

    python -m parallax.train.rhetoric --data ../shared/eval/ptc --seed 0

Writes ``models/rhetoric/si_crf.npz`` (span-identification CRF),
``models/rhetoric/tc_lr.npz`` (technique classifier) and
``models/rhetoric/settings.json`` (the SI threshold). With ``--tier accurate``
(needs the ``accurate`` extra too) it adds the accurate tier on top of the fast
models already there: ``tc_lr_accurate.npz`` (the classifier with frozen MiniLM
span and sentence vectors), ``si_minilm_int8.onnx`` (MiniLM fine-tuned as a
span tagger, :mod:`parallax.train.rhetoric_minilm`, which needs the
``finetune`` extra: PyTorch and transformers, CPU is enough) and an
``accurate`` entry in ``settings.json`` (how the tagger's P(inside) is mixed
with the CRF's, and the threshold). python-crfsuite fits the CRF and
scikit-learn the logistic regressions; their weights are exported so inference
(:mod:`parallax.extract.rhetoric`) needs numpy only, and the accurate tier
onnxruntime.

Seeds: both learners are deterministic (L-BFGS from zero weights), so the seed
draws the random 90% of training articles a model is fitted on; the other 10%
choose the SI decoding threshold (and the accurate tier's mix). Fine-tuning
also uses the seed for its batch order and initial weights. Only the train
split is read here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..eval.rhetoric import si_scores
from ..extract.crf import LinearChainCRF
from ..extract.rhetoric import (
    MODEL_DIR,
    DocContext,
    RhetoricModel,
    Settings,
    TechniqueClassifier,
    normalise_span_text,
    segment_features,
    span_features,
)

# Chosen on held-out training articles (see the module docstring and parallax.eval.rhetoric).
CRF_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}
TC_C = 4.0
TC_MIN_COUNT = 2
# Class weights (n / (k * n_class)) ** TC_BALANCE: halfway to balanced lifts macro-F1 and micro-F1 alike on dev.
TC_BALANCE = 0.5
TRAIN_FRACTION = 0.9
THRESHOLDS = (0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


@dataclass
class PtcArticle:
    id: str
    text: str
    labels: list[tuple[str, int, int]] = field(default_factory=list)  # (technique, start, end)
    doc: object = None


def read_split(data_dir: Path, split: str) -> list[PtcArticle]:
    """Articles of ``split`` (train or dev) with their technique labels."""
    folder = data_dir / f"{split}-articles"
    articles = {}
    for path in sorted(folder.glob("article*.txt")):
        aid = path.stem[len("article") :]
        articles[aid] = PtcArticle(aid, path.read_text(encoding="utf-8"))
    labels = data_dir / f"{split}-TC.labels"
    if labels.exists():
        for line in labels.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            aid, tech, start, end = line.split("\t")
            if aid in articles:
                articles[aid].labels.append((tech, int(start), int(end)))
    return list(articles.values())


def parse(articles: list[PtcArticle], cache: Path | None = None) -> None:
    """Attach spaCy docs (the Parallax pipeline's model), from a DocBin cache when one is given."""
    from spacy.tokens import DocBin

    from ..pipeline import load_nlp

    nlp = load_nlp()
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(articles) and all(d.text == a.text for d, a in zip(docs, articles)):
            for a, d in zip(articles, docs):
                a.doc = d
            return
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    for a, d in zip(articles, docs):
        a.doc = d
    if cache is not None:
        db = DocBin()
        for d in docs:
            db.add(d)
        db.to_disk(cache)


def merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping (or touching) character ranges."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def bio_sequences(article: PtcArticle, ctx: DocContext) -> list[tuple[list[list[str]], list[str]]]:
    """(features, B/I/O labels) for every segment of one article."""
    gold = merge([(s, e) for _, s, e in article.labels])
    out = []
    for k, seg in enumerate(ctx.segs):
        labels = []
        prev_span = None
        for tok in seg:
            hit = None
            for s, e in gold:
                if tok.idx < e and tok.idx + len(tok) > s:
                    hit = (s, e)
                    break
            if hit is None:
                labels.append("O")
            else:
                labels.append("I" if hit == prev_span else "B")
            prev_span = hit
        out.append((segment_features(seg, ctx, k), labels))
    return out


def train_crf(sequences, params: dict | None = None, verbose: bool = False) -> LinearChainCRF:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=verbose)
    for feats, labels in sequences:
        trainer.append(feats, labels)
    trainer.set_params(dict(CRF_PARAMS, **(params or {})))
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "si.crfsuite")
        trainer.train(path)
        return LinearChainCRF.from_crfsuite(path)


def tc_rows(articles: Sequence[PtcArticle], contexts: Sequence[DocContext]) -> tuple[list[Counter], list[str]]:
    feats, ys = [], []
    for a, ctx in zip(articles, contexts):
        texts = Counter(normalise_span_text(a.text[s:e]) for s, e in {(s, e) for _, s, e in a.labels})
        cache: dict[tuple[int, int], Counter] = {}
        for tech, s, e in a.labels:
            if (s, e) not in cache:
                cache[(s, e)] = span_features(ctx, s, e, texts)
            feats.append(cache[(s, e)])
            ys.append(tech)
    return feats, ys


def train_tc(feats: list[Counter], ys: list[str], c: float = TC_C, min_count: int = TC_MIN_COUNT, class_weight=None) -> TechniqueClassifier:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    df = Counter(k for f in feats for k in f)
    vocab = sorted(k for k, n in df.items() if n >= min_count)
    clf = TechniqueClassifier(vocab, np.zeros((len(vocab), 1)), np.zeros(1), ["?"])
    rows = [clf.vector(f) for f in feats]  # the inference vectoriser builds the training matrix
    indptr = np.cumsum([0] + [len(i) for i, _ in rows])
    matrix = csr_matrix(
        (np.concatenate([v for _, v in rows]), np.concatenate([i for i, _ in rows]), indptr), shape=(len(rows), len(vocab))
    )
    if class_weight is None:
        counts = Counter(ys)
        class_weight = {k: (len(ys) / (len(counts) * v)) ** TC_BALANCE for k, v in counts.items()}
    lr = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
    lr.fit(matrix, ys)
    coef = lr.coef_.T.astype(np.float32)
    keep = np.abs(coef).max(axis=1) > 1e-4
    vocab = [v for v, k in zip(vocab, keep) if k]
    return TechniqueClassifier(vocab, coef[keep], lr.intercept_, list(lr.classes_))


def split_articles(articles: list[PtcArticle], seed: int, fraction: float = TRAIN_FRACTION):
    order = list(range(len(articles)))
    random.Random(seed).shuffle(order)
    cut = int(round(fraction * len(articles)))
    fit = sorted(order[:cut])
    held = sorted(order[cut:])
    return [articles[i] for i in fit], [articles[i] for i in held]


def choose_threshold(model: RhetoricModel, held: list[PtcArticle], contexts: list[DocContext]) -> tuple[float, dict]:
    best, table = None, {}
    for th in THRESHOLDS:
        pred = {a.id: [(s, e) for s, e, _ in model.spans(a.doc, ctx, threshold=th)] for a, ctx in zip(held, contexts)}
        gold = {a.id: [(s, e) for _, s, e in a.labels] for a in held}
        score = si_scores(pred, gold)["f1"]
        table[th] = round(float(score), 4)
        if best is None or score > table[best]:
            best = th
    return best, table


def fit_models(train: list[PtcArticle], seed: int, log=print, crf_params: dict | None = None, tc_c: float = TC_C) -> tuple[RhetoricModel, dict]:
    """Fit SI and TC on a seeded 90% of ``train`` (parsed) and choose the SI threshold on the rest."""
    fit, held = split_articles(train, seed)
    t0 = time.time()
    fit_ctx = [DocContext(a.doc) for a in fit]
    held_ctx = [DocContext(a.doc) for a in held]
    sequences = [seq for a, ctx in zip(fit, fit_ctx) for seq in bio_sequences(a, ctx)]
    log(f"seed {seed}: {len(fit)} articles to fit, {len(held)} held out; {len(sequences)} segments")
    tagger = train_crf(sequences, crf_params)
    log(f"  CRF: {len(tagger.index):,} attributes in {time.time() - t0:.0f}s")
    t1 = time.time()
    feats, ys = tc_rows(fit, fit_ctx)
    classifier = train_tc(feats, ys, c=tc_c)
    log(f"  TC: {len(classifier.index):,} features, {len(ys)} spans in {time.time() - t1:.0f}s")
    model = RhetoricModel(tagger, classifier, Settings())
    threshold, table = choose_threshold(model, held, held_ctx)
    model.settings = Settings(threshold=threshold)
    log(f"  SI threshold {threshold} (held-out SI F1 by threshold: {table})")
    return model, {"seed": seed, "threshold": threshold, "threshold_f1": table, "fit_articles": len(fit)}


# --------------------------------------------------------------------------- the accurate tier (MiniLM states)

# Chosen on held-out training articles and PTC dev (see parallax.eval.rhetoric --tier accurate).
DENSE_SCALE = 1.0  # weight of the standardised MiniLM vector beside the l2-normalised sparse features
DENSE_C = TC_C
MIXES = (0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0)


def encode_all(articles: Sequence[PtcArticle], contexts: Sequence[DocContext], log=print):
    """Attach the MiniLM encoding of every article to its context (cached under ~/.cache/parallax/minilm)."""
    from ..extract.rhetoric_encoder import DocEncoding

    t = time.time()
    for ctx in contexts:
        if getattr(ctx, "encoding", None) is None:
            ctx.encoding = DocEncoding.of(ctx, cache=True)
    log(f"  MiniLM states of {len(contexts)} articles in {time.time() - t:.0f}s")


def tc_dense_rows(articles: Sequence[PtcArticle], contexts: Sequence[DocContext]) -> np.ndarray:
    """[span mean, sentence mean] MiniLM vectors in the order of :func:`tc_rows`."""
    return np.array([ctx.encoding.span_vector(s, e) for a, ctx in zip(articles, contexts) for _, s, e in a.labels], dtype=np.float32)


def train_tc_dense(feats, dense: np.ndarray, ys, c: float = DENSE_C, scale: float = DENSE_SCALE, min_count: int = TC_MIN_COUNT):
    """The technique classifier over sparse span features and standardised MiniLM vectors (folded back on export)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    from ..extract.rhetoric_encoder import DenseTechniqueClassifier

    df = Counter(k for f in feats for k in f)
    vocab = sorted(k for k, n in df.items() if n >= min_count)
    clf = TechniqueClassifier(vocab, np.zeros((len(vocab), 1)), np.zeros(1), ["?"])
    rows = [clf.vector(f) for f in feats]
    indptr = np.cumsum([0] + [len(i) for i, _ in rows])
    sparse = csr_matrix(
        (np.concatenate([v for _, v in rows]), np.concatenate([i for i, _ in rows]), indptr), shape=(len(rows), len(vocab))
    )
    mu = dense.mean(axis=0)
    sd = dense.std(axis=0) + 1e-6
    k = scale / np.sqrt(dense.shape[1])  # the standardised block gets about the sparse block's norm times scale
    matrix = hstack([sparse, csr_matrix((dense - mu) / sd * k)]).tocsr()
    counts = Counter(ys)
    weights = {y: (len(ys) / (len(counts) * v)) ** TC_BALANCE for y, v in counts.items()}
    lr = LogisticRegression(C=c, max_iter=3000, class_weight=weights)
    lr.fit(matrix, ys)
    coef = lr.coef_.T
    sparse_coef, dense_std = coef[: len(vocab)].astype(np.float32), coef[len(vocab) :]
    dense_coef = dense_std * (k / sd)[:, None]
    intercept = lr.intercept_ - (mu * k / sd) @ dense_std
    keep = np.abs(sparse_coef).max(axis=1) > 1e-4
    vocab = [v for v, kept in zip(vocab, keep) if kept]
    return DenseTechniqueClassifier(vocab, sparse_coef[keep], intercept, list(lr.classes_), dense_coef)


def fit_accurate(
    fast: RhetoricModel, train: list[PtcArticle], seed: int, tagger_file: Path, log=print, tc_c: float = DENSE_C, scale: float = DENSE_SCALE
):
    """The accurate tier on the same seeded split as :func:`fit_models`: MiniLM fine-tuned as a span
    tagger (written to ``tagger_file``; an existing file is reused) and frozen MiniLM states in TC."""
    from ..extract.rhetoric_encoder import AccurateRhetoricModel, SpanTagger
    from .rhetoric_minilm import train_tagger

    fit, held = split_articles(train, seed)
    fit_ctx = [DocContext(a.doc) for a in fit]
    held_ctx = [DocContext(a.doc) for a in held]
    if not tagger_file.exists():
        train_tagger(fit, fit_ctx, seed, tagger_file, log)
    encode_all(fit + held, fit_ctx + held_ctx, log)
    t = time.time()
    feats, ys = tc_rows(fit, fit_ctx)
    classifier = train_tc_dense(feats, tc_dense_rows(fit, fit_ctx), ys, c=tc_c, scale=scale)
    log(f"  accurate TC: {len(classifier.index):,} sparse features + {classifier.dense_coef.shape[0]} dense in {time.time() - t:.0f}s")
    model = AccurateRhetoricModel(fast.tagger, classifier, Settings(threshold=fast.settings.threshold), SpanTagger(tagger_file), cache=True)
    best, table = None, {}
    gold = {a.id: [(s, e) for _, s, e in a.labels] for a in held}
    for mix in MIXES:
        model.settings = Settings(mix=mix)
        probs = [model.inside_probabilities(ctx) for ctx in held_ctx]
        for th in THRESHOLDS:
            pred = {a.id: [(s, e) for s, e, _ in model.spans(a.doc, ctx, threshold=th, probabilities=p)] for a, ctx, p in zip(held, held_ctx, probs)}
            table[(mix, th)] = round(float(si_scores(pred, gold)["f1"]), 4)
            if best is None or table[(mix, th)] > table[best]:
                best = (mix, th)
    model.settings = Settings(threshold=best[1], mix=best[0])
    log(f"  accurate SI: mix {best[0]}, threshold {best[1]} (held-out SI F1 {table[best]}; mix 0: {max(v for k, v in table.items() if k[0] == 0)})")
    return model, {"seed": seed, "threshold": best[1], "mix": best[0], "held_out_si_f1": table[best]}


def save(model: RhetoricModel, directory: Path, info: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    model.tagger.save(directory / "si_crf.npz")
    model.classifier.save(directory / "tc_lr.npz")
    path = directory / "settings.json"
    settings = json.loads(path.read_text()) if path.exists() else {}
    settings.update({"fast": {"threshold": model.settings.threshold}, "trained": info})
    path.write_text(json.dumps(settings, indent=1) + "\n")


def save_accurate(model, directory: Path, info: dict) -> None:
    """The accurate tier's classifier and settings beside the fast files (the span tagger is written
    by :func:`fit_accurate`)."""
    model.classifier.save(directory / "tc_lr_accurate.npz")
    path = directory / "settings.json"
    settings = json.loads(path.read_text()) if path.exists() else {}
    settings["accurate"] = {"threshold": model.settings.threshold, "mix": model.settings.mix}
    settings["trained_accurate"] = info
    path.write_text(json.dumps(settings, indent=1) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the PTC folder (train-articles, train-TC.labels)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--cache", type=Path, default=None, help="DocBin file to cache the parsed training articles")
    parser.add_argument(
        "--tier", choices=("fast", "accurate"), default="fast",
        help="accurate: fine-tune the MiniLM span tagger (needs the finetune extra: PyTorch) and fit the "
        "MiniLM technique classifier on top of the fast models already in --out (same seed)",
    )
    parser.add_argument(
        "--keep-tagger", action="store_true",
        help="with --tier accurate: keep the span tagger already in --out (fine-tuned with the same --seed)",
    )
    args = parser.parse_args(argv)
    train = read_split(args.data, "train")
    if not train:
        sys.exit(f"no training articles under {args.data}")
    t = time.time()
    parse(train, args.cache)
    print(f"parsed {len(train)} training articles in {time.time() - t:.0f}s", flush=True)
    if args.tier == "accurate":
        from ..extract.rhetoric_encoder import TAGGER_FILE

        fast = RhetoricModel.load(args.out, "fast")
        tagger_file = args.out / TAGGER_FILE.name
        if not args.keep_tagger:
            tagger_file.unlink(missing_ok=True)  # fine-tune afresh on this seed's split
        model, info = fit_accurate(fast, train, args.seed, tagger_file, log=lambda m: print(m, flush=True))
        save_accurate(model, args.out, info)
    else:
        model, info = fit_models(train, args.seed, log=lambda m: print(m, flush=True))
        save(model, args.out, info)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
