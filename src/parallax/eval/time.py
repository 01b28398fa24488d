"""Time expressions on the TempEval-3 training data (TimeBank + AQUAINT), scored as TempEval-3 does.

The data (../shared/eval/timebank) holds ``TimeBank/*.tml`` and ``AQUAINT/*.tml``:
TimeML with TIMEX3 elements (type, value) inside ``<TEXT>`` and the document
creation time (the TIMEX3 with functionInDocument="CREATION_TIME" in ``<DCT>``),
which is given to the extractor as the publication date.

Extraction is scored strict (same span) and relaxed (overlapping spans); type
and value accuracy are over the relaxed-matched pairs, and "value F1" is
relaxed F1 x value accuracy, TempEval-3's attribute F1. The rules were tuned on
TimeBank; AQUAINT is the held-out check.

    python -m parallax.eval.time [DATA_DIR] [--limit N] [--by-type] [--errors CORPUS]
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from spacy.tokens import Doc

from ..extract.time import Timex, find_times
from ..pipeline import load_nlp

DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "eval" / "timebank"
CORPORA = ("TimeBank", "AQUAINT")


@dataclass(frozen=True)
class GoldTimex:
    start: int
    end: int
    type: str  # DATE, TIME, DURATION, SET
    value: str


@dataclass
class GoldDocument:
    name: str
    creation: date
    text: str
    timexes: list[GoldTimex] = field(default_factory=list)


def read_tml(path: Path) -> GoldDocument:
    """A TimeML file: the TEXT element's character content (tags stripped) and the TIMEX3 offsets into it."""
    root = ET.parse(path).getroot()
    creation = next(
        t.get("value", "") for t in root.iter("TIMEX3") if t.get("functionInDocument") == "CREATION_TIME"
    )
    document = GoldDocument(path.stem, date.fromisoformat(creation[:10]), "")
    parts: list[str] = []
    length = 0

    def walk(element: ET.Element) -> None:
        nonlocal length
        if element.text:
            parts.append(element.text)
            length += len(element.text)
        for child in element:
            start = length
            walk(child)
            if child.tag == "TIMEX3":
                document.timexes.append(GoldTimex(start, length, child.get("type", ""), child.get("value", "")))
            if child.tail:
                parts.append(child.tail)
                length += len(child.tail)

    text_element = root.find("TEXT")
    if text_element is None:
        raise ValueError(f"{path}: no TEXT element")
    walk(text_element)
    document.text = "".join(parts)
    return document


def read_corpus(data_dir: Path, corpus: str, limit: int | None = None) -> list[GoldDocument]:
    return [read_tml(p) for p in sorted((data_dir / corpus).glob("*.tml"))[:limit]]


@dataclass
class _Tally:
    documents: int = 0
    gold: int = 0
    predicted: int = 0
    strict: int = 0
    relaxed: int = 0
    type_correct: int = 0
    value_correct: int = 0
    # Per gold type: gold count, relaxed-matched, type correct, value correct.
    by_type: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    errors: list[str] = field(default_factory=list)

    def add(self, document: GoldDocument, found: list[tuple[int, int, Timex]]) -> None:
        self.documents += 1
        self.gold += len(document.timexes)
        self.predicted += len(found)
        gold_spans = {(g.start, g.end) for g in document.timexes}
        self.strict += sum((s, e) in gold_spans for s, e, _ in found)
        for gold in document.timexes:
            self.by_type[gold.type][0] += 1
        unmatched = list(document.timexes)
        for start, end, timex in found:
            # One-to-one: each system span takes the unmatched gold span it overlaps most.
            overlaps = [
                (min(end, g.end) - max(start, g.start), g) for g in unmatched if g.start < end and start < g.end
            ]
            text = document.text[start:end]
            if not overlaps:
                self.errors.append(f"{document.name}\tFALSE\t{text!r}\t{timex.type}\t{timex.value}")
                continue
            gold = max(overlaps, key=lambda o: o[0])[1]
            unmatched.remove(gold)
            self.relaxed += 1
            row = self.by_type[gold.type]
            row[1] += 1
            type_ok = timex.type.upper() == gold.type
            value_ok = timex.value == gold.value
            self.type_correct += type_ok
            self.value_correct += value_ok
            row[2] += type_ok
            row[3] += value_ok
            if not value_ok or not type_ok or (start, end) != (gold.start, gold.end):
                gold_text = document.text[gold.start : gold.end]
                self.errors.append(
                    f"{document.name}\tMATCH\t{text!r}\t{timex.type}\t{timex.value}\t"
                    f"gold {gold_text!r}\t{gold.type}\t{gold.value}\tdct {document.creation}"
                )
        for gold in unmatched:
            self.errors.append(
                f"{document.name}\tMISSED\t{document.text[gold.start:gold.end]!r}\t{gold.type}\t{gold.value}"
            )

    def scores(self) -> dict:
        def prf(hits: int) -> dict[str, float]:
            precision = hits / self.predicted if self.predicted else 0.0
            recall = hits / self.gold if self.gold else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            return {"precision": precision, "recall": recall, "f1": f1}

        relaxed = prf(self.relaxed)
        type_accuracy = self.type_correct / self.relaxed if self.relaxed else 0.0
        value_accuracy = self.value_correct / self.relaxed if self.relaxed else 0.0
        return {
            "documents": self.documents,
            "gold": self.gold,
            "predicted": self.predicted,
            "strict": prf(self.strict),
            "relaxed": relaxed,
            "type_accuracy": type_accuracy,
            "value_accuracy": value_accuracy,
            "type_f1": relaxed["f1"] * type_accuracy,
            "value_f1": relaxed["f1"] * value_accuracy,
            "by_type": {
                kind: {
                    "gold": gold,
                    "relaxed_recall": matched / gold if gold else 0.0,
                    "type_accuracy": typed / matched if matched else 0.0,
                    "value_accuracy": valued / matched if matched else 0.0,
                }
                for kind, (gold, matched, typed, valued) in sorted(self.by_type.items())
            },
        }


def score_documents(documents: list[GoldDocument], docs: Iterable[Doc]) -> _Tally:
    """Run the time extractor over parsed ``docs`` (one per gold document, same order) and tally it."""
    tally = _Tally()
    for document, doc in zip(documents, docs, strict=True):
        tally.add(document, find_times(doc, document.creation))
    return tally


def evaluate_time(data_dir: Path, limit: int | None = None) -> dict:
    """TempEval-3 scores per corpus ("TimeBank", "AQUAINT") and "combined"; ``limit`` documents per corpus."""
    nlp = load_nlp()
    results: dict[str, dict] = {}
    combined = _Tally()
    for corpus in CORPORA:
        documents = read_corpus(data_dir, corpus, limit)
        tally = score_documents(documents, nlp.pipe(d.text for d in documents))
        results[corpus] = tally.scores()
        results[corpus]["errors"] = tally.errors
        for name in ("documents", "gold", "predicted", "strict", "relaxed", "type_correct", "value_correct"):
            setattr(combined, name, getattr(combined, name) + getattr(tally, name))
        for kind, row in tally.by_type.items():
            combined.by_type[kind] = [a + b for a, b in zip(combined.by_type[kind], row)]
    results["combined"] = combined.scores()
    return results


def format_scores(name: str, scores: dict, by_type: bool = False) -> str:
    strict, relaxed = scores["strict"], scores["relaxed"]
    lines = [
        f"{name}: {scores['documents']} documents, {scores['gold']} gold, {scores['predicted']} found",
        f"  strict  P {strict['precision']:.3f} R {strict['recall']:.3f} F1 {strict['f1']:.3f}",
        f"  relaxed P {relaxed['precision']:.3f} R {relaxed['recall']:.3f} F1 {relaxed['f1']:.3f}",
        f"  type accuracy {scores['type_accuracy']:.3f}  value accuracy {scores['value_accuracy']:.3f}"
        f"  type F1 {scores['type_f1']:.3f}  value F1 {scores['value_f1']:.3f}",
    ]
    if by_type:
        for kind, row in scores["by_type"].items():
            lines.append(
                f"    {kind:9s} gold {row['gold']:5d}  relaxed recall {row['relaxed_recall']:.3f}"
                f"  type acc {row['type_accuracy']:.3f}  value acc {row['value_accuracy']:.3f}"
            )
    return "\n".join(lines)


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="documents per corpus")
    parser.add_argument("--by-type", action="store_true", help="a breakdown by gold TIMEX3 type")
    parser.add_argument("--errors", choices=CORPORA, help="print every miss, false alarm and wrong value of a corpus")
    args = parser.parse_args()
    results = evaluate_time(args.data, args.limit)
    for name in (*CORPORA, "combined"):
        print(format_scores(name + (" (held out)" if name == "AQUAINT" else ""), results[name], args.by_type))
    if args.errors:
        print("\n".join(results[args.errors]["errors"]))


if __name__ == "__main__":
    _main()
