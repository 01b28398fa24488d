"""Claims with attribution: the samples' claims, each cue kind, hedging, negation, coreference, and a PolNeAR smoke test."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.extract.attribution import extract_claims, learned_available
from parallax.extract.entities import extract_entities
from parallax.model import Article
from parallax.pipeline import load_nlp

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
POLNEAR = Path(__file__).parents[2] / "shared" / "eval" / "polnear"


def analyse(text: str, system: str = "auto") -> Article:
    article = Article(id="t", source="t", text=text)
    doc = load_nlp()(text)
    extract_entities(doc, article)
    extract_claims(doc, article, system=system)
    return article


def attributed(article: Article):
    return [c for c in article.claims if c.kind != "unattributed"]


def find(article: Article, content: str):
    """The attributed claims whose content holds ``content``."""
    return [c for c in attributed(article) if content in c.content.span.text]


@pytest.fixture(scope="module")
def op_ed() -> Article:
    import parallax
    import parallax.extract.attribution  # noqa: F401  (registers the "claims" extractor)

    text = (EXAMPLES / "000_e05bb7a8d3b72e73.txt").read_text(encoding="utf-8")
    return parallax.analyze(text, as_is=False)


@pytest.fixture(scope="module")
def op_ed_004() -> Article:
    import parallax
    import parallax.extract.attribution  # noqa: F401

    text = (EXAMPLES / "004_fab2380e06d26105.txt").read_text(encoding="utf-8")
    return parallax.analyze(text, as_is=False)


# --------------------------------------------------------------------------- the samples


def test_letter_quote_reads(op_ed):
    claims = find(op_ed, "According to the credible information available to the Azerbaijani side")
    reads = [c for c in claims if c.cue and c.cue.span.text == "reads"]
    assert reads, [(c.cue.span.text if c.cue else None, c.content.span.text[:60]) for c in claims]
    claim = reads[0]
    assert claim.kind == "direct"
    assert claim.source.type == "document"
    assert claim.source.span is not None and claim.source.span.text == "the letter"
    assert claim.source.resolved == "Jeyhun Bayramov"
    # the same quotation goes on to the accusation itself
    assert "members of armed forces of Armenia, wearing civilian dress" in claim.content.span.text
    assert claim.content.span.text.startswith("“According to")


def test_letter_quote_stated_in_bayramovs_letter(op_ed):
    claims = find(op_ed, "Armenian servicemen and their relatives have voiced serious allegations")
    claims = [c for c in claims if c.source.resolved == "Jeyhun Bayramov"]
    assert claims
    claim = claims[0]
    assert claim.kind == "direct"
    assert "stated" in claim.cue.span.text
    assert claim.source.span is not None and "Bayramov’s letter" in claim.source.span.text
    assert claim.source.type == "document"


def test_other_letter_quotes_resolve_to_the_minister(op_ed):
    said = find(op_ed, "By forcing its servicemen to engage in military activity")
    assert said and said[0].source.resolved == "Jeyhun Bayramov" and said[0].kind == "direct"
    informed = find(op_ed, "It should be recalled that it was the transfer of Armenian conscripts")
    assert any(c.source.resolved == "Jeyhun Bayramov" for c in informed)


def test_role_resolves_to_the_named_minister(op_ed):
    calls = [c for c in attributed(op_ed) if c.cue and "calls upon" in c.cue.span.text]
    assert calls
    source = calls[0].source
    assert source.span is not None and source.span.text == "Azerbaijan’s Foreign Minister"
    assert source.resolved == "Jeyhun Bayramov"
    assert source.role and "Foreign Minister" in source.role


def test_anaphoric_concern_raised_by(op_ed):
    claims = find(op_ed, "There are reports from multiple sources about Armenia’s attempts")
    claims = [c for c in claims if c.source.resolved == "Jeyhun Bayramov"]
    assert claims
    assert claims[0].source.role == "Azerbaijan’s Foreign Minister"
    assert "raised by" in claims[0].cue.span.text


def test_author_voice_is_unattributed(op_ed):
    mine = [c for c in op_ed.claims if c.kind == "unattributed"]
    assert any("drastically challenges the precarious balance" in c.content.span.text for c in mine)
    claim = next(c for c in mine if "drastically challenges" in c.content.span.text)
    assert claim.source.type == "author" and claim.source.span is None and claim.cue is None
    # a quotation is never the author's own voice
    assert not any("Armenian servicemen and their relatives" in c.content.span.text for c in mine)


def test_004_mostly_author_voice(op_ed_004):
    # the author's voice: unattributed sentences and what "we" (the ambassador's side) say
    mine = [c for c in op_ed_004.claims if c.source.type == "author"]
    others = [c for c in op_ed_004.claims if c.source.type != "author"]
    assert len(mine) > 2 * len(others)
    we = [c for c in attributed(op_ed_004) if c.source.span and c.source.span.text.lower() == "we"]
    assert we and all(c.source.type == "author" and c.source.resolved == "Shaheen Abdullayev" for c in we)


def test_004_president_and_armenia(op_ed_004):
    president = [c for c in attributed(op_ed_004) if c.source.span and "Azerbaijani President" in c.source.span.text]
    assert president
    assert "Armenian population living in the Karabakh region should not be affected" in president[0].content.span.text
    accuse = [c for c in find(op_ed_004, "violating the Trilateral Statement") if c.cue and "accuse" in c.cue.span.text]
    assert accuse
    assert accuse[0].source.span is not None and accuse[0].source.span.text.startswith("Armenia")
    assert accuse[0].source.type == "organisation" and accuse[0].source.resolved == "Armenia"


# --------------------------------------------------------------------------- our own sentences


@pytest.mark.parametrize("system", ["auto", "rules"])
def test_verb_cue_indirect(system):
    article = analyse("The minister said that the talks had failed.", system)
    (claim,) = attributed(article)
    assert claim.cue.span.text == "said" and claim.cue.kind == "verb"
    assert claim.source.span.text == "The minister"
    assert "the talks had failed" in claim.content.span.text
    assert claim.kind == "indirect"
    assert not claim.hedged and not claim.negated


@pytest.mark.parametrize("system", ["auto", "rules"])
def test_quotation_is_direct(system):
    article = analyse("“We will not retreat from the border,” the general told reporters on Monday.", system)
    claims = attributed(article)
    assert claims
    claim = claims[0]
    assert claim.kind == "direct"
    assert claim.source.span.text == "the general"
    assert claim.content.span.text.startswith("“We will not retreat")


@pytest.mark.parametrize("system", ["auto", "rules"])
def test_preposition_cue(system):
    article = analyse("According to the defence ministry, twenty soldiers were killed in the attack.", system)
    claims = attributed(article)
    assert claims
    claim = claims[0]
    assert claim.cue.kind == "preposition" and claim.cue.span.text == "According to"
    assert claim.source.span.text == "the defence ministry"
    assert claim.source.type == "organisation"
    assert "twenty soldiers were killed" in claim.content.span.text


def test_noun_cue_points_back():
    text = (
        "The army is moving heavy artillery to the border. This was the concern raised by Jane Smith, "
        "the country’s defence minister, in a letter to the council."
    )
    claims = attributed(analyse(text))
    claim = next(c for c in claims if "moving heavy artillery" in c.content.span.text)
    assert claim.cue.kind == "noun"
    assert claim.source.resolved == "Jane Smith"
    assert claim.source.role == "country’s defence minister"


def test_colon_cue():
    text = "The ministry's statement was blunt: “The shelling of civilians will not go unanswered.”"
    claims = attributed(analyse(text, "rules")) + attributed(analyse(text))
    assert any(c.content.span.text.startswith("“The shelling") for c in claims)


def test_hedged():
    article = analyse("Officials alleged that the rebels may have used chemical weapons near the town.")
    claims = attributed(article)
    assert claims and claims[0].hedged
    plain = attributed(analyse("The general said that the rebels used chemical weapons near the town."))
    assert plain and not plain[0].hedged


def test_negated():
    denied = attributed(analyse("The ministry denied that its forces had shelled the village."))
    assert denied and denied[0].negated
    assert denied[0].source.type == "organisation"
    not_said = attributed(analyse("The president did not say that the war was over."))
    assert not_said and not_said[0].negated


def test_pronoun_resolves_to_the_nearest_person():
    text = "John Smith is the mayor of the city. He said the bridge would reopen next week."
    claims = attributed(analyse(text))
    assert claims and claims[0].source.span.text == "He"
    assert claims[0].source.type == "person" and claims[0].source.resolved == "John Smith"


def test_pronoun_respects_gender():
    text = (
        "Mary Jones met John Smith on Monday. She said she was pleased with the talks. "
        "Later John Smith spoke to the press. He said the talks had been difficult."
    )
    claims = attributed(analyse(text))
    she = next(c for c in claims if c.source.span and c.source.span.text == "She")
    he = next(c for c in claims if c.source.span and c.source.span.text == "He")
    assert she.source.resolved == "Mary Jones"
    assert he.source.resolved == "John Smith"


def test_role_resolves_through_apposition():
    text = (
        "Jane Smith, the defence minister, visited the front on Tuesday. "
        "The minister said the army was ready to defend the border."
    )
    claims = attributed(analyse(text))
    claim = next(c for c in claims if c.source.span and c.source.span.text == "The minister")
    assert claim.source.resolved == "Jane Smith" and claim.source.type == "person"


def test_document_resolves_to_its_author():
    text = (
        "In a letter to the United Nations, Jeyhun Bayramov described the situation on the border. "
        "“The deployment of troops is illegal,” the letter reads."
    )
    claims = attributed(analyse(text))
    claim = next(c for c in claims if c.content.span.text.startswith("“The deployment"))
    assert claim.source.type == "document" and claim.source.resolved == "Jeyhun Bayramov"


def test_anonymous_sources():
    claims = attributed(analyse("The convoy was attacked near the airport, sources said."))
    assert claims and claims[0].source.type == "anonymous"


def test_unattributed_skips_questions_and_headings():
    text = "Ceasefire Talks Resume\n\nWill the ceasefire hold? The war has devastated the region for three years."
    mine = [c for c in analyse(text).claims if c.kind == "unattributed"]
    assert [c.content.span.text for c in mine] == ["The war has devastated the region for three years."]
    assert mine[0].source.type == "author" and mine[0].source.span is None


def test_spans_index_the_text():
    text = "“It is over,” he said. According to the police, two people died."
    article = analyse(text)
    for span in article.iter_spans():
        assert text[span.start : span.end] == span.text
    # check-worthiness is another extractor's job
    assert article.claims and all(c.checkworthiness is None for c in article.claims)


# --------------------------------------------------------------------------- PolNeAR smoke test


@pytest.mark.skipif(not POLNEAR.exists(), reason=f"PolNeAR gold data not found at {POLNEAR}")
def test_polnear_dev_smoke():
    from parallax.eval.attribution import evaluate_attribution, read_polnear

    docs = read_polnear(POLNEAR, "dev", limit=3)
    assert len(docs) == 3 and all(d.attributions for d in docs)
    result = evaluate_attribution(POLNEAR, "dev", limit=3, verbose=False)
    assert result["documents"] == 3
    system = "learned" if learned_available() else "rules"
    scores = result["systems"][system]["all"]
    for part in ("source", "cue", "content", "attribution"):
        for measure in ("exact", "overlap"):
            assert 0.0 <= scores[part][measure]["f1"] <= 1.0
    assert scores["cue"]["exact"]["f1"] > 0.4
    assert scores["source"]["exact"]["f1"] > 0.4
