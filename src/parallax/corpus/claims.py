"""Who claims what across a stored corpus: claims grouped by their (resolved) source.

A claim's source is named by what the attribution extractor resolved it to ("he said"
-> "Jeyhun Bayramov", "Bayramov's letter" -> "Jeyhun Bayramov"), else by its span as
written ("officials"). The author's own assertions are grouped under the article's
author. Across articles, a one-word person name ("Bayramov") joins the only longer
person name of the corpus that ends with it ("Jeyhun Bayramov"); when several do, it
stays apart rather than join the wrong one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from . import RowSource, article_index, report_label

UNNAMED = "(unnamed source)"
UNKNOWN_AUTHOR = "(author not given)"
UNRESOLVED = "(unresolved pronoun)"
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "him", "her", "them", "you", "this", "that"}


@dataclass
class StoredClaim:
    """One stored claim with what a reader needs to find it again."""

    article_id: str
    report: str  # outlet or source of the article
    source_text: str | None
    cue: str | None
    content: str
    content_start: int
    content_end: int
    kind: str
    hedged: bool
    negated: bool
    checkworthiness: float | None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SourceClaims:
    """Everything one source claims across the corpus."""

    name: str
    types: Counter = field(default_factory=Counter)  # person, organisation, document ("the letter"), ...
    roles: Counter = field(default_factory=Counter)
    claims: list[StoredClaim] = field(default_factory=list)

    @property
    def type(self) -> str:
        """The source's most frequent type ("person" where a person also speaks through a document)."""
        if "person" in self.types:
            return "person"
        return self.types.most_common(1)[0][0] if self.types else "anonymous"

    @property
    def articles(self) -> int:
        return len({c.article_id for c in self.claims})

    @property
    def reports(self) -> Counter:
        return Counter(c.report for c in self.claims)

    @property
    def kinds(self) -> Counter:
        return Counter(c.kind for c in self.claims)

    @property
    def hedged(self) -> int:
        return sum(c.hedged for c in self.claims)

    @property
    def negated(self) -> int:
        return sum(c.negated for c in self.claims)

    def most_checkworthy(self, n: int = 3) -> list[StoredClaim]:
        return sorted(self.claims, key=lambda c: -(c.checkworthiness or 0.0))[:n]

    def as_dict(self) -> dict:
        return {
            "source": self.name,
            "type": self.type,
            "types": dict(self.types),
            "roles": [r for r, _ in self.roles.most_common()],
            "claims": len(self.claims),
            "articles": self.articles,
            "reports": dict(self.reports),
            "kinds": dict(self.kinds),
            "hedged": self.hedged,
            "negated": self.negated,
            "items": [c.as_dict() for c in self.claims],
        }


def _source_name(row: dict, article: dict | None) -> str:
    if row["source_type"] == "author":
        return row["source_resolved"] or (article or {}).get("authors") or UNKNOWN_AUTHOR
    if row["source_resolved"]:
        return " ".join(row["source_resolved"].split())
    if not row["source_text"]:
        return UNNAMED
    # "he" in one article is not "he" in another
    return UNRESOLVED if row["source_text"].lower() in _PRONOUNS else " ".join(row["source_text"].split())


def _merge_surnames(groups: dict[str, SourceClaims]) -> None:
    """Join a one-word person name to the single longer person name that ends with it."""
    longer: dict[str, list[str]] = defaultdict(list)
    for name, group in groups.items():
        words = name.split()
        if group.type == "person" and len(words) > 1:
            longer[words[-1].lower()].append(name)
    for name in [n for n, g in groups.items() if g.type == "person" and len(n.split()) == 1]:
        targets = longer.get(name.lower(), [])
        if len(targets) == 1:
            into = groups[targets[0]]
            moved = groups.pop(name)
            into.claims.extend(moved.claims)
            into.types.update(moved.types)
            into.roles.update(moved.roles)


def claims_by_source(
    store: RowSource,
    *,
    with_author: bool = False,
    source: str | None = None,
    min_checkworthiness: float = 0.0,
) -> list[SourceClaims]:
    """Stored claims grouped by source, the sources with most claims first (unnamed and unresolved last).

    ``with_author`` keeps the authors' own (unattributed) assertions; ``source`` keeps
    only sources whose name holds that text (case-insensitive); ``min_checkworthiness``
    drops claims scored below it.
    """
    articles = article_index(store)
    groups: dict[str, SourceClaims] = {}
    for row in store.rows("claims"):
        if row["source_type"] == "author" and not with_author:
            continue
        if (row["checkworthiness"] or 0.0) < min_checkworthiness:
            continue
        article = articles.get(row["article_id"])
        name = _source_name(row, article)
        group = groups.setdefault(name, SourceClaims(name))
        group.types[row["source_type"]] += 1
        if row["source_role"]:
            group.roles[row["source_role"]] += 1
        group.claims.append(
            StoredClaim(
                article_id=row["article_id"],
                report=report_label(article),
                source_text=row["source_text"],
                cue=row["cue_text"],
                content=row["content_text"],
                content_start=row["content_start"],
                content_end=row["content_end"],
                kind=row["kind"],
                hedged=bool(row["hedged"]),
                negated=bool(row["negated"]),
                checkworthiness=row["checkworthiness"],
            )
        )
    _merge_surnames(groups)
    found = list(groups.values())
    if source:
        needle = source.lower()
        found = [g for g in found if needle in g.name.lower()]
    return sorted(found, key=lambda g: (g.name in (UNNAMED, UNRESOLVED), -len(g.claims), -g.articles, g.name))
