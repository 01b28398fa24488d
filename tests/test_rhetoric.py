"""Persuasion techniques (SemEval-2020 Task 11 inventory) on exact spans: the shipped models on two op-eds."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.extract.rhetoric import TECHNIQUES, detect, rhetoric_summary
from parallax.model import Article, article_id
from parallax.pipeline import load_nlp

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PTC = Path(__file__).resolve().parents[2] / "shared" / "eval" / "ptc"

LOADED = "004_fab2380e06d26105.txt"  # the Azerbaijani ambassador's op-ed
CALMER = "000_e05bb7a8d3b72e73.txt"


def _analysed(name: str, tier: str = "fast") -> Article:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    article = Article(id=article_id(text), source=name, text=text)
    article.techniques = detect(load_nlp()(text), article, tier=tier)
    return article


@pytest.fixture(scope="module")
def loaded() -> Article:
    return _analysed(LOADED)


@pytest.fixture(scope="module")
def calmer() -> Article:
    return _analysed(CALMER)


def _flagged(article: Article, phrase: str, techniques: tuple[str, ...] | None = None) -> list[str]:
    start = article.text.index(phrase)
    end = start + len(phrase)
    return [
        t.technique
        for t in article.techniques
        if t.span.start < end and t.span.end > start and (techniques is None or t.technique in techniques)
    ]


# The PTC-trained CRF gives the tokens of these two phrases P(inside a technique) of about 0.05
# (PTC is 2017-18 US news; the metaphors are out of its domain) and no generic lexicon entry
# of ours covers them: known misses of the current model, kept here so a better one shows up.
_MISSED = pytest.mark.xfail(reason="known miss of the PTC-trained model (P(inside) ~0.05)", strict=False)


@pytest.mark.parametrize(
    "phrase",
    [
        "criminal junta",
        pytest.param("den of poison", marks=_MISSED),
        "illegal junta",
        "poisoned their brains",
        pytest.param("worth no more than a piece of cloth", marks=_MISSED),
    ],
)
def test_insults_and_loaded_phrases_are_flagged(loaded, phrase):
    assert _flagged(loaded, phrase), f"{phrase!r} not flagged; found {[(t.technique, t.span.text) for t in loaded.techniques]}"


def test_most_insults_are_name_calling_or_loaded_language(loaded):
    phrases = ["criminal junta", "den of poison", "illegal junta", "poisoned their brains", "worth no more than a piece of cloth"]
    labelled = [p for p in phrases if _flagged(loaded, p, ("Name_Calling,Labeling", "Loaded_Language"))]
    assert len(labelled) >= 3, labelled  # criminal junta, illegal junta, poisoned their brains


def test_enough_already_is_a_cliche_or_slogan(loaded):
    assert _flagged(loaded, "Enough already!", ("Slogans", "Thought-terminating_Cliches"))


def test_calmer_op_ed_has_fewer_flags_per_thousand_words(loaded, calmer):
    hot = rhetoric_summary(loaded)["density_per_1000_words"]
    cool = rhetoric_summary(calmer)["density_per_1000_words"]
    assert cool < hot, (hot, cool)


@pytest.mark.xfail(reason="SI precision ~0.3: false positives blur the contrast (about 13.6 vs 11.2 per 1,000 words)", strict=False)
def test_calmer_op_ed_has_far_fewer_flags_per_thousand_words(loaded, calmer):
    hot = rhetoric_summary(loaded)["density_per_1000_words"]
    cool = rhetoric_summary(calmer)["density_per_1000_words"]
    assert cool < 0.75 * hot, (hot, cool)


def test_techniques_are_well_formed(loaded, calmer):
    for article in (loaded, calmer):
        assert article.techniques
        for t in article.techniques:
            assert t.technique in TECHNIQUES
            assert 0.0 <= t.confidence <= 1.0
            assert article.text[t.span.start : t.span.end] == t.span.text
            assert t.span.text.strip()
        Article.model_validate(article.model_dump())  # the article re-validates with its spans


def test_summary(loaded):
    summary = rhetoric_summary(loaded)
    assert summary["techniques"] == len(loaded.techniques) == sum(summary["counts"].values())
    assert summary["density_per_1000_words"] > 0
    top = summary["most_loaded_sentences"]
    assert 1 <= len(top) <= 3
    counts = [s["techniques"] for s in top]
    assert counts == sorted(counts, reverse=True)
    for sentence in top:
        s = sentence["sentence"]
        assert loaded.text[s["start"] : s["end"]] == s["text"]
        for span in sentence["spans"]:
            assert loaded.text[span["start"] : span["end"]] == span["text"]
            assert s["start"] <= span["end"] and span["start"] <= s["end"]


def test_extractor_is_registered_and_fills_the_article():
    from parallax.extract import REGISTRY
    from parallax.extract.rhetoric import extract_techniques

    assert REGISTRY["techniques"] is extract_techniques
    text = "These treacherous thugs have poisoned our great nation. Enough is enough!"
    article = Article(id=article_id(text), source="t", text=text)
    extract_techniques(load_nlp()(text), article)
    assert any(t.technique in ("Slogans", "Thought-terminating_Cliches") for t in article.techniques)


def test_unknown_tier_is_refused():
    from parallax.extract.rhetoric import load_model

    with pytest.raises(ValueError):
        load_model("slow")


@pytest.mark.skipif(not PTC.is_dir(), reason=f"PTC data not found at {PTC} (shared/eval/ptc beside the repo)")
def test_eval_smoke_on_a_few_dev_articles():
    from parallax.eval.rhetoric import evaluate_rhetoric, si_scores

    result = evaluate_rhetoric(PTC, limit=4, train=False)
    assert result["dev_articles"] == 4
    shipped = result["shipped"]
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= shipped["si"][key] <= 1.0
    assert 0.0 <= shipped["tc"]["micro_f1"] <= 1.0
    assert set(shipped["tc"]["per_technique"]) == set(TECHNIQUES)
    assert 0.0 <= result["baseline_always_loaded_language"]["micro_f1"] <= 1.0
    # the scorer itself: a perfect and a half-overlapping prediction
    assert si_scores({"a": [(0, 10)]}, {"a": [(0, 10)]})["f1"] == 1.0
    half = si_scores({"a": [(0, 10)]}, {"a": [(5, 15)]})
    assert half["precision"] == half["recall"] == 0.5


# --------------------------------------------------------------------------- the accurate tier (MiniLM states)

SAMPLE = (
    "These treacherous thugs have poisoned our great nation with their lies.\n"
    "Every patriot knows the truth: the corrupt regime will never stop until we stop it.\n"
    "Officials met in Brussels on Monday, the ministry said.\n"
)


def test_accurate_tier_detects_techniques_with_minilm():
    from parallax.extract.rhetoric import DocContext, load_model
    from parallax.extract.rhetoric_encoder import AccurateRhetoricModel, DocEncoding

    model = load_model("accurate")
    assert isinstance(model, AccurateRhetoricModel) and model.span_tagger is not None
    doc = load_nlp()(SAMPLE)
    ctx = DocContext(doc)
    encoding = DocEncoding.of(ctx)
    assert encoding.sentences.shape == (len(ctx.segs), 384) and encoding.hidden.shape[1] == 384
    # wordpieces map back to the text: "thugs" is covered by the pieces of its character range
    start = SAMPLE.index("thugs")
    i, j = encoding.pieces(start, start + len("thugs"))
    assert j > i and encoding.starts[i] >= start and encoding.ends[j - 1] <= start + len("thugs")
    found = model.detect(doc, lexicon=False)  # the trained models alone, no lexicon layer
    assert found, "the accurate tier found nothing in an obviously loaded text"
    assert all(tech in TECHNIQUES and 0.0 <= conf <= 1.0 for _, _, tech, conf in found)
    assert any(s < SAMPLE.index("Officials") for s, _, _, _ in found)
    article = Article(id=article_id(SAMPLE), source="t", text=SAMPLE)
    article.techniques = detect(doc, article, tier="accurate")
    assert article.techniques and all(SAMPLE[t.span.start : t.span.end] == t.span.text for t in article.techniques)


@pytest.fixture(scope="module")
def loaded_accurate() -> Article:
    return _analysed(LOADED, "accurate")


def test_accurate_tier_on_the_loaded_op_ed(loaded_accurate):
    article = loaded_accurate
    assert len(article.techniques) >= 10
    for phrase in ("criminal junta", "poisoned their brains"):
        assert _flagged(article, phrase, ("Name_Calling,Labeling", "Loaded_Language")), phrase
    # flagged inside the whole clause "the illegal junta should fold up its so-called flag, worth no
    # more than a piece of cloth, and vacate our lands", which the classifier calls Flag-Waving
    assert _flagged(article, "worth no more than a piece of cloth")
    assert _flagged(article, "Enough already!", ("Slogans", "Thought-terminating_Cliches"))


@pytest.mark.xfail(
    reason="known miss of both tiers: the fine-tuned tagger gives 'den of poison' P(inside) ~0.23, "
    "mixed with the CRF's ~0.05 that is 0.12, under the threshold of 0.15",
    strict=False,
)
def test_accurate_tier_flags_den_of_poison(loaded_accurate):
    assert _flagged(loaded_accurate, "den of poison")


def test_accurate_tier_calmer_op_ed_has_far_fewer_flags(loaded_accurate):
    """The contrast the fast tier blurs (see the xfail above): about 8 vs 14 per 1,000 words."""
    hot = rhetoric_summary(loaded_accurate)["density_per_1000_words"]
    cool = rhetoric_summary(_analysed(CALMER, "accurate"))["density_per_1000_words"]
    assert cool < 0.75 * hot, (hot, cool)


def test_cli_rhetoric_option_selects_the_tier(monkeypatch):
    from click.testing import CliRunner

    from parallax.cli import cli
    from parallax.extract import rhetoric

    monkeypatch.setenv(rhetoric.ENV_TIER, "fast")  # restored after the test: the option sets it for the run
    tiers = []
    real = rhetoric.load_model
    monkeypatch.setattr(rhetoric, "load_model", lambda tier="fast": tiers.append(tier) or real(tier))
    result = CliRunner().invoke(cli, ["analyze", "-", "--as-is", "--json", "--rhetoric", "accurate"], input=SAMPLE)
    assert result.exit_code == 0, result.output
    assert "accurate" in tiers and set(tiers) == {"accurate"}
    import json

    document = json.loads(result.stdout)
    assert document["techniques"] and {t["technique"] for t in document["techniques"]} <= set(TECHNIQUES)
    result = CliRunner().invoke(cli, ["analyze", "--help"])
    assert "--rhetoric [fast|accurate]" in result.output


def test_accurate_tier_without_its_dependencies_is_a_one_line_error(monkeypatch, tmp_path):
    import importlib.util

    from click.testing import CliRunner

    from parallax.cli import cli
    from parallax.extract import rhetoric
    from parallax.extract.rhetoric_encoder import EncoderMissing, check_available

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    monkeypatch.setenv(rhetoric.ENV_TIER, "fast")
    with pytest.raises(EncoderMissing, match=r"pip install 'parallax\[accurate\]'"):
        check_available()
    for command in (["analyze", "-"], ["ingest", "-", "--db", str(tmp_path / "p.db")]):
        result = CliRunner().invoke(cli, command + ["--rhetoric", "accurate"], input=SAMPLE)
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "onnxruntime" in lines[0] and "parallax[accurate]" in lines[0], result.output
    assert not (tmp_path / "p.db").exists()  # the check runs before the database is opened or any input read
