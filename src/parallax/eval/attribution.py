"""Claim attribution against PolNeAR (political news attribution relations).

Reads ``{data}/{split}/text/*.txt`` and the brat standoff ``{split}/attributions/*.ann``
(``Source``, ``Cue`` and ``Content`` text-bound annotations, possibly discontinuous,
tied into one attribution by an ``E`` line). Articles annotated by several annotators
(listed in ``metadata.tsv``; two in dev, sixteen in train) are scored against one
annotation only: the one by the annotator whose id sorts first (``4b22`` where present).

Each text is analysed exactly as given (so offsets match): spaCy once, then the
``entities`` and ``claims`` extractors. Only attributed claims are scored
(``unattributed`` ones, the author's own voice, have no PolNeAR counterpart).

How predictions become PolNeAR attributions: claims sharing one cue span and one
source span are one attribution whose content is the set of their content spans
(the extractor emits one claim per fragment of a quotation interrupted by its cue,
or continued in a following paragraph). A quotation the extractor found no cue for
(a claim without cue) counts as a content span only.

Scores, per part (source, cue, content), over the distinct spans of each part:

* **exact**: a predicted span matches a gold span with the same offsets, after
  trimming whitespace; a discontinuous gold span counts as one span per fragment
  (fragments separated only by whitespace are merged), as BIO taggers are scored.
* **overlap**: token overlap, as proportions: precision is the mean over predicted
  spans of the largest share of their tokens inside one gold span, recall the mean
  over gold spans of the largest share covered by one predicted span.

Whole attributions: **exact** when the cue, the source (or its absence) and the set
of content fragments all match exactly; **overlap** when each of the three parts
shares at least one token with the gold one (both without a source also agree).
Each figure is also given for **quoted** attributions (content holding a double
quotation mark) and **unquoted** ones, on both the gold and the predicted side.

Run ``python -m parallax.eval.attribution --data ../shared/eval/polnear [--split dev]``.

PolNeAR dev (84 articles), exact F1 source / cue / content / whole attribution:
learned (shipped) 74.9 / 69.8 / 60.5 / 47.9; rules alone 53.8 / 48.5 / 43.0 / 25.2.
Token overlap F1: learned 77.8 / 75.0 / 79.1 / 72.1. The taggers' regularisation was chosen
on dev, so the learned figures are slightly optimistic. (Published on PolNeAR *test*:
BiLSTM-CRF 69.6 / 66.7 / 59.0, BERT-Cofe 83.2 / 75.3 / 72.9.)
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

Fragments = tuple[tuple[int, int], ...]
_QUOTED = re.compile("[\"“”«»]|''|``")
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass
class GoldAttribution:
    cue: Fragments
    content: Fragments
    source: Fragments | None


@dataclass
class GoldDocument:
    name: str
    text: str
    annotator: str
    attributions: list[GoldAttribution] = field(default_factory=list)
    annotators: tuple[str, ...] = ()


def _read_ann(path: Path) -> tuple[dict[str, tuple[str, Fragments]], list[dict[str, str]]]:
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"T\d+\t", line):
            tid, rest = line.split("\t")[:2]
            label, _, offsets = rest.partition(" ")
            try:
                frags = tuple(tuple(int(x) for x in f.split()) for f in offsets.split(";"))
            except ValueError:
                continue
            spans[tid] = (label, tuple((a, b) for a, b in frags))  # type: ignore[misc]
        elif re.match(r"E\d+\t", line):
            parts = line.split("\t")[1].split()
            events.append(dict(p.split(":", 1) for p in parts if ":" in p))
    return spans, events


def merge_fragments(text: str, frags: Iterable[tuple[int, int]]) -> Fragments:
    """Fragments trimmed of whitespace, sorted, those separated only by whitespace merged."""
    out: list[list[int]] = []
    for a, b in sorted(frags):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a >= b:
            continue
        if out and not text[out[-1][1] : a].strip():
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)


def read_polnear(data_dir: Path, split: str = "dev", limit: int | None = None) -> list[GoldDocument]:
    """The gold attributions of one split, one annotation per article (see the module docstring)."""
    data_dir = Path(data_dir)
    text_dir, ann_dir = data_dir / split / "text", data_dir / split / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"{data_dir / split}: no text/ and attributions/ folders")
    anns: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(ann_dir.glob("*.ann")):
        base, _, annotator = path.stem.rpartition("_")
        anns[base].append(path)
    docs = []
    for text_path in sorted(text_dir.glob("*.txt")):
        name = text_path.stem
        if name not in anns:
            continue
        text = text_path.read_text(encoding="utf-8")
        chosen = sorted(anns[name], key=lambda p: p.stem.rpartition("_")[2])[0]
        spans, events = _read_ann(chosen)
        doc = GoldDocument(
            name, text, chosen.stem.rpartition("_")[2], annotators=tuple(sorted(p.stem.rpartition("_")[2] for p in anns[name]))
        )
        for event in events:
            cue, content = event.get("Cue"), event.get("Content")
            if cue not in spans or content not in spans:
                continue
            source = event.get("Source")
            doc.attributions.append(
                GoldAttribution(
                    cue=merge_fragments(text, spans[cue][1]),
                    content=merge_fragments(text, spans[content][1]),
                    source=merge_fragments(text, spans[source][1]) if source in spans else None,
                )
            )
        docs.append(doc)
        if limit is not None and len(docs) >= limit:
            break
    return docs


# --------------------------------------------------------------------------- scoring


def _tokens(text: str, frags: Fragments | None, positions: list[int]) -> frozenset[int]:
    if not frags:
        return frozenset()
    import bisect

    out = set()
    for a, b in frags:
        out.update(range(bisect.bisect_left(positions, a), bisect.bisect_left(positions, b)))
    return frozenset(out)


def _prf(matched_p: float, n_pred: int, matched_g: float, n_gold: int) -> dict:
    p = matched_p / n_pred if n_pred else 0.0
    r = matched_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "predicted": n_pred, "gold": n_gold}


class _Tally:
    def __init__(self) -> None:
        self.exact_p = self.exact_g = 0.0
        self.over_p = self.over_g = 0.0
        self.n_pred = self.n_gold = 0

    def add(self, other: "_Tally") -> None:
        for k in ("exact_p", "exact_g", "over_p", "over_g", "n_pred", "n_gold"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def result(self) -> dict:
        return {
            "exact": _prf(self.exact_p, self.n_pred, self.exact_g, self.n_gold),
            "overlap": _prf(self.over_p, self.n_pred, self.over_g, self.n_gold),
        }


def _score_spans(pred: set[tuple[int, int]], gold: set[tuple[int, int]], tok) -> _Tally:
    t = _Tally()
    t.n_pred, t.n_gold = len(pred), len(gold)
    t.exact_p = t.exact_g = len(pred & gold)
    ptoks = {p: tok(((p),)) for p in pred}
    gtoks = {g: tok(((g),)) for g in gold}
    for p, pt in ptoks.items():
        if pt:
            t.over_p += max((len(pt & gt) / len(pt) for gt in gtoks.values()), default=0.0)
    for g, gt in gtoks.items():
        if gt:
            t.over_g += max((len(gt & pt) / len(gt) for pt in ptoks.values()), default=0.0)
    return t


Attribution = tuple[Fragments | None, Fragments, Fragments]  # source, cue, content


def _score_attributions(pred: list[Attribution], gold: list[Attribution], tok) -> _Tally:
    t = _Tally()
    t.n_pred, t.n_gold = len(pred), len(gold)
    pset, gset = set(pred), set(gold)
    t.exact_p = sum(1 for p in pred if p in gset)
    t.exact_g = sum(1 for g in gold if g in pset)

    def toks(a: Attribution):
        return tuple(tok(x) for x in a)

    pt, gt = [toks(p) for p in pred], [toks(g) for g in gold]

    def agree(a, b) -> bool:
        (sa, ca, na), (sb, cb, nb) = a, b
        if not (ca & cb and na & nb):
            return False
        return bool(sa & sb) if (sa or sb) else True

    t.over_p = sum(1 for a in pt if any(agree(a, b) for b in gt))
    t.over_g = sum(1 for b in gt if any(agree(a, b) for a in pt))
    return t


def _quoted(text: str, content: Fragments) -> bool:
    return any(_QUOTED.search(text[a:b]) for a, b in content)


def predicted_attributions(article) -> list[Attribution]:
    """The article's attributed claims grouped into PolNeAR-style attributions."""
    groups: dict[tuple, list[tuple[int, int]]] = {}
    for claim in article.claims:
        if claim.kind == "unattributed":
            continue
        src = claim.source.span
        cue = (claim.cue.span.start, claim.cue.span.end) if claim.cue else None
        key = ((src.start, src.end) if src else None, cue or (claim.content.span.start, -1))
        groups.setdefault(key, []).append((claim.content.span.start, claim.content.span.end))
    out = []
    for (src, cue), contents in groups.items():
        content = merge_fragments(article.text, contents)
        cue_f = merge_fragments(article.text, [cue]) if cue[1] >= 0 else None  # a quotation with no cue found
        src_f = merge_fragments(article.text, [src]) if src else None
        if content:
            out.append((src_f or None, cue_f, content))  # type: ignore[arg-type]
    return out


def score_document(text: str, pred: list[Attribution], gold: list[Attribution]) -> dict[str, dict[str, _Tally]]:
    """Tallies for one document: ``{subset: {part: tally}}``."""
    positions = [m.start() for m in _TOKEN.finditer(text)]

    def tok(frags):
        return _tokens(text, frags, positions)

    out: dict[str, dict[str, _Tally]] = {}
    for subset in ("all", "quoted", "unquoted"):
        if subset == "all":
            ps, gs = pred, gold
        else:
            want = subset == "quoted"
            ps = [a for a in pred if _quoted(text, a[2]) == want]
            gs = [a for a in gold if _quoted(text, a[2]) == want]
        parts = {}
        for k, part in enumerate(("source", "cue", "content")):
            pspans = {f for a in ps if a[k] for f in a[k]}
            gspans = {f for a in gs if a[k] for f in a[k]}
            parts[part] = _score_spans(pspans, gspans, tok)
        parts["attribution"] = _score_attributions(ps, gs, tok)
        out[subset] = parts
    return out


def evaluate_attribution(
    data_dir: Path,
    split: str = "dev",
    limit: int | None = None,
    *,
    systems: tuple[str, ...] = ("learned", "rules"),
    verbose: bool = True,
    parsed: list | None = None,
) -> dict:
    """Score the claims extractor on PolNeAR ``split``; print and return the figures.

    ``systems``: ``learned`` (the CRF taggers, where the model files exist), ``rules``
    (the rule system alone). Returns ``{"split", "documents", "tokens", "annotations",
    "systems": {system: {subset: {part: {"exact"|"overlap": {precision, recall, f1,
    predicted, gold}}}}}, "ms_per_1000_tokens": {system: ...}}`` with subsets ``all``,
    ``quoted``, ``unquoted`` and parts ``source``, ``cue``, ``content``, ``attribution``.
    ``parsed``: the spaCy docs of the split's texts, when the caller already has them.
    """
    from ..extract.attribution import extract_claims, learned_available
    from ..extract.entities import extract_entities
    from ..model import Article, article_id
    from ..pipeline import load_nlp

    docs = read_polnear(Path(data_dir), split, limit)
    nlp = load_nlp()
    systems = tuple(s for s in systems if s != "learned" or learned_available())
    totals = {s: {sub: defaultdict(_Tally) for sub in ("all", "quoted", "unquoted")} for s in systems}
    seconds = {s: 0.0 for s in systems}
    n_tokens = 0
    stream = parsed[: len(docs)] if parsed is not None else nlp.pipe((d.text for d in docs), batch_size=16)
    for gdoc, doc in zip(docs, stream):
        n_tokens += len(doc)
        gold = [(a.source or None, a.cue, a.content) for a in gdoc.attributions]
        for system in systems:
            article = Article(id=article_id(gdoc.text) or "x", source=gdoc.name, text=gdoc.text)
            extract_entities(doc, article)
            t0 = time.perf_counter()
            extract_claims(doc, article, system=system)
            seconds[system] += time.perf_counter() - t0
            tallies = score_document(gdoc.text, predicted_attributions(article), gold)
            for sub, parts in tallies.items():
                for part, tally in parts.items():
                    totals[system][sub][part].add(tally)
    result = {
        "split": split,
        "documents": len(docs),
        "tokens": n_tokens,
        "annotations": {d.name: d.annotator for d in docs if len(d.annotators) > 1},
        "systems": {
            s: {sub: {part: t.result() for part, t in parts.items()} for sub, parts in subs.items()}
            for s, subs in totals.items()
        },
        "ms_per_1000_tokens": {s: 1e6 * seconds[s] / max(n_tokens, 1) for s in systems},
    }
    if verbose:
        print_report(result)
    return result


PUBLISHED = {"rule baseline": (10.7, 22.8, 5.6), "BiLSTM-CRF": (69.6, 66.7, 59.0), "BERT-Cofe": (83.2, 75.3, 72.9)}


def print_report(result: dict) -> None:
    print(
        f"PolNeAR {result['split']}: {result['documents']} articles, {result['tokens']:,} tokens"
        + (
            "; double-annotated articles scored against "
            + ", ".join(f"{n} ({a})" for n, a in result["annotations"].items())
            if result["annotations"]
            else ""
        )
    )
    for system, subs in result["systems"].items():
        print(f"\n== {system} ({result['ms_per_1000_tokens'][system]:.1f} ms per 1,000 tokens after parsing)")
        print(f"{'subset':9} {'part':12} {'exact P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6}   {'pred':>5} {'gold':>5}")
        for sub, parts in subs.items():
            for part, s in parts.items():
                e, o = s["exact"], s["overlap"]
                print(
                    f"{sub:9} {part:12} {100 * e['precision']:8.1f} {100 * e['recall']:6.1f} {100 * e['f1']:6.1f}"
                    f"   {100 * o['precision']:9.1f} {100 * o['recall']:6.1f} {100 * o['f1']:6.1f}"
                    f"   {e['predicted']:5d} {e['gold']:5d}"
                )
    print("\npublished, PolNeAR test, exact F1 source/cue/content: " + "; ".join(f"{k} {v[0]}/{v[1]}/{v[2]}" for k, v in PUBLISHED.items()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/polnear"))
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--systems", default="learned,rules")
    args = parser.parse_args(argv)
    evaluate_attribution(args.data, args.split, args.limit, systems=tuple(args.systems.split(",")))


if __name__ == "__main__":
    main()
