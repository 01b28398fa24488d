"""The numpy CRF and its compiled templates: the same scores and labels as the string features and crfsuite."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from parallax.extract.crf import CompiledTemplates, LinearChainCRF, Template

from .conftest import EXAMPLES, sample


def _random_crf(attributes: list[str], labels: list[str], seed: int = 0) -> LinearChainCRF:
    rng = np.random.default_rng(seed)
    return LinearChainCRF(attributes, rng.normal(size=(len(attributes), len(labels))), rng.normal(size=(len(labels), len(labels))), labels)


def test_templates_score_like_the_strings_they_stand_for():
    # values holding '|', an edge value, flags at an offset, unknown values, absent values, extras
    attributes = [
        "b", "w=a", "w=b|c", "w-1=<edge>", "w-1=a", "p2=<edge>", "pw=a|b|c", "pw=b|c|x", "tail", "mark=on", "odd",
    ]
    templates = [
        Template("b", ("every",), flag=True),
        Template("w", ("word",)),
        Template("w-1", ("word",), (-1,), edge="<edge>"),
        Template("p2", ("word",), (2,), edge="<edge>"),
        Template("pw", ("word", "word"), (0, 1)),
        Template("tail", ("is_x",), (1,), flag=True),
        Template("mark", ("mark",)),
    ]
    crf = _random_crf(attributes, ["O", "B", "I"])
    compiled = CompiledTemplates(crf, templates)
    words = ["a", "b|c", "x", "a", "zzz", "a", "b|c"]
    sequence = np.array([0, 0, 0, 0, 1, 1, 1])
    mark = ["on", None, "off", "on", None, None, "on"]
    extra = [(2, "odd"), (2, "odd"), (4, "never-seen")]

    def strings(i: int) -> list[str]:
        seq = [j for j in range(len(words)) if sequence[j] == sequence[i]]
        lo, hi = seq[0], seq[-1]
        row = ["b", "w=" + words[i], "w-1=" + (words[i - 1] if i > lo else "<edge>"), "p2=" + (words[i + 2] if i + 2 <= hi else "<edge>")]
        if i < hi:
            row.append("pw=" + words[i] + "|" + words[i + 1])
            if words[i + 1] == "x":
                row.append("tail")
        if mark[i] is not None:
            row.append("mark=" + mark[i])
        row += [a for j, a in extra if j == i]
        return row

    expected = crf.emissions([strings(i) for i in range(len(words))])
    columns = {"every": [True] * len(words), "word": words, "is_x": [w == "x" for w in words], "mark": mark}
    got = compiled.emissions(columns, sequence, extra)
    assert np.allclose(got, expected)
    # the same through per-token columns read at repeated positions
    tokens = np.arange(len(words))
    got = compiled.emissions({"every": [True] * len(words), "mark": mark}, sequence, extra, token_columns=columns, tokens=tokens)
    assert np.allclose(got, expected)


def test_viterbi_and_marginals_match_brute_force():
    crf = _random_crf(["x"], ["O", "B", "I"], seed=3)
    rng = np.random.default_rng(4)
    emissions = [rng.normal(size=(n, 3)) for n in (1, 2, 4, 3)]
    paths = crf.viterbi(emissions)
    marginals = crf.marginals(emissions)
    for em, path, probs in zip(emissions, paths, marginals):
        scores = {}
        for seq in itertools.product(range(3), repeat=len(em)):
            scores[seq] = em[np.arange(len(em)), seq].sum() + sum(crf.transitions[a, b] for a, b in zip(seq, seq[1:]))
        best = max(scores, key=scores.get)
        assert path == [crf.labels[j] for j in best]
        z = np.logaddexp.reduce(list(scores.values()))
        for t in range(len(em)):
            for lab in range(3):
                p = np.exp(np.logaddexp.reduce([s for seq, s in scores.items() if seq[t] == lab]) - z)
                assert probs[t, lab] == pytest.approx(p, abs=1e-9)


@pytest.fixture(scope="module")
def example_docs(pipeline):
    texts = [sample("000_e05bb7a8d3b72e73.txt").read_text(), sample("004_fab2380e06d26105.txt").read_text()]
    with (EXAMPLES / "voa_stories.jsonl").open() as lines:
        texts += [json.loads(line)["text"] for line, _ in zip(lines, range(12))]
    return list(pipeline.nlp.pipe(texts))


def test_attribution_taggers_compiled_match_crfsuite(example_docs):
    import pycrfsuite

    from parallax.extract import attribution
    from parallax.extract.attribution_features import cue_columns, cue_features, doc_features, span_columns, span_features, token_columns, window

    cue_model, span_model = attribution._cue_model(), attribution._span_model()
    taggers = {}
    for name in (attribution.CUE_MODEL, attribution.SPAN_MODEL):
        taggers[name] = pycrfsuite.Tagger()
        taggers[name].open(str(attribution._model_dir / name))
    sentences = windows_checked = 0
    for doc in example_docs:
        df = doc_features(doc)
        columns, extra = cue_columns(df)
        emissions = cue_model.emissions(columns, np.asarray(df.sent), extra)
        for start, end in df.sent_bounds:
            if end - start < 2:
                continue
            rows = cue_features(df, start, end)
            assert np.allclose(emissions[start:end], cue_model.crf.emissions(rows))
            assert cue_model.crf.viterbi([emissions[start:end]])[0] == taggers[attribution.CUE_MODEL].tag(rows)
            sentences += 1
        cues = attribution.find_cues(df)
        cue_tokens = {i for a, b in cues for i in range(a, b)}
        wins = [window(df, a, b) for a, b in cues]
        cols, sequence, extra, tokens = span_columns(df, cues, wins, cue_tokens)
        emissions = span_model.emissions(cols, sequence, extra, token_columns=token_columns(df), tokens=tokens)
        offset = 0
        for (start, end), (lo, hi) in zip(cues, wins):
            rows = span_features(df, lo, hi, start, end, other_cues=cue_tokens)
            mine = emissions[offset : offset + hi - lo]
            assert np.allclose(mine, span_model.crf.emissions(rows))
            assert span_model.crf.viterbi([mine])[0] == taggers[attribution.SPAN_MODEL].tag(rows)
            offset += hi - lo
            windows_checked += 1
    assert sentences > 300 and windows_checked > 50


def test_rhetoric_tagger_compiled_matches_string_features(example_docs):
    from parallax.extract import rhetoric

    model = rhetoric.load_model("fast")
    for doc in example_docs:
        ctx = rhetoric.DocContext(doc)
        rows = [row for k, seg in enumerate(ctx.segs) for row in rhetoric.segment_features(seg, ctx, k)]
        columns, segment = rhetoric.segment_columns(ctx)
        assert np.allclose(model.templates.emissions(columns, segment), model.tagger.emissions(rows))
