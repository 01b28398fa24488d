"""Events: who did what to whom, when, where, how many, according to whom (PLOVER v0.8).

Triggers are verbs and event nouns from the lexicon in ``data/plover.json``;
arguments come from the dependency parse (subject / "by" agent -> actor; object,
passive subject, "against"/"on" -> target); time and place are the article's
time expressions and places nearest to the trigger *along the parse*, within
its sentence; quantities are the article's quantities in the sentence; the
reporter is the claim whose content holds the trigger. Precision first: a
trigger with no argument, time or place attached is skipped as vague.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Iterable

from spacy.tokens import Doc, Span as SpacySpan, Token

from ..model import Article, Event, EventParticipant, EventQuantity, Place, TimeExpression
from . import extractor
from .acled import AcledClassifier, shipped_classifier
from .tokens import token_table

# Nouns whose "of X, Y and Z" names the real participants: "the leaders of Armenia, Azerbaijan and Russia".
_ROLE_NOUNS = frozenset(
    "leader leaders president presidents minister ministers government governments representative representatives "
    "head heads delegation delegations official officials side sides foreign".split()
)
_STATE = frozenset(
    "force forces army armies military militaries troop troops serviceman servicemen soldier soldiers police "
    "policeman officer officers guard guards navy airforce unit units contingent battalion brigade regiment "
    "personnel conscript conscripts government ministry".split()
)
_EXTERNAL = frozenset("peacekeeper peacekeepers peacekeeping un nato osce mission".split())
_CIVILIANS = frozenset(
    "civilian civilians resident residents citizen citizens villager villagers child children woman women people "
    "population inhabitant inhabitants family families student students journalist journalists".split()
)
_PROTESTERS = frozenset("protester protesters protestor protestors demonstrator demonstrators".split())
_REBELS = frozenset("rebel rebels insurgent insurgents separatist separatists guerrilla guerrillas".split())
_MILITIA = frozenset("militia militias militiaman militiamen".split())
_RIOTERS = frozenset("rioter rioters mob".split())

_LOC_PREPS = frozenset("in at near outside around inside across within into from throughout".split())
_TARGET_PREPS = frozenset("against on upon at".split())
_DEMAND_VERBS = frozenset("call urge demand ask appeal request insist order".split())
_HYPOTHETICAL = frozenset("would could might may".split())
_SUPPORT_VERBS = frozenset("commit carry conduct launch perpetrate stage mount undertake hold".split())
# Event nouns that need a modifier to be an event: "terrorist act", "air strike", "hunger strike".
_GATED_NOUNS = {
    "act": ({"terrorist", "terror", "aggression", "sabotage", "violence"}, None),
    "strike": ({"air", "drone", "missile", "hunger", "general", "military", "rocket"}, None),
}
_VAGUE_TIMES = frozenset({"PAST_REF", "PRESENT_REF", "FUTURE_REF"})


@lru_cache(maxsize=1)
def ontology() -> dict:
    """The PLOVER v0.8 ontology (categories, modes, lexicons, ACLED cross-walk)."""
    return json.loads(resources.files("parallax.data").joinpath("plover.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, tuple[str, str | None]], dict[str, tuple[str, str | None]]]:
    verbs: dict[str, tuple[str, str | None]] = {}
    nouns: dict[str, tuple[str, str | None]] = {}
    for cat, spec in ontology()["categories"].items():
        for lemma, mode in spec["verbs"].items():
            verbs.setdefault(lemma, (cat, mode))
        for lemma, mode in spec["nouns"].items():
            nouns.setdefault(lemma, (cat, mode))
    return verbs, nouns


def legacy_category(label: str) -> str:
    """Map an older PLOVER label (FIGHT, DEMAND, DISAPPROVE, INVESTIGATE, ...) to v0.8."""
    return ontology()["legacy"].get(label, label)


def acled_for(category: str, mode: str | None) -> tuple[str | None, str | None]:
    """ACLED (event type, sub-event type) for a PLOVER category and mode, or (None, None)."""
    walk = ontology()["categories"].get(category, {}).get("acled", {})
    pair = walk.get(mode or "*") or walk.get("*")
    return (pair[0], pair[1]) if pair else (None, None)


# The ACLED event types a PLOVER category may be coded as, where the sentence classifier chooses
# the sub-type (it reads the whole sentence: "warplanes pounded" is an air strike, whatever the trigger).
ACLED_FAMILIES: dict[str, frozenset[str]] = {
    "ASSAULT": frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"}),
    "PROTEST": frozenset({"Protests", "Riots"}),
}


@lru_cache(maxsize=1)
def _acled_names() -> tuple[dict[str, str], dict[str, str]]:
    """CASE code -> ACLED sub-type name, and sub-type name -> ACLED event type."""
    onto = ontology()
    type_of = {sub: kind for kind, subs in onto["acled_types"].items() for sub in subs}
    return onto["case2021_codes"], type_of


def classified_acled(classifier: AcledClassifier, category: str, sentence: str) -> tuple[str, str] | None:
    """The classifier's most probable (ACLED type, sub-type) among those the category allows."""
    family = ACLED_FAMILIES.get(category)
    if family is None:
        return None
    names, type_of = _acled_names()
    scores = classifier.scores(sentence)
    allowed = [(p, names[code]) for code, p in scores.items() if type_of.get(names.get(code, ""), "") in family]
    if not allowed:
        return None
    _, sub = max(allowed)
    return type_of[sub], sub


# ---------------------------------------------------------------------------------------- triggers


# verbs that trigger only in some constructions (see _trigger)
_GATED_VERBS = frozenset({"call", "connect", "take", "hold"})


def _trigger(tok: Token) -> tuple[str, str | None] | None:
    verbs, nouns = _lexicon()
    lemma = tok.lemma_.lower()
    if tok.pos_ == "VERB" and tok.dep_ not in ("amod", "compound"):
        if lemma == "call":  # only "call on/upon X to ..."
            if any(c.dep_ == "prep" and c.lower_ in ("on", "upon", "for") for c in tok.children):
                return ("REQUEST", None)
            return None
        if lemma == "connect":  # "connected to the electricity network"
            if any(w.lower_ in ("network", "grid", "electricity", "gas", "water", "power") for w in tok.subtree):
                return ("AID", "economic")
            return None
        if lemma == "take":  # "outposts were taken", "took control of"
            objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
            if any(o.lemma_.lower() in ("outpost", "post", "position", "control", "village", "town", "city", "territory", "height", "base") for o in objs):
                return ("ASSAULT", "seize")
            return None
        if lemma == "hold" and not any(c.lower_ == "talks" for c in tok.children):
            return None
        return verbs.get(lemma)
    if tok.pos_ in ("NOUN", "PROPN") and tok.dep_ != "compound":
        if lemma in _GATED_NOUNS:
            mods = {c.lower_ for c in tok.children if c.dep_ in ("amod", "compound", "nmod")}
            if not mods & _GATED_NOUNS[lemma][0]:
                return None
            if lemma == "strike":
                if mods & {"hunger"}:
                    return ("PROTEST", "hunger")
                if mods & {"general"}:
                    return ("PROTEST", "demo")
                return ("ASSAULT", "aerial")
            return ("ASSAULT", None)
        hit = nouns.get(lemma) or nouns.get(tok.lower_)
        if hit and tok.tag_ == "NNP" and tok.ent_type_ in ("ORG", "LAW", "EVENT", "WORK_OF_ART"):
            return None  # "the Trilateral Statement", "Agreement" in a name
        return hit
    return None


def _mode(sent: SpacySpan, category: str, lexicon_mode: str | None) -> str | None:
    if lexicon_mode:
        return lexicon_mode
    cues = ontology()["mode_cues"].get(category)
    if not cues:
        return None
    words = {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}
    for mode, cue_words in cues.items():
        if words & set(cue_words):
            return mode
    return None


# ---------------------------------------------------------------------------------------- arguments


def _governing_verb(tok: Token) -> Token | None:
    """For a noun trigger, the verb it is an argument of ("committed" for "act committed by ...")."""
    cur = tok
    for _ in range(3):
        head = cur.head
        if head.i == cur.i:
            return None
        if head.pos_ in ("VERB", "AUX"):
            return head
        cur = head
    return None


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "advcl") and not any(c.dep_ == "nsubj" for c in verb.children)
    )


def _pobj(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ == "pobj"), None)


def _expand(head: Token) -> list[Token]:
    """A participant head and its conjuncts, with role nouns opened up ("leaders of A, B and C" -> A, B, C)."""
    heads = [head] + [c for c in head.conjuncts if c.i > head.i]
    out: list[Token] = []
    for h in heads:
        if h.lower_ in _ROLE_NOUNS:
            of = next((c for c in h.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = _pobj(of) if of is not None else None
            if obj is not None and (obj.ent_type_ in ("GPE", "NORP") or obj.conjuncts):
                out.extend([obj] + [c for c in obj.conjuncts if c.i > obj.i])
                continue
        out.append(h)
    return [t for t in out if t.pos_ in ("NOUN", "PROPN", "PRON") and t.lower_ not in ("it", "this", "that", "which", "who")]


_ARTICLES = frozenset({"the", "a", "an"})


def _participant_tokens(head: Token) -> tuple[int, int]:
    """Token range [start, end) of a participant: the head with its left modifiers and a short "of" phrase."""
    skip = {"conj", "cc", "punct", "relcl", "acl", "appos", "advcl", "prep"}
    keep = [head]
    for c in head.children:
        if c.dep_ in skip:
            if c.dep_ == "prep" and c.lower_ == "of" and c.i > head.i:
                sub = [t for t in c.subtree if not any(a.dep_ in ("conj", "relcl", "acl", "appos") and a.i > c.i for a in t.ancestors if a.i >= c.i and a != t) or t == c]
                sub = [t for t in sub if t.dep_ not in ("conj", "cc", "punct", "relcl", "acl", "appos")]
                if len(sub) <= 7:
                    keep.extend(sub)
            continue
        if c.i < head.i:
            keep.extend(c.subtree)
    idx = sorted(t.i for t in keep)
    start, end = idx[0], idx[-1] + 1
    doc = head.doc
    # a leading article stays in the span, as event annotators mark it ("the Croatian government");
    # the participant's name drops it (see _Context.participant)
    while start < head.i and doc[start].dep_ in ("punct", "cc") and doc[start].lower_ in (",", "and", "“", '"'):
        start += 1
    return start, end


class _Context:
    def __init__(self, doc: Doc, article: Article):
        self.doc = doc
        self.article = article
        self.entity_at: dict[int, tuple[str, str]] = {}
        for ent in article.entities:
            for m in ent.mentions:
                for ch in range(m.start, m.end):
                    self.entity_at.setdefault(ch, (ent.canonical, ent.label))
        self.place_at: dict[int, Place] = {}
        for p in article.places:
            for ch in range(p.span.start, p.span.end):
                self.place_at[ch] = p
        self.time_chars = {ch for t in article.times for ch in range(t.span.start, t.span.end)}

    def participant(self, head: Token) -> EventParticipant | None:
        if head.ent_type_ in ("DATE", "TIME") or head.idx in self.time_chars:
            return None  # "the request on Monday": a when, not a who
        start, end = _participant_tokens(head)
        doc = self.doc
        a, b = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
        words = {t.lower_ for t in doc[start:end]}
        name = None
        ent = self.entity_at.get(head.idx)
        if ent and ent[1] in ("GPE", "ORG", "PERSON", "NORP", "LOC") and len(words) <= 3:
            name = ent[0]
        if name is None:
            first = start + 1 if doc[start].lower_ in _ARTICLES and start < head.i else start
            name = self.article.text[doc[first].idx : b]
        country = None
        for t in doc[start:end]:
            place = self.place_at.get(t.idx)
            if place is not None and place.feature_code and place.feature_code.startswith("PCL"):
                country = place.country
                break
            c = _demonym(t.text) if t.text[:1].isupper() else None
            if c:
                country = c
                break
        if country is None and ent and ent[1] in ("GPE",):
            country = _country_of_name(ent[0])
        return EventParticipant(span=self.article.span(a, b), name=name, country=country, actor_type=_actor_type(words, head, country))


def _demonym(text: str) -> str | None:
    try:
        from .places import demonym_country
    except ImportError:  # pragma: no cover
        return None
    try:
        return demonym_country(text)
    except Exception:  # noqa: BLE001 - the gazetteer is optional here
        return None


@lru_cache(maxsize=512)
def _country_of_name(name: str) -> str | None:
    try:
        from .gazetteer import load_gazetteer

        for e in load_gazetteer().find(name):
            if e.feature_code.startswith("PCL"):
                return e.country
    except Exception:  # noqa: BLE001
        return None
    return None


def _actor_type(words: set[str], head: Token, country: str | None) -> str | None:
    if words & _PROTESTERS:
        return "Protesters"
    if words & _RIOTERS:
        return "Rioters"
    if words & _EXTERNAL:
        return "External/Other forces"
    if words & _REBELS:
        return "Rebel group"
    if words & _MILITIA:
        return "Political militia"
    if words & _CIVILIANS and not words & _STATE:
        return "Civilians"
    if words & _STATE or head.lower_ in ("military",):
        return "State forces"
    return None


def _arguments(ctx: _Context, tok: Token, category: str) -> tuple[list[Token], list[Token]]:
    actors: list[Token] = []
    targets: list[Token] = []

    def from_verb(verb: Token, passive: bool, take_objects: bool) -> None:
        for c in verb.children:
            if c.dep_ == "nsubj":
                actors.append(c)
            elif c.dep_ == "nsubjpass" and take_objects:
                targets.append(c)
            elif c.dep_ == "agent":
                obj = _pobj(c)
                if obj is not None:
                    actors.append(obj)
            elif c.dep_ in ("dobj",) and take_objects:
                targets.append(c)
            elif c.dep_ == "prep" and c.lower_ in _TARGET_PREPS and take_objects and category not in ("CONSULT", "AGREE"):
                obj = _pobj(c)
                if obj is not None and obj.ent_type_ not in ("DATE", "TIME"):
                    targets.append(obj)
            elif c.dep_ == "prep" and c.lower_ == "with" and category in ("CONSULT", "AGREE", "COOPERATE"):
                obj = _pobj(c)
                if obj is not None:
                    targets.append(obj)
        if not actors and not (passive and targets):
            # subject shared with a governing clause: "X committed attacks ... before being detained"
            cur = verb
            for _ in range(2):
                if cur.dep_ not in ("conj", "xcomp", "advcl", "pcomp") or cur.head.i == cur.i:
                    break
                cur = cur.head
                if cur.dep_ == "pcomp" or cur.pos_ == "ADP":
                    continue
                subj = next((c for c in cur.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if subj is not None:
                    (targets if passive else actors).append(subj)
                    break

    if tok.pos_ == "VERB":
        from_verb(tok, _is_passive(tok), True)
        if tok.dep_ == "acl" and _is_passive(tok) and category not in ("AGREE", "CONSULT"):
            targets.append(tok.head)
    else:
        for c in tok.children:
            if c.dep_ == "poss":
                actors.append(c)
            elif c.dep_ == "amod" and _demonym(c.text) and c.text[:1].isupper():
                actors.append(c)
            elif c.dep_ == "prep":
                obj = _pobj(c)
                if obj is None:
                    continue
                if c.lower_ == "by":
                    actors.append(obj)
                elif c.lower_ == "of" and category in ("CONSULT", "AGREE", "PROTEST", "MOBILIZE", "COOPERATE") and obj.ent_type_ not in ("DATE",):
                    actors.append(obj)
                elif c.lower_ in ("against", "on") and category not in ("CONSULT", "AGREE"):
                    targets.append(obj)
                elif c.lower_ == "with" and category in ("CONSULT", "AGREE", "COOPERATE"):
                    targets.append(obj)
            elif c.dep_ == "acl" and c.lemma_.lower() in _SUPPORT_VERBS | {"commit"}:
                for cc in c.children:
                    if cc.dep_ == "agent" and _pobj(cc) is not None:
                        actors.append(_pobj(cc))
        if not actors and tok.dep_ in ("dobj", "attr") and tok.head.lemma_.lower() in _SUPPORT_VERBS:
            actors.extend(c for c in tok.head.children if c.dep_ == "nsubj")
    return actors, targets


# ---------------------------------------------------------------------------------------- time, place


def _path_length(a: Token, b: Token) -> int:
    """Edges between two tokens of one sentence in the dependency tree."""
    anc_a = {a.i: 0}
    cur, d = a, 0
    while cur.head.i != cur.i:
        cur, d = cur.head, d + 1
        anc_a[cur.i] = d
    cur, d = b, 0
    while True:
        if cur.i in anc_a:
            return anc_a[cur.i] + d
        if cur.head.i == cur.i:
            return 99
        cur, d = cur.head, d + 1


def _span_root(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _nearest_on_tree(doc: Doc, trigger: Token, items: Iterable, key) -> object | None:
    best, best_d = None, 10**6
    for item in items:
        root = _span_root(doc, *key(item))
        if root is None:
            continue
        d = _path_length(trigger, root) * 100 + abs(root.i - trigger.i)
        if d < best_d:
            best, best_d = item, d
    return best


def _locative(root: Token) -> bool:
    cur = root
    for _ in range(4):
        if cur.head.i == cur.i:
            return False
        cur = cur.head
        if cur.dep_ == "prep" and cur.lower_ in _LOC_PREPS or cur.lower_ in _LOC_PREPS and cur.pos_ == "ADP":
            return True
        if cur.pos_ in ("VERB", "AUX"):
            return False
    return False


def _modality(tok: Token) -> str:
    chain = [tok]
    if tok.pos_ != "VERB":
        gov = _governing_verb(tok)
        if gov is not None:
            chain.append(gov)
    cur = chain[-1]
    for _ in range(3):  # climb xcomp / ccomp to a demanding or hypothetical verb
        if cur.dep_ in ("xcomp", "ccomp", "conj") and cur.head.i != cur.i:
            cur = cur.head
            chain.append(cur)
        else:
            break
    for t in chain:
        kids = list(t.children)
        if any(c.dep_ == "neg" for c in kids) or any(c.dep_ == "det" and c.lower_ in ("no",) for c in kids):
            return "negated"
    for t in chain:
        kids = {c.lower_ for c in t.children if c.dep_ in ("aux", "auxpass", "mark")}
        if kids & {"should", "must"}:
            return "demanded"
        if t.i != tok.i and t.lemma_.lower() in _DEMAND_VERBS and t.pos_ == "VERB":
            return "demanded"
        if kids & _HYPOTHETICAL or "if" in kids:
            return "hypothetical"
        if kids & {"will", "shall", "'ll"} or (t.lower_ in ("going",) and t.dep_ == "aux"):
            return "future"
    return "asserted"


# ---------------------------------------------------------------------------------------- extractor


def _reporter(article: Article, start: int) -> tuple[str, int | None]:
    best, best_len = None, 10**9
    for i, claim in enumerate(article.claims):
        s = claim.content.span
        if s.start <= start < s.end and s.end - s.start < best_len:
            best, best_len = i, s.end - s.start
    if best is None:
        return "author", None
    src = article.claims[best].source
    if src.type == "author" or article.claims[best].kind == "unattributed" or (src.span is None and not src.resolved):
        return "author", best
    return (src.resolved or (src.span.text if src.span else "author")), best


def find_events(doc: Doc, article: Article, acled: AcledClassifier | None = None) -> list[Event]:
    """The events of one parsed article; ``acled`` chooses ACLED sub-types of violent and protest events."""
    ctx = _Context(doc, article)
    events: list[Event] = []
    times_by_sent: dict[int, list[TimeExpression]] = {}
    for t in article.times:
        if t.type != "date" or t.value in _VAGUE_TIMES:
            continue
        tok = _span_root(doc, t.span.start, t.span.end)
        if tok is not None:
            times_by_sent.setdefault(tok.sent.start, []).append(t)
    sents = list(doc.sents)
    # which tokens could trigger at all (their lemma is in the lexicon), read without Token objects
    verbs, nouns = _lexicon()
    table = token_table(doc)
    lemmas = [lemma.lower() for lemma in table.lemma]
    possible = [
        lemma in verbs or lemma in nouns or lemma in _GATED_NOUNS or lemma in _GATED_VERBS or lower in nouns
        for lemma, lower in zip(lemmas, table.lower)
    ]
    for si, sent in enumerate(sents):
        seen: dict[str, Event] = {}
        for i in range(sent.start, sent.end):
            if not possible[i]:
                continue
            tok = doc[i]
            hit = _trigger(tok)
            if hit is None:
                continue
            category, lex_mode = hit
            actor_heads, target_heads = _arguments(ctx, tok, category)
            s_times = times_by_sent.get(sent.start, [])
            time = _nearest_on_tree(doc, tok, s_times, lambda t: (t.span.start, t.span.end))
            arg_chars = set()
            for h in actor_heads + target_heads:
                for x in h.subtree:
                    arg_chars.add(x.idx)
            places = [
                p for p in article.places
                if sent.start_char <= p.span.start < sent.end_char and p.span.start not in arg_chars
                and (r := _span_root(doc, p.span.start, p.span.end)) is not None and _locative(r)
            ]
            place = _nearest_on_tree(doc, tok, places, lambda p: (p.span.start, p.span.end))
            if time is None and si > 0 and tok.tag_ in ("VBD", "VBN"):
                # narrative time from the previous sentence of the same paragraph
                prev = sents[si - 1]
                if "\n\n" not in token_table(doc).doc_text[prev.end_char : sent.start_char + 1]:
                    prev_times = times_by_sent.get(prev.start, [])
                    if len(prev_times) == 1:
                        time = prev_times[0]
            if not (actor_heads or target_heads or time or place):
                continue  # vague: no one, nowhere, never
            actors = [p for h in actor_heads for t in _expand(h) if (p := ctx.participant(t)) is not None]
            targets = [p for h in target_heads for t in _expand(h) if (p := ctx.participant(t)) is not None]
            mode = _mode(sent, category, lex_mode)
            acled_type, acled_sub = acled_for(category, mode)
            if category == "ASSAULT" and mode in (None, "firearms") and targets and all(t.actor_type == "Civilians" for t in targets):
                acled_type, acled_sub = "Violence against civilians", "Attack"
            if acled is not None and (picked := classified_acled(acled, category, sent.text)):
                acled_type, acled_sub = picked
            trig = article.span(tok.idx, tok.idx + len(tok.text))
            reported_by, claim_index = _reporter(article, tok.idx)
            if category in seen:  # one event per category and sentence: merge arguments
                ev = seen[category]
                names = {p.name for p in ev.actors}
                ev.actors.extend(p for p in actors if p.name not in names)
                names = {p.name for p in ev.targets}
                ev.targets.extend(p for p in targets if p.name not in names)
                ev.time = ev.time or time
                ev.place = ev.place or place
                continue
            ev = Event(
                type=category, mode=mode, acled_type=acled_type, acled_sub_type=acled_sub, trigger=trig,
                actors=actors, targets=targets, time=time, place=place, modality=_modality(tok),
                reported_by=reported_by, claim_index=claim_index,
            )
            qs = [
                q for q in article.quantities
                if sent.start_char <= q.span.start < sent.end_char and q.category not in ("days",)
                and not any(t.span.start <= q.span.start < t.span.end for t in article.times)
            ]
            ev.quantities = [EventQuantity(role=q.category or "count", quantity=q) for q in qs]
            seen[category] = ev
            events.append(ev)
    return events


@extractor("events")
def extract_events(doc: Doc, article: Article) -> None:
    article.events = find_events(doc, article, shipped_classifier())
