"""Who a claim's source is: its type and the named entity it refers to.

Rule-based coreference in the spirit of BBC's Citron, over what the pipeline
already has (the parse and ``article.entities``):

* **names**: a source overlapping an entity mention takes the entity's canonical
  name (the entities extractor has already clustered "Bayramov" with "Jeyhun
  Bayramov");
* **pronouns**: "he"/"she" go to the nearest preceding person mention whose gender
  (from honorifics, gendered role words and the pronouns that follow its mentions)
  does not clash, preferring earlier claim sources and sentence subjects; "it"/"they"
  to the nearest organisation, place or document; "I"/"we" inside someone's quotation
  to that quotation's source, outside any quotation to the article's author;
* **roles**: "the minister", "Azerbaijan's Foreign Minister" go to the person the
  article gave that role (an apposition "Jeyhun Bayramov, Azerbaijan's Foreign
  Minister" or a title "Foreign Minister Jeyhun Bayramov");
* **documents**: "Bayramov's letter", "his letter", "the letter from X" go to their
  author; a bare "the letter" to the author of the last letter the article named.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..model import Article
from .attribution_features import DocFeatures, lexicon

FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
MALE = frozenset({"he", "him", "his", "himself"})
FEMALE = frozenset({"she", "her", "hers", "herself"})
NEUTER = frozenset({"it", "its", "they", "them", "their"})
PRONOUNS = FIRST_PERSON | MALE | FEMALE | NEUTER
_ORG_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC", "LOC"})
_DETS = frozenset({"the", "a", "an", "this", "that", "these", "those"})


@dataclass
class Resolution:
    type: str  # person | organisation | document | anonymous | author
    resolved: str | None = None
    role: str | None = None
    gender: str | None = None


@dataclass
class _Mention:
    start: int  # token
    end: int
    canonical: str
    label: str


@dataclass
class Resolver:
    """Source resolution for one article; ``resolve`` is called in text order."""

    df: DocFeatures
    article: Article
    mentions: list[_Mention] = field(default_factory=list)
    by_token: dict[int, _Mention] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # canonical -> role as written
    role_heads: list[tuple[int, str, frozenset[str]]] = field(default_factory=list)  # (token, canonical, role words)
    gender: dict[str, str] = field(default_factory=dict)
    documents: list[tuple[int, str, str | None]] = field(default_factory=list)  # (token, lemma, author)
    history: list[tuple[int, Resolution]] = field(default_factory=list)  # resolved sources so far (token, res)
    persons: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # lowercased canonical name -> the name (first mention's)

    def __post_init__(self) -> None:
        df = self.df
        starts = df.starts
        for entity in self.article.entities:
            for span in entity.mentions:
                a = bisect.bisect_left(starts, span.start)
                b = bisect.bisect_left(starts, span.end)
                if a < b:
                    m = _Mention(a, b, entity.canonical, entity.label)
                    self.mentions.append(m)
                    for i in range(a, b):
                        self.by_token[i] = m
        self.mentions.sort(key=lambda m: m.start)
        self.persons = {m.canonical for m in self.mentions if m.label == "PERSON"}
        for m in self.mentions:
            self.names.setdefault(m.canonical.lower(), m.canonical)
        self._roles_and_gender()
        self._documents()

    # ------------------------------------------------------------------ article-wide facts

    def _np_text(self, i: int) -> tuple[int, int]:
        """Token range of the noun phrase headed by ``i`` without trailing punctuation or clauses."""
        df = self.df
        lo = hi = i
        stack = [i]
        while stack:
            j = stack.pop()
            for c in df.children[j]:
                if df.dep[c] in ("relcl", "acl", "appos", "punct", "cc", "conj", "advcl", "prep") and j == i:
                    if df.dep[c] == "prep" and c > i and df.lower[c] == "of":
                        pass  # "President of the Republic"
                    else:
                        continue
                lo, hi = min(lo, c), max(hi, c)
                stack.append(c)
        return lo, hi + 1

    def _text(self, a: int, b: int) -> str:
        df = self.df
        end = df.ends[b - 1]
        return self.article.text[df.starts[a] : end]

    def _roles_and_gender(self) -> None:
        df = self.df
        lex = lexicon()
        role_nouns = lex["role_nouns"]
        male, female = lex["male_words"], lex["female_words"]
        votes: dict[str, list[int]] = {}
        for m in self.mentions:
            if m.label != "PERSON":
                continue
            head = max(range(m.start, m.end), key=lambda k: (not (m.start <= df.head[k] < m.end) or df.head[k] == k, k))
            # honorific or gendered word right before the name
            if m.start > 0:
                prev = df.lower[m.start - 1]
                if prev in male:
                    votes.setdefault(m.canonical, [0, 0])[0] += 2
                elif prev in female:
                    votes.setdefault(m.canonical, [0, 0])[1] += 2
            # title before the name: "Foreign Minister Jeyhun Bayramov", "Azerbaijan's President Ilham Aliyev"
            k = m.start - 1
            while k >= 0 and df.dep[k] in ("compound", "amod", "poss", "case", "nmod") and df.head[k] in range(m.start, m.end + 3):
                k -= 1
            if k + 1 < m.start and any(df.lemma[j] in role_nouns for j in range(k + 1, m.start)):
                self._add_role(m.canonical, k + 1, m.start, m.start)
            # apposition: "Jeyhun Bayramov, Azerbaijan's Foreign Minister," / "the minister, Jeyhun Bayramov"
            for c in df.children[head]:
                if df.dep[c] == "appos" and df.lemma[c] in role_nouns:
                    a, b = self._np_text(c)
                    self._add_role(m.canonical, a, b, c)
            if df.dep[head] == "appos" and df.lemma[df.head[head]] in role_nouns:
                a, b = self._np_text(df.head[head])
                if b <= m.start:
                    self._add_role(m.canonical, a, b, df.head[head])
            # pronouns after a subject mention, in its sentence and the next
            if df.dep[head] in ("nsubj", "nsubjpass"):
                s = df.sent[head]
                stop = df.sent_bounds[min(s + 1, len(df.sent_bounds) - 1)][1]
                for j in range(m.end, stop):
                    w = df.lower[j]
                    if w in MALE or w in FEMALE:
                        other = self.by_token.get(j - 1) or self.by_token.get(j + 1)
                        if other is None:
                            v = votes.setdefault(m.canonical, [0, 0])
                            v[0 if w in MALE else 1] += 1
                        break
                    if j in self.by_token and self.by_token[j].label == "PERSON" and self.by_token[j].canonical != m.canonical:
                        break
        for name, (mv, fv) in votes.items():
            if mv != fv:
                self.gender[name] = "male" if mv > fv else "female"

    def _add_role(self, canonical: str, a: int, b: int, head: int) -> None:
        df = self.df
        while a < b and df.lower[a] in _DETS:
            a += 1
        while b > a and df.pos[b - 1] == "PUNCT":
            b -= 1
        if a >= b:
            return
        role = self._text(a, b)
        self.roles.setdefault(canonical, role)
        words = frozenset(df.lemma[j] for j in range(a, b) if df.pos[j] in ("NOUN", "PROPN", "ADJ"))
        self.role_heads.append((head, canonical, words | {df.lemma[head]}))
        lex = lexicon()
        w = df.lemma[head]
        if w in lex["male_words"] or w in lex["female_words"]:
            self.gender.setdefault(canonical, "male" if w in lex["male_words"] else "female")

    def _documents(self) -> None:
        """Each document noun with the author the article gives it (possessor, 'by'/'from' phrase)."""
        df = self.df
        docs = lexicon()["document_nouns"]
        for i, lemma in enumerate(df.lemma):
            if lemma not in docs or df.pos[i] not in ("NOUN", "PROPN"):
                continue
            author = None
            for c in df.children[i]:
                if df.dep[c] == "poss":
                    author = self._entity_or_pronoun(c, i)
                elif df.dep[c] == "prep" and df.lower[c] in ("by", "from", "of"):
                    for g in df.children[c]:
                        if df.dep[g] == "pobj":
                            author = author or self._entity_or_pronoun(g, i)
            # "In a letter to the UN, Bayramov wrote ...": the subject of the verb the phrase hangs off
            if author is None and df.dep[i] == "pobj" and df.lower[df.head[i]] in ("in", "through", "via"):
                verb = df.head[df.head[i]]
                if df.pos[verb] in ("VERB", "AUX"):
                    subj = next((c for c in df.children[verb] if df.dep[c] in ("nsubj", "nsubjpass")), None)
                    if subj is not None and subj not in range(i - 3, i + 1):
                        author = self._entity_or_pronoun(subj, i)
            self.documents.append((i, lemma, author))

    def _entity_or_pronoun(self, tok: int, at: int) -> str | None:
        m = self.by_token.get(tok)
        if m is not None:
            return m.canonical
        w = self.df.lower[tok]
        if w in MALE or w in FEMALE:
            return self._antecedent(at, "male" if w in MALE else "female", person=True)
        if w in NEUTER:
            return self._antecedent(at, None, person=False)
        return None

    # ------------------------------------------------------------------ antecedents

    def _antecedent(self, at: int, gender: str | None, person: bool) -> str | None:
        """Nearest preceding compatible mention (a person, or an organisation/place), within five sentences."""
        df = self.df
        limit_sent = df.sent[at] - 5
        best: tuple[float, str] | None = None
        for m in reversed(self.mentions):
            if m.start >= at:
                continue
            if df.sent[m.start] < limit_sent:
                break
            if person != (m.label == "PERSON"):
                continue
            if not person and m.label not in _ORG_LABELS:
                continue
            if all(df.dep[k] in ("amod", "compound") and df.head[k] >= m.end for k in range(m.start, m.end)):
                continue  # 'the Azerbaijani side': a modifier, not someone who speaks
            g = self.gender.get(m.canonical)
            if person and gender and g and g != gender:
                continue
            dist = df.sent[at] - df.sent[m.start]
            subj = df.dep[m.end - 1] in ("nsubj", "nsubjpass") or any(
                df.dep[k] in ("nsubj", "nsubjpass") for k in range(m.start, m.end)
            )
            score = dist - (0.5 if subj else 0.0)
            if best is None or score < best[0]:
                best = (score, m.canonical)
            if dist > 1 and best is not None:
                break
        # an earlier claim source resolved to a person (a role or a pronoun) may be nearer
        for tok, res in sorted(self.history, key=lambda x: x[0], reverse=True):
            if tok >= at or df.sent[tok] < limit_sent or res.resolved is None:
                continue
            if person != (res.type == "person" or res.type == "document" and res.resolved in self.persons):
                continue
            g = self.gender.get(res.resolved) or res.gender
            if person and gender and g and g != gender:
                continue
            score = df.sent[at] - df.sent[tok] - 0.75
            if best is None or score < best[0]:
                best = (score, res.resolved)
            break
        return best[1] if best else None

    # ------------------------------------------------------------------ sources

    def resolve(self, a: int, b: int, quoted_by: Resolution | None = None) -> Resolution:
        """Type, resolved name and role of the source at tokens ``[a, b)``.

        ``quoted_by``: the resolution of the claim whose quotation holds this source
        (for "I" and "we" inside a quotation).
        """
        df = self.df
        lex = lexicon()
        head = self._head(a, b)
        w = df.lower[head]
        lemma = df.lemma[head]
        res: Resolution
        named = [self.by_token[k] for k in range(a, b) if k in self.by_token]
        poss = next((c for c in df.children[head] if df.dep[c] == "poss" and a <= c < b), None)
        if poss is not None and lemma in lex["cue_nouns"] and lemma not in lex["document_nouns"]:
            # "Armenia's attempt to accuse ...", "his claim that ...": the possessor speaks
            pa, pb = df.left[poss], df.right[poss] + 1
            if b - a > 1 and df.dep[pb - 1] == "case":
                pb -= 1
            inner = self.resolve(pa, max(pa + 1, min(pb, b)), quoted_by)
            self.history.pop()
            self.history.append((a, inner))
            return inner
        if df.pos[head] == "PRON" or w in PRONOUNS:
            if w in FIRST_PERSON:
                if quoted_by is not None:
                    res = Resolution(quoted_by.type, quoted_by.resolved, quoted_by.role)
                else:
                    author = self.article.authors[0].name if self.article.authors else None
                    res = Resolution("author", author)
            elif w in MALE or w in FEMALE:
                g = "male" if w in MALE else "female"
                res = Resolution("person", self._antecedent(a, g, person=True), gender=g)
                if res.resolved:
                    res.role = self.roles.get(res.resolved)
            elif w in NEUTER:
                doc = self._last_document(a)
                org = self._antecedent(a, None, person=False)
                if doc is not None and (org is None or doc[0] > self._last_mention_token(a, org)):
                    res = Resolution("document", doc[2])
                elif org:
                    res = Resolution("organisation", org)
                else:
                    res = Resolution("anonymous")
            else:
                res = Resolution("anonymous")
        elif lemma in lex["document_nouns"] and df.pos[head] in ("NOUN", "PROPN"):
            author = None
            for i, l, auth in self.documents:
                if i == head:
                    author = auth
            if author is None:
                # "the letter": the last one like it the article named, with its author
                for i, l, auth in reversed(self.documents):
                    if i < head and l == lemma and auth:
                        author = auth
                        break
            if author is None and named and named[0].start != head:
                author = named[0].canonical
            res = Resolution("document", author)
        elif named and any(m.label == "PERSON" for m in named):
            m = next(m for m in named if m.label == "PERSON")
            res = Resolution("person", m.canonical, self.roles.get(m.canonical))
            appos = [c for c in df.children[head] if df.dep[c] == "appos" and a <= c < b]
            if appos:
                x, y = self._np_text(appos[0])
                res.role = self._text(*self._trim(x, min(y, b)))
        elif lemma in lex["role_nouns"] and (not named or all(m.end <= head for m in named) and not head in self.by_token):
            x, y = self._trim(a, b)
            role = self._text(x, y)
            res = Resolution("person", self._role_antecedent(head, a, b), role)
            if lemma in lex["male_words"]:
                res.gender = "male"
            elif lemma in lex["female_words"]:
                res.gender = "female"
            if res.resolved is None and (lemma in lex["anonymous_nouns"] or df.lower[a] in ("a", "an", "some", "several")):
                res.type = "anonymous"
        elif named and head not in self.by_token:
            # the name only modifies the head: 'The Azerbaijani government', 'Armenian soldiers'
            if lemma in lex["organisation_nouns"]:
                res = Resolution("organisation", self._text(*self._trim(a, min(b, head + 1))))
            else:
                res = Resolution("anonymous")
        elif named:
            m = named[0]
            res = Resolution("person" if m.label == "PERSON" else "organisation", m.canonical)
        elif lemma in lex["organisation_nouns"]:
            res = Resolution("organisation", self._org_antecedent(head))
        elif lemma in lex["anonymous_nouns"] or df.pos[head] in ("NOUN", "ADJ", "NUM", "DET"):
            res = Resolution("anonymous")
        else:
            res = Resolution("organisation" if df.pos[head] == "PROPN" else "anonymous")
        if res.resolved is None and res.type in ("organisation", "person") and df.pos[head] == "PROPN":
            # a name the NER missed here but found elsewhere
            key = self._text(*self._trim(a, b)).lower()
            res.resolved = self.names.get(key)
        self.history.append((a, res))
        return res

    def _head(self, a: int, b: int) -> int:
        df = self.df
        for i in range(a, b):
            if not a <= df.head[i] < b or df.head[i] == i:
                return i
        return b - 1

    def _trim(self, a: int, b: int) -> tuple[int, int]:
        df = self.df
        while a < b - 1 and (df.lower[a] in _DETS or df.pos[a] == "PUNCT"):
            a += 1
        while b > a + 1 and df.pos[b - 1] in ("PUNCT", "SPACE"):
            b -= 1
        return a, b

    def _role_antecedent(self, head: int, a: int, b: int) -> str | None:
        """The person the article gave this role ('the minister', "Azerbaijan's Foreign Minister")."""
        df = self.df
        words = frozenset(df.lemma[j] for j in range(a, b) if df.pos[j] in ("NOUN", "PROPN", "ADJ"))
        best = None
        for tok, canonical, role_words in self.role_heads:
            if df.lemma[head] not in role_words:
                continue
            overlap = len(words & role_words)
            key = (overlap, -abs(head - tok))
            if best is None or key > best[0]:
                best = (key, canonical)
        if best:
            return best[1]
        return None

    def _org_antecedent(self, head: int) -> str | None:
        """'the ministry' -> the last organisation named with that word."""
        w = self.df.lower[head]
        for m in reversed(self.mentions):
            if m.start < head and m.label == "ORG" and w in m.canonical.lower().split():
                return m.canonical
        return None

    def _last_document(self, at: int):
        df = self.df
        for d in reversed(self.documents):
            if d[0] < at and df.sent[at] - df.sent[d[0]] <= 2:
                return d
        return None

    def _last_mention_token(self, at: int, canonical: str) -> int:
        for m in reversed(self.mentions):
            if m.start < at and m.canonical == canonical:
                return m.start
        return -1
