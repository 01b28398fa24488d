"""The accurate tier's fine-tuned MiniLM span tagger: labels, training, ONNX export and inference."""

from __future__ import annotations

import numpy as np
import pytest

from parallax.extract.rhetoric import DocContext
from parallax.pipeline import load_nlp
from parallax.train.rhetoric import PtcArticle
from parallax.train.rhetoric_minilm import examples, piece_labels

TEXT = (
    "These treacherous thugs have poisoned our great nation with their lies.\n"
    "Officials met in Brussels on Monday, the ministry said.\n"
)
LOADED = "treacherous thugs"


def _article() -> PtcArticle:
    start = TEXT.index(LOADED)
    article = PtcArticle("1", TEXT, [("Name_Calling,Labeling", start, start + len(LOADED))])
    article.doc = load_nlp()(TEXT)
    return article


def test_piece_labels_mark_the_pieces_that_overlap_a_span():
    # pieces of "a treacherous thug": "a" (0-1), "treacher" (2-10), "##ous" (10-13), "thug" (14-18), at base 100
    offsets = [(0, 1), (2, 10), (10, 13), (14, 18)]
    assert piece_labels(offsets, 100, [(102, 113)]) == [0, 1, 1, 0]
    assert piece_labels(offsets, 100, [(95, 100), (111, 200)]) == [0, 0, 1, 1]
    assert piece_labels(offsets, 100, []) == [0, 0, 0, 0]


def test_examples_are_wordpieces_with_their_labels():
    article = _article()
    data = examples([article], [DocContext(article.doc)])
    assert len(data) == 2  # one window per sentence segment
    (ids, labels), (ids2, labels2) = data
    assert len(ids) == len(labels) and 0 < sum(labels) < len(labels) and not any(labels2)
    from parallax.extract.rhetoric_encoder import load_tokenizer

    pieces = [load_tokenizer().id_to_token(i) for i, y in zip(ids, labels) if y]
    assert "".join(p.removeprefix("##") for p in pieces) == "treacherousthugs"


def test_fine_tuning_and_int8_export_agree_with_torch(tmp_path):
    """A few steps of fine-tuning, then the exported int8 ONNX model reproduces PyTorch's P(inside)."""
    torch = pytest.importorskip("torch", reason="the finetune extra is not installed")
    from parallax.extract.rhetoric_encoder import SpanTagger, load_tokenizer
    from parallax.train.rhetoric_minilm import export, finetune

    article = _article()
    ctx = DocContext(article.doc)
    data = examples([article], [ctx])
    model = finetune(data * 4, seed=0, epochs=1, batch_size=4, log=lambda m: None)
    path = export(model, tmp_path / "tagger.onnx")
    assert path.stat().st_size < 40e6

    tokenizer = load_tokenizer()
    ids = data[0][0]
    x = torch.tensor([[tokenizer.token_to_id("[CLS]"), *ids, tokenizer.token_to_id("[SEP]")]])
    with torch.no_grad():
        expected = torch.softmax(model(input_ids=x, attention_mask=torch.ones_like(x)).logits, -1)[0, 1:-1, 1].numpy()
    tagger = SpanTagger(path)
    offsets, got = tagger.encoder.run([TEXT.splitlines()[0]], "inside")[0]
    assert got.shape == expected.shape and np.abs(got - expected).max() < 0.1
    per_token = tagger.token_probabilities(ctx)
    assert [len(p) for p in per_token] == [len(seg) for seg in ctx.seg_ids]
    assert all(((p >= 0) & (p <= 1)).all() for p in per_token)


def test_shipped_tagger_scores_loaded_words_above_a_neutral_report():
    from parallax.extract.rhetoric_encoder import load_tagger

    doc = load_nlp()(TEXT)
    ctx = DocContext(doc)
    loaded, neutral = load_tagger().token_probabilities(ctx)
    words = [doc[i].text for i in ctx.seg_ids[0]]
    thugs = loaded[words.index("thugs")]
    assert thugs > 0.5 and thugs > 3 * neutral.max(), (loaded, neutral)


def test_fine_tuning_without_pytorch_is_a_one_line_error(monkeypatch, tmp_path):
    import importlib.util

    from parallax.errors import ParallaxError
    from parallax.train.rhetoric_minilm import train_tagger

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    article = _article()
    with pytest.raises(ParallaxError, match=r"needs torch: pip install -e '\.\[finetune\]'"):
        train_tagger([article], [DocContext(article.doc)], 0, tmp_path / "t.onnx")
    assert not (tmp_path / "t.onnx").exists()
