"""Named entities with canonical names: the mentions of one entity in one article merged.

spaCy's NER finds mentions; here they are trimmed ("the", possessive "'s",
honorifics), grouped by name, and short person names are merged into the one
full name they abbreviate ("Bayramov" -> "Jeyhun Bayramov").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from spacy.tokens import Doc, Span as SpacySpan

from ..model import Article, Entity
from . import extractor

# Names, not numbers or dates (those belong to the time and quantity resolvers).
NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_HONORIFICS = frozenset(
    "dr dr. mr mr. mrs mrs. ms ms. prof prof. sir madam president minister ambassador general gen. "
    "lt. col. colonel sen. senator rep. gov. governor king queen prince pope sheikh".split()
)
_PUNCT = frozenset({".", ",", "-", "–", "—", "“", "”", '"', "'", "‘", "’", "(", ")", ":", ";"})
_LEADING = frozenset({"the", "a", "an"}) | _PUNCT
_TRAILING = frozenset({"'s", "’s", "of", "and", "the", "for", "in"}) | _PUNCT


@dataclass
class _Mention:
    start: int
    end: int
    label: str
    key: str  # normalised name the mention is grouped by


def _trim(ent: SpacySpan) -> tuple[int, int] | None:
    """Token range of the mention's name without leading articles, honorifics or a trailing possessive."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and doc[start].lower_ in _LEADING:
        start += 1
    while end > start and doc[end - 1].lower_ in _TRAILING:
        end -= 1
    if ent.label_ == "PERSON":
        while end - start > 1 and doc[start].lower_ in _HONORIFICS:
            start += 1
    return (start, end) if end > start else None


def _key(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _correct_label(name: str, label: str) -> str:
    """Fix what the small NER model gets wrong with the gazetteer: countries tagged ORG/PERSON, demonyms as PERSON."""
    if label not in ("ORG", "PERSON", "FAC"):
        return label
    from .gazetteer import load_gazetteer
    from .places import demonym_country

    if demonym_country(name):
        return "NORP"
    if any(e.feature_code.startswith("PCL") for e in load_gazetteer().find(name)[:1]):
        return "GPE"
    return label


@extractor("entities")
def extract_entities(doc: Doc, article: Article) -> None:
    mentions: list[_Mention] = []
    for ent in doc.ents:
        if ent.label_ not in NAMED_LABELS:
            continue
        bounds = _trim(ent)
        if bounds is None:
            continue
        span = doc[bounds[0] : bounds[1]]
        if not any(ch.isalpha() for ch in span.text):
            continue
        mentions.append(_Mention(span.start_char, span.end_char, ent.label_, _key(span.text)))

    groups: dict[str, list[_Mention]] = defaultdict(list)
    for mention in mentions:
        groups[mention.key].append(mention)

    labels = {key: _correct_label(key, Counter(m.label for m in ms).most_common(1)[0][0]) for key, ms in groups.items()}
    # A surname alone joins the one full person name ending with it; ambiguous surnames stay apart.
    full_names = [k for k, label in labels.items() if label == "PERSON" and " " in k]
    for key in list(groups):
        if " " in key:
            continue
        owners = [name for name in full_names if name.split()[-1] == key]
        if len(owners) == 1:
            groups[owners[0]].extend(groups.pop(key))

    entities = []
    for key, members in groups.items():
        members.sort(key=lambda m: m.start)
        surfaces = Counter(article.text[m.start : m.end] for m in members if m.key == key)
        canonical = max(surfaces, key=lambda s: (surfaces[s], s[:1].isupper(), len(s)))
        entities.append(
            Entity(
                canonical=canonical,
                label=labels[key],
                mentions=[article.span(m.start, m.end) for m in members],
            )
        )
    entities.sort(key=lambda e: e.mentions[0].start)
    article.entities = entities
