"""The NLP pipeline: batching, order, entity canonicalisation, isolation of a failing extractor."""

from parallax.extract import REGISTRY, registered
from parallax.model import Article, article_id
from parallax.pipeline import Pipeline, load_nlp


def article(text: str, language: str | None = "en", score: float | None = 0.99) -> Article:
    return Article(id=article_id(text), source="t", text=text, language=language, language_score=score)


def entities(text: str):
    a = Pipeline(extractors=["entities"]).analyze_one(article(text))
    return {e.canonical: (e.label, sorted(m.text for m in e.mentions)) for e in a.entities}


def test_mentions_merge_under_one_canonical_name():
    found = entities(
        "Foreign Minister Jeyhun Bayramov wrote to the United Nations. Azerbaijan's position is clear, "
        "Bayramov said, and Azerbaijan will not wait. Mr. Bayramov repeated it."
    )
    assert found["Jeyhun Bayramov"] == ("PERSON", ["Bayramov", "Bayramov", "Jeyhun Bayramov"])
    assert found["Azerbaijan"][1] == ["Azerbaijan", "Azerbaijan"]  # "Azerbaijan's" trimmed of its possessive
    assert found["United Nations"][0] == "ORG"  # "the" trimmed


def test_ambiguous_surname_stays_apart():
    found = entities("Ilham Aliyev met Heydar Aliyev's biographer. Later Aliyev spoke.")
    assert "Aliyev" in found  # two full names end in Aliyev: no guess


def test_model_loaded_once_per_process():
    assert load_nlp() is load_nlp()
    assert Pipeline().nlp is Pipeline().nlp


def test_order_preserved_across_batches_and_languages():
    texts = [f"Talks number {i} were held in Baku." for i in range(7)]
    items = [article(t) for t in texts]
    items.insert(3, article("Ceci est un article en français sur les négociations de paix.", "fr", 0.99))
    results = list(Pipeline(batch_size=2).analyze(items))
    assert [a.text for a in results] == [a.text for a in items]
    assert [a.analysed for a in results] == [True, True, True, False, True, True, True, True]


def test_uncertain_language_is_still_analysed():
    (result,) = Pipeline().analyze([article("Baku, Yerevan.", "sv", 0.3)])
    assert result.analysed


def test_failing_extractor_is_reported_not_fatal(monkeypatch):
    def broken(doc, art):
        raise RuntimeError("boom")

    monkeypatch.setitem(REGISTRY, "broken", broken)
    pipeline = Pipeline(extractors=["entities", "broken"])
    result = pipeline.analyze_one(article("Baku hosted talks with Yerevan."))
    assert result.analysed and result.entities
    assert result.warnings == ["extractor broken failed: RuntimeError: boom"]


def test_unknown_extractor_name():
    import pytest

    with pytest.raises(KeyError, match="unknown extractor"):
        registered(["nope"])


def test_models_load_once_per_process_before_the_first_article_and_are_frozen(monkeypatch):
    import gc

    import parallax.pipeline as pipeline_module

    frozen = []
    monkeypatch.setattr(pipeline_module, "_WARMED", set())
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    pipeline = Pipeline(extractors=["entities", "claims"])
    (result,) = pipeline.analyze([article("Bayramov said the talks failed.")])
    assert result.claims and result.claims[0].source.resolved == "Bayramov"
    assert frozen == [True]  # what warm-up loaded is kept out of every later full collection
    assert pipeline.tokens == len(pipeline.nlp("Bayramov said the talks failed."))  # the warm-up article is not counted
    Pipeline(extractors=["entities"]).analyze_one(article("Baku."))  # nothing new to load: no second warm-up
    Pipeline(extractors=["entities", "claims", "times"]).analyze_one(article("Baku."))
    assert frozen == [True, True]
