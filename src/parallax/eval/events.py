"""Measure the event extractor and the ACLED sub-event classifier on public gold data.

(a) CASE 2021 Task 2 dev snippets (the only ACLED-labelled data here): TF-IDF + logistic
    regression by stratified 5-fold cross-validation (needs scikit-learn), with the majority baseline,
    and the event extractor's own sub-type (held out: its cross-walk never saw the snippets);
(b) PLOVER_GSR_CAMEO.json: category accuracy (old labels mapped to v0.8), actor / target match,
    dead / injured accuracy, running the extractor on each sentence;
(c) wikievents-dev.jsonl: trigger identification P/R/F1 (any event type), and argument
    identification and classification P/R/F1, end to end;
(d) conflibert-cameo_ner/train.txt: source / target span P/R/F1, zero-shot and a cross-validated CRF
    (:mod:`parallax.eval.event_roles`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

_DEATH = {"killed", "dead"}


def eval_acled(tsv: Path, folds: int = 5) -> dict:
    import numpy as np
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from ..train.events import fit, read_case

    texts, labels = read_case(tsv)
    y = np.array(labels)
    pred = np.empty(len(y), dtype=object)
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for tr, te in skf.split(texts, y):
        vec, clf = fit([texts[i] for i in tr], list(y[tr]))
        pred[te] = clf.predict(vec.transform([texts[i] for i in te]))
    majority = max(set(labels), key=labels.count)
    base = np.array([majority] * len(y))
    return {
        "snippets": len(y), "labels": len(set(labels)), "protocol": f"stratified {folds}-fold cross-validation",
        "weighted_f1": round(float(f1_score(y, pred, average="weighted")), 3),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 3),
        "accuracy": round(float((y == pred).mean()), 3),
        "majority_weighted_f1": round(float(f1_score(y, base, average="weighted", zero_division=0)), 3),
    }


def eval_extractor_acled(tsv: Path, folds: int = 5) -> dict:
    """The event extractor's ACLED sub-type on the CASE snippets, two ways.

    * ``crosswalk``: PLOVER type and mode through the ontology's cross-walk alone (held out:
      nothing was learned from these snippets);
    * ``with classifier``: the shipped setting, where the sentence classifier picks the sub-type
      of ASSAULT and PROTEST events; scored by stratified cross-validation, each fold's snippets
      read with a classifier trained on the other folds.

    A snippet's prediction is the sub-type of its first event that has one ("none" otherwise).
    """
    import tempfile

    import numpy as np
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from ..extract import REGISTRY, registered
    from ..extract.acled import AcledClassifier
    from ..extract.events import find_events, ontology
    from ..ingest import Extraction, Input, ReadOptions, build_article
    from ..pipeline import load_nlp
    from ..train.events import fit, read_case, save

    texts, codes = read_case(tsv)
    names = ontology()["case2021_codes"]
    gold = [names.get(code, code) for code in codes]
    nlp = load_nlp()
    before = registered([name for name in REGISTRY if name != "events"])
    parsed = []
    for i, (text, doc) in enumerate(zip(texts, nlp.pipe(texts, batch_size=32))):
        article = build_article(Input(f"case:{i}", Extraction(text=text)), ReadOptions(as_is=True))
        for _, run in before:
            run(doc, article)
        parsed.append((doc, article))

    def first_sub_type(i: int, classifier) -> str:
        doc, article = parsed[i]
        return next((e.acled_sub_type for e in find_events(doc, article, classifier) if e.acled_sub_type), "none")

    def scores(pred: list[str], protocol: str) -> dict:
        return {
            "protocol": protocol,
            "weighted_f1": round(float(f1_score(gold, pred, average="weighted", zero_division=0)), 3),
            "macro_f1": round(float(f1_score(gold, pred, labels=sorted(set(gold)), average="macro", zero_division=0)), 3),
            "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / len(gold), 3),
            "no_sub_type": round(pred.count("none") / len(pred), 3),
        }

    crosswalk = [first_sub_type(i, None) for i in range(len(parsed))]
    combined = [""] * len(parsed)
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    with tempfile.TemporaryDirectory() as tmp:
        for k, (train, test) in enumerate(split.split(texts, np.array(codes))):
            vec, clf = fit([texts[i] for i in train], [codes[i] for i in train])
            save(vec, clf, Path(tmp) / f"fold{k}.npz")
            classifier = AcledClassifier(Path(tmp) / f"fold{k}.npz")
            for i in test:
                combined[i] = first_sub_type(i, classifier)
    return {
        "snippets": len(gold),
        "crosswalk": scores(crosswalk, "held out: the ontology's cross-walk, nothing learned from these snippets"),
        "with_classifier": scores(combined, f"stratified {folds}-fold cross-validation (the shipped setting)"),
    }


def _match(gold: list[dict], found: list) -> bool:
    if isinstance(gold, (str, dict)):
        gold = [gold]
    if not gold:
        return not found
    texts = [(p.span.text + " " + p.name).lower() for p in found]
    for g in gold:
        g_text = g.get("actorText", "") if isinstance(g, dict) else str(g)
        words = [w for w in g_text.lower().split() if len(w) > 2]
        if not any(any(w in t for w in words) for t in texts):
            return False
    return True


def eval_plover(path: Path, nlp) -> dict:
    from ..extract import events as ev
    from ..model import Article, article_id

    items = [d for d in json.loads(path.read_text()) if d.get("text") and d.get("event") != "DOCUMENT"]
    n = cat_ok = detected = act_ok = tar_ok = 0
    dead_n = dead_ok = 0
    tokens = 0
    t0 = time.perf_counter()
    for d in items:
        gold = ev.legacy_category(d["event"])
        text = d["text"]
        doc = nlp(text)
        tokens += len(doc)
        art = Article(id=article_id(text), source="gsr", text=text)
        try:
            from ..extract.quantities import extract_quantities  # type: ignore[attr-defined]

            extract_quantities(doc, art)
        except Exception:  # noqa: BLE001
            pass
        found = ev.find_events(doc, art)
        n += 1
        if found:
            detected += 1
        best = next((e for e in found if e.type == gold), found[0] if found else None)
        if best is not None and best.type == gold:
            cat_ok += 1
        if best is not None:
            act_ok += _match(d.get("source", []), best.actors)
            tar_ok += _match(d.get("target", []), best.targets)
        for key, roles in (("dead", _DEATH), ("injured", {"injured"})):
            if key in d:
                dead_n += 1
                got = [q.quantity.value for q in (best.quantities if best else []) if q.role in roles]
                try:
                    dead_ok += bool(got) and abs(got[0] - float(d[key])) < 0.5
                except (TypeError, ValueError):
                    pass
    ms = (time.perf_counter() - t0) * 1000 / max(tokens, 1) * 1000
    return {
        "sentences": n, "with_event": round(detected / n, 3), "category_accuracy": round(cat_ok / n, 3),
        "actor_match": round(act_ok / n, 3), "target_match": round(tar_ok / n, 3),
        "dead_injured_items": dead_n, "dead_injured_accuracy": round(dead_ok / dead_n, 3) if dead_n else None,
        "ms_per_1000_tokens_incl_parse": round(ms, 1),
    }


# WikiEvents argument roles seen from our event model: who acts (actors), who or what is acted on
# (targets), where (place). "Participant" (meetings, talks) is either side: we put one party in
# ``actors`` and the others in ``targets``.
WIKIEVENTS_ROLES: dict[str, frozenset[str]] = {
    "actor": frozenset({"Attacker", "Killer", "Perpetrator", "Communicator", "Transporter", "Giver", "Impeder",
                        "Jailer", "Investigator", "Demonstrator", "Injurer", "Participant", "Prosecutor", "Regulator"}),
    "target": frozenset({"Victim", "Target", "Recipient", "Detainee", "Defendant", "Participant", "Patient",
                         "Employee", "AcquiredEntity", "PassengerArtifact", "Artifact"}),
    "place": frozenset({"Place", "Destination", "Origin"}),
}


def _prf(right: int, n_pred: int, n_gold: int, prefix: str, gold_right: int | None = None) -> dict:
    """P/R/F1; ``gold_right``: gold items matched, where it differs from predicted items right."""
    p = right / n_pred if n_pred else 0.0
    r = (right if gold_right is None else gold_right) / n_gold if n_gold else 0.0
    return {f"{prefix}_precision": round(p, 3), f"{prefix}_recall": round(r, 3), f"{prefix}_f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


def eval_wikievents(path: Path, nlp) -> dict:
    """Trigger identification and, end to end, argument identification and classification.

    A predicted argument (an actor, a target, the place) is *identified* when its span overlaps
    a gold argument of the gold event with the same trigger, and *classified* when that gold
    argument's role is one :data:`WIKIEVENTS_ROLES` maps our role to. Arguments of predicted
    events with no gold trigger count as wrong; gold arguments of missed events as missed.
    """
    from ..extract import events as ev
    from ..model import Article, article_id

    tp = fp = fn = 0
    arg_pred = arg_gold = 0
    right = {"id": [0, 0], "class": [0, 0]}  # predicted arguments that match, gold arguments matched
    for line in path.read_text().splitlines():
        d = json.loads(line)
        toks = d["tokens"]
        text = " ".join(toks)
        starts, pos = [], 0
        for t in toks:
            starts.append(pos)
            pos += len(t) + 1
        ends = [a + len(t) for a, t in zip(starts, toks)]
        mentions = {m["id"]: (starts[m["start"]], ends[m["end"] - 1]) for m in d.get("entity_mentions", [])}
        gold_events = {starts[e["trigger"]["start"]]: e for e in d.get("event_mentions", [])}
        doc = nlp(text)
        art = Article(id=article_id(text), source="wikievents", text=text)
        found = ev.find_events(doc, art)
        pred = {e.trigger.start for e in found}
        tp += len(pred & set(gold_events))
        fp += len(pred - set(gold_events))
        fn += len(set(gold_events) - pred)
        arg_gold += sum(len(e["arguments"]) for e in gold_events.values())
        for event in found:
            ours = [("actor", p.span) for p in event.actors] + [("target", p.span) for p in event.targets]
            ours += [("place", event.place.span)] if event.place is not None else []
            arg_pred += len(ours)
            gold = gold_events.get(event.trigger.start)
            if gold is None:
                continue
            matched: dict[str, set[int]] = {"id": set(), "class": set()}
            for role, span in ours:
                hits = [k for k, g in enumerate(gold["arguments"]) if g["entity_id"] in mentions
                        and mentions[g["entity_id"]][0] < span.end and span.start < mentions[g["entity_id"]][1]]
                typed = [k for k in hits if gold["arguments"][k]["role"] in WIKIEVENTS_ROLES[role]]
                for level, ks in (("id", hits), ("class", typed)):
                    right[level][0] += bool(ks)
                    matched[level].update(ks)
            for level in right:
                right[level][1] += len(matched[level])
    return {
        **_prf(tp, tp + fp, tp + fn, "trigger_id"),
        "gold_triggers": tp + fn,
        **_prf(right["id"][0], arg_pred, arg_gold, "argument_id", right["id"][1]),
        **_prf(right["class"][0], arg_pred, arg_gold, "argument_class", right["class"][1]),
        "gold_arguments": arg_gold,
    }


SECTIONS = ("acled", "plover", "wikievents", "roles")
CONFLIBERT_NER = Path("conflibert-cameo_ner") / "train.txt"


def evaluate_events(data_dir: Path, sections=SECTIONS, limit: int | None = None, folds: int = 5) -> dict:
    """All event measures on ``data_dir`` (``../shared/eval/events``), or the named ``sections``.

    ``limit`` and ``folds`` apply to the ConfliBERT source/target section (``roles``, see
    :mod:`parallax.eval.event_roles`): sentences to read, and CRF cross-validation folds (0: none).
    """
    from ..pipeline import load_nlp

    data_dir = Path(data_dir)
    nlp = load_nlp()
    out: dict = {}
    if "acled" in sections:
        try:
            out["acled_case2021"] = eval_acled(data_dir / "case2021-task2-dev.tsv")
            out["acled_case2021_extractor"] = eval_extractor_acled(data_dir / "case2021-task2-dev.tsv")
        except ImportError as exc:
            out["acled_case2021"] = {"skipped": f"needs scikit-learn ({exc})"}
    if "plover" in sections:
        out["plover_gsr"] = eval_plover(data_dir / "PLOVER_GSR_CAMEO.json", nlp)
    if "wikievents" in sections:
        out["wikievents"] = eval_wikievents(data_dir / "wikievents-dev.jsonl", nlp)
    if "roles" in sections:
        from .event_roles import evaluate_roles

        out["conflibert_source_target"] = evaluate_roles(data_dir / CONFLIBERT_NER, limit=limit, folds=folds)
    return out


if __name__ == "__main__":
    import sys

    print(json.dumps(evaluate_events(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/events")), indent=1))
