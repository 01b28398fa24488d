"""How well :func:`~parallax.ingest.text.clean_scraped_text` recovers article bodies from flattened pages.

Uses the ScrapingHub article-extraction benchmark as shipped in ``../shared/eval/html``: its
``output/html-text.json`` holds every page flattened to plain text, menus, footers and all, and
``ground-truth.json`` the gold article body of each page.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..ingest.text import clean_scraped_text
from .textmatch import Score, score

FLATTENED = Path("output") / "html-text.json"
GOLD = "ground-truth.json"


def evaluate_cleaning(data_dir: Path) -> dict[str, Score]:
    """Benchmark scores of the raw flattened pages ("baseline") and of their cleaned text ("cleaned").

    ``data_dir`` is the benchmark's ``html/`` folder. Every gold page is scored; a page the flattened
    output lacks counts as empty text.
    """
    gold: dict[str, dict[str, str]] = json.loads((data_dir / GOLD).read_text(encoding="utf-8"))
    flattened: dict[str, dict[str, str]] = json.loads((data_dir / FLATTENED).read_text(encoding="utf-8"))["output"]
    pages = [(page["articleBody"], flattened.get(page_id, {}).get("articleBody", "")) for page_id, page in gold.items()]
    return {
        "baseline": score(pages),
        "cleaned": score((body, clean_scraped_text(raw).text) for body, raw in pages),
    }
