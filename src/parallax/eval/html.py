"""Main-text extraction on the ScrapingHub article-extraction benchmark.

The data (../shared/eval/html) holds ``html/{id}.html.gz`` pages and
``ground-truth.json`` mapping each id to its gold ``articleBody`` and ``url``.

    python -m parallax.eval.html [DATA_DIR] [--focus precision|balanced|recall]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import get_args

from charset_normalizer import from_bytes

from ..errors import InputError
from ..ingest.html import Focus, extract_html
from .textmatch import Score, score

DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "eval" / "html"


@dataclass(frozen=True)
class TimedScore(Score):
    seconds: float  # reading, decoding and extracting every page

    @property
    def pages_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def read_page(path: Path) -> str:
    """A gzipped page as text: UTF-8 when it decodes as such, else the detected encoding."""
    raw = gzip.decompress(path.read_bytes())
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", errors="replace")


def evaluate_html(data_dir: Path, *, focus: Focus = "precision") -> TimedScore:
    """Benchmark scores of :func:`extract_html` over every page; a page it rejects scores as empty."""
    gold = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pairs = []
    started = time.perf_counter()
    for page_id in sorted(gold):
        html = read_page(data_dir / "html" / f"{page_id}.html.gz")
        try:
            text = extract_html(html, page_id, gold[page_id]["url"], focus=focus).text
        except InputError:
            text = ""
        pairs.append((gold[page_id]["articleBody"], text))
    seconds = time.perf_counter() - started
    return TimedScore(**asdict(score(pairs)), seconds=seconds)


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--focus", choices=get_args(Focus), default="precision")
    args = parser.parse_args()
    result = evaluate_html(args.data, focus=args.focus)
    print(
        f"{result.documents} pages, focus {args.focus}: precision {result.precision:.4f} "
        f"recall {result.recall:.4f} F1 {result.f1:.4f}, {result.pages_per_second:.1f} pages/s"
    )


if __name__ == "__main__":
    _main()
