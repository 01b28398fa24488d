"""The rule system for attributions: cue lexicons and dependency patterns over the parse.

It is the fallback when the learned taggers' model files are missing, the
baseline they are measured against, and the source of a few high-precision
patterns the taggers miss on opinion writing ('“...”, reads the letter',
'stated in Bayramov's letter', 'the concern raised by X', "Armenia's attempt to
accuse Azerbaijan of ...").

Each finder returns :class:`RawAttribution` objects in token offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .attribution_features import DocFeatures, lexicon

_SUBJ = ("nsubj", "nsubjpass", "csubj")
_CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "parataxis", "advcl", "dative", "oprd", "attr")
# belief and evidence verbs need a clause ('believes that ...'); speech verbs also take quotations
_CLAUSE_ONLY = {"belief", "evidence"}
# verbs too common to be cues without a clause or quotation attached
_WEAK = frozenset({"go", "put", "call", "read", "see", "hold", "like", "love", "care", "look", "sound", "plan", "aim", "seek", "back", "support", "provide", "list", "record", "register", "measure", "rank", "rate", "document", "word", "phrase", "project", "direct", "order", "speak", "talk", "continue", "raise", "attack", "defend", "welcome", "thank", "hear", "learn", "find", "show", "know", "want", "wish", "prefer", "trust", "figure", "bet", "forget", "remember"})


_LIGHT = frozenset({"give", "issue", "make", "express", "voice", "raise", "reiterate", "repeat", "convey", "send", "deliver", "share"})


@dataclass
class RawAttribution:
    """An attribution in token offsets ``[start, end)``: cue, source (or None) and content fragments."""

    cue: tuple[int, int]
    contents: list[tuple[int, int]]
    source: tuple[int, int] | None = None
    cue_kind: str = "verb"
    origin: str = "rules"
    extra: dict = field(default_factory=dict)


def _subtree(df: DocFeatures, i: int) -> tuple[int, int]:
    lo = hi = i
    stack = [i]
    while stack:
        j = stack.pop()
        for c in df.children[j]:
            lo, hi = min(lo, c), max(hi, c)
            stack.append(c)
    return lo, hi + 1


def _trim_punct(df: DocFeatures, a: int, b: int, keep_quotes: bool = True) -> tuple[int, int]:
    while a < b and (df.pos[a] in ("PUNCT", "SPACE", "CCONJ") and not (keep_quotes and df.quote_mark[a] == "open")):
        a += 1
    while b > a and (df.pos[b - 1] in ("PUNCT", "SPACE") and not (keep_quotes and df.quote_mark[b - 1] == "close")):
        b -= 1
    return a, b


def _np(df: DocFeatures, i: int) -> tuple[int, int]:
    """The noun phrase headed by ``i``: its subtree, without relative clauses or a trailing possessive 's."""
    a, b = _subtree(df, i)
    for c in df.children[i]:
        if df.dep[c] in ("relcl", "acl") and c > i and b > c:
            ca, _ = _subtree(df, c)
            b = min(b, ca)
    a, b = _trim_punct(df, a, b, keep_quotes=False)
    if b - a > 1 and df.dep[b - 1] == "case":
        b -= 1
    return a, b


def _quote_near(df: DocFeatures, start: int, end: int) -> tuple[int, int] | None:
    """A quotation closing just before the cue ('“...,” said') or opening just after it ('said: “...')."""
    for a, b in df.regions:
        if b <= start and start - b <= 3 and all(df.pos[k] in ("PUNCT", "SPACE", "PRON", "PROPN", "NOUN", "DET") for k in range(b, start)):
            # '“...,” he said': a comma closes the quotation; '“... .” He says' starts a new sentence
            closing = df.text[df.starts[max(a, b - 3)] : df.starts[min(start, len(df.starts) - 1)]]
            if "," in closing or (df.sent[b - 1] == df.sent[start] and not re.search(r"[.]\W*$", df.text[df.starts[a] : df.ends[b - 1]])):
                if df.sent[a] >= df.sent[start] - 3:
                    return a, b
        if a >= end and a - end <= 2 and all(df.pos[k] in ("PUNCT", "SPACE") for k in range(end, a)):
            between = {df.lower[k] for k in range(end, a)}
            if a == end or between & {":", ","} or df.sent[a] == df.sent[end - 1]:
                return a, b
    return None


def _cue_tokens(df: DocFeatures, v: int) -> tuple[int, int]:
    """The verb with its particle ('pointed out', 'calls upon')."""
    end = v + 1
    parts = lexicon()["verb_particles"].get(df.lemma[v], [])
    if end < len(df.lower) and df.lower[end] in parts and df.head[end] == v:
        end += 1
    return v, end


def find(df: DocFeatures) -> list[RawAttribution]:
    """All attributions the rules find, in text order."""
    lex = lexicon()
    verb_class = lex["verb_class"]
    out: list[RawAttribution] = []
    used: set[int] = set()
    n = len(df.lower)
    for v in range(n):
        lemma = df.lemma[v]
        if df.pos[v] in ("VERB", "AUX") and lemma in verb_class:
            att = _verb_attribution(df, v, verb_class[lemma])
            if att:
                out.append(att)
                used.update(range(*att.cue))
    quoted = {c for att in out for c in att.contents}
    for att in _according_to(df) + _nominal(df) + _colon(df, used, quoted):
        if not any(i in used for i in range(*att.cue)):
            out.append(att)
            used.update(range(*att.cue))
    out.sort(key=lambda a: a.cue)
    return out


def _verb_attribution(df: DocFeatures, v: int, classes: tuple[str, ...]) -> RawAttribution | None:
    lex = lexicon()
    children = df.children[v]
    if v >= 2 and df.lower[v - 1] == "-" and df.lower[v - 2] == "so":
        return None  # 'so-called'
    if any(df.dep[c] in ("nsubjpass", "expl") and df.lower[c] == "it" for c in children):
        return None  # 'It should be recalled that ...'
    if df.lemma[v] == "call" and v + 1 < len(df.lower) and df.lower[v + 1] in ("on", "upon") and df.head[v + 1] == v:
        return _call_upon(df, v)
    deps = {df.dep[c]: c for c in children}
    cue = _cue_tokens(df, v)
    content: tuple[int, int] | None = None
    quote = _quote_near(df, *cue)
    clause = next((c for c in children if df.dep[c] == "ccomp" and df.pos[c] in ("VERB", "AUX")), None)
    if clause is None and "xcomp" in deps and df.lemma[v] not in _WEAK and ("speech" in classes or "accusation" in classes):
        clause = deps.get("xcomp")
    if df.lemma[v] in ("accuse", "blame", "criticize", "criticise", "charge") and "dobj" in deps:
        a, b = _subtree(df, deps["dobj"])
        content = (a, b)
        for c in children:
            if df.dep[c] == "prep" and df.lower[c] in ("of", "for") and c > v:
                content = (a, _subtree(df, c)[1])
    if quote is not None:
        content = quote
    elif clause is not None:
        content = _trim_punct(df, *_subtree(df, clause))
    elif (
        df.dep[v] in ("parataxis", "ccomp", "advcl")
        and df.head[v] != v
        and v > df.head[v]
        and "speech" in classes
        and (df.dep[v] == "parataxis" or any(df.dep[c] in _SUBJ for c in children))
    ):
        # 'X did Y, he said.': the clause the cue hangs off, minus the cue's own branch
        h = df.head[v]
        a, b = _subtree(df, h)
        va, _ = _subtree(df, v)
        content = _trim_punct(df, a, va)
    if content is None or content[1] <= content[0]:
        return None
    if set(classes) <= _CLAUSE_ONLY and clause is None:
        return None
    if df.lemma[v] in _WEAK and clause is None and quote is None:
        return None
    source = None
    subj = next((c for c in children if df.dep[c] in _SUBJ), None)
    if subj is not None and not content[0] <= subj < content[1]:
        source = _np(df, subj)
    else:
        for c in children:
            if df.dep[c] == "agent":
                pobj = next((g for g in df.children[c] if df.dep[g] == "pobj"), None)
                if pobj is not None:
                    source = _np(df, pobj)
        if source is None:
            # 'stated in Bayramov's letter', '..., reads the letter'
            for c in children:
                if df.dep[c] == "prep" and df.lower[c] in ("in", "by"):
                    pobj = next((g for g in df.children[c] if df.dep[g] == "pobj"), None)
                    if pobj is not None and df.lemma[pobj] in lex["document_nouns"]:
                        source = _np(df, pobj)
                        cue = (cue[0], c + 1)
                        break
                if df.dep[c] in ("dobj", "attr", "npadvmod") and c > v and df.lemma[c] in lex["document_nouns"]:
                    source = _np(df, c)
        x = v
        for _ in range(3):
            # "Armenia's attempt to accuse ...", "X wants to say ...", "we appealed ..., expressing ... and saying ..."
            if source is not None or df.dep[x] not in ("xcomp", "acl", "advcl", "conj") or df.head[x] == x:
                break
            x = df.head[x]
            for c in df.children[x]:
                if df.dep[c] in ("poss",) + _SUBJ and not content[0] <= c < content[1]:
                    source = _np(df, c)
                    break
    return RawAttribution(cue=cue, contents=[content], source=source, cue_kind="verb")


def _call_upon(df: DocFeatures, v: int) -> RawAttribution | None:
    """'X calls upon Y to do Z': the content is 'Y to do Z'."""
    prep = v + 1
    pobj = next((g for g in df.children[prep] if df.dep[g] == "pobj"), None)
    if pobj is None:
        return None
    a = pobj
    a = _subtree(df, pobj)[0]
    b = _subtree(df, v)[1]
    for c in df.children[v]:
        if c > prep and df.dep[c] in ("punct", "cc", "conj") and df.lower[c] not in ("to",):
            b = min(b, c)
            break
    subj = next((c for c in df.children[v] if df.dep[c] in _SUBJ), None)
    source = _np(df, subj) if subj is not None else None
    content = _trim_punct(df, a, b)
    if content[1] <= content[0]:
        return None
    return RawAttribution((v, v + 2), [content], source, "verb")


def _according_to(df: DocFeatures) -> list[RawAttribution]:
    out = []
    n = len(df.lower)
    for i in range(n - 1):
        if df.lower[i] == "according" and df.lower[i + 1] == "to":
            pobj = next((g for g in df.children[i + 1] if df.dep[g] == "pobj"), None)
            if pobj is None:
                continue
            source = _np(df, pobj)
            s = df.sent[i]
            sa, sb = df.sent_bounds[s]
            pa, pb = _subtree(df, i)
            if pa == i and pb < sb:
                content = _trim_punct(df, pb, sb)
            else:
                content = _trim_punct(df, sa, pa)
            if content[1] > content[0]:
                out.append(RawAttribution((i, i + 2), [content], source, "preposition"))
    return out


def _nominal(df: DocFeatures) -> list[RawAttribution]:
    """'the concern raised by X', 'X's claim that ...', 'This was the warning voiced by X'."""
    lex = lexicon()
    out = []
    for i, lemma in enumerate(df.lemma):
        if lemma not in lex["cue_nouns"] or df.pos[i] != "NOUN":
            continue
        # noun + participle + agent
        for c in df.children[i]:
            if df.dep[c] == "acl" and df.lemma[c] in ("raise", "express", "voice", "make", "put", "issue", "share"):
                agent = next((g for g in df.children[c] if df.dep[g] == "agent"), None)
                pobj = next((g for g in df.children[agent] if df.dep[g] == "pobj"), None) if agent is not None else None
                if pobj is None:
                    continue
                start = i - 1 if i > 0 and df.lower[i - 1] in ("the", "a", "this") and df.head[i - 1] == i else i
                cue = (start, agent + 1)
                source = _np(df, pobj)
                content = _anaphor_content(df, i)
                if content:
                    out.append(RawAttribution(cue, [content], source, "noun"))
        # 'X gave a strict order that ...', 'X expressed the hope that ...'
        clause = next((c for c in df.children[i] if df.dep[c] in ("acl", "ccomp", "relcl") and any(df.dep[g] == "mark" and df.lower[g] == "that" for g in df.children[c])), None)
        v = df.head[i]
        if clause is None and df.dep[i] == "dobj" and df.lemma[v] in _LIGHT:
            # the parser often misattaches the clause: take 'that ...' right after the noun phrase
            sb = df.sent_bounds[df.sent[i]][1]
            that = next((k for k in range(i + 1, min(sb, i + 10)) if df.lower[k] == "that"), None)
            if that is not None and not any(df.pos[k] in ("VERB", "AUX") for k in range(i + 1, that)):
                subj = next((c for c in df.children[v] if df.dep[c] in _SUBJ), None)
                if subj is not None:
                    out.append(RawAttribution((v, i + 1), [_trim_punct(df, that, sb)], _np(df, subj), "noun"))
                    continue
        if clause is not None and df.dep[i] == "dobj" and df.pos[v] in ("VERB", "AUX"):
            subj = next((c for c in df.children[v] if df.dep[c] in _SUBJ), None)
            if subj is not None:
                out.append(RawAttribution((v, i + 1), [_trim_punct(df, *_subtree(df, clause))], _np(df, subj), "noun"))
                continue
        # possessor + noun + that-clause
        poss = next((c for c in df.children[i] if df.dep[c] == "poss"), None)
        clause = next((c for c in df.children[i] if df.dep[c] in ("acl", "ccomp") and any(df.dep[g] == "mark" and df.lower[g] == "that" for g in df.children[c])), None)
        if poss is not None and clause is not None:
            out.append(RawAttribution((i, i + 1), [_trim_punct(df, *_subtree(df, clause))], _np(df, poss), "noun"))
    return out


def _anaphor_content(df: DocFeatures, noun: int) -> tuple[int, int] | None:
    """The proposition 'This was the concern ...' points back to: the previous sentence."""
    h = df.head[noun]
    subj = next((c for c in df.children[h] if df.dep[c] in _SUBJ), None) if df.dep[noun] == "attr" else None
    if subj is not None and df.lower[subj] in ("this", "that", "these", "those", "it", "such"):
        s = df.sent[noun]
        if s > 0:
            a, b = df.sent_bounds[s - 1]
            return _trim_punct(df, a, b, keep_quotes=True)
    return None


def _colon(df: DocFeatures, used: set[int], quoted: set[tuple[int, int]]) -> list[RawAttribution]:
    """A colon introducing a quotation: 'Smith: “...”', 'The ministry's statement was blunt: “...”'."""
    out = []
    for a, b in df.regions:
        if (a, b) in quoted:
            continue
        k = a - 1
        while k >= 0 and df.pos[k] == "SPACE":
            k -= 1
        if k <= 0 or df.lower[k] != ":" or k in used:
            continue
        s = df.sent[k]
        sa = df.sent_bounds[s][0]
        if k - sa <= 4 and all(df.pos[j] in ("PROPN", "NOUN", "DET", "PUNCT", "ADJ") for j in range(sa, k)) and k > sa:
            out.append(RawAttribution((k, k + 1), [(a, b)], _trim_punct(df, sa, k), "punctuation"))
            continue
        # the clause before the colon: its subject speaks
        if any(i in used for i in range(sa, k)):
            continue
        root = next((i for i in range(sa, k) if not sa <= df.head[i] < k or df.head[i] == i), None)
        if root is None:
            continue
        subj = next((c for c in df.children[root] if df.dep[c] in _SUBJ and c < k), None)
        if subj is not None and df.pos[subj] in ("NOUN", "PROPN", "PRON"):
            out.append(RawAttribution((k, k + 1), [(a, b)], _np(df, subj), "punctuation"))
    return out
