"""Event source / target spans against ConfliBERT's CAMEO NER file (``conflibert-cameo_ner/train.txt``).

The file is CoNLL BIO over pre-tokenised news sentences: ``S`` the source actor of the
sentence's CAMEO event, ``T`` its target, ``R`` both sides of a reciprocal event (the
participants of a meeting or of talks: "Putin will meet R Erdogan", no direction).
Only ConfliBERT's *train* file is public here, so:

* **zero-shot**: the shipped event extractor, run through :class:`parallax.pipeline.Pipeline`
  on each sentence (tokens joined by single spaces), never saw this file: the train file
  serves as held-out data for it. Each event's actors become ``S`` spans and its targets
  ``T`` spans; a sentence with several events gets the **union** of their spans (the
  default), or only its **main** event's (most participants, then earliest trigger);
  ``union+R`` also maps the participants of CONSULT events (meetings, talks) to ``R``.
* **CRF** (learned): a linear-chain CRF over per-token features (the attribution
  taggers' base features from :mod:`parallax.extract.attribution_features`, dependency
  branch and side of the sentence root, and the zero-shot extractor's roles as features),
  scored by 5-fold cross-validation with a fixed seed on this file only. It is an
  evaluation figure; the shipped extractor does not use it.

Scores per role, over the distinct spans of each sentence, as in :mod:`parallax.eval.attribution`:

* **exact**: a predicted span matches a gold span of the same role with the same tokens;
* **overlap**: token overlap as proportions: precision is the mean over predicted spans of
  the largest share of their tokens inside one gold span, recall the mean over gold spans
  of the largest share covered by one predicted span.

``macro`` is the mean of the S and T figures (ConfliBERT's published 74.4 is the macro span
F1 over source and target on *their test split*, so it is not the same sentences).

Run ``python -m parallax.eval.event_roles ../shared/eval/events/conflibert-cameo_ner/train.txt``.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

ROLES = ("S", "T", "R")
SCORED = ("S", "T")  # the macro average; R is reported beside it
PUBLISHED_MACRO_F1 = 74.4  # ConfliBERT, source/target span macro F1, their test split
DEFAULT_EXTRACTORS = ("entities", "places", "quantities", "times", "claims", "events")

Spans = set[tuple[int, int]]  # token ranges [start, end)


@dataclass
class Sentence:
    tokens: list[str]
    labels: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def starts(self) -> list[int]:
        """Character offset of each token in :attr:`text`."""
        out, pos = [], 0
        for t in self.tokens:
            out.append(pos)
            pos += len(t) + 1
        return out

    def spans(self, role: str) -> Spans:
        return set(bio_spans(self.labels, role))


def bio_spans(labels: list[str], role: str) -> list[tuple[int, int]]:
    """Token ranges tagged ``B-role``/``I-role`` (an ``I`` without a ``B`` opens a span, as in conlleval)."""
    out, cur = [], None
    for k, lab in enumerate(labels + ["O"]):
        if cur is not None and lab != "I-" + role:
            out.append((cur, k))
            cur = None
        if lab == "B-" + role or (lab == "I-" + role and cur is None):
            cur = k
    return out


def read_conll(path: Path, limit: int | None = None) -> list[Sentence]:
    """Sentences of a two-column CoNLL file (token, BIO tag), blank-line separated."""
    sents: list[Sentence] = []
    toks: list[str] = []
    labs: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        if parts:
            toks.append(parts[0])
            labs.append(parts[-1] if len(parts) > 1 else "O")
            continue
        if toks:
            sents.append(Sentence(toks, labs))
            toks, labs = [], []
            if limit is not None and len(sents) >= limit:
                break
    return sents


# --------------------------------------------------------------------------- scoring


def _prf(p_num: float, n_pred: int, r_num: float, n_gold: int) -> dict:
    p = p_num / n_pred if n_pred else 0.0
    r = r_num / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "predicted": n_pred, "gold": n_gold}


def _share(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Share of a's tokens inside b."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0])) / (a[1] - a[0])


def score_spans(pred: list[Spans], gold: list[Spans]) -> dict:
    """Exact and token-overlap P/R/F1 of one role over sentences (``pred[i]``, ``gold[i]``: sentence i)."""
    n_pred = n_gold = 0
    exact = over_p = over_g = 0.0
    for ps, gs in zip(pred, gold):
        n_pred += len(ps)
        n_gold += len(gs)
        exact += len(ps & gs)
        over_p += sum(max((_share(p, g) for g in gs), default=0.0) for p in ps)
        over_g += sum(max((_share(g, p) for p in ps), default=0.0) for g in gs)
    return {"exact": _prf(exact, n_pred, exact, n_gold), "overlap": _prf(over_p, n_pred, over_g, n_gold)}


def score_roles(pred: list[dict[str, Spans]], sents: list[Sentence]) -> dict:
    """Per-role scores for S, T, R and their S/T macro average."""
    out: dict = {}
    for role in ROLES:
        out[role] = score_spans([p.get(role, set()) for p in pred], [s.spans(role) for s in sents])
    out["macro"] = {
        kind: {m: round(sum(out[r][kind][m] for r in SCORED) / len(SCORED), 4) for m in ("precision", "recall", "f1")}
        for kind in ("exact", "overlap")
    }
    return out


# --------------------------------------------------------------------------- zero-shot: the event extractor


@dataclass
class _Found:
    trigger: int  # character offset
    type: str
    actors: list[tuple[int, int]]  # token ranges
    targets: list[tuple[int, int]]


def _token_range(starts: list[int], lengths: list[int], a: int, b: int) -> tuple[int, int] | None:
    toks = [k for k, (s, n) in enumerate(zip(starts, lengths)) if s < b and s + n > a]
    return (toks[0], toks[-1] + 1) if toks else None


def run_extractor(sents: list[Sentence], model: str | None = None, extractors=DEFAULT_EXTRACTORS) -> tuple[list[list[_Found]], float]:
    """The events the pipeline finds in each sentence (participants as gold-token ranges) and seconds taken."""
    from ..model import Article, article_id
    from ..pipeline import Pipeline

    pipeline = Pipeline(model, extractors=list(extractors))
    articles = [Article(id=article_id(s.text) if s.text.strip() else f"empty{i}", source=f"conflibert:{i}", text=s.text)
                for i, s in enumerate(sents)]
    t0 = time.perf_counter()
    out: list[list[_Found]] = []
    for sent, art in zip(sents, pipeline.analyze(articles)):
        starts, lengths = sent.starts, [len(t) for t in sent.tokens]

        def rng(parts) -> list[tuple[int, int]]:
            return [r for p in parts if (r := _token_range(starts, lengths, p.span.start, p.span.end)) is not None]

        out.append([_Found(e.trigger.start, e.type, rng(e.actors), rng(e.targets)) for e in art.events])
    return out, time.perf_counter() - t0


STRATEGIES = ("union", "main", "union+R")


def map_events(found: list[_Found], strategy: str = "union") -> dict[str, Spans]:
    """Role spans of one sentence from its events: see the module docstring for the strategies."""
    if strategy == "main" and found:
        found = [min(found, key=lambda e: (-(len(e.actors) + len(e.targets)), e.trigger))]
    roles: dict[str, Spans] = {r: set() for r in ROLES}
    for e in found:
        if strategy == "union+R" and e.type == "CONSULT":
            roles["R"].update(e.actors + e.targets)
            continue
        roles["S"].update(e.actors)
        roles["T"].update(e.targets)
    return roles


# --------------------------------------------------------------------------- learned: a CRF, cross-validated


def _parse(sents: list[Sentence], model: str | None = None):
    """spaCy docs over the gold tokens (one spaCy token per gold token)."""
    from spacy.tokens import Doc

    from ..pipeline import load_nlp

    nlp = load_nlp(model)
    docs = [Doc(nlp.vocab, words=s.tokens, spaces=[True] * (len(s.tokens) - 1) + [False]) for s in sents]
    return list(nlp.pipe(docs, batch_size=64))


def token_features(doc, found: list[_Found] | None = None) -> list[list[str]]:
    """CRF features of each token: base features, a window, the root branch, the extractor's roles."""
    from ..extract.attribution_features import doc_features

    df = doc_features(doc, doc.text)
    n = len(doc)
    ext = [""] * n
    for e in found or []:
        for role, parts in (("S", e.actors), ("T", e.targets)):
            for a, b in parts:
                for k in range(a, b):
                    ext[k] = ext[k] or ("B-" if k == a else "I-") + role + ("|" + e.type if k == a else "")
    rows: list[list[str]] = []
    for i in range(n):
        f = list(df.base[i])
        chain = df.ancestors(i)
        root = chain[-1]
        branch = df.dep[chain[-2]] if len(chain) > 1 else "ROOT"
        side = "L" if i < root else ("R" if i > root else "0")
        f += ["br=" + branch, "side=" + side, "br|s=" + branch + side, "rl=" + df.lemma[root], "hl=" + df.lemma[df.head[i]]]
        f += ["hd=" + df.dep[df.head[i]], "iob=" + doc[i].ent_iob_ + doc[i].ent_type_]
        if len(chain) > 1:
            top = chain[-2]
            if df.pos[top] == "ADP":
                f.append("brp=" + df.lower[top])
            f.append("bre=" + ("L" if df.left[top] == i else "R" if df.right[top] == i else "M"))
        if len(chain) > 2:
            f.append("br2=" + branch + "|" + df.dep[chain[-3]])
        # nearest verb above the token and the dependency through which the path reaches it
        for k in range(1, len(chain)):
            if df.pos[chain[k]] in ("VERB", "AUX"):
                via = chain[k - 1]
                prep = next((df.lower[c] for c in chain[:k] if df.pos[c] == "ADP"), "")
                f += ["vd=" + df.dep[via] + prep, "vl=" + df.lemma[chain[k]] + "|" + df.dep[via] + prep,
                      "vr=" + ("root" if chain[k] == root else df.dep[chain[k]])]
                break
        f.append("dist=" + str(min(len(chain) - 1, 6)))
        for o in (-2, -1, 1, 2):
            j = i + o
            if 0 <= j < n:
                f += [f"w{o}=" + df.lower[j], f"p{o}=" + df.pos[j]]
                if abs(o) == 1:
                    f.append(f"d{o}=" + df.dep[j])
                    f.append(f"x{o}=" + (ext[j][:3] if ext[j] else "O"))
            else:
                f.append(f"p{o}=<edge>")
        if found is not None:
            f.append("x=" + (ext[i] or "O"))
            f.append("x2=" + (ext[i][:3] or "O"))
        rows.append(f)
    return rows


def crf_cross_validate(sents: list[Sentence], found: list[list[_Found]] | None, folds: int = 5, seed: int = 0,
                       model: str | None = None, c1: float = 0.05, c2: float = 0.05, iterations: int = 150) -> tuple[list[dict[str, Spans]], dict]:
    """Out-of-fold role spans from a CRF trained on the other folds (sentences shuffled with ``seed``)."""
    import tempfile

    import pycrfsuite

    docs = _parse(sents, model)
    feats = [token_features(d, found[i] if found is not None else None) for i, d in enumerate(docs)]
    order = list(range(len(sents)))
    random.Random(seed).shuffle(order)
    fold_of = {k: n % folds for n, k in enumerate(order)}
    pred: list[dict[str, Spans]] = [{} for _ in sents]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for f in range(folds):
            trainer = pycrfsuite.Trainer(verbose=False)
            for i in range(len(sents)):
                if fold_of[i] != f:
                    trainer.append(feats[i], sents[i].labels)
            trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True})
            path = str(Path(tmp) / f"fold{f}.crfsuite")
            trainer.train(path)
            tagger = pycrfsuite.Tagger()
            tagger.open(path)
            for i in range(len(sents)):
                if fold_of[i] == f:
                    labels = tagger.tag(feats[i])
                    pred[i] = {r: set(bio_spans(labels, r)) for r in ROLES}
            tagger.close()
    info = {"protocol": f"{folds}-fold cross-validation on this file, sentences shuffled with seed {seed}",
            "features": "base + window + root branch" + (" + zero-shot extractor roles" if found is not None else ""),
            "seconds": round(time.perf_counter() - t0, 1)}
    return pred, info


# --------------------------------------------------------------------------- the whole evaluation


def evaluate_roles(path: Path, limit: int | None = None, folds: int = 5, seed: int = 0, model: str | None = None) -> dict:
    """Zero-shot rows for each mapping strategy and, with ``folds`` >= 2, the cross-validated CRF rows."""
    sents = read_conll(path, limit)
    found, seconds = run_extractor(sents, model)
    out: dict = {
        "data": f"{Path(path).name}: ConfliBERT's CAMEO NER *train* file ({len(sents)} sentences), not their test split",
        "sentences": len(sents),
        "gold_spans": {r: sum(len(s.spans(r)) for s in sents) for r in ROLES},
        "published": {"ConfliBERT macro span F1 S/T (their test split)": PUBLISHED_MACRO_F1},
        "systems": {},
    }
    for strategy in STRATEGIES:
        out["systems"][f"zero-shot extractor ({strategy})"] = score_roles(
            [map_events(f, strategy) for f, s in zip(found, sents)], sents)
    out["extractor_seconds"] = round(seconds, 1)
    if folds >= 2 and len(sents) >= folds:
        try:
            for name, use in (("CRF", None), ("CRF + extractor roles", found)):
                pred, info = crf_cross_validate(sents, use, folds=folds, seed=seed, model=model)
                out["systems"][f"{name} ({folds}-fold CV)"] = {**score_roles(pred, sents), "info": info}
        except ImportError as exc:
            out["crf_skipped"] = f"needs python-crfsuite ({exc})"
    return out


def format_report(res: dict) -> str:
    """A plain-text table: exact and overlap P/R/F1 for S, T, their macro average, and R."""
    lines = [f"Event source/target spans on {res['data']}",
             f"gold spans: S {res['gold_spans']['S']}, T {res['gold_spans']['T']}, R {res['gold_spans']['R']}"]
    head = f"{'system':40} {'role':5} {'exact P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6}"
    lines.append(head)
    for name, sc in res["systems"].items():
        for role in ("S", "T", "macro", "R"):
            e, o = sc[role]["exact"], sc[role]["overlap"]
            lines.append(f"{name if role == 'S' else '':40} {role:5} {100 * e['precision']:8.1f} {100 * e['recall']:6.1f} "
                         f"{100 * e['f1']:6.1f}   {100 * o['precision']:9.1f} {100 * o['recall']:6.1f} {100 * o['f1']:6.1f}")
    for name, f1 in res["published"].items():
        lines.append(f"{name} (published): {f1}")
    lines.append("zero-shot rows: the extractor never saw this file; CRF rows: cross-validated on it (not shipped)")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    result = evaluate_roles(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/events/conflibert-cameo_ner/train.txt"),
                            limit=int(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(format_report(result))
    print(json.dumps(result, indent=1))
