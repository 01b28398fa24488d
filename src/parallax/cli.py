"""The ``parallax`` command line."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .errors import InputError, ParallaxError
from .ingest import ReadOptions
from .ingest.decode import DEFAULT_MAX_BYTES
from .model import Article, json_schema

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DEFAULT_DB = "parallax.db"


def _error(message: str) -> None:
    """One line on stderr; the message is printed literally (it may quote input text)."""
    err.print("[red]error:[/] ", end="")
    err.print(message, markup=False, soft_wrap=True)


class _Group(click.Group):
    """Turns every failure into a one-line message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ParallaxError as exc:
            _error(str(exc))
            ctx.exit(1)
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/]: what was already stored is kept")
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("PARALLAX_DEBUG"):
                raise
            _error(f"unexpected {type(exc).__name__}: {exc} (set PARALLAX_DEBUG=1 for a traceback)")
            ctx.exit(2)


def _published(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _size(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = value.strip().lower().removesuffix("b")
    try:
        return int(float(text[:-1]) * units[text[-1]]) if text[-1:] in units else int(text)
    except (ValueError, IndexError):
        raise click.BadParameter(f"{value!r} is not a size such as 10M or 500k") from None


def input_options(fn):
    """Options shared by every command that reads articles."""
    for decorator in reversed(
        [
            click.argument("paths", nargs=-1, required=True),
            click.option("--published", callback=_published, help="Publication date (YYYY-MM-DD) for every input."),
            click.option("--as-is", is_flag=True, help="Take inputs as already clean text: no boilerplate removal."),
            click.option("--model", default=None, help="spaCy pipeline: sm (default), md, or a package name or model path."),
            click.option("--batch-size", default=16, show_default=True, help="Articles per nlp.pipe batch."),
            click.option(
                "--max-size", default="10M", callback=_size, show_default=True, help="Largest single input accepted."
            ),
        ]
    ):
        fn = decorator(fn)
    return fn


def _read_options(published: date | None, as_is: bool, max_size: int) -> ReadOptions:
    return ReadOptions(as_is=as_is, max_bytes=max_size or DEFAULT_MAX_BYTES, published=published)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _report_error(error: InputError) -> None:
    _error(str(error))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parallax")
def cli() -> None:
    """Parallax: who says what in conflict reporting, on what evidence."""


def _rhetoric_tier(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """Select the persuasion-technique tier for this run (the extractor reads PARALLAX_RHETORIC)."""
    from .extract.rhetoric import ENV_TIER, load_model

    value = value.lower()
    os.environ[ENV_TIER] = value
    if value == "accurate":
        from .extract.rhetoric_encoder import check_available

        check_available()  # a missing dependency fails here in one line, not once per article
        load_model(value)
    return value


rhetoric_option = click.option(
    "--rhetoric",
    type=click.Choice(["fast", "accurate"], case_sensitive=False),
    default="fast",
    show_default=True,
    envvar="PARALLAX_RHETORIC",
    callback=_rhetoric_tier,
    help="Persuasion-technique tier: fast (CRF + linear model) or accurate (adds MiniLM states; needs the accurate extra).",
)


@cli.command()
@input_options
@click.option("--json", "as_json", is_flag=True, help="Print the full analysis as JSON (one document per line).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report.")
@rhetoric_option
def analyze(paths, published, as_is, model, batch_size, max_size, as_json, html_path, rhetoric) -> None:
    """Analyse articles (files, directories, globs, or - for stdin) and print the result."""
    from .pipeline import Pipeline
    from .terminal import article_view

    pipeline = Pipeline(model, batch_size=batch_size)
    articles: list[Article] = []
    failures = 0
    for result in pipeline.run(paths, _read_options(published, as_is, max_size)):
        if isinstance(result, InputError):
            failures += 1
            _report_error(result)
            continue
        articles.append(result)
    if as_json:
        indent = 2 if len(articles) == 1 else None
        for article in articles:
            click.echo(article.model_dump_json(indent=indent))
    elif not html_path:
        for article in articles:
            out.print(article_view(article))
    if html_path:
        from .web.report import write_report

        write_report(articles, html_path)
        err.print(f"wrote {html_path} ({len(articles)} article(s))")
    if failures:
        err.print(f"{failures} input(s) failed")
        sys.exit(1)


@cli.command()
@input_options
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--force", is_flag=True, help="Analyse and store again articles already in the database.")
@rhetoric_option
def ingest(paths, published, as_is, model, batch_size, max_size, db, force, rhetoric) -> None:
    """Analyse articles and store them in a database. Re-running does only what is not stored yet."""
    from .pipeline import Pipeline, Skipped
    from .store import open_store

    store = open_store(db)
    pipeline = Pipeline(model, batch_size=batch_size)
    stored = skipped = failed = 0
    skip = None if force else store.has
    with _progress() as progress:
        task = progress.add_task("ingesting", total=None)
        try:
            for result in pipeline.run(paths, _read_options(published, as_is, max_size), skip=skip):
                if isinstance(result, InputError):
                    failed += 1
                    _report_error(result)
                    store.record_failure(result.source, result.reason)
                elif isinstance(result, Skipped):
                    skipped += 1
                else:
                    store.save(result)
                    stored += 1
                progress.update(task, advance=1, description=f"stored {stored}, skipped {skipped}, failed {failed}")
        finally:
            store.close()
    err.print(
        f"[bold]{stored}[/] stored, {skipped} already in {db}, "
        + (f"[red]{failed} failed[/]" if failed else "0 failed")
    )
    if failed:
        sys.exit(1)


@cli.command(name="ls")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--limit", default=50, show_default=True, help="Rows to show (0 for all).")
def list_articles(db, limit) -> None:
    """List stored articles."""
    from itertools import islice

    from .store import open_store
    from .terminal import corpus_table

    _require_db(db)
    with open_store(db) as store:
        total = store.count("articles")
        rows = store.rows("articles")
        out.print(corpus_table(islice(rows, limit or None)))
        failures = store.count("failures")
    out.print(f"{total} article(s)" + (f", {failures} input(s) failed (export --table failures)" if failures else ""))


@cli.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--by", type=click.Choice(["outlet", "author"]), default="outlet", show_default=True)
def rhetoric(db, by) -> None:
    """Persuasion techniques per outlet or per author across a stored corpus: counts and density."""
    from .store import open_store
    from .terminal import rhetoric_table

    _require_db(db)
    with open_store(db) as store:
        out.print(rhetoric_table(store.articles(), by))


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """A date bound given as YYYY, YYYY-MM or YYYY-MM-DD (the first day it covers)."""
    from .corpus.timeline import first_day

    if value is None:
        return None
    day = first_day(value)
    if day is None:
        raise click.BadParameter(f"{value!r} is not a date such as 2023, 2023-09 or 2023-09-19")
    return day


def _print_json_lines(items) -> None:
    for item in items:
        click.echo(json.dumps(item.as_dict(), ensure_ascii=False, default=str))


@cli.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--by-source", is_flag=True, help="Group claims by who makes them (else list every claim).")
@click.option("--source", help="Only sources whose name holds this text.")
@click.option("--with-author", is_flag=True, help="Include the authors' own, unattributed assertions.")
@click.option("--min-checkworthiness", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--limit", default=50, show_default=True, help="Rows to show (0 for all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source (with its claims) per line.")
def claims(db, by_source, source, with_author, min_checkworthiness, limit, as_json) -> None:
    """Claims across a stored corpus: who claims what, through which cue, how firmly."""
    from .corpus.claims import claims_by_source
    from .store import open_store
    from .terminal import claims_table, sources_table

    _require_db(db)
    with open_store(db) as store:
        groups = claims_by_source(
            store, with_author=with_author, source=source, min_checkworthiness=min_checkworthiness
        )
    if as_json:
        _print_json_lines(groups[: limit or None])
        return
    total = sum(len(g.claims) for g in groups)
    out.print(sources_table(groups[: limit or None]) if by_source else claims_table(groups, limit))
    out.print(f"{total} claim(s) from {len(groups)} source(s)" + ("" if with_author else "; the authors' own assertions left out (--with-author)"))


@cli.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--from", "since", callback=_day, help="First date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "until", callback=_day, help="Last date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--type", "types", multiple=True, help="PLOVER type (ASSAULT, AGREE, ...) or ACLED sub-type; repeatable.")
@click.option("--all-modalities", is_flag=True, help="Also denied, demanded, hypothetical and future events.")
@click.option("--limit", default=0, help="Rows to show (0 for all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per dated event, with every report of it.")
def timeline(db, since, until, types, all_modalities, limit, as_json) -> None:
    """A dated list of the events of a stored corpus, each with every source that reports it."""
    from .corpus.timeline import timeline as build_timeline
    from .store import open_store
    from .terminal import timeline_table

    _require_db(db)
    with open_store(db) as store:
        entries, undated = build_timeline(store, since=since, until=until, types=types, all_modalities=all_modalities)
    shown = entries[: limit or None]
    if as_json:
        _print_json_lines(shown)
        return
    out.print(timeline_table(shown))
    mentions = sum(len(e.reports) for e in entries)
    out.print(f"{len(entries)} dated event(s) from {mentions} report(s); {undated} event mention(s) without a date left out")


@cli.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--top", default=10, show_default=True, help="Entities to list.")
def summary(db, top) -> None:
    """Summarise a stored corpus: counts, genres, outlets, languages, most mentioned entities."""
    from .store import open_store
    from .terminal import corpus_summary

    _require_db(db)
    with open_store(db) as store:
        out.print(corpus_summary(store, top))


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Output file.")
@click.option("--limit", default=0, help="At most this many articles (0 for all).")
def report(ids, db, html_path, limit) -> None:
    """Write a standalone HTML report of stored articles (all, or the given ids)."""
    from itertools import islice

    from .store import open_store
    from .web.report import write_report

    _require_db(db)
    with open_store(db) as store:
        articles = [store.get(i) for i in ids] if ids else list(islice(store.articles(), limit or None))
    write_report(articles, html_path, title=f"Parallax report: {Path(db).name}")
    err.print(f"wrote {html_path} ({len(articles)} article(s))")


@cli.command()
@click.argument("article_id")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored analysis as JSON.")
def show(article_id, db, as_json) -> None:
    """Show one stored article (an id prefix is enough)."""
    from .store import open_store
    from .terminal import article_view

    _require_db(db)
    with open_store(db) as store:
        article = store.get(article_id)
    if as_json:
        click.echo(article.model_dump_json(indent=2))
    else:
        out.print(article_view(article))


@cli.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file.")
@click.option("--table", default="articles", show_default=True, help="articles, entities, claims, events, techniques, frames or failures.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: stdout).")
def export(db, table, fmt, output) -> None:
    """Export a stored table."""
    from .store import open_store
    from .store.export import export_rows

    _require_db(db)
    with open_store(db) as store:
        count = export_rows(table, store.rows(table), fmt, output)
    if output:
        err.print(f"wrote {count} row(s) of {table} to {output}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the article document that analyze --json prints."""
    click.echo(json.dumps(json_schema(), indent=2))


@cli.command()
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("../shared/eval/ptc"), show_default=True, help="Folder of articles (PTC layout or any .txt files).")
@click.option("--limit", default=200, show_default=True, help="Articles to run.")
@click.option("--model", default=None, help="spaCy pipeline to use.")
@click.option("--batch-size", default=16, show_default=True)
@click.option("--rounds", default=1, show_default=True, help="Alternate the two modes this many times; report each one's median.")
def bench(data, limit, model, batch_size, rounds) -> None:
    """Throughput of the full pipeline beside bare spaCy, and peak memory."""
    from .bench import run_benchmark

    run_benchmark(data, limit=limit, model=model, batch_size=batch_size, console=out, rounds=rounds)


def _require_db(db: str) -> None:
    if not Path(db).exists():
        raise ParallaxError(f"{db}: no such database; create it with 'parallax ingest PATH --db {db}'")


from .eval.cli import eval_group  # noqa: E402

cli.add_command(eval_group)


def main() -> None:
    cli(prog_name="parallax")


if __name__ == "__main__":
    main()
