"""Parallax: turn conflict reporting into evidence a reader can check and compare.

>>> import parallax
>>> article = parallax.analyze("Text of an article ...", published="2023-09-20")
>>> [e.canonical for e in article.entities]
"""

from __future__ import annotations

from datetime import date

from .model import Article, Entity, Span

__version__ = "0.1.0"
__all__ = ["Article", "Entity", "Span", "analyze", "__version__"]


def analyze(text: str, *, published: str | date | None = None, as_is: bool = True, model: str | None = None) -> Article:
    """Analyse one article given as text.

    ``as_is`` (default) keeps the text exactly as given so spans index into it;
    ``as_is=False`` first strips web boilerplate and pulls out title and author.
    """
    from .ingest import Extraction, Input, ReadOptions, build_article
    from .ingest.text import clean_scraped_text
    from .pipeline import Pipeline

    if isinstance(published, str):
        published = date.fromisoformat(published)
    options = ReadOptions(as_is=as_is, published=published)
    extraction = Extraction(text=text) if as_is else clean_scraped_text(text)
    article = build_article(Input("<text>", extraction), options)
    return Pipeline(model).analyze_one(article)
