"""Event extraction on the two op-ed samples (full pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import parallax
from parallax.extract.events import acled_for, legacy_category, ontology

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def op000():
    return parallax.analyze((EXAMPLES / "000_e05bb7a8d3b72e73.txt").read_text(), as_is=False, published="2021-03-05")


@pytest.fixture(scope="module")
def op004():
    return parallax.analyze((EXAMPLES / "004_fab2380e06d26105.txt").read_text(), as_is=False, published="2023-09-26")


def _find(article, type_, trigger):
    hits = [e for e in article.events if e.type == type_ and e.trigger.text.lower() == trigger]
    assert hits, [(e.type, e.trigger.text) for e in article.events]
    return hits[0]


def test_ontology():
    onto = ontology()
    assert len(onto["categories"]) == 16
    assert sum(len(v) for v in onto["acled_types"].values()) == 25
    assert legacy_category("FIGHT") == "ASSAULT" and legacy_category("DEMAND") == "REQUEST"
    assert legacy_category("DISAPPROVE") == "ACCUSE" and legacy_category("INVESTIGATE") == "ACCUSE"
    assert acled_for("ASSAULT", "explosives") == ("Explosions/Remote violence", "Remote explosive/landmine/IED")


def test_trilateral_statement(op000):
    e = _find(op000, "AGREE", "signed")
    assert [a.name for a in e.actors] == ["Armenia", "Azerbaijan", "Russia"]
    assert [a.country for a in e.actors] == ["AM", "AZ", "RU"]
    assert e.time.value == "2020-11-10"
    assert e.reported_by == "author"


def test_sabotage_group_detained(op000):
    e = _find(op000, "COERCE", "detained")
    assert any(q.quantity.value == 62 for q in e.quantities)
    assert e.time is not None and e.time.value == "2020-11" and e.time.precision == "month"
    assert e.reported_by and e.reported_by != "author"


def test_mine_explosion(op004):
    e = _find(op004, "ASSAULT", "act")
    assert e.mode == "explosives" and e.acled_sub_type == "Remote explosive/landmine/IED"
    assert e.time.value == "2023-09-19"
    assert {q.quantity.value for q in e.quantities} >= {6, 2}
    assert e.actors[0].country == "AM" and e.actors[0].actor_type == "State forces"
    assert e.reported_by == "author"


def test_outposts_taken(op004):
    e = _find(op004, "ASSAULT", "taken")
    got = {(q.role, q.quantity.value, q.quantity.qualifier) for q in e.quantities}
    assert ("outposts", 90, "at_least") in got
    assert ("vehicles", 20, "exact") in got
    assert {q.quantity.value for q in e.quantities} >= {40, 30}


def test_meeting_in_yevlakh(op004):
    e = _find(op004, "CONSULT", "meeting")
    assert e.place is not None and e.place.name == "Yevlakh"
    assert e.time.value == "2023-09-21"
    assert e.reported_by == "author"
    from parallax.store.tables import TABLES

    [row] = [r for r in TABLES["events"].rows(op004) if r["trigger_start"] == e.trigger.start]
    assert row["location"] == "Yevlakh" and row["geo_precision"] == 1  # ACLED: a town
    assert row["date"] == "2023-09-21" and row["time_precision"] == "day" and row["country"] == "AZ"


def test_acled_geo_precision():
    from parallax.model import Place, Span
    from parallax.store.tables import acled_geo_precision

    span = Span(start=0, end=1, text="x")
    assert acled_geo_precision(Place(span=span, name="Yevlakh", feature_class="P", feature_code="PPLA2")) == 1
    assert acled_geo_precision(Place(span=span, name="Karabakh", feature_class="L", feature_code="RGN")) == 2
    assert acled_geo_precision(Place(span=span, name="Azerbaijan", feature_class="A", feature_code="PCLI")) == 3


def test_khankendi_electricity(op004):
    e = _find(op004, "AID", "connected")
    assert e.time.value == "2023-09-24"
    assert e.targets[0].name == "Khankendi"


def test_modality():
    a = parallax.analyze("Azerbaijan will sign a peace treaty with Armenia on Monday. Armenia did not attack Azerbaijan on Tuesday.", published="2023-09-26")
    mods = {e.trigger.text: e.modality for e in a.events}
    assert mods.get("sign") == "future"
    assert mods.get("attack") == "negated"


def test_participant_span_keeps_the_article_and_the_name_drops_it():
    """Event annotators (ConfliBERT's among them) mark "the rebels"; the canonical name is "rebels"."""
    a = parallax.analyze("The rebels attacked the village.", published="2023-09-26", as_is=True)
    attack = _find(a, "ASSAULT", "attacked")
    assert [(p.span.text, p.name) for p in attack.actors] == [("The rebels", "rebels")]
    assert [(p.span.text, p.name) for p in attack.targets] == [("the village", "village")]



def test_a_date_is_never_a_participant():
    a = parallax.analyze("A Swiss court rejected the Croatian government's request on Monday.", published="2023-09-26", as_is=True)
    request = _find(a, "REQUEST", "request")
    assert [p.name for p in request.actors] == ["Croatian government"]
    assert request.targets == [] and request.time is not None


# ---------------------------------------------------------------- ConfliBERT source/target span scorer

from click.testing import CliRunner  # noqa: E402

from parallax.eval.event_roles import bio_spans, map_events, read_conll, score_roles, score_spans, _Found  # noqa: E402

# Two hand-made sentences: S / T / R spans in BIO, one stray I- (opens a span, as conlleval does).
TINY_CONLL = """\
Rebels B-S
shelled O
the B-T
town I-T
. O

Police B-S
officers I-S
arrested O
two B-T
protesters I-T
and O
they I-R
met O
leaders B-R
. O
"""


def _tiny(tmp_path):
    folder = tmp_path / "conflibert-cameo_ner"
    folder.mkdir(exist_ok=True)
    (folder / "train.txt").write_text(TINY_CONLL)
    return folder / "train.txt"


def test_read_conll_and_bio_spans(tmp_path):
    sents = read_conll(_tiny(tmp_path))
    assert [len(s.tokens) for s in sents] == [5, 10]
    assert sents[0].text == "Rebels shelled the town ."
    assert sents[1].starts[:3] == [0, 7, 16]
    assert sents[0].spans("S") == {(0, 1)} and sents[0].spans("T") == {(2, 4)}
    assert sents[1].spans("S") == {(0, 2)} and sents[1].spans("T") == {(3, 5)}
    assert sents[1].spans("R") == {(6, 7), (8, 9)}
    assert bio_spans(["B-S", "B-S", "I-S", "O", "I-S"], "S") == [(0, 1), (1, 3), (4, 5)]
    assert len(read_conll(tmp_path / "conflibert-cameo_ner" / "train.txt", limit=1)) == 1


def test_span_scores_known_values(tmp_path):
    sents = read_conll(_tiny(tmp_path))
    pred = [
        {"S": {(0, 1)}, "T": {(3, 4)}},  # S exact; T "town" only: inside the gold "the town"
        {"S": {(1, 2), (8, 9)}, "T": {(3, 5)}},  # S "officers" half of "Police officers", "leaders" wrong; T exact
    ]
    res = score_roles(pred, sents)
    s_ex, s_ov = res["S"]["exact"], res["S"]["overlap"]
    assert (s_ex["predicted"], s_ex["gold"]) == (3, 2)
    assert s_ex["precision"] == pytest.approx(1 / 3, abs=1e-4) and s_ex["recall"] == 0.5
    assert s_ex["f1"] == pytest.approx(0.4, abs=1e-4)
    # overlap: predicted shares 1, 1, 0 -> P 2/3; gold covered 1, 0.5 -> R 0.75
    assert s_ov["precision"] == pytest.approx(2 / 3, abs=1e-4) and s_ov["recall"] == 0.75
    assert s_ov["f1"] == pytest.approx(2 * (2 / 3) * 0.75 / (2 / 3 + 0.75), abs=1e-4)
    t_ex, t_ov = res["T"]["exact"], res["T"]["overlap"]
    assert (t_ex["precision"], t_ex["recall"], t_ex["f1"]) == (0.5, 0.5, 0.5)
    assert (t_ov["precision"], t_ov["recall"]) == (1.0, 0.75)
    assert res["macro"]["exact"]["f1"] == pytest.approx((0.4 + 0.5) / 2, abs=1e-4)
    assert res["R"]["exact"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "predicted": 0, "gold": 2}
    perfect = score_spans([s.spans("T") for s in sents], [s.spans("T") for s in sents])
    assert perfect["exact"]["f1"] == perfect["overlap"]["f1"] == 1.0


def test_event_to_role_mapping():
    found = [_Found(9, "ASSAULT", [(1, 2)], [(4, 5)]), _Found(30, "CONSULT", [(1, 2)], [(8, 9)])]
    assert map_events(found, "union") == {"S": {(1, 2)}, "T": {(4, 5), (8, 9)}, "R": set()}
    assert map_events(found, "main")["T"] == {(4, 5)}  # equal participants: the earlier trigger
    assert map_events(found, "union+R") == {"S": {(1, 2)}, "T": {(4, 5)}, "R": {(1, 2), (8, 9)}}
    assert map_events([], "main") == {"S": set(), "T": set(), "R": set()}


def test_eval_events_prints_source_target_section(tmp_path):
    from parallax.cli import cli

    _tiny(tmp_path)
    result = CliRunner().invoke(
        cli, ["eval", "events", "--data", str(tmp_path), "--sections", "roles", "--folds", "2"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ConfliBERT's CAMEO NER *train* file (2 sentences)" in out
    assert "zero-shot extractor (union)" in out and "CRF (2-fold CV)" in out
    assert "macro" in out and "74.4" in out


def test_wikievents_arguments_scored_end_to_end(tmp_path, pipeline):
    from parallax.eval.events import eval_wikievents

    tokens = "Rebels attacked the village . Officials met reporters .".split()
    record = {
        "doc_id": "t1",
        "tokens": tokens,
        "entity_mentions": [
            {"id": "T1", "start": 0, "end": 1, "text": "Rebels"},
            {"id": "T2", "start": 3, "end": 4, "text": "village"},
            {"id": "T3", "start": 7, "end": 8, "text": "reporters"},
        ],
        "event_mentions": [
            {"trigger": {"start": 1, "end": 2}, "arguments": [{"entity_id": "T1", "role": "Attacker"}, {"entity_id": "T2", "role": "Target"}]},
            {"trigger": {"start": 4, "end": 5}, "arguments": [{"entity_id": "T3", "role": "Participant"}]},  # a trigger no system finds
        ],
    }
    path = tmp_path / "wiki.jsonl"
    path.write_text(json.dumps(record) + "\n")
    scores = eval_wikievents(path, pipeline.nlp)
    assert scores["gold_triggers"] == 2 and scores["gold_arguments"] == 3
    assert scores["trigger_id_recall"] == 0.5
    # "Rebels" and "the village" overlap their gold arguments, with compatible roles
    assert scores["argument_class_recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert scores["argument_id_precision"] == scores["argument_class_precision"] > 0


def test_sentence_classifier_picks_acled_sub_types_the_category_allows():
    from parallax.extract.acled import shipped_classifier
    from parallax.extract.events import classified_acled

    classifier = shipped_classifier()
    assert classifier is not None
    air = "US warplanes pounded the village of Kashkash, killing 6 civilians."
    assert classified_acled(classifier, "ASSAULT", air) == ("Explosions/Remote violence", "Air/drone strike")
    kind, _ = classified_acled(classifier, "PROTEST", air)  # only protest or riot sub-types for a protest
    assert kind in ("Protests", "Riots")
    assert classified_acled(classifier, "CONSULT", air) is None


def test_events_extractor_uses_the_classifier_for_violent_events():
    a = parallax.analyze("US warplanes pounded the village of Kashkash on Monday, killing 6 civilians.", published="2023-09-26", as_is=True)
    assert any(e.type == "ASSAULT" and e.acled_sub_type == "Air/drone strike" for e in a.events), [
        (e.type, e.trigger.text, e.acled_sub_type) for e in a.events
    ]
