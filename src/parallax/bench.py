"""Throughput benchmark: the full Parallax pipeline beside bare ``nlp.pipe`` of the same spaCy model.

Each mode runs in its own process so its peak RSS is its own. The corpus is
any folder of .txt articles (the PTC articles in ../shared/eval/ptc by default),
read as-is, sorted by name, the first ``limit`` of them.

    python -m parallax.bench --mode full --data DIR --limit 200   # one mode, JSON out
    parallax bench --data DIR                                     # both modes, a table
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table


def load_corpus(data: Path, limit: int) -> list[tuple[str, str]]:
    files = sorted(data.rglob("*.txt"))[:limit]
    return [(str(f), f.read_text(encoding="utf-8", errors="replace")) for f in files]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(mode: str, data: Path, limit: int, model: str | None, batch_size: int) -> dict:
    """Run one mode over the corpus in this process and return its figures."""
    from .pipeline import WARM_UP, load_nlp

    from .ingest import Extraction, Input, ReadOptions, build_article
    from .pipeline import Pipeline

    corpus = load_corpus(data, limit)
    options = ReadOptions(as_is=True)
    # Start-up (loading spaCy, and for the full pipeline every extractor's model, through one
    # warm-up article) is timed apart: the throughput below is the steady state of a batch job.
    loading = time.perf_counter()
    if mode == "bare":
        nlp = load_nlp(model)
        nlp(WARM_UP)
    else:
        pipeline = Pipeline(model, batch_size=batch_size)
        nlp = pipeline.nlp
        pipeline.analyze_one(build_article(Input("warm-up", Extraction(text=WARM_UP)), options))
        pipeline.timings.clear()  # model loading is start-up, not per-token cost
        pipeline.tokens = 0
    startup = time.perf_counter() - loading
    tokens = sum(len(nlp.tokenizer(text)) for _, text in corpus)  # same count for both modes, untimed
    started = time.perf_counter()
    if mode == "bare":
        for _doc in nlp.pipe((text for _, text in corpus), batch_size=batch_size):
            pass
    else:
        articles = (build_article(Input(name, Extraction(text=text)), options) for name, text in corpus)
        for _article in pipeline.analyze(articles):
            pass
    elapsed = time.perf_counter() - started
    costs = {}
    if mode == "full" and pipeline.tokens:
        costs = {name: round(1e6 * seconds / pipeline.tokens, 1) for name, seconds in pipeline.timings.items()}
    return {
        "mode": mode,
        "articles": len(corpus),
        "tokens": tokens,
        "seconds": round(elapsed, 3),
        "startup_seconds": round(startup, 2),
        "ms_per_1000_tokens": costs,
        "articles_per_s": round(len(corpus) / elapsed, 2),
        "tokens_per_s": round(tokens / elapsed, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "model": f"{nlp.meta.get('name')}-{nlp.meta.get('version')}",
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _run_mode(mode: str, data: Path, limit: int, model: str | None, batch_size: int, console: Console) -> dict:
    command = [sys.executable, "-m", "parallax.bench", "--mode", mode, "--data", str(data), "--limit", str(limit)]
    command += ["--batch-size", str(batch_size)] + (["--model", model] if model else [])
    with console.status(f"running {mode} ..."):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        from .errors import ParallaxError

        raise ParallaxError(f"benchmark mode {mode} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["articles_per_s"])[len(runs) // 2]


def run_benchmark(
    data: Path, limit: int, model: str | None, batch_size: int, console: Console, rounds: int = 1
) -> dict:
    """Both modes, each in a fresh process, alternating for ``rounds`` rounds; prints the median run of each.

    On a shared machine one run of either mode can be several per cent off; alternating the
    modes and taking each one's median keeps a neighbour's burst from deciding the ratio.
    """
    runs: dict[str, list[dict]] = {"bare": [], "full": []}
    for _ in range(max(1, rounds)):
        for mode in runs:
            runs[mode].append(_run_mode(mode, data, limit, model, batch_size, console))
    results = [_median_run(runs["bare"]), _median_run(runs["full"])]
    title = f"Parallax benchmark on {results[0]['articles']} articles from {data}"
    table = Table(title=title + (f", median of {rounds} rounds" if rounds > 1 else ""), title_justify="left")
    for column in ("mode", "articles/s", "tokens/s", "seconds", "start-up (s)", "peak RSS (MB)"):
        table.add_column(column, justify="right" if column != "mode" else "left")
    for r in results:
        label = "bare spaCy nlp.pipe" if r["mode"] == "bare" else "full Parallax pipeline"
        table.add_row(label, f"{r['articles_per_s']:.2f}", f"{r['tokens_per_s']:,.0f}", f"{r['seconds']:.1f}", f"{r['startup_seconds']:.1f}", f"{r['peak_rss_mb']:.0f}")
    console.print(table)
    ratio = results[1]["articles_per_s"] / results[0]["articles_per_s"]
    console.print(f"throughput ratio full / bare: [bold]{ratio:.2f}[/] (bound: >= 0.80)   model: {results[0]['model']}")
    if rounds > 1:
        ratios = [f / b for b, f in zip((r["articles_per_s"] for r in runs["bare"]), (r["articles_per_s"] for r in runs["full"]))]
        console.print("ratio of each round: " + ", ".join(f"{x:.2f}" for x in ratios))
    costs = results[1]["ms_per_1000_tokens"]
    if costs:
        parse = costs.get("parse") or 1.0
        console.print(
            "ms per 1,000 tokens: "
            + ", ".join(f"{name} {ms:.1f}" + ("" if name == "parse" else f" ({ms / parse:.0%})") for name, ms in costs.items())
        )
    console.print(f"machine: {machine()}")
    return {"results": results, "runs": runs, "ratio": round(ratio, 3), "machine": machine()}


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["bare", "full"], required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--model", default=None)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(measure(args.mode, args.data, args.limit, args.model, args.batch_size)))


if __name__ == "__main__":
    _main()
