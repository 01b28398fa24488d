"""Event extraction on the two op-ed samples (full pipeline)."""

from __future__ import annotations

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


def test_khankendi_electricity(op004):
    e = _find(op004, "AID", "connected")
    assert e.time.value == "2023-09-24"
    assert e.targets[0].name == "Khankendi"


def test_modality():
    a = parallax.analyze("Azerbaijan will sign a peace treaty with Armenia on Monday. Armenia did not attack Azerbaijan on Tuesday.", published="2023-09-26")
    mods = {e.trigger.text: e.modality for e in a.events}
    assert mods.get("sign") == "future"
    assert mods.get("attack") == "negated"
