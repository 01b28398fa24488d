"""Linear-chain CRFs decoded with numpy, and feature templates compiled against their weights.

The taggers are trained with python-crfsuite on per-token lists of attribute
strings ("w=said", "p-1=PROPN", "bg=he|say"). At inference, building those
strings and handing them to crfsuite costs more than everything else the
tagger does: about 35 strings per token, each created in Python and converted
to an attribute id in C. :class:`CompiledTemplates` computes the same scores
without any string: each column of token values (words, lemmas, tags) is mapped
to integer ids once per document, and each template ("the word one token to the
left") becomes an array gather over those ids. The attributes a template cannot
express (multi-valued ones such as a verb's reporting classes) are passed as
strings, a few per sentence. Training keeps the string features;
:meth:`CompiledTemplates.emissions` gives the same emission scores as
:meth:`LinearChainCRF.emissions` over them (``tests/test_crf.py`` checks it on
real documents for both taggers that use it).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np


def pack_strings(strings: Sequence[str]) -> np.ndarray:
    """Strings as one UTF-8 byte array: npz without pickles."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def unpack_strings(packed: np.ndarray) -> list[str]:
    return bytes(packed).decode("utf-8").split("\n")


class LinearChainCRF:
    """A linear-chain CRF's weights: state weights per attribute and label, and label transitions."""

    def __init__(self, attributes: Sequence[str], weights: np.ndarray, transitions: np.ndarray, labels: Sequence[str]):
        self.index = {a: i for i, a in enumerate(attributes)}
        self.weights = np.asarray(weights, dtype=np.float64)
        self.transitions = np.asarray(transitions, dtype=np.float64)
        self.labels = list(labels)

    @classmethod
    def load(cls, path: Path) -> "LinearChainCRF":
        with np.load(path, allow_pickle=False) as data:
            return cls(unpack_strings(data["attributes"]), data["weights"], data["transitions"], unpack_strings(data["labels"]))

    @classmethod
    def from_crfsuite(cls, path: Path | str, label_order: Sequence[str] = ("O", "B", "I")) -> "LinearChainCRF":
        """The weights of a python-crfsuite model file (labels in ``label_order`` first, the rest sorted)."""
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        try:
            info = tagger.info()
        finally:
            tagger.close()
        found = {lab for _, lab in info.state_features} | {a for a, _ in info.transitions} | set(info.labels)
        labels = [lab for lab in label_order if lab in found] + sorted(found - set(label_order))
        lab_index = {lab: i for i, lab in enumerate(labels)}
        attrs = sorted({a for a, _ in info.state_features})
        a_index = {a: i for i, a in enumerate(attrs)}
        weights = np.zeros((len(attrs), len(labels)))
        for (a, lab), w in info.state_features.items():
            weights[a_index[a], lab_index[lab]] = w
        transitions = np.zeros((len(labels), len(labels)))
        for (a, b), w in info.transitions.items():
            transitions[lab_index[a], lab_index[b]] = w
        return cls(attrs, weights, transitions, labels)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        attrs = sorted(self.index, key=self.index.get)
        np.savez_compressed(
            path,
            attributes=pack_strings(attrs),
            labels=pack_strings(self.labels),
            weights=self.weights.astype(np.float32),
            transitions=self.transitions.astype(np.float32),
        )

    def emissions(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """Summed attribute weights of every token from its attribute strings: (tokens, labels)."""
        get = self.index.get
        flat = [f for feats in rows for f in feats]
        ids = np.fromiter(map(get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        owners = np.repeat(np.arange(len(rows)), [len(feats) for feats in rows])
        known = ids >= 0
        ids, owners = ids[known], owners[known]
        em = np.zeros((len(rows), len(self.labels)))
        np.add.at(em, owners, self.weights[ids])
        return em

    # -- decoding, many sequences at once: emissions padded to (sequences, longest, labels)

    @staticmethod
    def _padded(emissions: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        lengths = np.array([len(e) for e in emissions])
        padded = np.zeros((len(emissions), int(lengths.max()), emissions[0].shape[1]))
        for k, e in enumerate(emissions):
            padded[k, : len(e)] = e
        return padded, lengths

    def marginals(self, emissions: Sequence[np.ndarray]) -> list[np.ndarray]:
        """P(label) of every token of each sequence (forward-backward, each step renormalised)."""
        if not emissions:
            return []
        em, lengths = self._padded(emissions)
        K, T, L = em.shape
        em = np.exp(em - em.max(axis=2, keepdims=True))
        trans = np.exp(self.transitions - self.transitions.max())
        alpha = np.empty((K, T, L))
        beta = np.ones((K, T, L))
        a = em[:, 0]
        alpha[:, 0] = a / a.sum(axis=1, keepdims=True)
        for t in range(1, T):
            a = (alpha[:, t - 1] @ trans) * em[:, t]
            alpha[:, t] = a / a.sum(axis=1, keepdims=True)
        done = np.arange(T)[None, :] >= (lengths - 1)[:, None]  # at or past each sequence's last token
        for t in range(T - 2, -1, -1):
            b = (em[:, t + 1] * beta[:, t + 1]) @ trans.T
            b /= b.sum(axis=1, keepdims=True)
            beta[:, t] = np.where(done[:, t, None], 1.0, b)
        probs = alpha * beta
        probs /= probs.sum(axis=2, keepdims=True)
        return [probs[k, : lengths[k]] for k in range(K)]

    def viterbi(self, emissions: Sequence[np.ndarray]) -> list[list[str]]:
        """The most probable label sequence of each sequence."""
        if not emissions:
            return []
        em, lengths = self._padded(emissions)
        K, T, L = em.shape
        scores = np.empty((K, T, L))
        scores[:, 0] = em[:, 0]
        back = np.zeros((K, T, L), dtype=np.int64)
        transitions = self.transitions[None, :, :]
        for t in range(1, T):
            cand = scores[:, t - 1, :, None] + transitions  # (K, from, to)
            best = cand.argmax(axis=1)
            back[:, t] = best
            scores[:, t] = np.take_along_axis(cand, best[:, None, :], axis=1)[:, 0] + em[:, t]
        path = np.zeros((K, T), dtype=np.int64)
        rows = np.arange(K)
        path[rows, lengths - 1] = scores[rows, lengths - 1].argmax(axis=1)
        for t in range(T - 2, -1, -1):
            inside = t < lengths - 1
            path[inside, t] = back[rows[inside], t + 1, path[inside, t + 1]]
        names = self.labels
        return [[names[j] for j in path[k, : lengths[k]]] for k in range(K)]


@dataclass(frozen=True)
class Template:
    """One attribute family: ``name=value`` (values of ``columns`` at ``offsets``, joined by ``|``).

    ``edge``: the value where an offset leaves the sequence (``None``: no attribute there).
    ``flag``: the attribute is ``name`` alone, present where the column is true.
    A column value of ``None`` means no attribute for that token.
    """

    name: str
    columns: tuple[str, ...]
    offsets: tuple[int, ...] = (0,)
    edge: str | None = None
    flag: bool = False


_ABSENT = -1


class CompiledTemplates:
    """A CRF's state weights rearranged by template, to score tokens from integer ids, not strings.

    Columns are mapped to ids over the values the model knows (0: a value it does not
    know; -1: no value). A unary template is then an array from column id to attribute
    row; a two-column one a sorted array of id pairs.
    """

    def __init__(self, crf: LinearChainCRF, templates: Sequence[Template]):
        self.crf = crf
        self.templates = list(templates)
        for t in self.templates:
            if len(t.columns) != len(t.offsets) or not 1 <= len(t.columns) <= 2 or (t.flag and len(t.columns) != 1):
                raise ValueError(f"template {t.name!r}: one or two columns, one offset each (flags: one column)")
        by_name = {t.name: t for t in self.templates}
        self.vocab: dict[str, dict[object, int]] = {c: {None: _ABSENT} for t in self.templates if not t.flag for c in t.columns}
        unary: dict[str, list[tuple[int, int]]] = {t.name: [] for t in self.templates if len(t.columns) == 1 and not t.flag}
        pairs: dict[str, list[tuple[int, int, int]]] = {t.name: [] for t in self.templates if len(t.columns) == 2}
        self.flag_rows: dict[str, int] = {}

        def intern(column: str, value: str) -> int:
            ids = self.vocab[column]
            return ids.setdefault(value, len(ids))  # ids from 1: the None entry holds one slot

        for attr, row in crf.index.items():
            t = by_name.get(attr)
            if t is not None and t.flag:
                self.flag_rows[attr] = row
                continue
            name, sep, value = attr.partition("=")
            t = by_name.get(name)
            if not sep or t is None or t.flag:
                continue
            if len(t.columns) == 1:
                unary[name].append((intern(t.columns[0], value), row))
            else:
                # a value may itself hold '|': every split that rebuilds the string is the same attribute
                for k, ch in enumerate(value):
                    if ch == "|":
                        pairs[name].append((intern(t.columns[0], value[:k]), intern(t.columns[1], value[k + 1 :]), row))
        # edge values must have ids even when the model never saw them
        for t in self.templates:
            if t.edge is not None:
                intern(t.columns[0], t.edge)
        self.unary: dict[str, np.ndarray] = {}
        for name, entries in unary.items():
            size = len(self.vocab[by_name[name].columns[0]]) + 1
            table = np.full(size, _ABSENT, dtype=np.int64)  # index -1 (no value) reads the last slot
            for i, row in entries:
                table[i] = row
            self.unary[name] = table
        # the state weights with a zero row last: row -1 (no attribute) adds nothing
        self._weights = np.vstack([crf.weights, np.zeros((1, len(crf.labels)))])
        self.pairs: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
        for name, entries in pairs.items():
            width = len(self.vocab[by_name[name].columns[1]]) + 1
            keys = np.array([a * width + b for a, b, _ in entries], dtype=np.int64)
            rows = np.array([r for _, _, r in entries], dtype=np.int64)
            order = np.argsort(keys, kind="stable")
            self.pairs[name] = (keys[order], rows[order], width)

    def column_ids(self, column: str, values: Sequence[object]) -> np.ndarray:
        ids = self.vocab[column]
        return np.fromiter(map(ids.get, values, repeat(0)), dtype=np.int64, count=len(values))

    def emissions(
        self,
        columns: Mapping[str, Sequence[object]],
        sequence: np.ndarray,
        extra: Sequence[tuple[int, str]] = (),
        *,
        token_columns: Mapping[str, Sequence[object]] | None = None,
        tokens: np.ndarray | None = None,
    ) -> np.ndarray:
        """(positions, labels) state scores of the positions of one document's sequences.

        ``columns``: each column's value per position (flags: truth per position); ``sequence``:
        the sequence (sentence, window) each position belongs to, non-decreasing; offsets do
        not cross sequences. ``extra``: (position, attribute string) for what no template covers.
        ``token_columns``: columns given once per document token, read at ``tokens`` (the
        token at each position), for sequences that repeat tokens (overlapping windows).
        """
        n = len(sequence)
        sequence = np.asarray(sequence)

        def column(name: str, as_ids: bool) -> np.ndarray:
            if name in columns:
                values = columns[name]
                return self.column_ids(name, values) if as_ids else np.asarray(values, dtype=bool)
            values = token_columns[name]  # type: ignore[index]
            return (self.column_ids(name, values) if as_ids else np.asarray(values, dtype=bool))[tokens]

        ids = {c: column(c, True) for c in self.vocab}
        positions = np.arange(n)
        shifted: dict[int, tuple[np.ndarray, np.ndarray]] = {}

        def shift(offset: int) -> tuple[np.ndarray, np.ndarray]:
            # source position of each token for this offset, and where it stays in the sequence
            if offset not in shifted:
                src = np.clip(positions + offset, 0, max(n - 1, 0))
                shifted[offset] = (src, (positions + offset == src) & (sequence[src] == sequence))
            return shifted[offset]

        # one attribute row per template and position (-1: none, which reads the zero row at the end)
        rows = np.full((n, len(self.templates)), _ABSENT, dtype=np.int64)
        for k, t in enumerate(self.templates):
            src, inside = shift(t.offsets[0]) if t.offsets[0] else (positions, None)
            if t.flag:
                row = self.flag_rows.get(t.name)
                if row is not None:
                    present = column(t.columns[0], False)[src]
                    if inside is not None:
                        present &= inside
                    rows[present, k] = row
                continue
            first = ids[t.columns[0]][src]
            if inside is not None:
                edge = self.vocab[t.columns[0]][t.edge] if t.edge is not None else _ABSENT
                first = np.where(inside, first, edge)
            if len(t.columns) == 1:
                rows[:, k] = self.unary[t.name][first]
                continue
            src2, inside2 = shift(t.offsets[1]) if t.offsets[1] else (positions, None)
            second = ids[t.columns[1]][src2]
            if inside2 is not None:
                second = np.where(inside2, second, _ABSENT)
            keys, key_rows, width = self.pairs[t.name]
            known = (first > 0) & (second > 0)
            if len(keys) and known.any():
                key = first[known] * width + second[known]
                at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
                rows[known, k] = np.where(keys[at] == key, key_rows[at], _ABSENT)
        weights = self._weights
        emissions = weights[rows].sum(axis=1)
        if extra:
            get = self.crf.index.get
            found = np.fromiter((get(a, _ABSENT) for _, a in extra), dtype=np.int64, count=len(extra))
            np.add.at(emissions, np.fromiter((i for i, _ in extra), dtype=np.int64, count=len(extra)), weights[found])
        return emissions
