"""Metadata the text itself gives away: when it was published and what kind of text it is."""

from __future__ import annotations

import re
from datetime import date

from ..model import Author, Genre, PublicationDate

# -- publication date ---------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_ORDINAL_OF = r"(?:\s+of)?"
# Full dates first: a month-year pattern must not pick "September 2023" out of "19 September 2023".
_FULL_DATES = (
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.IGNORECASE),  # September 19, 2023
    re.compile(rf"\b{_DAY}{_ORDINAL_OF}\s+{_MONTH},?\s+{_YEAR}", re.IGNORECASE),  # 19 September 2023, 21st of May 2020
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),  # 2023-09-24
    re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>(?:19|20)\d{2})(?!\d)"),  # 24.09.2023
)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}(?:,|\s+of)?\s+{_YEAR}", re.IGNORECASE)  # March 2021


def infer_published(text: str, today: date | None = None) -> PublicationDate | None:
    """The latest full date the text mentions, as an inferred publication date (``source="text"``).

    Finds "September 19, 2023", "19 September 2023", "21st of May 2020", "2023-09-24" and "24.09.2023" (day
    precision) and "March 2021" (month precision); dates without a year ("September 24") are skipped,
    since their year would be a guess. An article cannot report what has not happened, so its latest
    date is the best lower bound of its publication; dates after ``today`` (default: the real today) are
    ignored as plans or typos. Where a day and its month tie, the day wins, being more precise.
    """
    today = today or date.today()
    found: list[tuple[date, bool]] = []  # (value, day precision)
    masked = text
    for pattern in _FULL_DATES:
        for match in pattern.finditer(masked):
            value = _to_date(match.group("year"), match.group("month"), match.group("day"))
            if value:
                found.append((value, True))
        masked = pattern.sub(lambda m: " " * len(m.group()), masked)
    for match in _MONTH_YEAR.finditer(masked):
        value = _to_date(match.group("year"), match.group("month"), "1")
        if value:
            found.append((value, False))
    found = [(value, by_day) for value, by_day in found if value <= today]
    if not found:
        return None
    value, by_day = max(found)
    return PublicationDate(value=value, precision="day" if by_day else "month", inferred=True, source="text")


def _to_date(year: str, month: str, day: str) -> date | None:
    month_number = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
    try:
        return date(int(year), month_number, int(day))
    except ValueError:  # "31 February", "2023-13-01": not a date
        return None


# -- genre ---------------------------------------------------------------------

_LABELS = r"(?:op-?ed|opinion|commentary|analysis|column|editorial|viewpoint|perspective|comment)"
# A label marks the title only standing apart at its start or end: "Opinion: ...", "... – OpEd", "... (Analysis)".
_TITLE_LABEL = re.compile(
    rf"^\s*(?P<a>{_LABELS})\s*[:|–—-]|(?:[:|–—-]|\()\s*(?P<b>{_LABELS})\)?\s*$", re.IGNORECASE
)
_SIGNAL_LABEL = re.compile(rf"^title (?:suffix|prefix|label):\s*(?P<a>{_LABELS})\s*$", re.IGNORECASE)
# "The views and opinions expressed in this article are those of the author": an opinion page's disclaimer.
DISCLAIMER = re.compile(
    r"(?:views|opinions)(?: and (?:views|opinions))? expressed\b.{0,80}?\b(?:are|is) (?:solely |entirely |only )?"
    r"(?:those of the (?:author|writer)s?|(?:the )?(?:author|writer)s?['’]s? own)",
    re.IGNORECASE | re.DOTALL,
)
DISCLAIMER_SIGNAL = "disclaimer: views expressed are those of the author"
_OPINION_ROLES = re.compile(
    r"\b(?:ambassador|fellow|professor|lecturer|analyst|researcher|scholar|expert|columnist|commentator|"
    r"contributor|director|head|diplomat|economist|historian|minister)s?\b",
    re.IGNORECASE,
)
# A statement says what it is in its heading or first sentence; further down, a statement is being reported.
_OPENING = re.compile(r"^.{0,300}?(?:[.!?](?=\s)|\n|$)", re.DOTALL)
_STATEMENT_CUES = re.compile(
    r"\bpress release\b|\bjoint statement\b|(?<!in a )(?<!in the )\bstatement (?:by|of|from) the\b|"
    r"\bcommuniqu[eé]\b|"
    r"\bministry of (?:foreign affairs|defen[cs]e)\b[^.]{0,120}\b(?:announces|informs|declares|statement)\b|"
    r"\bpress (?:service|office) of\b|\bfor immediate release\b",
    re.IGNORECASE,
)
_STATEMENT_OPENING = re.compile(r"^\s*(?:statement|declaration|communiqu[eé]|press release)\b", re.IGNORECASE)
# "BAKU, Sept 20 (Reuters) -", "WASHINGTON (AP) —", "NEW DELHI:": a wire story's dateline.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'’ -]{2,}(?:,\s*[A-Z][\w.]*(?:\s+\d{1,2})?)*\s*(?:\([\w .&]+\)\s*)?[-–—:]\s"
)
# "AP" alone is too common a token to be a wire; in a dateline's brackets, "(AP)", it is one.
_WIRES = re.compile(
    r"\b(?P<wire>Reuters|Associated Press|AFP|Agence France-Presse|Xinhua|TASS|Interfax|Anadolu|Bloomberg|dpa|"
    r"UPI|EFE|ANI|PTI|APA|Trend News Agency|Azertac|Armenpress|IRNA|Yonhap|Kyodo)\b|\((?P<ap>AP)\)"
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|stated|added|according to|reported|announced|confirmed|quoted)\b", re.IGNORECASE
)
# Case-sensitive, so that "US" (the country) is not "us".
_FIRST_PERSON = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Ww]e|[Uu]s|[Oo]urs?)\b")
_QUOTED = re.compile(r"“[^”]{0,600}”|\"[^\"]{0,600}\"")
_WORDS = re.compile(r"\w+")

_DECISION_MIN = 2  # points a genre needs before it is named
_MIN_COUNT = 3  # a rate from one "said" or one "we" in a short text means nothing


def classify_genre(text: str, title: str | None, authors: list[Author], signals: list[str]) -> tuple[Genre, list[str]]:
    """The genre of an article, and the evidence it was decided on.

    A small additive score; each cue found adds its points to one genre:

    - opinion: a genre label in the title or in a reader's signals (OpEd, Op-Ed, Opinion, Commentary,
      Analysis, Column, Editorial: 3); a views-are-the-author's disclaimer (3); an author bio or note (1);
      an author role that writes opinion (ambassador, fellow, professor, analyst, ...: 2); first person
      ("I", "my", "we", "our") outside quotations at 10 or more per 1,000 words (2), at 4 or more (1),
      counted from 3 occurrences up;
    - statement: "Press release", "Joint statement", "Statement by the ...", "The Ministry of Foreign
      Affairs ... announces" in the title or first sentence (3); the title or text opening with "Statement
      ...", "Declaration ...", "Press release" (3);
    - news: a dateline opening the text ("BAKU, Sept 20 (Reuters) -": 3); a wire agency named (1); reported
      speech ("said", "told", "according to") at 8 or more per 1,000 words (and 3 or more in all) with
      first person under 4 per 1,000 (2).

    The genre with the most points wins if it has at least 2; ties go to the first of opinion,
    statement, news (the more specific label). Otherwise 'unknown'. The returned list holds the
    winning genre's evidence, or every cue seen when the result is 'unknown'.
    """
    words = max(1, len(_WORDS.findall(text)))
    evidence: dict[Genre, list[tuple[str, int]]] = {"opinion": [], "statement": [], "news": []}
    opinion, statement, news = evidence["opinion"], evidence["statement"], evidence["news"]

    labels = [_TITLE_LABEL.search(title or "")] + [_SIGNAL_LABEL.match(signal) for signal in signals]
    label = next((m.group("a") or m.group("b") for m in labels if m), None)
    if label:
        opinion.append((f"genre label: {label}", 3))
    if DISCLAIMER.search(text) or any(s.startswith("disclaimer") for s in signals):
        opinion.append((DISCLAIMER_SIGNAL, 3))
    if any(s.startswith(("author note", "author bio")) for s in signals):
        opinion.append(("author bio", 1))
    stated_roles = [a.role or "" for a in authors] + [s for s in signals if s.startswith("author role:")]
    roles = {m.group(0).lower() for role in stated_roles for m in _OPINION_ROLES.finditer(role)}
    if roles:
        opinion.append((f"author role: {', '.join(sorted(roles))}", 2))
    first_persons = len(_FIRST_PERSON.findall(_QUOTED.sub(" ", text)))
    first_person = first_persons * 1000 / words
    if first_persons >= _MIN_COUNT and first_person >= 4:
        opinion.append((f"first person: {first_person:.0f} per 1,000 words", 2 if first_person >= 10 else 1))

    opening = _OPENING.match(text.lstrip())
    cue = _STATEMENT_CUES.search(f"{title or ''}\n{opening.group(0) if opening else ''}")
    if cue:
        statement.append((f"statement cue: {' '.join(cue.group(0).split())}", 3))
    if _STATEMENT_OPENING.match(title or "") or _STATEMENT_OPENING.match(text):
        statement.append(("opens as a statement", 3))

    dateline = _DATELINE.match(text)
    if dateline:
        news.append((f"dateline: {dateline.group(0).strip()}", 3))
    wire = _WIRES.search(text)
    if wire:
        news.append((f"wire agency: {wire.group('wire') or wire.group('ap')}", 1))
    attributions = len(_ATTRIBUTION.findall(text))
    attribution = attributions * 1000 / words
    if attributions >= _MIN_COUNT and attribution >= 8 and first_person < 4:
        news.append((f"reported speech: {attribution:.0f} per 1,000 words", 2))

    totals = {genre: sum(points for _, points in cues) for genre, cues in evidence.items()}
    best = max(totals, key=lambda genre: totals[genre])  # dict order breaks ties: opinion, statement, news
    if totals[best] < _DECISION_MIN:
        return "unknown", [f"{genre}: {cue}" for genre, cues in evidence.items() for cue, _ in cues]
    return best, [cue for cue, _ in evidence[best]]
