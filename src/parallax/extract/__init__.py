"""Extractors: functions over the shared spaCy ``Doc`` that write into the :class:`Article`.

Each module registers its extractors here with :func:`extractor`; the pipeline
runs them in registration order. A later capability adds one module and one
import line below, nothing else.
"""

from __future__ import annotations

from typing import Callable

from spacy.tokens import Doc

from ..model import Article

Extractor = Callable[[Doc, Article], None]

REGISTRY: dict[str, Extractor] = {}


def extractor(name: str) -> Callable[[Extractor], Extractor]:
    """Register ``fn(doc, article)`` under ``name``."""

    def register(fn: Extractor) -> Extractor:
        if name in REGISTRY:
            raise ValueError(f"extractor {name!r} registered twice")
        REGISTRY[name] = fn
        return fn

    return register


def registered(names: list[str] | None = None) -> list[tuple[str, Extractor]]:
    """The extractors to run: all of them in order, or the named ones."""
    if names is None:
        return list(REGISTRY.items())
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown extractor(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    return [(n, REGISTRY[n]) for n in names]


# Registration order is run order.
from . import entities, places, quantities, time  # noqa: E402,F401
from . import attribution  # noqa: E402,F401
from . import checkworthy  # noqa: E402,F401  (after the claim extractor: it scores claims)
from . import frames, rhetoric  # noqa: E402,F401
from . import events  # noqa: E402,F401  (last: it links times, places, quantities and claims)
