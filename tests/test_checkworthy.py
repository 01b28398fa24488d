"""Check-worthiness: the shipped model loads offline, ranks factual claims above chatter, and fills claims."""

from pathlib import Path

import pytest
import spacy

from parallax.extract.checkworthy import DEFAULT_MODEL, score_claims, score_sentences
from parallax.model import Article, Claim, ClaimContent, ClaimSource

CLAIMBUSTER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "claimbuster"

CLAIM = "At least 12 civilians were killed in Stepanakert on 19 September."
OPINION = "I think we should all be kind to one another."
THANKS = "Thank you very much."


def test_model_is_shipped_and_small():
    assert DEFAULT_MODEL.stat().st_size < 10_000_000


def test_factual_claim_scores_far_above_opinion_and_thanks():
    claim, opinion, thanks = score_sentences([CLAIM, OPINION, THANKS])
    assert claim > 0.8
    assert opinion < 0.3 and thanks < 0.3


@pytest.mark.parametrize("text", ["", "?", "Ура!", "42", "word " * 2000])
def test_scores_are_probabilities(text):
    (score,) = score_sentences([text])
    assert 0.0 <= score <= 1.0


def test_empty_batch():
    assert score_sentences([]) == []


def test_extractor_fills_every_claim():
    text = f"{CLAIM} {THANKS}"
    article = Article(id="cw", source="test", text=text)
    for start, end in ((0, len(CLAIM)), (len(CLAIM) + 1, len(text))):
        article.claims.append(Claim(source=ClaimSource(type="author"), content=ClaimContent(span=article.span(start, end))))
    score_claims(spacy.blank("en")(text), article)
    first, second = (claim.checkworthiness for claim in article.claims)
    assert first is not None and second is not None
    assert first > second


@pytest.mark.skipif(not CLAIMBUSTER.exists(), reason=f"ClaimBuster/CLEF gold data not found at {CLAIMBUSTER}")
def test_eval_smoke_on_a_subset():
    pytest.importorskip("sklearn", reason="the evaluation retrains the model: install the `train` extra")
    from parallax.eval.checkworthy import evaluate_checkworthy

    scores = evaluate_checkworthy(CLAIMBUSTER, limit=800, max_debates=1)
    assert scores["claimbuster"]["sentences"] == 800
    assert 0.4 < scores["claimbuster"]["f1_positive"] <= 1.0
    assert scores["clef2019"]["debates"] == 1
    assert 0.0 < scores["clef2019"]["map"] <= 1.0
