"""Toponyms, found by spaCy and a gazetteer matcher and resolved offline to GeoNames places.

Finding: spaCy's GPE, LOC and FAC entities; any other entity that is exactly
a gazetteer name (the small model often calls "Baku" a person and
"Azerbaijan" an organisation); countries and regions inside organisation
names ("Pakistan Army"); and capitalised proper nouns the NER missed. Names
spaCy did not call places must earn their place: by the place's own name
(not a GeoNames alternate), not a word of a person's name, and a country,
region, capital or large city, or a small place in a country the article
names, written where a place goes ("near Lachin"). Demonyms are context,
not places (:func:`demonym_country`).

Resolving: each distinct name once per article, by a score of population,
feature type (a country or capital over a village of the same name), whether
the name is the place's own or only a GeoNames alternate, and the article's
context (a candidate in a country, or US state, that the article's other
places or demonyms point to wins).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span as SpacySpan, Token

from ..model import Article, Place
from . import extractor
from .tokens import token_table
from .gazetteer import Entry, Gazetteer, load_gazetteer, normalize

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Entities that may be a place the small model mislabelled ("Baku" as PERSON, "Azerbaijan" as ORG) ...
_NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART"})
# ... and those that may contain a country or region ("Pakistan Army", "EU Aviation Strategy").
_EMBEDDING_LABELS = frozenset({"ORG", "EVENT", "PRODUCT"})
# Lower-case words allowed inside a multi-word name ("Isle of Man", "Rio de Janeiro").
_CONNECTORS = frozenset("of de del la le the and upon on al el da do dos du sur am an y".split())
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_LEADING = frozenset({"the"})
_TRAILING = frozenset({"'s", "’s", "'", "’", ".", ",", "-", "–", "“", "”", '"'})
# Words before a name in a place entity ("northern Syria", "eastern Ghouta"): the name is what follows.
_DIRECTIONS = frozenset(
    "north south east west northern southern eastern western central northeast northwest southeast southwest "
    "northeastern northwestern southeastern southwestern upper lower greater inner outer".split()
)
# A name followed by one of these denotes the route or facility, located at the place ("Lachin corridor").
_ROUTES = {
    "corridor": ("R", "RD"),
    "road": ("R", "RD"),
    "highway": ("R", "RD"),
    "bridge": ("S", "BDG"),
    "airport": ("S", "AIRP"),
    "crossing": ("S", "PSTB"),
    "checkpoint": ("S", "PSTB"),
}
# Generic words spaCy may keep in a place entity ("Idlib province"): the name is what precedes them.
_AREAS = frozenset("region province district governorate oblast city town village municipality area rayon".split())
# A small place the NER did not call a place is kept only where the syntax says place:
# the object of one of these prepositions or verbs, or a modifier ("Lachin corridor").
_LOCATIVE_PREPOSITIONS = frozenset(
    "in near from to at into outside inside around across through towards toward via between along within".split()
)
_LOCATIVE_VERBS = frozenset(
    "leave enter reach capture take seize shell attack bomb visit flee liberate occupy recapture surround "
    "evacuate strike target control".split()
)
_MAX_TOKENS = 8  # longest name in tokens: "Saint Vincent and the Grenadines", hyphens counted

# Resolution score: log10(population) plus these; tuned on the first half of GeoWebNews.
# A first-level region gets no bonus: "New York" and "Washington" are more often the cities.
_FEATURE_BONUS = {"PCLI": 3.0, "CONT": 3.0, "ADM1": 0.0, "PPLC": 3.0}
_AREA_BONUS = 2.0  # other regions, seas, islands (classes A, L, H, T)
_AREA_POPULATION = 10**6.5  # stands in for the population of regions and seas, which GeoNames omits
_PRIMARY_BONUS = 1.0  # the place's own name, not one of its alternate names
_COUNTRY_CONTEXT = 3.0
_ADMIN1_CONTEXT = 1.5
# A name spaCy did not call a place is kept only for a place this significant or in a context country.
SIGNIFICANT_POPULATION = 100_000


@dataclass
class _Mention:
    start: int  # character offsets of the toponym in the text
    end: int
    key: str  # normalised name
    head: int  # index of the name's last token
    label: str  # label of the spaCy entity it came from, "" for none
    embedded: bool = False  # inside a longer name ("Pakistan Army")
    route: tuple[str, str] | None = None  # feature class and code when it names a route at the place


def demonym_country(text: str) -> str | None:
    """ISO country code of a demonym ("Armenian", "Azerbaijanis" -> "AM", "AZ"), else None."""
    demonyms = load_gazetteer().demonyms
    key = normalize(text)
    if key in demonyms:
        return demonyms[key]
    if key.endswith("s") and key[:-1] in demonyms:  # plural: "Armenians", "Turks"
        return demonyms[key[:-1]]
    return None


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """English words and well-known names: WordNet's index, as the English pipeline's lemmatizer holds it."""
    from ..pipeline import load_nlp  # here, not above: the pipeline imports the extractors

    nlp = load_nlp()
    if "lemmatizer" not in nlp.pipe_names or not nlp.get_pipe("lemmatizer").lookups.has_table("lemma_index"):
        return frozenset()
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    return frozenset(word for words in index.values() for word in words)


def _significant(entry: Entry) -> bool:
    return entry.feature_class != "P" or entry.feature_code == "PPLC" or entry.population >= SIGNIFICANT_POPULATION


def _prior(entry: Entry, primary: bool) -> float:
    if entry.feature_class == "P" or entry.feature_code in ("PCLI", "CONT"):
        population = entry.population
        bonus = _FEATURE_BONUS.get(entry.feature_code, 0.0)
    else:
        population = max(entry.population, _AREA_POPULATION)
        bonus = _FEATURE_BONUS.get(entry.feature_code, _AREA_BONUS)
    return math.log10(population + 1) + bonus + (_PRIMARY_BONUS if primary else 0.0)


def _locative(token: Token) -> bool:
    """Whether the syntax puts a place here: "near Lachin", "left Stepanakert", "the Lachin corridor"."""
    if token.dep_ == "conj":  # "near Lachin and Kalbajar"
        token = token.head
    if token.dep_ == "pobj":
        return token.head.lower_ in _LOCATIVE_PREPOSITIONS
    if token.dep_ == "dobj":
        return token.head.lemma_ in _LOCATIVE_VERBS
    return token.dep_ == "compound"


class _Group:
    """The mentions of one name in one article, and its candidate places."""

    def __init__(self, key: str, gaz: Gazetteer):
        self.key = key
        self.mentions: list[_Mention] = []
        entries = [(gaz.entry(i), primary) for i, primary in gaz.lookup(key)]
        self.candidates = [(entry, primary, _prior(entry, primary)) for entry, primary in entries]

    @property
    def tagged(self) -> bool:
        return any(m.label in _PLACE_LABELS for m in self.mentions)

    def best(self, countries: Counter[str], admin1s: Counter[tuple[str, str]]) -> tuple[Entry, bool, float]:
        """The winning candidate given the context, whether the name is its own, and its softmax share."""
        scored = []
        for entry, primary, prior in self.candidates:
            score = prior
            if entry.country and countries[entry.country] > 0:
                score += _COUNTRY_CONTEXT
            if entry.admin1 and admin1s[(entry.country or "", entry.admin1)] > 0:
                score += _ADMIN1_CONTEXT
            scored.append((score, entry, primary))
        top_score, top, primary = max(scored, key=lambda s: s[0])
        confidence = 1.0 / sum(math.exp(s - top_score) for s, _, _ in scored)
        return top, primary, confidence


class _Finder:
    """Toponym mentions in one document, and the clues for resolving and filtering them."""

    def __init__(self, doc: Doc, gaz: Gazetteer):
        self.doc = doc
        self.gaz = gaz
        self.words = token_table(doc).text  # each doc[i] builds a Token: read the table instead
        self._norms: list[str | None] = [None] * len(doc)
        self.mentions: list[_Mention] = []
        self.demonym_countries: Counter[str] = Counter()
        self.person_words: set[str] = set()  # words of multi-word person names: "Paris" of "Paris Hilton"

    def norm(self, i: int) -> str:
        value = self._norms[i]
        if value is None:
            value = self._norms[i] = normalize(self.words[i])
        return value

    def key(self, start: int, end: int) -> str:
        return " ".join(part for part in map(self.norm, range(start, end)) if part)

    def known(self, key: str) -> bool:
        return self.gaz.probe(key)[0] >= 0

    def names(self, start: int, stop: int, free: Callable[[int], bool]) -> Iterator[tuple[int, int, str]]:
        """The longest capitalised gazetteer names among tokens [start, stop), left to right, as (start, end, key)."""
        words, i = self.words, start
        while i < stop:
            best = None
            if free(i) and words[i][:1].isupper():
                key = ""
                for j in range(i, min(stop, i + _MAX_TOKENS)):
                    word, part = words[j], self.norm(j)
                    if not free(j) or (word.islower() and part not in _CONNECTORS) or not (part or key):
                        break
                    key = f"{key} {part}" if key and part else key or part
                    found, longer = self.gaz.probe(key)
                    if found >= 0 and part and word[:1].isupper():
                        best = (i, j + 1, key)
                    if not longer:
                        break
            if best:
                yield best
                i = best[1]
            else:
                i += 1

    def add(self, start: int, end: int, key: str, label: str, embedded: bool = False, span_end: int = 0) -> None:
        """A mention of the name in tokens [start, end), shown as tokens [start, span_end) when that is longer."""
        doc = self.doc
        last = doc[max(end, span_end) - 1]
        after = doc[end].lower_ if end < len(doc) else ""
        self.mentions.append(
            _Mention(doc[start].idx, last.idx + len(last), key, end - 1, label, embedded, _ROUTES.get(after))
        )

    def find(self) -> None:
        doc = self.doc
        claimed = [False] * len(doc)  # tokens inside an entity, handled with the entity
        for ent in doc.ents:
            claimed[ent.start : ent.end] = [True] * len(ent)
            self._entity(ent)
        for start, end, key in self.names(0, len(doc), lambda t: not claimed[t]):
            if self._plausible(start, end, key):
                self.add(start, end, key, "")

    def _entity(self, ent: SpacySpan) -> None:
        doc = self.doc
        start, end = _trim(doc, ent.start, ent.end)
        if start == end or not doc[start].text[:1].isalpha():
            return
        key = self.key(start, end)
        country = demonym_country(ent.text)
        if country:  # "Armenian", "Azerbaijanis": context, not a place
            self.demonym_countries[country] += 1
            return
        if ent.label_ in _PLACE_LABELS:
            self._place_entity(start, end, key, ent.label_)
        elif ent.label_ in _NAME_LABELS and doc[start].text[:1].isupper():
            tail_demonym = end - start > 1 and demonym_country(doc[end - 1].text)
            if ent.label_ == "PERSON" and end - start > 1 and not tail_demonym:
                self.person_words.update(self.norm(t) for t in range(start, end))
            if self.known(key):
                self.add(start, end, key, ent.label_)  # "Baku" as PERSON, "Azerbaijan" as ORG
            elif tail_demonym:  # "Karabakh Armenians": a place and a demonym, not a person's name
                for s, e, k in self.names(start, end - 1, lambda t: True):
                    self.add(s, e, k, "")
            elif ent.label_ in _EMBEDDING_LABELS:
                for s, e, k in self.names(start, end, lambda t: True):
                    if self._plausible(s, e, k):
                        self.add(s, e, k, ent.label_, embedded=True)

    def _place_entity(self, start: int, end: int, key: str, label: str) -> None:
        doc = self.doc
        if self.known(key):
            self.add(start, end, key, label)
            return
        # "Lachin corridor", "Idlib province": the name before a generic word, the span kept whole.
        head_end = end
        while head_end - start > 1 and (doc[head_end - 1].lower_ in _ROUTES or doc[head_end - 1].lower_ in _AREAS):
            head_end -= 1
            if self.known(head := self.key(start, head_end)):
                self.add(start, head_end, head, label, span_end=end)
                return
        # "northern Syria", "eastern Ghouta": the name after a direction.
        name_start = start
        while end - name_start > 1 and (doc[name_start].is_lower or doc[name_start].lower_ in _DIRECTIONS):
            name_start += 1
            if self.known(name := self.key(name_start, end)):
                self.add(name_start, end, name, label)
                return
        # "Atlanta, Georgia" as one entity: each part.
        part_start = start
        for t in range(start, end + 1):
            if t == end or doc[t].text == ",":
                if t > part_start and self.known(part := self.key(part_start, t)):
                    self.add(part_start, t, part, label)
                part_start = t + 1

    def _plausible(self, start: int, end: int, key: str) -> bool:
        """Whether a name the NER did not mark could be a toponym rather than a common word."""
        text = self.doc[start:end].text
        if len(key) <= 3 and not (text.isupper() or "." in text):  # "US", "U.S.", not "Of" or "Us"
            return False
        if key in _CALENDAR or key in self.gaz.demonyms:
            return False
        if end - start == 1:
            token = self.doc[start]
            if token.lower_ in STOP_WORDS or not (token.pos_ == "PROPN" or token.is_upper):
                return False
        return True

    def accept(self, group: _Group, entry: Entry, primary: bool, context: Counter[str], named: set[str]) -> bool:
        """Whether the name is a toponym here, given its resolution and the article's countries."""
        locative = any(_locative(self.doc[m.head]) for m in group.mentions)
        in_context = context[entry.country or ""] > 0
        significant = _significant(entry)
        # "Reading", "Mobile", "Secretary": towns named like English words.
        common = entry.feature_class == "P" and group.key in _common_words()
        if group.tagged:  # spaCy's word, unless a small place unsupported by the article ("Irma", "Salah")
            if common and not significant:
                return False
            return significant or (primary and (in_context or locative)) or (in_context and locative)
        # Not spaCy's word: GeoNames' alternate names (historic, nicknames) and people's names are too risky.
        if not primary or group.key in self.person_words:
            return False
        if entry.feature_class != "P":
            return True  # a country or region
        if all(m.embedded for m in group.mentions):  # "Washington Post", but also "Paris Hilton" as ORG
            return False
        if entry.feature_code == "PPLC":
            return True
        big = entry.population >= SIGNIFICANT_POPULATION
        if common:
            return big and in_context
        if all(m.label == "PERSON" for m in group.mentions):  # "Yevlakh" as PERSON, but not "Tyler"
            return locative and (big or entry.country in named)
        if big:
            return True
        # A small place: in a country the article names, and written where a place goes.
        return locative and entry.country in named and all(m.label not in _NAME_LABELS for m in group.mentions)


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and doc[start].lower_ in _LEADING:
        start += 1
    while end > start and doc[end - 1].lower_ in _TRAILING:
        end -= 1
    return start, end


@extractor("places")
def extract_places(doc: Doc, article: Article) -> None:
    gaz = load_gazetteer()
    finder = _Finder(doc, gaz)
    finder.find()

    groups: dict[str, _Group] = {}
    for mention in finder.mentions:
        groups.setdefault(mention.key, _Group(mention.key, gaz)).mentions.append(mention)

    # Context: the countries and US states of the confidently placed names, and the demonyms' countries.
    countries: Counter[str] = Counter(finder.demonym_countries)
    named = set(finder.demonym_countries)  # countries the article names, by name or demonym
    admin1s: Counter[tuple[str, str]] = Counter()
    votes: dict[str, tuple[Counter[str], Counter[tuple[str, str]]]] = {}
    for key, group in groups.items():
        entry, _, _ = group.best(Counter(), Counter())
        if group.tagged or _significant(entry):
            votes[key] = (
                Counter([entry.country] if entry.country else []),
                Counter([(entry.country or "", entry.admin1)] if entry.admin1 else []),
            )
            countries += votes[key][0]
            admin1s += votes[key][1]
            if entry.feature_code == "PCLI" and entry.country:
                named.add(entry.country)

    places = []
    for key, group in groups.items():
        # A name is not its own context: "Georgia" the country must not vote for itself.
        own_countries, own_admin1s = votes.get(key, (Counter(), Counter()))
        context = countries - own_countries
        entry, primary, confidence = group.best(context, admin1s - own_admin1s)
        if not finder.accept(group, entry, primary, context, named):
            continue
        for mention in group.mentions:
            fclass, fcode = mention.route or (entry.feature_class, entry.feature_code)
            places.append(
                Place(
                    span=article.span(mention.start, mention.end),
                    name=entry.name,
                    country=entry.country,
                    latitude=entry.latitude,
                    longitude=entry.longitude,
                    geonames_id=entry.geonames_id,
                    feature_class=fclass,
                    feature_code=fcode,
                    score=round(confidence, 3),
                )
            )
    places.sort(key=lambda p: (p.span.start, p.span.end))
    article.places = places
