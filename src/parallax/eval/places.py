"""Toponym recognition and resolution against GeoWebNews.

GeoWebNews: Gritta et al. 2019, "A Pragmatic Guide to Geoparsing Evaluation".

Gold: every toponym the annotators gave coordinates, the standard set for
geoparsing: literal ones ("fighting in Aleppo"), associative ones
(metonymic "Turkey said", noun and adjective modifiers "Syrian army", mixed,
embedded "Washington" in "The Washington Post", coercion). Types without
coordinates (demonyms as nouns, languages, homonyms such as a person called
Chicago, non-toponyms and common-noun expressions) are not gold, so a
prediction on them is a false positive. Parallax does not emit demonyms as
places nor names inside organisation names, so it cannot find the
adjectival modifiers ("Syrian") and embedded names; ``overlap_nouns`` scores
the gold without the adjectival ones to show what that costs.

Recognition: precision, recall and F1 of spans, exact and overlapping (each
gold and predicted span matched at most once). Resolution, over the gold
toponyms recognised (overlap): great-circle error between the predicted and
gold points, accuracy within 161 km (100 miles), median and mean error, and
the AUC of Gritta et al. 2018 (mean of ln(1 + km) / ln(20039); lower is
better); a recognised toponym left without coordinates counts as 20,039 km
off, half the Earth's circumference.

Tuning was on the first half of the articles (in file order); the second
half is held out. ``evaluate_places`` reports both and the whole.
"""

from __future__ import annotations

import math
import statistics
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..model import Article, article_id
from ..pipeline import load_nlp

MAX_KM = 20039.0  # half the Earth's circumference: the worst possible error
ACCURACY_KM = 161.0


@dataclass(frozen=True)
class GoldToponym:
    start: int
    end: int
    type: str
    adjectival: bool
    latitude: float
    longitude: float


@dataclass(frozen=True)
class GoldArticle:
    text: str
    toponyms: list[GoldToponym]  # those with coordinates
    others: list[tuple[int, int]]  # annotated spans without coordinates: not toponyms to score


def read_gwn(path: Path) -> list[GoldArticle]:
    """The GeoWebNews articles in file order."""
    articles = []
    for node in ET.parse(path).getroot().iter("article"):
        toponyms, others = [], []
        for t in node.iter("toponym"):
            start, end = int(t.findtext("start", "0")), int(t.findtext("end", "0"))
            if t.find("latitude") is None:
                others.append((start, end))
                continue
            toponyms.append(
                GoldToponym(
                    start,
                    end,
                    t.findtext("type", ""),
                    t.findtext("modifierType") == "Adjective",
                    float(t.findtext("latitude", "0")),
                    float(t.findtext("longitude", "0")),
                )
            )
        articles.append(GoldArticle(node.findtext("text", ""), toponyms, others))
    return articles


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _match(gold: list[tuple[int, int]], predicted: list[tuple[int, int]], exact: bool) -> dict[int, int]:
    """Gold index -> predicted index, one to one, in text order."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for g, (gs, ge) in enumerate(gold):
        for p, (ps, pe) in enumerate(predicted):
            if p not in used and ((gs, ge) == (ps, pe) if exact else ps < ge and gs < pe):
                pairs[g] = p
                used.add(p)
                break
    return pairs


def _prf(tp: int, n_predicted: int, n_gold: int) -> dict[str, float]:
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _score(results: Iterable[tuple[GoldArticle, Article]]) -> dict[str, Any]:
    counts = {"exact": 0, "overlap": 0, "nouns": 0}
    n_gold = n_nouns = n_predicted = n_predicted_nouns = documents = 0
    errors: list[float] = []
    for gold, article in results:
        documents += 1
        spans = [(p.span.start, p.span.end) for p in article.places]
        gold_spans = [(t.start, t.end) for t in gold.toponyms]
        n_gold += len(gold_spans)
        n_predicted += len(spans)
        counts["exact"] += len(_match(gold_spans, spans, exact=True))
        overlap = _match(gold_spans, spans, exact=False)
        counts["overlap"] += len(overlap)
        for g, p in overlap.items():
            place, toponym = article.places[p], gold.toponyms[g]
            if place.latitude is None or place.longitude is None:
                errors.append(MAX_KM)
            else:
                errors.append(haversine_km(place.latitude, place.longitude, toponym.latitude, toponym.longitude))
        # Without the adjectival gold, predictions on it count neither way.
        nouns = [(t.start, t.end) for t in gold.toponyms if not t.adjectival]
        adjectives = [(t.start, t.end) for t in gold.toponyms if t.adjectival]
        kept = [s for s in spans if not _match(adjectives, [s], exact=False)]
        n_nouns += len(nouns)
        n_predicted_nouns += len(kept)
        counts["nouns"] += len(_match(nouns, kept, exact=False))
    return {
        "documents": documents,
        "gold": n_gold,
        "predicted": n_predicted,
        "exact": _prf(counts["exact"], n_predicted, n_gold),
        "overlap": _prf(counts["overlap"], n_predicted, n_gold),
        "overlap_nouns": _prf(counts["nouns"], n_predicted_nouns, n_nouns),
        "resolved": len(errors),
        "accuracy_161km": sum(e <= ACCURACY_KM for e in errors) / len(errors) if errors else 0.0,
        "median_km": statistics.median(errors) if errors else 0.0,
        "mean_km": statistics.fmean(errors) if errors else 0.0,
        "auc": statistics.fmean(math.log1p(e) / math.log1p(MAX_KM) for e in errors) if errors else 0.0,
    }


def evaluate_places(gwn_path: Path, limit: int | None = None) -> dict[str, Any]:
    """Scores on the tuning half, the held-out half and all of GeoWebNews (or its first ``limit`` articles)."""
    from ..extract.places import extract_places

    gold = read_gwn(gwn_path)[:limit]
    nlp = load_nlp()
    results = []
    for item, doc in zip(gold, nlp.pipe((g.text for g in gold), batch_size=16)):
        article = Article(id=article_id(item.text), source=str(gwn_path), text=item.text)
        extract_places(doc, article)
        results.append((item, article))
    half = (len(results) + 1) // 2
    return {"tune": _score(results[:half]), "held_out": _score(results[half:]), "all": _score(results)}


def print_scores(scores: dict[str, Any]) -> None:
    for split, s in scores.items():
        print(
            f"{split:9} docs {s['documents']:3}  gold {s['gold']:4}  predicted {s['predicted']:4}  "
            + "  ".join(
                f"{kind} P {s[kind]['precision']:.3f} R {s[kind]['recall']:.3f} F1 {s[kind]['f1']:.3f}"
                for kind in ("exact", "overlap", "overlap_nouns")
            )
            + f"  | resolved {s['resolved']}  acc@161 {s['accuracy_161km']:.3f}  median {s['median_km']:.1f} km"
            f"  mean {s['mean_km']:.0f} km  AUC {s['auc']:.3f}"
        )


if __name__ == "__main__":  # python -m parallax.eval.places ../shared/eval/geo/GWN.xml [limit]
    print_scores(evaluate_places(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None))
