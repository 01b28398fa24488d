"""Claims with attribution: who asserts what, through which cue, how firmly.

For each attribution in the article the extractor writes a :class:`Claim` with

* ``source``: the speaker or origin as written, typed person / organisation /
  document / anonymous / author, resolved to the named entity it refers to
  (pronouns, roles and documents through :mod:`.attribution_coref`), with the role
  the article gives it;
* ``cue``: the words marking the attribution (verb, noun, preposition, or the
  colon/quotation framing it);
* ``content``: the asserted proposition; a quotation interrupted by its cue
  ('“A,” he said, “B.”') or continued in the next paragraphs gives one claim per
  fragment, all with the same source and cue;
* ``kind`` direct (quoted), indirect or mixed; ``hedged`` and ``negated``.

The author's own assertions (declarative sentences outside any attribution, not
questions, headings or fragments) become ``unattributed`` claims with
``source.type == "author"`` and no source span. A quoted sentence no cue was found
for becomes a ``direct`` claim with no cue and an ``anonymous`` source without span
(someone's words, speaker unknown). "I"/"we" outside quotations are the author
(``type == "author"`` with the span kept).

How attributions are found: two CRFs trained on PolNeAR train
(:mod:`parallax.train.attribution`; features in :mod:`.attribution_features`) tag
cues per sentence, then source and content around each cue. The rule system
(:mod:`.attribution_rules`) adds the high-precision patterns the taggers miss
('“...”, reads the letter', 'the concern raised by X'), and stands in for the taggers
when their model files are absent.

The model files live in the repository's ``models/`` folder
(``models/attribution-cue.crfsuite``, ``models/attribution-span.crfsuite``), located
relative to the source tree by :mod:`parallax.resources` (the package is installed
in editable mode); they are opened once per process, on first use. Without them the
rule system runs alone.

Cost: about 20 ms per 1,000 tokens on top of the parse with the taggers (PolNeAR dev,
2 shared cores; about a tenth of ``en_core_web_sm``'s own time), about 4 ms with the
rules alone (``PARALLAX_ATTRIBUTION=rules``); nothing is re-parsed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from ..model import Article, Claim, ClaimContent, ClaimCue, ClaimSource
from ..resources import MODELS_DIR
from . import extractor
from .attribution_coref import Resolution, Resolver
from .attribution_features import (
    CUE_TEMPLATES,
    SPAN_LABELS,
    SPAN_TEMPLATES,
    DocFeatures,
    bio_chunks,
    cue_columns,
    doc_features,
    lexicon,
    span_columns,
    token_columns,
    window,
)
from .attribution_rules import RawAttribution
from . import attribution_rules
from .crf import CompiledTemplates, LinearChainCRF

MODEL_DIR = MODELS_DIR
CUE_MODEL = "attribution-cue.crfsuite"
SPAN_MODEL = "attribution-span.crfsuite"

# A learned cue with no word of the cue lexicons must have at least this probability (CRF
# marginal of its first tag): PolNeAR's broad cues ('backed', 'approved a bill') are kept only
# when the tagger is sure. Chosen on PolNeAR dev (with the current taggers: 0.7 over 0.9 adds
# 0.7 / 0.5 / 0.1 points of source / cue / content exact F1).
CUE_MIN_P = 0.7
# Rule attributions with a quotation next to a reporting verb and a source replace what the
# taggers made of the same cue ('“...”, reads the letter').
STRONG_RULES_WIN = True
STRONG_RULES_WIN_CONTENT = True
# Rule attributions on a core reporting verb ('say', 'deny', ...) with a source, in a sentence
# where the taggers found no cue, are added.
RULES_FILL_GAPS = True
# Quoted sentences with no cue become direct claims of an unknown speaker.
ORPHAN_QUOTES = True
ORPHAN_MIN_WORDS = 4

_lock = threading.Lock()
_taggers: dict[str, object] = {}
_model_dir = MODEL_DIR


def use_models(path: Path | str) -> None:
    """Read the model files from ``path`` from now on (for training and tests)."""
    global _model_dir
    with _lock:
        _model_dir = Path(path)
        _taggers.clear()


def learned_available() -> bool:
    return (_model_dir / CUE_MODEL).is_file() and (_model_dir / SPAN_MODEL).is_file()


def _loaded(name: str, build):
    """The model loaded from ``name`` by ``build(path)``, once per process (and per :func:`use_models`)."""
    model = _taggers.get(name)
    if model is None:
        with _lock:
            model = _taggers.get(name)
            if model is None:
                model = _taggers[name] = build(_model_dir / name)
    return model


def _cue_model() -> CompiledTemplates:
    return _loaded(CUE_MODEL, lambda path: CompiledTemplates(LinearChainCRF.from_crfsuite(path), CUE_TEMPLATES))


def _span_model() -> CompiledTemplates:
    return _loaded(SPAN_MODEL, lambda path: CompiledTemplates(LinearChainCRF.from_crfsuite(path, SPAN_LABELS), SPAN_TEMPLATES))


def find_cues(df: DocFeatures) -> list[tuple[int, int]]:
    """Token ``[start, end)`` of each cue the cue tagger finds, sentence by sentence."""
    model = _cue_model()
    sentences = [(start, end) for start, end in df.sent_bounds if end - start >= 2]
    if not sentences:
        return []
    columns, extra = cue_columns(df)
    emissions = model.emissions(columns, np.asarray(df.sent), extra)
    per_sentence = [emissions[start:end] for start, end in sentences]
    found: list[tuple[int, int, int, str]] = []  # (sentence, start, end, first label)
    for k, ((start, _), labels) in enumerate(zip(sentences, model.crf.viterbi(per_sentence))):
        found.extend((k, start + a, start + b, labels[a]) for a, b in bio_chunks(labels))
    # a cue with no word of the cue lexicons must be likely enough (marginal of its first tag)
    unsure = [f for f in found if CUE_MIN_P > 0 and not _lexical_cue(df, f[1], f[2])]
    if unsure:
        which = sorted({f[0] for f in unsure})
        marginals = dict(zip(which, model.crf.marginals([per_sentence[k] for k in which])))
        labels = model.crf.labels
        weak = {
            f for f in unsure if marginals[f[0]][f[1] - sentences[f[0]][0], labels.index(f[3])] < CUE_MIN_P
        }
        found = [f for f in found if f not in weak]
    return [(a, b) for _, a, b, _ in found]


def _learned(df: DocFeatures) -> list[RawAttribution]:
    cues = find_cues(df)
    if not cues:
        return []
    model = _span_model()
    cue_tokens = {i for a, b in cues for i in range(a, b)}
    windows = [window(df, start, end) for start, end in cues]
    columns, sequence, extra, tokens = span_columns(df, cues, windows, cue_tokens)
    emissions = model.emissions(columns, sequence, extra, token_columns=token_columns(df), tokens=tokens)
    bounds = np.cumsum([hi - lo for lo, hi in windows])[:-1]
    out = []
    for (start, end), (lo, _), labels in zip(cues, windows, model.crf.viterbi(np.split(emissions, bounds))):
        contents = [(lo + a, lo + b) for a, b in bio_chunks(labels, "C")]
        if not contents:
            continue
        sources = [(lo + a, lo + b) for a, b in bio_chunks(labels, "S")]
        source = min(sources, key=lambda s: min(abs(s[0] - start), abs(s[1] - end))) if sources else None
        kind = _cue_kind(df, start, end)
        out.append(RawAttribution((start, end), contents, source, kind, origin="learned"))
    return out


def _lexical_cue(df: DocFeatures, start: int, end: int) -> bool:
    """Whether a cue holds a word of the cue lexicons (a reporting, belief or evidence verb, a cue noun, 'according', a colon)."""
    lex = lexicon()
    for i in range(start, end):
        lemma = df.lemma[i]
        if lemma in lex["verb_class"] or lemma in lex["cue_nouns"] or lemma in ("according", ":", "accord"):
            return True
    return False


def _cue_kind(df: DocFeatures, start: int, end: int) -> str:
    if df.lower[start] in ("according", "per") or (df.pos[start] == "ADP" and end - start <= 3):
        return "preposition"
    lex = lexicon()
    first = next((i for i in range(start, end) if df.pos[i] not in ("AUX", "DET", "PART", "ADV", "PUNCT")), start)
    if df.pos[first] == "NOUN" and df.lemma[first] in lex["cue_nouns"]:
        return "noun"  # 'the concern raised by', 'claims'
    pos = [df.pos[i] for i in range(start, end)]
    if "VERB" in pos or "AUX" in pos:
        return "verb"
    if "NOUN" in pos or "PROPN" in pos:
        return "noun"
    if "ADP" in pos:
        return "preposition"
    if all(p == "PUNCT" for p in pos):
        return "punctuation"
    return "verb"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def find_attributions(df: DocFeatures, system: str = "auto") -> list[RawAttribution]:
    """Attributions in token offsets: ``learned`` (taggers plus rule patterns), ``rules``, or ``auto``."""
    if system == "auto":
        system = "learned" if learned_available() else "rules"
    rules = attribution_rules.find(df)
    if system == "rules":
        found = rules
    else:
        found = _learned(df)
        if system != "learned-only":
            # rule patterns the taggers missed: cues they did not find whose content they left untagged
            learned_sents = {df.sent[f.cue[0]] for f in found}
            for att in rules:
                strong = _strong_rule(df, att)
                if att.cue_kind == "verb" and not strong:
                    # a reporting verb in a sentence the taggers found nothing in
                    if not (RULES_FILL_GAPS and df.sent[att.cue[0]] not in learned_sents and _core_cue(df, att)):
                        continue
                if strong and STRONG_RULES_WIN:
                    # the taggers' reading of this cue, when it missed the quotation or the source
                    rivals = [f for f in found if _overlaps(att.cue, f.cue)]
                    quote = att.contents[0]
                    if rivals and all(
                        f.source is None
                        or (
                            STRONG_RULES_WIN_CONTENT
                            and quote[1] <= att.cue[0]
                            and all(fc[0] >= f.cue[1] for fc in f.contents)
                        )
                        for f in rivals
                    ):
                        found = [f for f in found if f not in rivals]
                        found.append(att)
                        continue
                if any(_overlaps(att.cue, f.cue) for f in found):
                    continue
                if any(_overlaps(c, fc) for c in att.contents for f in found for fc in f.contents):
                    continue
                found.append(att)
    found = _postprocess(df, found)
    found.sort(key=lambda a: (a.contents[0][0], a.cue[0]))
    return found


_CORE = frozenset("say tell state claim allege deny insist warn announce declare assert argue report write add accuse".split())


def _core_cue(df: DocFeatures, att: RawAttribution) -> bool:
    return att.source is not None and any(df.lemma[i] in _CORE for i in range(*att.cue))


def _strong_rule(df: DocFeatures, att: RawAttribution) -> bool:
    """A verb cue with a quotation next to it and a source: the taggers' misses worth adding."""
    if att.source is None:
        return False
    c = att.contents[0]
    return any(a == c[0] and b == c[1] for a, b in df.regions)


def _postprocess(df: DocFeatures, atts: list[RawAttribution]) -> list[RawAttribution]:
    out = []
    for att in atts:
        contents = []
        for a, b in att.contents:
            # a content that is only 'This'/'That' points back to the previous sentence
            words = [i for i in range(a, b) if df.pos[i] not in ("PUNCT", "SPACE")]
            if not words:
                continue
            if len(words) == 1 and df.lower[words[0]] in ("this", "that", "these", "those", "it") and df.sent[a] > 0:
                pa, pb = df.sent_bounds[df.sent[a] - 1]
                a, b = attribution_rules._trim_punct(df, pa, pb)
            if b > a:
                contents.append((a, b))
        if att.source is not None:
            a, b = att.source
            if b - a > 1 and df.dep[b - 1] == "case":
                b -= 1  # "Armenia’s attempt to accuse": Armenia
                att.source = (a, b)
            if not any(df.pos[i] not in ("PUNCT", "SPACE", "PART") for i in range(a, b)):
                # a lone possessive "’s": the possessor it marks
                h = df.head[a]
                att.source = (df.left[h], h + 1) if df.dep[a] == "case" and h < a else None
        if contents:
            att.contents = contents
            out.append(att)
    _continue_quotes(df, out)
    return out


def _continue_quotes(df: DocFeatures, atts: list[RawAttribution]) -> None:
    """A sentence opening with a quotation, with no cue of its own, continues the quoted attribution before it.

    '“A,” she said. “B.”' and a next paragraph '“C.”' give her A, B and C.
    """
    if not atts:
        return
    covered = {i for att in atts for a, b in att.contents + [att.cue] for i in range(a, b)}
    cue_sents = {df.sent[att.cue[0]] for att in atts}
    for a, b in df.regions:
        if a >= b or a >= len(df.sent) or any(i in covered for i in range(a, b)):
            continue
        s = df.sent[a]
        sa = df.sent_bounds[s][0]
        while sa < a and df.pos[sa] == "SPACE":
            sa += 1
        if sa != a:
            continue  # the quotation does not open its sentence
        last_sent = df.sent[b - 1]
        if any(x in cue_sents for x in range(s, last_sent + 1)):
            continue
        tail = df.sent_bounds[last_sent][1]
        if any(df.quote[i] < 0 and df.pos[i] not in ("PUNCT", "SPACE") for i in range(b, tail)):
            continue  # words of the author after the quotation
        prev = [att for att in atts if att.contents[-1][1] <= a and df.para[a] - df.para[att.contents[-1][1] - 1] <= 1]
        if not prev:
            continue
        outer = [x for x in prev if df.quote[x.cue[0]] < 0]  # not a cue quoted inside someone's words
        att = max(outer or prev, key=lambda x: x.contents[-1][1])
        if not any(df.quote[i] >= 0 for c in att.contents for i in range(*c)):
            continue
        # nothing but the cue's own sentence tail between them
        gap_start = max(att.contents[-1][1], att.cue[1], att.source[1] if att.source else 0)
        if any(df.quote[i] < 0 and df.pos[i] not in ("PUNCT", "SPACE") and df.sent[i] != df.sent[att.cue[0]] for i in range(gap_start, a)):
            continue
        att.contents.append((a, b))
        covered.update(range(a, b))


# --------------------------------------------------------------------------- claims


def _span(article: Article, df: DocFeatures, a: int, b: int):
    start = df.starts[a]
    end = df.ends[b - 1]
    return article.span(start, end)


def _kind(df: DocFeatures, contents: list[tuple[int, int]]) -> str:
    words = [i for a, b in contents for i in range(a, b) if df.pos[i] not in ("PUNCT", "SPACE")]
    if not words:
        return "indirect"
    quoted = sum(1 for i in words if df.quote[i] >= 0)
    if quoted == len(words):
        return "direct"
    return "mixed" if quoted else "indirect"


def _hedged(df: DocFeatures, cue: tuple[int, int] | None, content: tuple[int, int]) -> bool:
    lex = lexicon()
    if cue is not None:
        for i in range(*cue):
            if df.lemma[i] in lex["hedge_cues"] or df.lower[i] in lex["hedge_words"]:
                return True
            for c in df.children[i]:
                if df.lower[c] in lex["hedge_words"] or (df.lemma[c] in lex["hedge_modals"] and df.dep[c] == "aux"):
                    return True
    for i in range(*content):
        if df.lower[i] in lex["hedge_words"]:
            return True
        if df.lemma[i] in lex["hedge_modals"] and df.pos[i] == "AUX":
            return True
    return False


def _negated(df: DocFeatures, cue: tuple[int, int]) -> bool:
    lex = lexicon()
    for i in range(*cue):
        if df.lemma[i] in lex["denial_cues"] or df.lemma[i] in ("denial", "rejection"):
            return True
        if any(df.dep[c] == "neg" for c in df.children[i]) and df.pos[i] in ("VERB", "AUX"):
            return True
        if df.lower[i] in ("not", "never", "n't"):
            return True
    return False


def extract_claims(doc: Doc, article: Article, system: str = "auto") -> None:
    """Fill ``article.claims`` (see the module docstring); ``system`` as in :func:`find_attributions`."""
    same = len(doc) > 0 and doc[-1].idx + len(doc[-1].text_with_ws) == len(article.text) and doc[0].idx == 0
    df = doc_features(doc, article.text if same else None)
    atts = find_attributions(df, system)
    resolver = Resolver(df, article)
    claims: list[Claim] = []
    resolutions: list[tuple[RawAttribution, Resolution]] = []
    # sources outside quotations first: "I" inside a quotation takes the quotation's source
    order = sorted(atts, key=lambda x: (x.source is not None and df.quote[x.source[0]] >= 0, x.cue[0]))
    for att in order:
        quoted_by = None
        if att.source is not None and df.quote[att.source[0]] >= 0:
            # 'I'/'we' inside someone's quotation: that quotation's source
            for other, res in resolutions:
                if any(c[0] <= att.source[0] < c[1] for c in other.contents):
                    quoted_by = res
        if att.source is not None:
            res = resolver.resolve(*att.source, quoted_by=quoted_by)
        else:
            res = Resolution("anonymous")
        resolutions.append((att, res))
    for att, res in resolutions:
        kind = _kind(df, att.contents)
        source = ClaimSource(
            span=_span(article, df, *att.source) if att.source else None,
            type=res.type,  # type: ignore[arg-type]
            resolved=res.resolved,
            role=res.role,
        )
        cue = ClaimCue(span=_span(article, df, *att.cue), kind=att.cue_kind)  # type: ignore[arg-type]
        negated = _negated(df, att.cue)
        for content in att.contents:
            claims.append(
                Claim(
                    source=source,
                    cue=cue,
                    content=ClaimContent(span=_span(article, df, *content)),
                    kind=kind,  # type: ignore[arg-type]
                    hedged=_hedged(df, att.cue, content),
                    negated=negated,
                )
            )
    if ORPHAN_QUOTES:
        claims += _orphan_quotes(df, article, atts)
    claims += _unattributed(df, article, atts)
    claims.sort(key=lambda c: c.content.span.start)
    article.claims = claims


def _orphan_quotes(df: DocFeatures, article: Article, atts: list[RawAttribution]) -> list[Claim]:
    """Quoted sentences no cue was found for: someone's words, speaker unknown (direct, no cue)."""
    taken = {i for att in atts for a, b in att.contents + [att.cue] + ([att.source] if att.source else []) for i in range(a, b)}
    out = []
    for r, (a, b) in enumerate(df.regions):
        if b - a < 2 or any(i in taken for i in range(a, b)):
            continue
        words = [i for i in range(a, b) if df.pos[i] not in ("PUNCT", "SPACE")]
        if len(words) < ORPHAN_MIN_WORDS or not any(df.pos[i] in ("VERB", "AUX") for i in words):
            continue
        if any(df.quote[i] != r for i in words):
            continue  # a quotation inside another one
        taken.update(range(a, b))
        out.append(
            Claim(
                source=ClaimSource(span=None, type="anonymous"),
                cue=None,
                content=ClaimContent(span=_span(article, df, a, b)),
                kind="direct",
                hedged=_hedged(df, None, (a, b)),
                negated=False,
            )
        )
    return out


# --------------------------------------------------------------------------- the author's voice

_MIN_WORDS = 5


def _unattributed(df: DocFeatures, article: Article, atts: list[RawAttribution]) -> list[Claim]:
    """One claim per declarative author-voice sentence that asserts something."""
    covered = set()
    for att in atts:
        for a, b in att.contents + [att.cue] + ([att.source] if att.source else []):
            covered.update(range(a, b))
    author = article.authors[0].name if article.authors else None
    out = []
    for s, (a, b) in enumerate(df.sent_bounds):
        words = [i for i in range(a, b) if df.pos[i] not in ("PUNCT", "SPACE", "X", "SYM")]
        if len(words) < _MIN_WORDS:
            continue
        if sum(1 for i in words if i in covered) > 0.3 * len(words):
            continue
        if sum(1 for i in words if df.quote[i] >= 0) > 0.5 * len(words):
            continue  # someone's words, not the author's
        a2, b2 = a, b
        while a2 < b2 and df.pos[a2] == "SPACE":
            a2 += 1
        while b2 > a2 and df.pos[b2 - 1] == "SPACE":
            b2 -= 1
        if b2 <= a2:
            continue
        last = b - 1
        while last > a and df.pos[last] in ("SPACE",):
            last -= 1
        end_char = df.lower[last]
        if "?" in end_char or any(df.lower[i] == "?" for i in range(max(a, last - 2), last + 1)):
            continue
        if end_char not in (".", "!", "”", '"', "’", ")", ";") and not any(
            df.lower[i] in (".", "!") for i in range(max(a, last - 2), last + 1)
        ):
            continue  # a heading or a fragment
        root = next((i for i in range(a, b) if df.head[i] == i), None)
        if root is None or df.pos[root] not in ("VERB", "AUX"):
            continue
        if not any(df.dep[c] in ("nsubj", "nsubjpass", "csubj", "expl") for c in df.children[root]):
            continue  # imperatives and fragments
        negated = any(df.dep[c] == "neg" for c in df.children[root]) or any(
            df.lower[c] in ("no", "nor", "never") and df.dep[c] in ("det", "neg", "advmod") for c in df.children[root]
        )
        out.append(
            Claim(
                source=ClaimSource(span=None, type="author", resolved=author),
                cue=None,
                content=ClaimContent(span=_span(article, df, a2, b2)),
                kind="unattributed",
                hedged=_hedged(df, None, (a2, b2)),
                negated=negated,
            )
        )
    return out


# What the registered extractor runs: "auto" (the taggers where their model files exist),
# "learned" or "rules" (four times cheaper, much less accurate); PARALLAX_ATTRIBUTION overrides.
SYSTEM = os.environ.get("PARALLAX_ATTRIBUTION", "auto")


@extractor("claims")
def _claims_extractor(doc: Doc, article: Article) -> None:
    extract_claims(doc, article, system=SYSTEM)
