"""Readable terminal views of articles and stored corpora (rich)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from .extract.rhetoric import rhetoric_summary
from .model import Article, describe


def date_label(article: Article) -> str:
    if article.published is None:
        return "unknown"
    p = article.published
    text = {"day": p.value.isoformat(), "month": p.value.strftime("%Y-%m"), "year": str(p.value.year)}[p.precision]
    return f"{text} (inferred from the text)" if p.inferred else text


def article_view(article: Article, max_entities: int = 8) -> Panel:
    """One article: metadata, then its entities grouped by label."""
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold cyan", no_wrap=True)
    meta.add_column()
    authors = "; ".join(
        ", ".join(escape(part) for part in (a.name, a.role, a.affiliation) if part) for a in article.authors
    )
    rows = [
        ("id", article.id),
        ("source", escape(article.source)),
        ("outlet", escape(article.outlet or "unknown")),
        ("author", authors or "unknown"),
        ("published", date_label(article)),
        ("genre", article.genre + (f"  [dim]({escape('; '.join(article.genre_signals))})[/]" if article.genre_signals else "")),
        ("language", f"{article.language or '?'}" + ("" if article.analysed else "  [yellow](not analysed)[/]")),
        ("size", f"{len(article.text.split()):,} words, {len(article.paragraphs)} paragraphs"),
    ]
    if article.removed:
        rows.append(("removed", f"{len(article.removed)} boilerplate line(s)"))
    for name, value in rows:
        meta.add_row(name, value)
    parts: list = [meta]
    for warning in article.warnings:
        parts.append(f"[yellow]warning:[/] {escape(warning)}")
    if article.entities:
        by_label: dict[str, list[str]] = defaultdict(list)
        for entity in sorted(article.entities, key=lambda e: -len(e.mentions)):
            by_label[entity.label].append(f"{escape(entity.canonical)} [dim]×{len(entity.mentions)}[/]")
        table = Table(title="Entities", title_justify="left", show_header=True, header_style="bold", expand=True)
        table.add_column("label", no_wrap=True)
        table.add_column("canonical names (mentions)")
        for label, names in sorted(by_label.items(), key=lambda kv: -len(kv[1])):
            more = f" [dim]+{len(names) - max_entities} more[/]" if len(names) > max_entities else ""
            table.add_row(label, ", ".join(names[:max_entities]) + more)
        parts.append(table)
    parts.extend(_item_tables(article, max_entities))
    return Panel(Group(*parts), title=escape(article.title or "(untitled)"), title_align="left")


def _item_tables(article: Article, limit: int) -> list[Table]:
    """One small table per kind of extracted item present, each row quoting its span."""
    tables = []

    def table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        if not rows:
            return
        t = Table(title=f"{title} ({len(rows)})", title_justify="left", header_style="bold", expand=True)
        for column in columns:
            t.add_column(column, overflow="fold")
        for row in rows[:limit]:
            t.add_row(*(escape(cell) for cell in row))
        if len(rows) > limit:
            t.add_row(*([f"... {len(rows) - limit} more"] + [""] * (len(columns) - 1)))
        tables.append(t)

    table("Times", ("text", "resolved"), [(t.span.text, describe(t)) for t in article.times])
    mentions = Counter(describe(p) for p in article.places)  # one row per place, not per mention
    table("Places", ("place", "mentions"), [(place, str(n)) for place, n in mentions.most_common()])
    table("Quantities", ("text", "reading"), [(q.span.text, describe(q)) for q in article.quantities])
    attributed = [c for c in article.claims if c.kind != "unattributed"]
    table(
        "Attributed claims",
        ("source", "cue", "content", "kind"),
        [
            (
                (c.source.resolved or (c.source.span.text if c.source.span else c.source.type))
                + (f" ({c.source.role})" if c.source.role else ""),
                c.cue.span.text if c.cue else "",
                _clip(c.content.span.text),
                c.kind + (", hedged" if c.hedged else "") + (", negated" if c.negated else ""),
            )
            for c in attributed
        ],
    )
    table(
        "Events",
        ("type", "trigger", "who", "whom", "when", "where", "reported by"),
        [
            (
                e.type + (f"/{e.mode}" if e.mode else ""),
                e.trigger.text,
                "; ".join(p.name for p in e.actors),
                "; ".join(p.name for p in e.targets),
                e.time.value if e.time else "",
                e.place.name if e.place else "",
                e.reported_by or "",
            )
            for e in article.events
        ],
    )
    table(
        "Persuasion techniques",
        ("technique", "text", "confidence"),
        [(t.technique, _clip(t.span.text), f"{t.confidence:.2f}") for t in article.techniques],
    )
    if article.techniques:
        summary = rhetoric_summary(article)
        table(
            f"Most loaded sentences ({summary['density_per_1000_words']:.1f} techniques per 1,000 words)",
            ("sentence", "techniques"),
            [(_clip(s["sentence"]["text"]), ", ".join(t["technique"] for t in s["spans"])) for s in summary["most_loaded_sentences"]],
        )
    table("Frames", ("frame", "score"), [(f.frame, f"{f.score:.2f}") for f in article.frames[:5]])
    return tables


def _clip(text: str, size: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def corpus_table(rows: Iterable[dict]) -> Table:
    """Stored articles, one line each; ids are shortened (any unique prefix works with ``show``)."""
    table = Table(header_style="bold", expand=True, box=None, pad_edge=False)
    table.add_column("id", no_wrap=True, max_width=10)
    table.add_column("published", no_wrap=True)
    table.add_column("outlet", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("genre", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("title", ratio=1, min_width=24, overflow="fold")
    for row in rows:
        cut = {"month": 7, "year": 4}.get(row["date_precision"] or "day", 10)
        published = (row["published"] or "")[:cut] + ("~" if row["date_inferred"] else "")
        table.add_row(
            row["id"][:10],
            published,
            escape(row["outlet"] or ""),
            row["genre"],
            row["language"] or "",
            escape(row["title"] or row["source"]),
        )
    return table


def print_articles(console: Console, articles: Iterable[Article]) -> None:
    for article in articles:
        console.print(article_view(article))


def corpus_summary(store, top: int = 10) -> Group:
    """Counts per table, genres, outlets, languages and the most mentioned entities of a stored corpus."""

    articles = list(store.rows("articles"))
    counts = Table(title="Stored", title_justify="left", box=None, show_header=False)
    counts.add_column(style="bold cyan")
    counts.add_column(justify="right")
    for table in ("articles", "entities", "times", "places", "quantities", "claims", "events", "techniques", "failures"):
        counts.add_row(table, f"{store.count(table):,}")
    facets = Table(title="Articles by", title_justify="left", box=None)
    facets.add_column("genre")
    facets.add_column("language")
    facets.add_column("outlet")
    columns = [Counter(a[key] or "unknown" for a in articles).most_common(6) for key in ("genre", "language", "outlet")]
    for row in range(max(map(len, columns), default=0)):
        facets.add_row(*[f"{escape(str(c[row][0]))} {c[row][1]}" if row < len(c) else "" for c in columns])
    # One name across articles, whatever label NER gave it in each; the most frequent label is shown.
    mentions: Counter = Counter()
    spread: Counter = Counter()
    labels: dict[str, Counter] = defaultdict(Counter)
    for row in store.rows("entities"):
        mentions[row["canonical"]] += row["mentions"]
        spread[row["canonical"]] += 1
        labels[row["canonical"]][row["label"]] += row["mentions"]
    entities = Table(title="Most mentioned entities", title_justify="left", box=None)
    for column in ("entity", "label", "mentions", "articles"):
        entities.add_column(column, justify="right" if column in ("mentions", "articles") else "left")
    for name, n in mentions.most_common(top):
        entities.add_row(escape(name), labels[name].most_common(1)[0][0], str(n), str(spread[name]))
    return Group(counts, "", facets, "", entities)


def rhetoric_table(articles: Iterable[Article], by: str) -> Table:
    """Technique counts and density per 1,000 words, grouped by outlet or author."""
    words: Counter = Counter()
    counts: dict[str, Counter] = defaultdict(Counter)
    docs: Counter = Counter()
    for article in articles:
        keys = [a.name for a in article.authors] if by == "author" else [article.outlet]
        for key in keys or [None]:
            key = key or "unknown"
            docs[key] += 1
            words[key] += len(article.text.split())
            counts[key].update(t.technique for t in article.techniques)
    table = Table(title=f"Persuasion techniques by {by}", title_justify="left", header_style="bold", expand=True)
    for column in (by, "articles", "words", "techniques", "per 1,000 words", "most frequent"):
        table.add_column(column, overflow="fold")
    for key, _ in sorted(words.items(), key=lambda kv: -sum(counts[kv[0]].values())):
        total = sum(counts[key].values())
        top = ", ".join(f"{name} {n}" for name, n in counts[key].most_common(3))
        table.add_row(escape(key), str(docs[key]), f"{words[key]:,}", str(total), f"{1000 * total / max(words[key], 1):.1f}", top)
    return table


def _kinds(counts: Counter) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.most_common())


def sources_table(groups: list, examples: int = 2) -> Table:
    """Claims grouped by source (:func:`parallax.corpus.claims.claims_by_source`): counts and the most check-worthy."""
    table = Table(title="Who claims what", title_justify="left", header_style="bold", expand=True, show_lines=True)
    for column, ratio in (("source", 2), ("claims", 1), ("in", 2), ("kind", 2), ("most check-worthy claims", 6)):
        table.add_column(column, overflow="fold", ratio=ratio)
    for group in groups:
        who = escape(group.name) + f"\n[dim]{group.type}[/]"
        if group.roles:
            who += "\n[dim]" + escape(group.roles.most_common(1)[0][0]) + "[/]"
        flags = _kinds(group.kinds)
        if group.hedged or group.negated:
            flags += f"\nhedged {group.hedged}, denied {group.negated}"
        shown = "\n".join(
            f"• {escape(_clip(c.content, 160))} [dim]({escape(c.cue or 'no cue')}; {escape(c.report)}"
            + (f"; {c.checkworthiness:.2f}" if c.checkworthiness is not None else "")
            + ")[/]"
            for c in group.most_checkworthy(examples)
        )
        where = ", ".join(f"{escape(r)} {n}" for r, n in group.reports.most_common(3))
        table.add_row(who, str(len(group.claims)), f"{group.articles} article(s)\n{where}", flags, shown)
    return table


def claims_table(groups: list, limit: int = 0) -> Table:
    """Every claim of the given source groups, one line each, most check-worthy first."""
    rows = sorted(((g, c) for g in groups for c in g.claims), key=lambda gc: -(gc[1].checkworthiness or 0.0))
    table = Table(title="Claims", title_justify="left", header_style="bold", expand=True)
    for column, ratio in (("source", 2), ("cue", 2), ("content", 6), ("kind", 2), ("check", 1), ("in", 2)):
        # numbers keep their width; text columns share the rest
        table.add_column(column, overflow="fold", ratio=ratio if ratio > 1 else None, no_wrap=ratio == 1)
    for group, claim in rows[: limit or None]:
        kind = claim.kind + (" hedged" if claim.hedged else "") + (" denied" if claim.negated else "")
        score = f"{claim.checkworthiness:.2f}" if claim.checkworthiness is not None else ""
        place = f"{escape(claim.report)} {claim.article_id[:8]}:{claim.content_start}"
        table.add_row(escape(group.name), escape(claim.cue or ""), escape(_clip(claim.content, 240)), kind, score, place)
    return table


def timeline_table(entries: list) -> Table:
    """The corpus timeline (:func:`parallax.corpus.timeline.timeline`): one row per happening, every report listed."""
    table = Table(title="Timeline", title_justify="left", header_style="bold", expand=True, show_lines=True)
    for column, ratio in (("date", 1), ("event", 2), ("who → whom", 3), ("where", 2), ("killed", 1), ("reported by", 3)):
        # numbers keep their width; text columns share the rest
        table.add_column(column, overflow="fold", ratio=ratio if ratio > 1 else None, no_wrap=ratio == 1)
    for entry in entries:
        event = entry.type + (f"\n[dim]{escape(entry.sub_type)}[/]" if entry.sub_type else "")
        who = escape("; ".join(entry.actors) or "?") + " → " + escape("; ".join(entry.targets) or "?")
        where = escape(entry.location or "")
        if entry.latitude is not None:
            where += f"\n[dim]{entry.latitude:.2f}, {entry.longitude:.2f}[/]"
        killed = f"{entry.fatalities:g}" if entry.fatalities is not None else ""
        # one line per source, outlet and wording; repeated mentions in one article are counted
        said = Counter((r.reported_by or "author", r.report, r.trigger, r.modality) for r in entry.reports)
        reports = "\n".join(
            f"{escape(who)} [dim]in {escape(where)}: “{escape(trigger)}”"
            + (f" ({modality})" if modality != "asserted" else "")
            + (f" ×{n}" if n > 1 else "")
            + "[/]"
            for (who, where, trigger, modality), n in said.items()
        )
        table.add_row(f"{entry.date}\n[dim]{entry.precision or ''}[/]", event, who, where, killed, reports)
    return table
