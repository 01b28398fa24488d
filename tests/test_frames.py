"""Document frames: the shipped model loads offline and frames the two sample op-eds as security and legality."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.extract.frames import FRAMES, FrameModel, extract_frames, frames_above_threshold, load_model, score_frames
from parallax.model import Article

EXAMPLES = Path(__file__).parents[1] / "examples"
FRAMES_DATA = Path(__file__).parents[2] / "shared" / "eval" / "semeval23-frames"
SAMPLES = ["004_fab2380e06d26105.txt", "000_e05bb7a8d3b72e73.txt"]


def _article(name: str) -> Article:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return Article(id=name, source=name, text=text)


def test_model_loads_offline_and_is_numpy_only():
    model = load_model()
    assert isinstance(model, FrameModel)
    assert model.frames == FRAMES
    assert model.coef.shape == (len(model.vocabulary), len(FRAMES))
    assert all(0.0 < t < 1.0 for t in model.thresholds)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_op_eds_are_framed_as_security_and_legality(name):
    article = _article(name)
    extract_frames(None, article)  # the extractor reads the article text only, not the spaCy Doc
    assert [f.frame for f in article.frames] != []
    assert sorted(f.frame for f in article.frames) == sorted(FRAMES)
    assert all(0.0 <= f.score <= 1.0 for f in article.frames)
    scores = [f.score for f in article.frames]
    assert scores == sorted(scores, reverse=True)
    top4 = {f.frame for f in article.frames[:4]}
    assert {"Security_and_defense", "Legality_Constitutionality_and_jurisprudence"} <= top4
    predicted = frames_above_threshold(article)
    assert "Security_and_defense" in {f.frame for f in predicted}
    assert all(f in article.frames for f in predicted)


def test_scores_are_deterministic_and_empty_text_gets_priors():
    text = (EXAMPLES / SAMPLES[0]).read_text(encoding="utf-8")
    assert score_frames(text) == score_frames(text)
    empty = score_frames("")
    assert len(empty) == len(FRAMES) and all(0.0 <= f.score <= 1.0 for f in empty)


def test_extractor_runs_in_the_pipeline(pipeline):
    article = _article(SAMPLES[0])
    doc = pipeline.nlp(article.text[:2000])
    extract_frames(doc, article)
    assert len(article.frames) == len(FRAMES)


@pytest.mark.skipif(not FRAMES_DATA.exists(), reason=f"SemEval-2023 frames gold data not found at {FRAMES_DATA}")
def test_cross_validated_eval_smoke():
    pytest.importorskip("sklearn", reason="the frame eval retrains the model: needs the train extra (scikit-learn)")
    from parallax.eval.frames import evaluate_frames

    result = evaluate_frames(FRAMES_DATA, folds=2, seed=0)
    model = result["systems"][result["chosen"]]
    baseline = result["systems"]["baseline: top-k prior"]
    assert result["documents"] > 400
    assert set(model["per_frame_f1"]) == set(FRAMES)
    assert 0.0 <= model["macro_f1"] <= model["micro_f1"] <= 1.0
    assert model["micro_f1"] > baseline["micro_f1"] + 0.05
    assert result["brier"]["model"] < result["brier"]["prior"]
