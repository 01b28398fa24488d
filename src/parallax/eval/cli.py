"""``parallax eval ...``: one command per extractor, printing precision, recall and F1 on public gold data."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ..errors import ParallaxError

DEFAULT_EVAL = Path("../shared/eval")
out = Console(highlight=False)


def _data(path: Path, what: str) -> Path:
    if not path.exists():
        raise ParallaxError(f"{path}: {what} gold data not found (pass --data)")
    return path


def _score_table(title: str, rows: list[tuple[str, object]], published: list[tuple[str, str]] = ()) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("system", "precision", "recall", "F1", "documents"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, score in rows:
        table.add_row(name, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.documents))
    for name, f1 in published:
        table.add_row(f"[dim]{name} (published)[/]", "", "", f"[dim]{f1}[/]", "")
    return table


@click.group(name="eval")
def eval_group() -> None:
    """Measure extractors against public gold data (read from ../shared/eval)."""


@eval_group.command(name="clean")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "html", show_default=True)
def eval_clean(data: Path) -> None:
    """Boilerplate removal from scraped plain text: kept text against the gold article body."""
    from .cleaning import evaluate_cleaning

    scores = evaluate_cleaning(_data(data, "ScrapingHub article-extraction"))
    out.print(
        _score_table(
            "Scraped-text cleaning (ScrapingHub pages flattened by html-text, 4-gram shingles)",
            [("no cleaning (baseline)", scores["baseline"]), ("parallax clean_scraped_text", scores["cleaned"])],
        )
    )


@eval_group.command(name="html")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "html", show_default=True)
def eval_html(data: Path) -> None:
    """Main-text extraction from HTML pages (ScrapingHub article-extraction benchmark)."""
    from .html import evaluate_html

    score = evaluate_html(_data(data, "ScrapingHub article-extraction"))
    out.print(
        _score_table(
            "HTML main-text extraction (ScrapingHub benchmark, 4-gram shingles)",
            [("parallax (trafilatura)", score)],
            [("trafilatura", "0.958"), ("newspaper4k", "0.949")],
        )
    )
    out.print(f"{score.pages_per_second:.1f} pages/s ({score.seconds:.1f} s)")


@eval_group.command(name="time")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "timebank", show_default=True)
@click.option("--limit", type=int, default=None, help="Documents per corpus (default: all).")
@click.option("--by-type", is_flag=True, help="Break scores down by TIMEX3 type.")
def eval_time(data: Path, limit: int | None, by_type: bool) -> None:
    """Time expressions against TempEval-3 TimeBank + AQUAINT (TIMEX3 spans, types and values)."""
    from .time import evaluate_time, format_scores

    results = evaluate_time(_data(data, "TempEval-3 TimeBank"), limit=limit)
    for name in ("TimeBank", "AQUAINT", "combined"):
        out.print(format_scores(name, results[name], by_type=by_type), markup=False)
    out.print("HeidelTime (published, TempEval-3 platinum test): value F1 ~0.78, strict F1 ~0.83, relaxed F1 ~0.91")


@eval_group.command(name="places")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "geo" / "GWN.xml", show_default=True)
@click.option("--limit", type=int, default=None, help="Articles to score (default: all 200).")
def eval_places(data: Path, limit: int | None) -> None:
    """Toponym recognition and resolution against GeoWebNews (tune half, held-out half, all)."""
    from .places import evaluate_places, print_scores

    print_scores(evaluate_places(_data(data, "GeoWebNews"), limit=limit))
    out.print("Mordecai 3 (published, with an Elasticsearch server): accuracy within 161 km 94.1")


@eval_group.command(name="checkworthy")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "claimbuster", show_default=True)
def eval_checkworthy(data: Path) -> None:
    """Check-worthiness: F1 on ClaimBuster (4-fold CV) and MAP on the CLEF 2019 training debates."""
    from .checkworthy import evaluate_checkworthy

    results = evaluate_checkworthy(_data(data, "ClaimBuster"))
    out.print_json(data=results)
    out.print("Best CLEF CheckThat! 2019 Task 1 primary run (published, test set): MAP 0.166")


@eval_group.command(name="frames")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "semeval23-frames", show_default=True)
@click.option("--folds", default=5, show_default=True)
def eval_frames(data: Path, folds: int) -> None:
    """Document frames: cross-validated micro/macro F1 on SemEval-2023 Task 3 English training articles."""
    from .frames import evaluate_frames, print_report

    print_report(evaluate_frames(_data(data, "SemEval-2023 frames"), folds=folds))


@eval_group.command(name="rhetoric")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "ptc", show_default=True)
@click.option("--seeds", default=3, show_default=True, help="Training seeds to retrain and score (0: score the shipped model only).")
@click.option("--limit", type=int, default=None, help="Dev articles to score.")
@click.option("--cache", type=click.Path(path_type=Path), default=None, help="Folder for parsed-article caches.")
@click.option(
    "--tier", type=click.Choice(["fast", "accurate"]), default="fast", show_default=True,
    help="accurate: also fit and score the MiniLM tier on the same seeds, with both tiers' sentences/s "
    "(fine-tunes MiniLM once per seed, about 12 minutes each on 2 cores; needs the finetune extra; "
    "--cache keeps the taggers).",
)
def eval_rhetoric(data: Path, seeds: int, limit: int | None, cache: Path | None, tier: str) -> None:
    """Persuasion techniques on PTC dev: span identification F1, technique classification micro/macro F1."""
    from .rhetoric import main

    args = ["--data", str(_data(data, "PTC")), "--seeds", str(seeds), "--tier", tier]
    args += (["--limit", str(limit)] if limit else []) + (["--cache", str(cache)] if cache else [])
    main(args)


@eval_group.command(name="attribution")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "polnear", show_default=True)
@click.option("--split", default="dev", show_default=True)
@click.option("--limit", type=int, default=None, help="Articles to score.")
@click.option("--systems", default="learned,rules", show_default=True, help="Which extractors to compare.")
def eval_attribution(data: Path, split: str, limit: int | None, systems: str) -> None:
    """Claim attribution on PolNeAR: exact and overlap P/R/F1 for source, cue, content and whole attributions."""
    from .attribution import main

    main(["--data", str(_data(data, "PolNeAR")), "--split", split, "--systems", systems]
         + (["--limit", str(limit)] if limit else []))


@eval_group.command(name="events")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_EVAL / "events", show_default=True)
@click.option("--sections", default="acled,plover,wikievents,roles", show_default=True,
              help="Which measures: acled, plover, wikievents, roles (ConfliBERT source/target spans).")
@click.option("--limit", type=int, default=None, help="ConfliBERT sentences to score (default: all 1,153).")
@click.option("--folds", default=5, show_default=True, help="CRF cross-validation folds on the ConfliBERT file (0: no CRF).")
def eval_events(data: Path, sections: str, limit: int | None, folds: int) -> None:
    """Events: ACLED sub-event typing (CASE 2021, CV), PLOVER GSR coding, WikiEvents triggers, ConfliBERT source/target spans."""
    from .event_roles import format_report
    from .events import evaluate_events

    results = evaluate_events(_data(data, "event"), sections=[s.strip() for s in sections.split(",")], limit=limit, folds=folds)
    roles = results.pop("conflibert_source_target", None)
    if results:
        out.print_json(data=results)
    if roles is not None:
        click.echo(format_report(roles))
