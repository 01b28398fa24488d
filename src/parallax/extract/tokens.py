"""One array view of a parsed ``Doc``'s tokens, built once per document and shared by the extractors.

spaCy builds a new ``Token`` object, and looks its strings up in the ``StringStore``,
on every access; reading a dozen attributes of every token that way costs more than
some extractors' own work. :func:`token_table` reads them all with one
``Doc.to_array`` call, turns hash ids into strings through a process-wide cache, and
keeps the result in ``doc.user_data`` so every extractor of the pipeline shares it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.attrs import DEP, ENT_TYPE, HEAD, IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, IS_STOP, LEMMA, LENGTH, LOWER, ORTH, POS, SENT_START, SPACY, TAG
from spacy.tokens import Doc

_KEY = "parallax.tokens"
_ATTRS = (ORTH, LOWER, LEMMA, POS, TAG, DEP, HEAD, ENT_TYPE, IDX, LENGTH, SENT_START, IS_ALPHA, IS_STOP, IS_SPACE, IS_PUNCT, SPACY)

_STRINGS: dict[int, str] = {}


def strings(doc: Doc, ids: list[int]) -> list[str]:
    """Hash ids to strings through a process-wide cache (the StringStore lookup is the slow part)."""
    get = _STRINGS.get
    out = [get(h) for h in ids]
    if None in out:
        store = doc.vocab.strings
        for k, h in enumerate(ids):
            if out[k] is None:
                out[k] = _STRINGS[h] = store[h] if h else ""
    return out  # type: ignore[return-value]


@dataclass(frozen=True)
class TokenTable:
    """Per-token attributes of one document as plain lists, indexed by token position."""

    text: list[str]
    lower: list[str]
    lemma: list[str]  # as spaCy gives it (not lowercased)
    pos: list[str]
    tag: list[str]
    dep: list[str]
    head: list[int]  # absolute index of each token's head (itself for a root)
    ent: list[str]  # entity type, "" outside entities
    start: list[int]  # character offset
    end: list[int]  # character offset after the token
    sent_start: list[bool]
    is_alpha: list[bool]
    is_stop: list[bool]
    is_space: list[bool]
    is_punct: list[bool]
    doc_text: str  # ``Doc.text``, which spaCy rebuilds from the tokens on every access

    def __len__(self) -> int:
        return len(self.text)


def token_table(doc: Doc) -> TokenTable:
    """The doc's :class:`TokenTable`, built on first use and cached on the doc."""
    table = doc.user_data.get(_KEY)
    if table is None:
        n = len(doc)
        matrix = doc.to_array(list(_ATTRS))  # uint64: hash ids; HEAD holds signed offsets
        cols = matrix.T.tolist() if n else [[] for _ in _ATTRS]
        orth, lower, lemma, pos, tag, dep, _, ent, idx, length, sent_start, alpha, stop, space, punct, trailing = cols
        head = matrix[:, _ATTRS.index(HEAD)].astype("int64").tolist() if n else []
        text = strings(doc, orth)
        table = TokenTable(
            text=text,
            lower=strings(doc, lower),
            lemma=strings(doc, lemma),
            pos=strings(doc, pos),
            tag=strings(doc, tag),
            dep=strings(doc, dep),
            head=[i + h for i, h in enumerate(head)],
            ent=strings(doc, ent),
            start=idx,
            end=[a + b for a, b in zip(idx, length)],
            sent_start=[s == 1 for s in sent_start],  # 1 starts a sentence; -1 wraps to 2**64 - 1
            is_alpha=[bool(x) for x in alpha],
            is_stop=[bool(x) for x in stop],
            is_space=[bool(x) for x in space],
            is_punct=[bool(x) for x in punct],
            doc_text="".join(t + " " if sp else t for t, sp in zip(text, trailing)),
        )
        doc.user_data[_KEY] = table
    return table
