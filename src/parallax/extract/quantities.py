"""Quantities: numbers in digits and words, with their qualifier and the thing they count.

"more than 90 military outposts" -> at_least 90, what "military outposts", category outposts.
Vague counts follow ACLED's coding: "dozens" = 12, "hundreds" = 100 (both at least).
The counted noun comes from the dependency parse (the number's head); the
category from the noun and, for people, the verb that governs it (killed,
injured, detained, displaced).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span as SpacySpan, Token

from ..model import Article, Quantity
from . import extractor
from .tokens import token_table

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "lakh": 100_000}
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4, "fourths": 4,
              "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
# Vague plurals, coded as ACLED codes them: the lowest figure they allow.
_VAGUE = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1_000, "tens": 10, "millions": 1_000_000}

_QUALIFIERS: list[tuple[tuple[str, ...], str]] = [
    (("more", "than"), "at_least"), (("over",), "at_least"), (("at", "least"), "at_least"),
    (("no", "fewer", "than"), "at_least"), (("no", "less", "than"), "at_least"), (("upwards", "of"), "at_least"),
    (("in", "excess", "of"), "at_least"), (("over", "a"), "at_least"), (("some",), "approximately"),
    (("about",), "approximately"), (("around",), "approximately"), (("approximately",), "approximately"),
    (("roughly",), "approximately"), (("nearly",), "approximately"), (("almost",), "approximately"),
    (("an", "estimated"), "approximately"), (("estimated",), "approximately"), (("close", "to"), "approximately"),
    (("up", "to"), "at_most"), (("at", "most"), "at_most"), (("less", "than"), "at_most"), (("fewer", "than"), "at_most"),
    (("under",), "at_most"), (("as", "many", "as"), "at_most"), (("no", "more", "than"), "at_most"),
]
_MAX_QUALIFIER = max(len(words) for words, _ in _QUALIFIERS)

# What a counted noun is, by lemma.
_NOUN_CATEGORIES = {
    "outposts": {"outpost", "post", "position", "checkpoint", "base", "stronghold", "fortification"},
    "weapons": {"tank", "artillery", "piece", "mortar", "missile", "rocket", "launcher", "gun", "howitzer", "drone",
                "weapon", "system", "mine", "shell", "munition", "grenade", "rifle", "bomb", "warhead", "round"},
    "vehicles": {"vehicle", "truck", "car", "bus", "convoy", "helicopter", "aircraft", "plane", "jet", "ship", "boat", "apc"},
    "people": {"people", "person", "civilian", "soldier", "serviceman", "servicemen", "troop", "citizen", "resident",
               "child", "woman", "man", "fighter", "militant", "officer", "member", "refugee", "victim", "worker",
               "journalist", "hostage", "prisoner", "casualty", "protester", "individual", "family", "personnel",
               "conscript", "combatant", "policeman", "student", "patient", "migrant", "settler", "villager", "inhabitant"},
    "days": {"day", "week", "month", "year", "hour", "decade", "minute", "night"},
    "places": {"village", "town", "city", "settlement", "district", "region", "home", "house", "building", "school",
               "hospital", "school"},
}
_NOUN_TO_CATEGORY = {lemma: cat for cat, lemmas in _NOUN_CATEGORIES.items() for lemma in lemmas}
# For people: what happened to them, from the governing verb's lemma.
_VERB_CATEGORIES = {
    "killed": {"kill", "die", "murder", "slaughter", "massacre", "execute", "perish", "slay", "claim"},
    "injured": {"injure", "wound", "hurt", "maim"},
    "detained": {"detain", "arrest", "capture", "abduct", "kidnap", "imprison", "hold", "seize", "jail", "take"},
    "displaced": {"displace", "flee", "evacuate", "expel", "deport", "uproot", "leave"},
}
_VERB_TO_CATEGORY = {lemma: cat for cat, lemmas in _VERB_CATEGORIES.items() for lemma in lemmas}
_NOUN_PEOPLE_OUTCOME = {"dead": "killed", "death": "killed", "fatality": "killed", "casualty": "killed",
                        "injury": "injured", "wounded": "injured", "injured": "injured", "detainee": "detained",
                        "prisoner": "detained", "hostage": "detained", "refugee": "displaced", "evacuee": "displaced"}

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_RANGE = re.compile(r"^(\d+(?:[.,]\d+)*)[-–](\d+(?:[.,]\d+)*)$")
_CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday".split()
)


def _calendar_tokens(doc: Doc) -> set[int]:
    """Numbers that are parts of calendar dates or clock times: those belong to the time resolver."""
    skip: set[int] = set()
    for ent in doc.ents:
        if ent.label_ == "ORDINAL":
            skip.update(t.i for t in ent)
        elif ent.label_ in ("DATE", "TIME"):
            calendar = any(t.lower_.rstrip(".") in _CALENDAR_WORDS or ":" in t.text for t in ent)
            for t in ent:
                if calendar or (len(t.text) == 4 and t.text.isdigit() and 1800 <= int(t.text) <= 2100):
                    skip.add(t.i)
    return skip


def words_to_number(words: list[str]) -> float | None:
    """'ten thousand' -> 10000, 'twenty-five' -> 25, 'two-thirds' -> 0.667, 'a dozen' -> 12; None if not a number."""
    tokens = [t for w in words for t in w.lower().replace("-", " ").split() if t != "and"]
    if not tokens or tokens in (["a"], ["an"]):
        return None
    if len(tokens) == 2 and tokens[1] in _FRACTIONS and tokens[0] in _UNITS:
        return round(_UNITS[tokens[0]] / _FRACTIONS[tokens[1]], 3)
    total = current = 0.0
    for token in tokens:
        if _DIGITS.match(token):
            current += float(token.replace(",", ""))
        elif token in _UNITS:
            current += _UNITS[token]
        elif token in _SCALES:
            current = (current or 1) * _SCALES[token]
            if _SCALES[token] >= 1000:
                total, current = total + current, 0.0
        else:
            return None
    return total + current


def _is_number_word(token: Token) -> bool:
    return _is_number_text(token.lower_)


def _may_start_number(lower: str) -> bool:
    """Whether a token (lowercased) can begin a number :func:`_read_number` reads: a cheap filter."""
    return lower in _VAGUE or lower in ("a", "an") or bool(_RANGE.match(lower)) or _is_number_text(lower)


def _is_number_text(text: str) -> bool:
    if _DIGITS.match(text):
        return True
    if text in _SCALES or (text in _UNITS and text not in ("a", "an")):
        return True
    parts = [part for part in text.split("-") if part]
    return "-" in text and len(parts) > 1 and all(part in _UNITS or part in _FRACTIONS for part in parts)


def _read_number(doc: Doc, i: int, skip: set[int]) -> tuple[float, float | None, int, bool] | None:
    """The number starting at token ``i``: (value, upper bound, last token, vague) or None."""
    n = len(doc)
    token = doc[i]
    if token.lower_ in _VAGUE:
        value = float(_VAGUE[token.lower_])
        if i + 2 < n and doc[i + 1].lower_ == "of" and doc[i + 2].lower_ in _VAGUE:  # "hundreds of thousands"
            return value * _VAGUE[doc[i + 2].lower_], None, i + 2, True
        return value, None, i, True
    if match := _RANGE.match(token.text):  # "10-20"
        return float(match.group(1).replace(",", "")), float(match.group(2).replace(",", "")), i, False
    article_start = token.lower_ in ("a", "an") and i + 1 < n and doc[i + 1].lower_ in _SCALES
    if not (_is_number_word(token) or article_start):
        return None
    last = i
    while last + 1 < n and last + 1 not in skip:
        nxt = doc[last + 1]
        if _is_number_word(nxt) and not (_DIGITS.match(doc[last].text) and _DIGITS.match(nxt.text)):
            last += 1
        elif nxt.lower_ == "and" and doc[last].lower_ in _SCALES and last + 2 < n and doc[last + 2].lower_ in _UNITS:
            last += 2  # "two hundred and fifty"
        elif nxt.text == "-" and last + 2 < n and doc[last + 2].lower_ in _FRACTIONS:
            last += 2  # "two-thirds" split by the tokenizer
        else:
            break
    value = words_to_number([t.text for t in doc[i : last + 1]])
    if value is None and "-" in doc[last].text:  # "thousand-strong"
        value = words_to_number([t.text for t in doc[i:last]] + [doc[last].text.split("-")[0]])
    return (value, None, last, False) if value is not None else None


def _qualifier(doc: Doc, start: int) -> tuple[str, int]:
    """The qualifier written before token ``start`` and where it begins."""
    for size in range(_MAX_QUALIFIER, 0, -1):
        if start - size < 0:
            continue
        words = tuple(t.lower_ for t in doc[start - size : start])
        for pattern, qualifier in _QUALIFIERS:
            if words == pattern:
                return qualifier, start - size
    return "exact", start


def _counted(doc: Doc, first: int, last: int) -> Token | None:
    """The noun a number (tokens first..last) counts, from the parse."""
    for token in reversed(doc[first : last + 1]):  # "between 10 and 20 protesters": any part may carry the link
        if token.like_num or token.lower_ in _VAGUE:
            noun = _counted_by(doc, token, last)
            if noun is not None:
                return noun
    return None


def _counted_by(doc: Doc, token: Token, last: int) -> Token | None:
    head = token.head
    if head.pos_ in ("NOUN", "PROPN") and head.i > last:
        # "6 electromagnetic warfare (EW) systems": climb nominal modifiers to the noun they modify.
        while head.dep_ in ("nmod", "compound") and head.head.i > head.i and head.head.pos_ in ("NOUN", "PROPN"):
            head = head.head
        return head
    if head.pos_ == "ADJ" and head.head.pos_ == "NOUN" and head.head.i > last:  # "thousand-strong formations"
        return head.head
    nxt = doc[last + 1] if last + 1 < len(doc) else None
    if nxt is not None and nxt.lower_ == "of":  # "dozens of civilians", "90 of the outposts"
        objects = [c for c in nxt.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
        if objects:
            return objects[0]
    return None


def _outcome(token: Token) -> str | None:
    """What happened to counted people: killed, injured, detained, displaced, from the verbs above them."""
    for child in token.children:  # "civilians killed in ...", "12 wounded soldiers"
        if child.dep_ in ("acl", "relcl", "amod") and child.lemma_.lower() in _VERB_TO_CATEGORY:
            return _VERB_TO_CATEGORY[child.lemma_.lower()]
    current = token
    for _ in range(4):  # "a group of 62 servicemen was detained": up through prep/pobj to the verb
        if current.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj", "prep", "conj", "appos", "nummod", "ROOT"):
            return None
        current = current.head
        if current.pos_ in ("VERB", "ADJ") or current.tag_ in ("VBN", "VBD"):
            return _VERB_TO_CATEGORY.get(current.lemma_.lower())
    return None


def _category(noun: Token | None, number: SpacySpan) -> str | None:
    number_outcome = next((o for o in map(_outcome, number) if o), None)
    if noun is None:
        return number_outcome  # "30 injured", "hundreds of thousands displaced"
    lemma = noun.lemma_.lower()
    if lemma in _NOUN_PEOPLE_OUTCOME:
        return _NOUN_PEOPLE_OUTCOME[lemma]
    category = _NOUN_TO_CATEGORY.get(lemma) or _NOUN_TO_CATEGORY.get(noun.lower_)
    if category != "people":
        return category
    return _outcome(noun) or number_outcome or "people"


@extractor("quantities")
def extract_quantities(doc: Doc, article: Article) -> None:
    skip = _calendar_tokens(doc)
    quantities: list[Quantity] = []
    candidate = [_may_start_number(lower) for lower in token_table(doc).lower]
    i, n = 0, len(doc)
    while i < n:
        found = None if i in skip or not candidate[i] else _read_number(doc, i, skip)
        if found is None:
            i += 1
            continue
        value, value_max, last, vague = found
        first = i
        qualifier, start = ("at_least", i) if vague else _qualifier(doc, i)
        # "between 10 and 20", "10 to 20"
        if value_max is None and last + 2 < n and _DIGITS.match(doc[last + 2].text):
            joiner = doc[last + 1].lower_
            between = start > 0 and doc[start - 1].lower_ == "between"
            if joiner in ("to", "-", "–") or (joiner == "and" and between):
                value_max = float(doc[last + 2].text.replace(",", ""))
                last += 2
        if value_max is not None:
            qualifier = "range"
            if start > 0 and doc[start - 1].lower_ == "between":
                start -= 1
        noun = _counted(doc, first, last)
        what_span = None
        if noun is not None:
            # The noun's own modifiers between the number and it, minus punctuation and a "-strong" adjective.
            glue = doc[last].head.i if doc[last].head.pos_ == "ADJ" else -1
            between = [t.i for t in noun.subtree if last < t.i < noun.i and not t.is_punct and t.i != glue]
            what_start = min([noun.i, *between])
            what_span = article.span(doc[what_start].idx, noun.idx + len(noun))
        quantities.append(
            Quantity(
                span=article.span(doc[start].idx, doc[last].idx + len(doc[last])),
                value=value,
                value_max=value_max,
                qualifier=qualifier,  # type: ignore[arg-type]
                what=what_span.text if what_span else None,
                category=_category(noun, doc[first : last + 1]),
                what_span=what_span,
            )
        )
        i = last + 1
    article.quantities = quantities
