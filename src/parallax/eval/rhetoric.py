"""Evaluate the persuasion-technique models on the PTC dev split (SemEval-2020 Task 11).

    python -m parallax.eval.rhetoric --data ../shared/eval/ptc --seeds 3

* **SI** (span identification): the task's partial-overlap precision and recall.
  ``si`` follows the definition: precision is the mean over predicted spans of
  the best overlap fraction |s∩t|/|s| with a gold span of the same article,
  recall the mean over gold spans of the best |s∩t|/|t|. ``si_official`` is
  the SemEval scorer's variant: overlapping spans merged on each side, then the
  fractions summed over all overlapping pairs (a predicted span that covers
  two gold spans earns both).
* **TC** (technique classification): each gold span of dev classified; a span
  labelled with k techniques gets the model's k most probable ones (the task's
  submission format has one line per gold label). Micro-F1 (= accuracy here),
  macro-F1 over the 14 techniques, and per-technique precision, recall and F1.
* Spread: the models are fitted ``seeds`` times, each on a seeded 90% of the
  training articles (L-BFGS is deterministic, so the seed varies the data);
  figures are mean ± std over seeds. The shipped model is scored too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Mapping, Sequence

from ..extract.rhetoric import TECHNIQUES, DocContext, RhetoricModel, lexicon_hits, load_model, rhetoric_summary  # noqa: F401

Spans = Mapping[str, Sequence[tuple[int, int]]]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _prf(p: float, r: float) -> dict:
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def si_scores(pred: Spans, gold: Spans) -> dict:
    """Partial-overlap SI precision/recall/F1 (best-overlap definition) over all articles."""
    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for aid in set(pred) | set(gold):
        ps = sorted({(s, e) for s, e in pred.get(aid, ()) if e > s})
        gs = sorted({(s, e) for s, e in gold.get(aid, ()) if e > s})
        n_pred += len(ps)
        n_gold += len(gs)
        for s in ps:
            p_sum += max((_overlap(s, t) for t in gs), default=0) / (s[1] - s[0])
        for t in gs:
            r_sum += max((_overlap(s, t) for s in ps), default=0) / (t[1] - t[0])
    out = _prf(p_sum / n_pred if n_pred else 0.0, r_sum / n_gold if n_gold else 0.0)
    out.update(predicted=n_pred, gold=n_gold)
    return out


def si_scores_official(pred: Spans, gold: Spans) -> dict:
    """The SemEval-2020 T11 SI scorer's variant: spans merged per side, fractions summed over pairs."""
    from ..train.rhetoric import merge

    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for aid in set(pred) | set(gold):
        ps = merge(pred.get(aid, ()))
        gs = merge(gold.get(aid, ()))
        n_pred += len(ps)
        n_gold += len(gs)
        for s in ps:
            for t in gs:
                o = _overlap(s, t)
                if o:
                    p_sum += o / (s[1] - s[0])
                    r_sum += o / (t[1] - t[0])
    return _prf(p_sum / n_pred if n_pred else 0.0, r_sum / n_gold if n_gold else 0.0)


def tc_scores(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """Micro-F1, macro-F1 over the 14 techniques and per-technique P/R/F1."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    per = {}
    for tech in TECHNIQUES:
        p = tp[tech] / (tp[tech] + fp[tech]) if tp[tech] + fp[tech] else 0.0
        r = tp[tech] / (tp[tech] + fn[tech]) if tp[tech] + fn[tech] else 0.0
        per[tech] = _prf(p, r) | {"support": tp[tech] + fn[tech]}
    micro = sum(tp.values()) / len(gold) if gold else 0.0
    macro = statistics.mean(v["f1"] for v in per.values())
    return {"micro_f1": round(micro, 4), "macro_f1": round(macro, 4), "per_technique": per}


def predict_tc(model: RhetoricModel, articles, contexts) -> tuple[list[str], list[str]]:
    """Gold and predicted technique for every gold label of ``articles`` (top-k for k-labelled spans)."""
    gold_all, pred_all = [], []
    for a, ctx in zip(articles, contexts):
        groups: dict[tuple[int, int], list[str]] = defaultdict(list)
        for tech, s, e in a.labels:
            groups[(s, e)].append(tech)
        keys = sorted(groups)
        ranked = model.classify(ctx, keys, top=len(TECHNIQUES))
        for key, ranking in zip(keys, ranked):
            golds = groups[key]
            preds = [t for t, _ in ranking[: len(golds)]]
            # align: a predicted label that is among the gold ones pairs with it
            remaining = list(golds)
            unmatched_pred = []
            for p in preds:
                if p in remaining:
                    remaining.remove(p)
                    gold_all.append(p)
                    pred_all.append(p)
                else:
                    unmatched_pred.append(p)
            for g, p in zip(remaining, unmatched_pred):
                gold_all.append(g)
                pred_all.append(p)
    return gold_all, pred_all


def score_model(model: RhetoricModel, articles, contexts=None) -> dict:
    """SI and TC figures of one fitted model on parsed PTC articles."""
    contexts = contexts or [DocContext(a.doc) for a in articles]
    pred = {a.id: [(s, e) for s, e, _ in model.spans(a.doc, ctx)] for a, ctx in zip(articles, contexts)}
    gold = {a.id: [(s, e) for _, s, e in a.labels] for a in articles}
    g, p = predict_tc(model, articles, contexts)
    with_lexicon = {
        a.id: pred[a.id] + [(s, e) for s, e, _ in lexicon_hits(ctx)] for a, ctx in zip(articles, contexts)
    }
    return {
        "si": si_scores(pred, gold),
        "si_official": si_scores_official(pred, gold),
        "si_with_lexicon_layer": si_scores(with_lexicon, gold),
        "tc": tc_scores(g, p),
    }


def baseline_loaded_language(articles) -> dict:
    gold = [tech for a in articles for tech, _, _ in a.labels]
    return tc_scores(gold, ["Loaded_Language"] * len(gold))


def _spread(values: Sequence[float]) -> dict:
    return {
        "mean": round(statistics.mean(values), 4),
        "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
        "values": [round(v, 4) for v in values],
    }


def speed(model: RhetoricModel, docs, repeat: int = 1) -> dict:
    """Sentences per second of the technique extractor alone (spaCy docs given)."""
    sentences = sum(len(DocContext(d).seg_ids) for d in docs)
    t = time.perf_counter()
    for _ in range(repeat):
        for d in docs:
            model.detect(d)
    elapsed = time.perf_counter() - t
    return {"sentences": sentences * repeat, "seconds": round(elapsed, 3), "sentences_per_s": round(sentences * repeat / elapsed, 1)}


def pipeline_ratio(corpus_dir: Path, limit: int = 60, batch_size: int = 16, tier: str = "fast") -> dict:
    """Throughput of bare ``nlp.pipe`` against ``nlp.pipe`` plus the technique extractor, in one process.

    The corpus is read as ``parallax bench`` reads it (the first ``limit`` .txt
    files by name). spaCy's time and the extractor's time are measured on the
    same docs, so the ratio bare / (bare + extractor) is the share of
    throughput the extractor leaves, free of the machine's load drifting
    between two separate runs.
    """
    from ..bench import load_corpus
    from ..model import Article, article_id
    from ..pipeline import load_nlp
    from ..extract.rhetoric import detect

    corpus = load_corpus(corpus_dir, limit)
    nlp = load_nlp()
    nlp("Warm up.")
    load_model(tier)
    articles = [Article(id=article_id(t), source=n, text=t) for n, t in corpus]
    t0 = time.perf_counter()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=batch_size))
    bare = time.perf_counter() - t0
    t1 = time.perf_counter()
    for doc, article in zip(docs, articles):
        article.techniques = detect(doc, article, tier=tier)
    extra = time.perf_counter() - t1
    sentences = sum(len(DocContext(d).seg_ids) for d in docs)
    return {
        "articles": len(docs),
        "sentences": sentences,
        "spacy_seconds": round(bare, 2),
        "extractor_seconds": round(extra, 2),
        "spacy_sentences_per_s": round(sentences / bare, 1),
        "extractor_sentences_per_s": round(sentences / extra, 1),
        "ratio": round(bare / (bare + extra), 3),
    }


def _seed_spread(runs: list[dict]) -> dict:
    return {
        "si_precision": _spread([r["si"]["precision"] for r in runs]),
        "si_recall": _spread([r["si"]["recall"] for r in runs]),
        "si_f1": _spread([r["si"]["f1"] for r in runs]),
        "si_official_f1": _spread([r["si_official"]["f1"] for r in runs]),
        "tc_micro_f1": _spread([r["tc"]["micro_f1"] for r in runs]),
        "tc_macro_f1": _spread([r["tc"]["macro_f1"] for r in runs]),
        "per_technique_f1": {t: _spread([r["tc"]["per_technique"][t]["f1"] for r in runs]) for t in TECHNIQUES},
    }


def evaluate_rhetoric(
    data_dir: Path,
    seeds: int = 3,
    limit: int | None = None,
    train: bool = True,
    cache_dir: Path | None = None,
    log=lambda message: None,
    tier: str = "fast",
) -> dict:
    """Dev figures of the shipped model and, with ``train``, of ``seeds`` freshly fitted models.

    ``limit`` scores only the first dev articles (a smoke test); ``cache_dir``
    keeps the parsed articles between runs. With ``tier="accurate"`` the
    accurate tier (MiniLM states, :mod:`parallax.extract.rhetoric_encoder`) is
    fitted on the same seeded splits and scored beside the fast one, under
    ``result["accurate"]``.
    """
    from ..train.rhetoric import fit_accurate, fit_models, parse, read_split
    from ..train.rhetoric_minilm import settings_name

    dev = read_split(data_dir, "dev")[: limit or None]
    parse(dev, cache_dir / "ptc_dev.spacy" if cache_dir and not limit else None)
    contexts = [DocContext(a.doc) for a in dev]
    result: dict = {
        "dev_articles": len(dev),
        "dev_spans": sum(len(a.labels) for a in dev),
        "baseline_always_loaded_language": {
            k: v for k, v in baseline_loaded_language(dev).items() if k != "per_technique"
        },
    }
    accurate = tier == "accurate"
    if accurate:
        result["accurate"] = {}
    try:
        shipped = load_model("fast")
    except FileNotFoundError as exc:  # not trained yet
        log(f"no shipped model to score: {exc}")
    else:
        result["shipped"] = score_model(shipped, dev, contexts)
        result["shipped"]["speed"] = speed(shipped, [a.doc for a in dev])
        log(f"shipped model: SI F1 {result['shipped']['si']['f1']}, TC micro {result['shipped']['tc']['micro_f1']}")
    if accurate:
        try:
            shipped_acc = load_model("accurate")
        except FileNotFoundError as exc:
            log(f"no shipped accurate model to score: {exc}")
        else:
            result["accurate"]["speed"] = speed(shipped_acc, [a.doc for a in dev])  # embeddings computed, not cached
            shipped_acc.cache = True
            result["accurate"]["shipped"] = score_model(shipped_acc, dev, contexts)
            log(f"shipped accurate model: SI F1 {result['accurate']['shipped']['si']['f1']}, TC micro {result['accurate']['shipped']['tc']['micro_f1']}")
    if train and seeds:
        training = read_split(data_dir, "train")
        parse(training, cache_dir / "ptc_train.spacy" if cache_dir else None)
        runs, runs_acc = [], []
        # fine-tuned span taggers are kept in the cache folder (one per seed and settings), else thrown away
        scratch = tempfile.TemporaryDirectory(prefix="parallax-taggers-")
        tagger_dir = cache_dir or Path(scratch.name)
        for seed in range(seeds):
            model, info = fit_models(training, seed, log=log)
            scores = score_model(model, dev, contexts)
            scores["threshold"] = info["threshold"]
            runs.append(scores)
            log(f"seed {seed}: SI F1 {scores['si']['f1']}, TC micro {scores['tc']['micro_f1']} macro {scores['tc']['macro_f1']}")
            if accurate:
                acc, info = fit_accurate(model, training, seed, tagger_dir / settings_name(seed), log=log)
                scores = score_model(acc, dev, contexts)
                scores.update(threshold=info["threshold"], mix=info["mix"])
                runs_acc.append(scores)
                log(f"seed {seed} accurate: SI F1 {scores['si']['f1']}, TC micro {scores['tc']['micro_f1']} macro {scores['tc']['macro_f1']}")
        scratch.cleanup()
        result["seeds"] = runs
        result["spread"] = _seed_spread(runs)
        if accurate:
            result["accurate"]["seeds"] = runs_acc
            result["accurate"]["spread"] = _seed_spread(runs_acc)
    return result


def _print(result: dict) -> None:
    base = result["baseline_always_loaded_language"]
    print(f"dev: {result['dev_articles']} articles, {result['dev_spans']} gold labels")
    print(f"baseline always Loaded_Language: TC micro-F1 {base['micro_f1']:.3f}, macro-F1 {base['macro_f1']:.3f}")
    s = result.get("shipped")
    if s is None:
        print("no shipped model under models/rhetoric")
        return
    print(
        f"shipped model: SI P {s['si']['precision']:.3f} R {s['si']['recall']:.3f} F1 {s['si']['f1']:.3f} "
        f"(official-scorer variant F1 {s['si_official']['f1']:.3f}); TC micro {s['tc']['micro_f1']:.3f} macro {s['tc']['macro_f1']:.3f}; "
        f"{s['speed']['sentences_per_s']:.0f} sentences/s (extractor alone)"
    )
    acc = result.get("accurate")
    if acc and "shipped" in acc:
        a = acc["shipped"]
        print(
            f"shipped accurate model: SI P {a['si']['precision']:.3f} R {a['si']['recall']:.3f} F1 {a['si']['f1']:.3f} "
            f"(official-scorer variant F1 {a['si_official']['f1']:.3f}); TC micro {a['tc']['micro_f1']:.3f} macro {a['tc']['macro_f1']:.3f}; "
            f"{acc['speed']['sentences_per_s']:.0f} sentences/s (extractor alone, MiniLM included)"
        )
    if "spread" in result:
        sp = result["spread"]
        tiers = [("fast", sp)] + ([("accurate", acc["spread"])] if acc and "spread" in acc else [])
        print(f"{len(sp['si_f1']['values'])} seeds, mean ± std [values]")
        for key in ("si_precision", "si_recall", "si_f1", "si_official_f1", "tc_micro_f1", "tc_macro_f1"):
            for name, spread in tiers:
                print(f"{key:16s} {name:8s} {spread[key]['mean']:.3f} ± {spread[key]['std']:.3f}  {spread[key]['values']}")
        print(f"{'technique':36s} {'P':>6s} {'R':>6s} {'F1':>6s} {'F1 seeds':>14s} support" + ("   accurate F1 seeds" if len(tiers) > 1 else ""))
        for t in TECHNIQUES:
            row = s["tc"]["per_technique"][t]
            f = sp["per_technique_f1"][t]
            extra = ""
            if len(tiers) > 1:
                fa = tiers[1][1]["per_technique_f1"][t]
                extra = f"   {fa['mean']:7.3f}±{fa['std']:.3f}"
            print(f"{t:36s} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {f['mean']:7.3f}±{f['std']:.3f} {row['support']:5d}{extra}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cache", type=Path, default=None, help="folder for parsed-article caches")
    parser.add_argument("--json", type=Path, default=None, help="write the full result here")
    parser.add_argument("--speed", type=int, default=0, metavar="N", help="only measure throughput on N dev articles")
    parser.add_argument("--tier", choices=("fast", "accurate"), default="fast", help="accurate: fit and score the accurate tier beside the fast one (fine-tunes MiniLM per seed; --cache keeps the taggers)")
    args = parser.parse_args(argv)
    if args.speed:
        print(json.dumps(pipeline_ratio(args.data / "dev-articles", args.speed, tier=args.tier)))
        return
    result = evaluate_rhetoric(
        args.data, args.seeds, args.limit, train=args.seeds > 0, cache_dir=args.cache, log=lambda m: print(m, flush=True), tier=args.tier
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    _print(result)


if __name__ == "__main__":
    main()
