import json

import numpy as np
import pytest
from pydantic import ValidationError

from parallax.model import Article, Entity, Span, article_id, json_schema, paragraph_offsets


def make(text: str, **kw) -> Article:
    return Article(id=article_id(text), source="t", text=text, paragraphs=paragraph_offsets(text), **kw)


def test_span_must_match_article_text():
    text = "Baku said yes."
    good = Entity(canonical="Baku", label="GPE", mentions=[Span(start=0, end=4, text="Baku")])
    assert make(text, entities=[good]).entities[0].mentions[0].text == "Baku"
    bad = Entity(canonical="Baku", label="GPE", mentions=[Span(start=1, end=5, text="Baku")])
    with pytest.raises(ValidationError, match="does not match"):
        make(text, entities=[bad])


def test_span_offsets_checked():
    with pytest.raises(ValidationError):
        Span(start=5, end=2, text="")
    with pytest.raises(ValidationError):
        Span(start=0, end=3, text="ab")
    article = make("Baku said yes.")
    assert article.span(0, 4) == Span(start=0, end=4, text="Baku")
    assert type(article.span(*np.array([5, 9])).start) is int  # numpy offsets become ints
    for start, end in ((5, 2), (-1, 3), (10, 15)):
        with pytest.raises(ValueError, match="outside the article"):
            article.span(start, end)


def test_article_id_is_stable_under_whitespace_and_unicode_forms():
    assert article_id("Armenia  and\nAzerbaijan") == article_id("Armenia and Azerbaijan ")
    assert article_id("ﬁre") == article_id("fire")  # NFKC ligature
    assert article_id("a") != article_id("b")
    assert len(article_id("x")) == 16


def test_paragraph_offsets():
    text = "First para.\n\nSecond para\nwrapped.\n\n\nThird."
    assert [text[s:e] for s, e in paragraph_offsets(text)] == ["First para.", "Second para\nwrapped.", "Third."]


def test_json_schema_describes_article():
    schema = json_schema()
    assert schema["title"] == "Parallax Article"
    for key in ("text", "entities", "claims", "events", "techniques", "frames", "published", "genre"):
        assert key in schema["properties"]
    json.dumps(schema)


def test_span_helper_and_iter_spans():
    article = make("Lachin corridor")
    span = article.span(0, 6)
    assert span.text == "Lachin"
    article.entities = [Entity(canonical="Lachin", label="GPE", mentions=[span])]
    assert list(article.iter_spans()) == [span]
