"""Token features for the attribution taggers, shared by training and inference.

Two sequence taggers in the spirit of BBC's Citron:

* the **cue tagger** labels each sentence's tokens ``B``/``I``/``O`` for attribution cues
  ("said", "according to", "has learned", a colon);
* the **span tagger** runs once per cue over a window around it (the cue's sentence,
  widened to whole quotations and to what a closing colon introduces) and labels
  each token ``B-S``/``I-S`` (source), ``B-C``/``I-C`` (content) or ``O``, with features
  that say where the token stands relative to that cue: before or after it, in which
  dependency branch of the cue's head, inside a quotation next to it.

Everything here reads the spaCy ``Doc`` the pipeline already parsed; nothing re-parses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
from spacy.tokens import Doc

from .crf import Template
from .tokens import token_table

CUE_LABELS = ("O", "B", "I")
SPAN_LABELS = ("O", "B-S", "I-S", "B-C", "I-C")

OPEN_QUOTES = "“«„"
CLOSE_QUOTES = "”»"
STRAIGHT_QUOTE = '"'
QUOTE_CHARS = OPEN_QUOTES + CLOSE_QUOTES + STRAIGHT_QUOTE + "'`"  # first characters of quote-mark tokens
_QUOTE_MARK = re.compile("''|``|[“”«»„\"]")

MAX_WINDOW = 160  # tokens a span-tagger window may hold
_BRANCH_DEPS = frozenset(
    "nsubj nsubjpass csubj agent ccomp xcomp dobj dative prep pobj advcl parataxis punct mark aux auxpass neg "
    "advmod npadvmod acl relcl conj cc attr acomp oprd appos poss compound det amod pcomp".split()
)
_CHS = frozenset({"nsubj", "nsubjpass", "ccomp", "xcomp", "dobj", "parataxis"})
_CHILD_SIGNAL = ("nsubj", "nsubjpass", "ccomp", "xcomp", "dobj", "dative", "agent", "parataxis", "advcl", "neg", "prep", "aux", "auxpass")


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """The attribution lexicons (``src/parallax/data/attribution_lexicon.json``)."""
    raw = json.loads(resources.files("parallax").joinpath("data/attribution_lexicon.json").read_text(encoding="utf-8"))
    lex: dict = {key: value for key, value in raw.items() if not key.startswith("_")}
    verb_class: dict[str, list[str]] = {}
    for cls, lemmas in raw["cue_verbs"].items():
        for lemma in lemmas:
            verb_class.setdefault(lemma, []).append(cls)
    lex["verb_class"] = {k: tuple(sorted(set(v))) for k, v in verb_class.items()}
    for key in (
        "cue_nouns", "document_nouns", "anonymous_nouns", "role_nouns", "organisation_nouns", "male_words",
        "female_words", "hedge_words", "hedge_cues", "hedge_modals", "denial_cues",
    ):
        lex[key] = frozenset(raw[key])
    return lex


def quote_regions(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each quotation, quote marks included, found paragraph by paragraph.

    Curly quotes open and close; straight quotes alternate. A quotation left open at
    the end of its paragraph runs to the paragraph's end (news style continues a
    quote into the next paragraph by opening it again).
    """
    regions: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        base = para.start()
        curly: list[int] = []  # open curly quotes, innermost last (quotes nest: “... the “Lachin Corridor” ...”)
        straight: int | None = None
        doubled: int | None = None
        for m in _QUOTE_MARK.finditer(para.group()):
            mark, i = m.group(), m.start()
            if mark in OPEN_QUOTES or mark == "``":
                curly.append(i)
            elif mark in CLOSE_QUOTES:
                if curly:
                    regions.append((base + curly.pop(), base + m.end()))
            elif mark == "''":
                # newswire style: '' opens and closes (`` opens where the text kept it)
                if curly and text[base + curly[-1]] == "`":
                    regions.append((base + curly.pop(), base + m.end()))
                elif doubled is None:
                    doubled = i
                else:
                    regions.append((base + doubled, base + m.end()))
                    doubled = None
            elif straight is None:
                straight = i
            else:
                regions.append((base + straight, base + m.end()))
                straight = None
        for opened in curly[:1] + [straight, doubled]:
            if opened is not None:
                regions.append((base + opened, para.end()))
    regions.sort()
    return regions


_ALNUM = re.compile(r"[^\W_]")


def _shape(text: str) -> str:
    if not text:
        return "_"
    if text[0] in QUOTE_CHARS and (text[0] not in "'`" or text[:2] in ("''", "``")):
        return "Q"
    if text.isdigit():
        return "d"
    if not _ALNUM.search(text):
        return "."
    if text.isupper() and len(text) > 1:
        return "XX"
    if text[0].isupper():
        return "Xx"
    return "x"


_SHAPES: dict[str, str] = {}


def _cached_shape(token_text: str) -> str:
    shape = _shape(token_text)
    if len(_SHAPES) < 200_000:
        _SHAPES[token_text] = shape
    return shape


def _bucket(n: int) -> str:
    n = abs(n)
    if n <= 1:
        return str(n)
    if n <= 3:
        return "2-3"
    if n <= 6:
        return "4-6"
    if n <= 10:
        return "7-10"
    if n <= 20:
        return "11-20"
    return "21+"


@dataclass
class DocFeatures:
    """Per-token facts and base features of one parsed document, computed once."""

    doc: Doc
    lower: list[str]
    lemma: list[str]
    pos: list[str]
    dep: list[str]
    head: list[int]
    sent: list[int]  # sentence index of each token
    sent_bounds: list[tuple[int, int]]  # token [start, end) of each sentence
    para: list[int]  # paragraph index of each token
    quote: list[int]  # index of the innermost quotation region holding the token, -1 outside
    quote_mark: list[str]  # "open", "close" or "" for each token
    regions: list[tuple[int, int]]  # quotation regions in tokens, [start, end)
    quote_state: list[str]  # "open", "close", "in" or "out" for each token
    shape: list[str]  # each token's shape: "Xx", "d", "Q" (quote mark) ...
    children: list[list[int]]
    starts: list[int]  # character offset of each token
    ends: list[int]  # character offset after each token
    left: list[int]  # first token of each token's subtree
    right: list[int]  # last token of each token's subtree
    text: str = ""
    _anc: dict[int, list[int]] = field(default_factory=dict)
    _columns: dict[str, list] = field(default_factory=dict)
    _nb: dict[int, list[tuple[str, ...]]] = field(default_factory=dict)
    _base: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def base(self) -> list[tuple[str, ...]]:
        """Each token's base feature strings (the taggers' training features; inference reads the columns)."""
        if not self._base:
            hpos = [self.pos[h] for h in self.head]
            base = list(
                zip(
                    ["b"] * len(self.lower),
                    ["w=" + x for x in self.lower],
                    ["l=" + x for x in self.lemma],
                    ["p=" + x for x in self.pos],
                    ["d=" + x for x in self.dep],
                    ["dp=" + d + "|" + hp for d, hp in zip(self.dep, hpos)],
                    ["s=" + x for x in self.shape],
                    ["q=" + x for x in self.quote_state],
                )
            )
            # the few tokens with more: entity type, first or last of a sentence
            extra: dict[int, tuple[str, ...]] = {}
            for i, e in enumerate(token_table(self.doc).ent):
                if e:
                    extra[i] = ("e=" + e,)
            for a, b in self.sent_bounds:
                extra[a] = extra.get(a, ()) + ("sent0",)
                extra[b - 1] = extra.get(b - 1, ()) + ("sentN",)
            for i, more in extra.items():
                base[i] = base[i] + more
            self._base = base
        return self._base

    def ancestors(self, i: int) -> list[int]:
        """The token and its heads up to the sentence root."""
        chain = self._anc.get(i)
        if chain is None:
            chain = [i]
            seen = {i}
            j = i
            while self.head[j] != j and self.head[j] not in seen:
                j = self.head[j]
                chain.append(j)
                seen.add(j)
            self._anc[i] = chain
        return chain


def doc_features(doc: Doc, text: str | None = None) -> DocFeatures:
    """Precompute what both taggers read from ``doc`` (arrays, no per-token Python objects).

    ``text``: ``doc.text`` when the caller has it (else the token table's copy).
    """
    tokens = token_table(doc)
    n = len(tokens)
    # whitespace tokens read '<sp>': feature strings hold no whitespace
    lower = [x if x.strip() == x and x else "<sp>" for x in tokens.lower]
    lemma = [x.lower() if x.strip() == x and x else "<sp>" for x in tokens.lemma]
    pos = tokens.pos
    pos_ids_space = [p == "SPACE" for p in pos]
    dep = tokens.dep
    head = tokens.head
    starts = tokens.start
    ends = tokens.end
    if text is None:
        text = tokens.doc_text
    # paragraph index: one more after each token whose text or trailing space holds a newline
    import bisect

    breaks = [0] * (n + 1)
    for m in re.finditer(r"\n+", text):
        k = bisect.bisect_right(starts, m.start()) - 1
        if 0 <= k < n:
            breaks[k + 1] = 1
    # sentences as the parser split them, and split again where a paragraph ends
    sent = [0] * n
    bounds: list[tuple[int, int]] = []
    k = -1
    for i, ss in enumerate(tokens.sent_start):
        if i == 0 or ss or (breaks[i] and pos_ids_space[i - 1] and not pos_ids_space[i]):
            if bounds:
                bounds[-1] = (bounds[-1][0], i)
            bounds.append((i, n))
            k += 1
        sent[i] = k
    para = [0] * n
    p = 0
    for i in range(n):
        p += breaks[i]
        para[i] = p

    # quotations in characters -> tokens
    quote = [-1] * n
    quote_mark = [""] * n
    regions: list[tuple[int, int]] = []
    for r, (cs, ce) in enumerate(quote_regions(text)):
        a = bisect.bisect_left(starts, cs)
        b = bisect.bisect_left(starts, ce)
        regions.append((a, b))
        if a >= n:
            continue
        for i in range(a, b):
            quote[i] = r  # later (inner or following) regions overwrite: innermost wins for nested ones
        quote_mark[a] = "open"
        if b - 1 > a and (text[ce - 1] in CLOSE_QUOTES or text[ce - 1] in "\"'"):
            quote_mark[b - 1] = "close"

    children: list[list[int]] = [[] for _ in range(n)]
    for i, h in enumerate(head):
        if h != i:
            children[h].append(i)
    # subtree edges, children before their heads (post-order from each root)
    left = list(range(n))
    right = list(range(n))
    for root in (i for i in range(n) if head[i] == i):
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                for c in children[node]:
                    if left[c] < left[node]:
                        left[node] = left[c]
                    if right[c] > right[node]:
                        right[node] = right[c]
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in children[node])

    # base features, built column by column
    qcol = [qm if qm else ("in" if qr >= 0 else "out") for qm, qr in zip(quote_mark, quote)]
    get_shape = _SHAPES.get
    shape = [get_shape(t) or _cached_shape(t) for t in tokens.text]
    return DocFeatures(
        doc, lower, lemma, pos, dep, head, sent, bounds, para, quote, quote_mark, regions, qcol, shape, children, starts, ends,
        left, right, text,
    )


def _neighbour_table(df: DocFeatures) -> dict[int, list[tuple[str, ...]]]:
    """For each offset, each token's features as seen from a token that far away (built once per document)."""
    table = df._nb
    if not table:
        lower, pos, dep = df.lower, df.pos, df.dep
        for o in (-2, -1, 1, 2):
            p = [f"p{o}=" + x for x in pos]
            if abs(o) == 1:
                w = [f"w{o}=" + x for x in lower]
                d = [f"d{o}=" + x for x in dep]
                table[o] = list(zip(w, p, d))
            else:
                table[o] = [(x,) for x in p]
    return table


_EDGE = {o: (f"p{o}=<edge>",) for o in (-2, -1, 1, 2)}


def _neighbours(df: DocFeatures, i: int, lo: int, hi: int) -> list[str]:
    table = _neighbour_table(df)
    out: list[str] = []
    for o in (-2, -1, 1, 2):
        j = i + o
        out.extend(table[o][j] if lo <= j < hi else _EDGE[o])
    return out


# --------------------------------------------------------------------------- cue tagger


_QUOTE_CLAUSE = frozenset({"ccomp", "parataxis", "xcomp", "dobj"})


def _own_cue_features(df: DocFeatures, i: int, lex: dict) -> list[str]:
    """Token ``i``'s own cue-tagger features beyond the base ones: lexicon classes, dependents, head."""
    lemma, pos, dep, lower = df.lemma, df.pos, df.dep, df.lower
    feats: list[str] = []
    deps: set[str] = set()
    for c in df.children[i]:
        d = dep[c]
        if d in _CHILD_SIGNAL:
            deps.add(d)
        elif d == "prt":
            feats.append("prt=" + lower[c])
        if d in _QUOTE_CLAUSE and df.quote[c] >= 0 and pos[i] in ("VERB", "AUX"):
            feats.append("chq=" + d)  # a clause below the verb holding a quotation
    lem = lemma[i]
    p = pos[i]
    for cls in lex["verb_class"].get(lem, ()):
        feats.append("vc=" + cls)
        feats.append("vcp=" + cls + "|" + p)
    if lem in lex["cue_nouns"]:
        feats.append("cn")
    if lem in lex["document_nouns"]:
        feats.append("docn")
    if deps:
        feats.extend(["ch=" + d for d in sorted(deps)])
        chs = ",".join(sorted(deps & _CHS))
    else:
        chs = ""
    feats.append("chs=" + chs)
    if p in ("VERB", "AUX", "NOUN"):
        feats.append("lc=" + lem + "|" + chs)
        feats.append("ld=" + lem + "|" + dep[i])
    h = df.head[i]
    feats.append("hl=" + lemma[h])
    feats.append("hd=" + dep[i] + "|" + lemma[h] if p in ("ADP", "PART") else "hd=" + dep[i])
    return feats


def cue_features(df: DocFeatures, start: int, end: int) -> list[list[str]]:
    """Features of tokens ``start..end`` (one sentence) for the cue tagger.

    Built per sentence, on demand (the extractor tags only sentences that may hold a cue);
    context never reaches across the sentence boundary (the tagger reads one sentence).
    """
    lex = lexicon()
    table = _neighbour_table(df)
    lemma, lower, qm = df.lemma, df.lower, df.quote_mark
    last = end - 1
    quoted = any(df.quote[i] >= 0 for i in range(start, end))
    rows = []
    for i in range(start, end):
        row = [*df.base[i], *_own_cue_features(df, i, lex)]
        for o in (-2, -1, 1, 2):
            j = i + o
            row.extend(table[o][j] if start <= j <= last else _EDGE[o])
        if i > start:
            row.append("bg=" + lemma[i - 1] + "|" + lemma[i])
        if i < last:
            row.append("bg+=" + lemma[i] + "|" + lemma[i + 1])
            if lower[i + 1] == ":":
                row.append("ncolon")
        if quoted:
            row.append("sq")
            # quotation right before ('“...,” said') or right after ('said: “...')
            if (i - 1 >= start and qm[i - 1] == "close") or (i - 2 >= start and qm[i - 2] == "close"):
                row.append("pq")
            if (i + 1 <= last and qm[i + 1] == "open") or (i + 2 <= last and qm[i + 2] == "open"):
                row.append("nq")
        rows.append(row)
    return rows


# The attributes of the base features (DocFeatures.base) and of the neighbour features as
# templates over the columns of :func:`token_columns`; both taggers read them.
BASE_TEMPLATES: tuple[Template, ...] = (
    Template("b", ("every",), flag=True),
    *(Template(name, (column,)) for name, column in (
        ("w", "lower"), ("l", "lemma"), ("p", "pos"), ("d", "dep"), ("s", "shape"), ("q", "quote_state"), ("e", "ent"),
    )),
    Template("dp", ("dep", "head_pos"), (0, 0)),
    Template("sent0", ("sentence_first",), flag=True),
    Template("sentN", ("sentence_last",), flag=True),
)
NEIGHBOUR_TEMPLATES: tuple[Template, ...] = (
    *(Template(f"p{o}", ("pos",), (o,), edge="<edge>") for o in (-2, -1, 1, 2)),
    *(Template(f"{a}{o}", (column,), (o,)) for o in (-1, 1) for a, column in (("w", "lower"), ("d", "dep"))),
)
# The attributes of :func:`cue_features` (the multi-valued ones, a verb's classes or its
# dependents, come from :func:`cue_columns` as extra strings).
CUE_TEMPLATES: tuple[Template, ...] = (
    *BASE_TEMPLATES,
    *NEIGHBOUR_TEMPLATES,
    *(Template(name, (column,)) for name, column in (("chs", "child_signal"), ("hl", "head_lemma"), ("hd", "head_dep"))),
    Template("cn", ("cue_noun",), flag=True),
    Template("docn", ("document_noun",), flag=True),
    Template("lc", ("content_lemma", "child_signal"), (0, 0)),
    Template("ld", ("content_lemma", "dep"), (0, 0)),
    Template("bg", ("lemma", "lemma"), (-1, 0)),
    Template("bg+", ("lemma", "lemma"), (0, 1)),
    Template("ncolon", ("colon",), (1,), flag=True),
    Template("sq", ("sentence_quoted",), flag=True),
)


def token_columns(df: DocFeatures) -> dict[str, list]:
    """Per-token columns of :data:`BASE_TEMPLATES` and :data:`NEIGHBOUR_TEMPLATES` (built once per doc)."""
    columns = df._columns
    if not columns:
        n = len(df.lower)
        first, last = [False] * n, [False] * n
        for a, b in df.sent_bounds:
            first[a] = last[b - 1] = True
        columns.update(
            every=[True] * n,
            lower=df.lower,
            lemma=df.lemma,
            pos=df.pos,
            dep=df.dep,
            shape=df.shape,
            quote_state=df.quote_state,
            ent=[e or None for e in token_table(df.doc).ent],
            head_pos=[df.pos[h] for h in df.head],
            sentence_first=first,
            sentence_last=last,
        )
    return columns


def cue_columns(df: DocFeatures) -> tuple[dict[str, list], list[tuple[int, str]]]:
    """What :data:`CUE_TEMPLATES` read for every token of the doc, and the attributes they cannot express.

    Scored over the doc's sentences (:attr:`DocFeatures.sent`), these give the same
    emission scores as :func:`cue_features` sentence by sentence.
    """
    lex = lexicon()
    lemma, pos, dep, lower, head = df.lemma, df.pos, df.dep, df.lower, df.head
    n = len(lower)
    extra: list[tuple[int, str]] = []
    signal: dict[int, set[str]] = {}
    for c in range(n):
        h = head[c]
        if h == c:
            continue
        d = dep[c]
        if d in _CHILD_SIGNAL:
            signal.setdefault(h, set()).add(d)
        elif d == "prt":
            extra.append((h, "prt=" + lower[c]))
        if d in _QUOTE_CLAUSE and df.quote[c] >= 0 and pos[h] in ("VERB", "AUX"):
            extra.append((h, "chq=" + d))
    child_signal = [""] * n
    for h, deps in signal.items():
        extra.extend((h, "ch=" + d) for d in deps)
        child_signal[h] = ",".join(sorted(deps & _CHS))
    verb_class = lex["verb_class"]
    for i, lem in enumerate(lemma):
        for cls in verb_class.get(lem, ()):
            extra.append((i, "vc=" + cls))
            extra.append((i, "vcp=" + cls + "|" + pos[i]))
    cue_nouns, document_nouns = lex["cue_nouns"], lex["document_nouns"]
    quoted_sentence = [False] * n
    qm = df.quote_mark
    for a, b in df.sent_bounds:
        if any(df.quote[i] >= 0 for i in range(a, b)):
            quoted_sentence[a:b] = [True] * (b - a)
            for i in range(a, b):
                # quotation right before ('“...,” said') or right after ('said: “...')
                if (i - 1 >= a and qm[i - 1] == "close") or (i - 2 >= a and qm[i - 2] == "close"):
                    extra.append((i, "pq"))
                if (i + 1 < b and qm[i + 1] == "open") or (i + 2 < b and qm[i + 2] == "open"):
                    extra.append((i, "nq"))
    columns: dict[str, list] = {
        **token_columns(df),
        "head_lemma": [lemma[h] for h in head],
        "head_dep": [d + "|" + lemma[h] if p in ("ADP", "PART") else d for d, h, p in zip(dep, head, pos)],
        "child_signal": child_signal,
        "content_lemma": [lem if p in ("VERB", "AUX", "NOUN") else None for lem, p in zip(lemma, pos)],
        "cue_noun": [lem in cue_nouns for lem in lemma],
        "document_noun": [lem in document_nouns for lem in lemma],
        "colon": [w == ":" for w in lower],
        "sentence_quoted": quoted_sentence,
    }
    return columns, extra


# --------------------------------------------------------------------------- span tagger


def cue_head(df: DocFeatures, start: int, end: int) -> int:
    """The syntactic head of the cue tokens: the one whose head lies outside them."""
    for i in range(start, end):
        if not start <= df.head[i] < end or df.head[i] == i:
            if df.pos[i] in ("VERB", "AUX", "NOUN", "ADP", "PROPN", "ADJ"):
                return i
    for i in range(start, end):
        if df.pos[i] in ("VERB", "AUX"):
            return i
    return start


def window(df: DocFeatures, start: int, end: int) -> tuple[int, int]:
    """Token ``[lo, hi)`` the span tagger reads for the cue at ``start..end``.

    The cue's sentence, widened to whole sentences around any quotation it
    overlaps, and past a closing colon to the next sentence (or paragraph).
    """
    s0, s1 = df.sent[start], df.sent[max(start, end - 1)]
    lo, hi = df.sent_bounds[s0][0], df.sent_bounds[s1][1]
    for _ in range(3):
        changed = False
        for a, b in df.regions:
            if a < hi and b > lo and (a < lo or b > hi):
                na, nb = min(lo, a), max(hi, b)
                na = df.sent_bounds[df.sent[na]][0]
                nb = df.sent_bounds[df.sent[nb - 1]][1]
                if (na, nb) != (lo, hi):
                    lo, hi, changed = na, nb, True
        if not changed:
            break
    # 'X said:' ending the window: what follows belongs to it
    k = hi - 1
    while k > lo and df.pos[k] == "SPACE":
        k -= 1
    if df.lower[k] == ":" and hi < len(df.lower):
        nxt = df.sent[hi]
        nb = df.sent_bounds[nxt][1]
        for a, b in df.regions:
            if a >= hi and a <= hi + 2:
                nb = max(nb, df.sent_bounds[df.sent[b - 1]][1])
        hi = nb
    if hi - lo > MAX_WINDOW:
        # keep the cue and as much around it as fits, favouring its own sentence
        centre = (start + end) // 2
        lo = max(lo, centre - MAX_WINDOW // 2)
        hi = min(hi, lo + MAX_WINDOW)
    return lo, hi


@dataclass
class CueView:
    """How each token of a span-tagger window ``lo..hi`` stands relative to the cue ``start..end``."""

    rel: list[str]  # "B" before the cue, "C" in it, "A" after it
    branch: list[str]  # the dependency branch of the cue's head the token hangs from, or its sentence
    edge: list[str]  # "L"/"R"/"LR": first or last token of that branch (or of its sentence), else ""
    cue_head: int
    cue_lemma: str
    cue_class: str  # the cue verb's classes in the lexicon
    cue_context: tuple[str, str, str]  # the head's dependency, its clause-taking children, voice
    adjacent: set[int]  # quotation regions right next to the cue
    cue_quote: int  # the quotation region holding the cue's head (-1: none)


def cue_view(df: DocFeatures, lo: int, hi: int, start: int, end: int) -> CueView:
    h = cue_head(df, start, end)
    hchain = df.ancestors(h)
    hdepth = {j: k for k, j in enumerate(hchain)}
    cue_lemma = df.lemma[h]
    cue_sent = df.sent[h]
    cclass = "|".join(lexicon()["verb_class"].get(cue_lemma, ("none",)))
    adjacent: set[int] = set()
    for r, (a, b) in enumerate(df.regions):
        if b <= start and start - b <= 3 or a >= end and a - end <= 3:
            adjacent.add(r)
    # how the cue sits in its sentence: '“...,” he said' (parataxis), 'X said that ...' (ROOT with ccomp)
    cue_deps = sorted({df.dep[c] for c in df.children[h]} & _CHS)
    cue_ctx = (df.dep[h], ",".join(cue_deps), "pass" if any(df.dep[c] == "auxpass" for c in df.children[h]) else "act")
    rel: list[str] = []
    branch: list[str] = []
    edge: list[str] = []
    for i in range(lo, hi):
        if i < start:
            r = "B"
        elif i >= end:
            r = "A"
        else:
            r = "C"
        rel.append(r)
        if df.sent[i] != cue_sent and not (start <= i < end):
            # another sentence: how far and which side
            so = df.sent[i] - cue_sent
            branch.append("xs" + ("-" if so < 0 else "+") + str(min(abs(so), 3)))
            sb = df.sent_bounds[df.sent[i]]
            edge.append("L" if i == sb[0] else "R" if i == sb[1] - 1 else "")
            continue
        if i == h:
            branch.append("self")
            edge.append("")
            continue
        chain = df.ancestors(i)
        b = None
        node = i
        for k, j in enumerate(chain):
            if j == h:
                node = chain[k - 1] if k > 0 else i
                b = "dn:" + df.dep[node]
                break
            if j in hdepth:
                up = min(hdepth[j], 3)
                hb = df.dep[hchain[hdepth[j] - 1]] if hdepth[j] > 0 else "self"
                node = chain[k - 1] if k > 0 else i
                tb = df.dep[node] if k > 0 else "self"
                b = f"up{up}:{hb}|{tb}"
                break
        branch.append(b or "none")
        edge.append(("L" if i == df.left[node] else "") + ("R" if i == df.right[node] else ""))
    return CueView(rel, branch, edge, h, cue_lemma, cclass, cue_ctx, adjacent, df.quote[h])


def span_features(
    df: DocFeatures, lo: int, hi: int, start: int, end: int, other_cues: set[int] | None = None
) -> list[list[str]]:
    """Features of tokens ``lo..hi`` for the span tagger, relative to the cue at ``start..end``."""
    view = cue_view(df, lo, hi, start, end)
    rel, branch, edge, h = view.rel, view.branch, view.edge, view.cue_head
    cue_lemma, cclass, cue_ctx = view.cue_lemma, view.cue_class, view.cue_context
    rows = []
    for n, i in enumerate(range(lo, hi)):
        r = rel[n]
        br = branch[n]
        feats = [*df.base[i], *_neighbours(df, i, lo, hi)]
        dist = i - start if i < start else (i - end + 1 if i >= end else 0)
        feats += [
            "r=" + r,
            "rd=" + r + _bucket(dist),
            "br=" + br,
            "brp=" + br + "|" + df.pos[i],
            "cl=" + cue_lemma + "|" + r,
            "cc=" + cclass + "|" + r,
            "rp=" + r + "|" + df.pos[i],
            "cd=" + cue_ctx[0] + "|" + r,
            "cch=" + cue_ctx[1] + "|" + r,
            "cv=" + cue_ctx[2] + "|" + r,
            "rw=" + r + "|" + df.lower[i],
        ]
        e = edge[n]
        if e:
            feats.append("ed=" + e)
            feats.append("eb=" + e + "|" + br)
        if n > 0:
            feats.append("br-1=" + branch[n - 1])
            if edge[n - 1]:
                feats.append("ed-1=" + edge[n - 1])
        else:
            feats.append("br-1=<edge>")
        if n + 1 < hi - lo:
            feats.append("br+1=" + branch[n + 1])
        else:
            feats.append("br+1=<edge>")
        q = df.quote[i]
        if q >= 0:
            if q in view.adjacent:
                feats.append("qadj")
                feats.append("qadj|" + r)
            if q == view.cue_quote:
                feats.append("qcue")
        if other_cues and i in other_cues and not start <= i < end:
            feats.append("ocue")
        if df.sent[i] != df.sent[i - 1] if i > lo else True:
            feats.append("snew")
        if df.para[i] != df.para[h]:
            feats.append("xpara")
        rows.append(feats)
    return rows


# The attributes of :func:`span_features` as templates over the columns of :func:`span_columns`.
SPAN_TEMPLATES: tuple[Template, ...] = (
    *BASE_TEMPLATES,
    *NEIGHBOUR_TEMPLATES,
    *(Template(name, (column,)) for name, column in (("r", "rel"), ("rd", "rel_distance"), ("br", "branch"), ("ed", "edge"))),
    *(Template(name, (a, b), (0, 0)) for name, a, b in (
        ("brp", "branch", "pos"), ("cl", "cue_lemma", "rel"), ("cc", "cue_class", "rel"), ("rp", "rel", "pos"),
        ("cd", "cue_dep", "rel"), ("cch", "cue_children", "rel"), ("cv", "cue_voice", "rel"), ("rw", "rel", "lower"),
        ("eb", "edge", "branch"),
    )),
    Template("br-1", ("branch",), (-1,), edge="<edge>"),
    Template("ed-1", ("edge",), (-1,)),
    Template("br+1", ("branch",), (1,), edge="<edge>"),
    *(Template(name, (name,), flag=True) for name in ("qadj", "qcue", "ocue", "snew", "xpara")),
)


def span_columns(
    df: DocFeatures, cues: list[tuple[int, int]], windows: list[tuple[int, int]], other_cues: set[int]
) -> tuple[dict[str, list], np.ndarray, list[tuple[int, str]], np.ndarray]:
    """What :data:`SPAN_TEMPLATES` read for the windows of all ``cues`` at once.

    Returns the per-position columns, the window of each position, the extra
    attributes and the doc token at each position (the windows, one after another).
    """
    columns: dict[str, list] = {name: [] for name in (
        "rel", "rel_distance", "branch", "edge", "cue_lemma", "cue_class", "cue_dep", "cue_children", "cue_voice",
        "qadj", "qcue", "ocue", "snew", "xpara",
    )}
    sequence: list[int] = []
    tokens: list[int] = []
    extra: list[tuple[int, str]] = []
    sent, para, quote = df.sent, df.para, df.quote
    for k, ((start, end), (lo, hi)) in enumerate(zip(cues, windows)):
        view = cue_view(df, lo, hi, start, end)
        size = hi - lo
        base = len(tokens)
        span = range(lo, hi)
        tokens.extend(span)
        sequence.extend([k] * size)
        columns["rel"].extend(view.rel)
        columns["rel_distance"].extend(
            r + _bucket(i - start if i < start else (i - end + 1 if i >= end else 0)) for r, i in zip(view.rel, span)
        )
        columns["branch"].extend(view.branch)
        columns["edge"].extend(e or None for e in view.edge)
        for name, value in (
            ("cue_lemma", view.cue_lemma), ("cue_class", view.cue_class), ("cue_dep", view.cue_context[0]),
            ("cue_children", view.cue_context[1]), ("cue_voice", view.cue_context[2]),
        ):
            columns[name].extend([value] * size)
        head_para = para[view.cue_head]
        for n, i in enumerate(span):
            q = quote[i]
            adjacent = q >= 0 and q in view.adjacent
            columns["qadj"].append(adjacent)
            if adjacent:
                extra.append((base + n, "qadj|" + view.rel[n]))
            columns["qcue"].append(q >= 0 and q == view.cue_quote)
            columns["ocue"].append(i in other_cues and not start <= i < end)
            columns["snew"].append(i == lo or sent[i] != sent[i - 1])
            columns["xpara"].append(para[i] != head_para)
    return columns, np.array(sequence, dtype=np.int64), extra, np.array(tokens, dtype=np.int64)


# --------------------------------------------------------------------------- labels


def bio_chunks(labels: list[str], kind: str = "") -> list[tuple[int, int]]:
    """``[start, end)`` of each chunk tagged ``B-kind``/``I-kind`` (``B``/``I`` when kind is empty)."""
    b, i_ = ("B-" + kind, "I-" + kind) if kind else ("B", "I")
    chunks = []
    cur = None
    for k, lab in enumerate(labels):
        if lab == b or (lab == i_ and cur is None):
            if cur is not None:
                chunks.append((cur, k))
            cur = k
        elif lab == i_:
            continue
        else:
            if cur is not None:
                chunks.append((cur, k))
            cur = None
    if cur is not None:
        chunks.append((cur, len(labels)))
    return chunks


def char_spans_to_labels(
    df: DocFeatures, lo: int, hi: int, spans: list[tuple[int, int]], kind: str, labels: list[str]
) -> None:
    """Mark tokens ``lo..hi`` starting inside each character span as ``B-kind``/``I-kind`` in place."""
    import bisect

    b, i_ = ("B-" + kind, "I-" + kind) if kind else ("B", "I")
    for cs, ce in spans:
        first = True
        for k in range(max(lo, bisect.bisect_left(df.starts, cs)), min(hi, bisect.bisect_left(df.starts, ce))):
            if df.pos[k] == "SPACE":
                continue
            labels[k - lo] = b if first else i_
            first = False
