"""Clean plain text as scraped from the web: keep the article, drop the page around it.

A scraped page is a sequence of lines: the article's paragraphs somewhere in the
middle, around them menus, share buttons, comment forms, cookie notices and
teaser lists. :func:`clean_scraped_text` works line by line:

1. metadata lines are read and taken out: the page-title line (title, outlet,
   genre suffix such as "– OpEd"), the headline repeated above the body,
   bylines ("By Jane Doe"), author notes ("About the author: ...", "(The author
   of this article is ...)", wherever they stand) and views-are-the-author's
   disclaimers;
2. every other line is classed by its wording: furniture that ends an article
   (share, subscribe, comment forms, navigation, cookie and copyright
   notices), junk that interrupts one (ads, captions, credits, timestamps),
   lines the page repeats, and reader-comment openers;
3. the main block is found: each line scores by how much it reads like prose
   (long, ends like a sentence; junk scores below zero) and the contiguous run
   with the highest sum is kept, less its junk, so menus and teaser lists
   before and after it go. Once reader comments open, their prose no longer
   counts, so a long comment thread cannot outscore the article;
4. a bio trailing the article (a name line, then "Jane Doe, head of ...") of a
   known author is moved to that author's metadata.

The rules are generic line heuristics; they are measured on the ScrapingHub
benchmark's flattened pages (:mod:`parallax.eval.cleaning`). Kept lines are
never rewritten, only stripped of surrounding whitespace, and are joined as
paragraphs by a blank line. Every dropped line is listed in
``Extraction.removed``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..model import Author
from .base import Extraction
from .metadata import DISCLAIMER, DISCLAIMER_SIGNAL

# -- page title, headline and genre markers ---------------------------------

# "*** ----> Title | OUTLET | COUNTRY": the marker some scrapers put before the page <title>.
_TITLE_MARKER = re.compile(r"^\*+\s*-*>\s*")
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||[-–—]|::)\s+")
_GENRE_WORDS = r"Op-?Ed|Opinion|Commentary|Analysis|Column|Editorial|Viewpoint|Perspective|Comment"
_GENRE_SUFFIX = re.compile(rf"(?:\s+[-–—|]\s+|\s*:\s+|\s+\()(?P<genre>{_GENRE_WORDS})\)?\s*$", re.IGNORECASE)
_GENRE_PREFIX = re.compile(rf"^(?P<genre>{_GENRE_WORDS})\s*(?:[|:]|[-–—])\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;。！？]['\"’”)\]」』]*$")

# -- authors ----------------------------------------------------------------

_HONORIFIC = re.compile(r"^(?:Dr|Prof|Professor|Mr|Mrs|Ms|Sir|Amb|Ambassador|H\.?E)\.?\s+", re.IGNORECASE)
_NAME_PARTICLES = {"de", "da", "di", "du", "del", "della", "van", "von", "der", "den", "la", "le", "al", "el", "bin"}
_BYLINE = re.compile(
    r"^(?:Written\s+)?By:?\s+(?P<names>[^|,–—]+?)(?:\s*[,|–—]\s*(?P<role>.+))?$", re.IGNORECASE
)
_BYLINE_MAX_WORDS = 12
_NAME_LIST_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b)\s*")
_ABOUT_AUTHOR = re.compile(
    r"^(?:About the (?:author|writer)s?|The (?:author|writer)s?|Author(?:'s)? (?:bio|note))"
    r"\s*[:\-–—]\s*(?P<bio>.+)$",
    re.IGNORECASE,
)
# "(The author of this article is ...)" or, unbracketed, "The writer is ...": an editor's note on the author.
_AUTHOR_NOTE = re.compile(
    r"^\(?\s*(?:The|This) (?:author|writer|columnist)(?: of this (?:article|piece|op-?ed))? is (?P<bio>.+?)\)?$",
    re.IGNORECASE,
)
# "is a senior fellow at <org> in <place>." / "head of department at the <org>, focuses on ...": tried with
# "at/with/for" before "of", so "head of department at X" gives the organisation X, not "department";
# the last pattern takes a role without an organisation ("Ambassador to Bahrain residing in Riyadh").
_BIO_END = r"(?=\s+(?:in|based|residing|living|who|and|where|since|focus(?:es|ing)?)\b|[,;.]|$)"
_BIO_START = r"^(?:(?:is|was|serves as|works as)\s+)?(?:an?\s+|the\s+)?(?P<role>[^,;]+?)"
_BIO_ROLES = (
    re.compile(_BIO_START + r"\s+(?:at|with|for)\s+(?:the\s+)?(?P<org>[^,;]+?)" + _BIO_END),
    re.compile(_BIO_START + r"\s+of\s+(?:the\s+)?(?P<org>[^,;]+?)" + _BIO_END),
    re.compile(_BIO_START + _BIO_END),
)
# Words that make a bio role a role, so "is known for ..." does not pass as one.
_ROLE_WORDS = (
    "ambassador", "fellow", "professor", "lecturer", "analyst", "researcher", "scholar", "expert",
    "director", "head", "chair", "president", "founder", "editor", "columnist", "journalist",
    "correspondent", "writer", "author", "contributor", "commentator", "minister", "diplomat",
    "advisor", "adviser", "consultant", "specialist", "economist", "historian", "scientist",
    "officer", "member", "student", "candidate", "associate", "manager", "coordinator", "reporter",
)
_ROLE_WORD = re.compile(r"\b(?:" + "|".join(_ROLE_WORDS) + r")s?\b", re.IGNORECASE)
_ABBREVIATION = re.compile(r"\((?P<abbr>[A-Z][\w&.\- ]{1,30})\)\s*$")

# -- boilerplate by wording -------------------------------------------------

# Whole lines that are page furniture wherever they stand (matched case-insensitively, in full).
_FURNITURE = re.compile(
    r"(?:"
    # comment forms
    r"cancel reply|post (?:a )?comment|add (?:a |your )?comment|no comments(?: yet)?|be the first to comment|"
    r"your email address will not be published.*|required fields are marked.*|"
    r"save my name, email,? and website.*|notify me of .*(?:comments|posts).*|"
    r"you must be logged in to post a comment.*|comment policy|reply|report (?:comment|abuse)|permalink.*|"
    # share and follow
    r"share(?: this)?(?: article| story| post| page)?:?|share (?:on|via) \w+|click to (?:share|email|print).*|"
    r"like this:?|like loading\.*|tweet|pin(?: it)?|facebook|twitter|x|linkedin|whatsapp|telegram|reddit|"
    r"pinterest|instagram|youtube|tumblr|email|e-mail|print|copy link|(?:follow|find|like) us(?: on .*)?|"
    r"rss(?: feed)?|google plus|google\+|"
    # subscribe and account
    r"subscribe(?: now| today| here)?!?|sign up(?: now| for .*)?|(?:\w+ ){0,3}newsletters?|"
    r".*\b(?:subscribe|sign up) (?:to|for) .*newsletters?\b.*|.*\b(?:to|in|into) your inbox\b.*|"
    r"(?:subscribe|sign up) (?:to|for) (?:our|the) .*|join \d[\d,]* other subscribers|"
    r"enter your email(?: address)?.*|email address|sign in|log ?in|log ?out|register|my account|"
    r"subscribe sign in|already a subscriber\??.*|"
    # navigation
    r"menu|main menu|search|home|homepage|home page|skip to (?:main )?content.*|back to top|top|"
    r"(?:next|previous|prev) (?:article|post|story|page)|next|previous|more|load more|show more|see more|"
    r"\[?related(?: \w+)?(?::\s.*)?\]?|read more:?.*|(?:read|see) also:?.*|"
    r"click (?:here|to) .*|.*click to tweet|"
    r"more (?:from|on|in|about) .*|recommended(?: for you)?|trending(?: now)?|most (?:read|popular|viewed)|"
    r"(?:latest|top|breaking) (?:news|stories)|you (?:may|might) also like:?|don['’]t miss:?|"
    r"go to home page.*|site index|sections|"
    r"tags?:.*|related tags:?.*|filed under:?.*|categor(?:y|ies):.*|topics?:.*|"
    r"privacy(?: policy| notice)?|terms (?:of (?:use|service)|and conditions)|contact(?: us)?|about(?: us)?"
    r")",
    re.IGNORECASE,
)
# Junk that interrupts an article without ending it: ads, captions and credits, timestamps.
_INLINE_JUNK = re.compile(
    r"(?:"
    r"continue reading(?: below| the main story)?|advertisement|advertising|sponsored(?: content)?|"
    r"supported by|story continues below(?: advertisement)?|"
    r"(?:photo|image|picture|credit|source)s?(?: credit)?:.*|image \d+ of \d+|\d+ ?/ ?\d+|"
    r"(?:image|media|photo) (?:caption|copyright|credit)\b.*|(?:photo|photograph|picture|image)s? by .*|"
    r".*\((?:[^()]*\s)?(?:image|photo|picture|credit)s?\b[^()]*\)|.*\bcredit: .*|"
    r"(?:[\w.'’ -]+/){1,3}(?:getty images|afp|reuters|ap|epa|shutterstock)|"
    r"caption|close|enlarge|expand|back to gallery|"
    r"(?:updated|published|posted|first published|last (?:updated|modified))(?: on| at)?:?\s+"
    r"(?:\d|(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b).*"
    r")",
    re.IGNORECASE,
)
_TIME_TOKEN = re.compile(
    r"(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|"
    r"\d{1,4}(?:st|nd|rd|th)?\.?|\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ap]m)?|[ap]\.?m\.?|at|on|de|[-–—]|"
    r"\d{4}-\d{2}-\d{2}(?:t[\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|"
    r"\(?(?:gmt|utc|bst|cet|cest|eet|est|edt|cst|cdt|mst|mdt|pst|pdt|ist|jst|msk|ast|uk)\)?(?:[+-]\d{1,2})?",
    re.IGNORECASE,
)
_FURNITURE_MAX_WORDS = 25  # longer lines are prose that merely starts like furniture

# Cookie, consent and copyright notices: found anywhere in a line of notice length.
_NOTICE = re.compile(
    r"\buses? cookies\b|\bcookie (?:policy|settings|preferences|consent)\b|\b(?:accept|enable|necessary|"
    r"third-party) cookies\b|\ball rights reserved\b|(?:^|\s)(?:©|\(c\) \d{4})|^copyright\b",
    re.IGNORECASE,
)
_NOTICE_MAX_WORDS = 100

# Lines that open reader comments (or a comment's header): past the article, prose no longer counts.
_COMMENTS = re.compile(
    r"(?:leave a (?:reply|comment)|(?:top rated |newest |oldest |reader |show |view (?:all )?)?comments?"
    r"(?: \(\d+\))?|\[?\s*\d[\d,]* (?:comments?|responses?|replies)\b.*|join the (?:discussion|conversation)|"
    r"share your thoughts.*|what do you think\??|"
    r"(?:.{1,60}\s)?(?:on\s)?\S+ \d{1,2},? \d{4},? at \d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?(?: said:)?|"
    r"\d+ (?:minutes?|hours?|days?|weeks?|months?|years?) ago at .*)",
    re.IGNORECASE,
)

# -- main-block scoring -----------------------------------------------------

_PROSE_MIN_WORDS = 8
_UNPUNCTUATED_MIN_WORDS = 20
_LINE_COST = 10  # words a line must carry to pay for itself
_FURNITURE_COST = 20
_WORD = re.compile(r"[^\W\d_]{2}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # kana, CJK ideographs, hangul
_ARTICLE_MIN_WORDS = 100  # prose words to see before a comments opener is believed to close the article


@dataclass
class _Line:
    text: str
    removed: bool = False


def clean_scraped_text(raw: str) -> Extraction:
    """The main text of a scraped page and the metadata its lines give away.

    See the module docstring for the passes. The title is the page-title line's
    title part (or the first line when it reads like a headline) without a
    genre suffix; authors come from bylines and author notes, with ``role`` and
    ``affiliation`` from the note. The affiliation is the abbreviation in
    parentheses when the organisation gives one ("Center of Analysis of
    International Relations (AIR Center)" -> "AIR Center"): the short form is
    the one the text itself goes on to use, so it matches later mentions. The
    outlet comes from the page-title line, title-cased when shouted.
    """
    lines = _split_lines(raw)
    result = Extraction(text="")
    _read_title(lines, result)
    _read_authors(lines, result)
    _keep_main_block(lines)
    _read_trailing_bio(lines, result)
    for author in result.authors:
        word = _role_word(author.role or "")
        if word:
            result.genre_signals.append(f"author role: {word}")
    result.genre_signals = list(dict.fromkeys(result.genre_signals))
    result.text = "\n\n".join(line.text for line in lines if not line.removed)
    result.removed = [line.text for line in lines if line.removed]
    return result


def _split_lines(raw: str) -> list[_Line]:
    return [_Line(text.strip()) for text in raw.splitlines() if text.strip()]


# -- pass 1: title, outlet, authors ----------------------------------------


def _read_title(lines: list[_Line], result: Extraction) -> None:
    if not lines:
        return
    first = lines[0]
    marked = bool(_TITLE_MARKER.match(first.text))
    text = _TITLE_MARKER.sub("", first.text)
    text, genre = _strip_genre(text)
    parts = _TITLE_SEPARATOR.split(text)
    title = text
    later = {line.text.casefold() for line in lines[1:]}
    if len(parts) > 1 and (marked or parts[0].casefold() in later or parts[-1].casefold() in later):
        # "Title | Outlet | Country" (or "Outlet | Title"): a page title, known by its marker or by the
        # headline repeated below.
        title_first = marked or parts[0].casefold() in later
        title, genre_in_part = _strip_genre(parts[0] if title_first else parts[-1])
        genre = genre or genre_in_part
        result.outlet = _outlet_case(parts[1] if title_first else parts[0])
    if not (marked or _looks_like_headline(title)):
        return
    result.title = title
    if genre:
        result.genre_signals.append(f"title suffix: {genre}")
    first.removed = True
    for line in lines[1:]:
        if line.text.casefold() in {title.casefold(), first.text.casefold()}:
            line.removed = True


def _strip_genre(title: str) -> tuple[str, str | None]:
    for pattern in (_GENRE_SUFFIX, _GENRE_PREFIX):
        match = pattern.search(title)
        if match and match.group(0) != title:
            return (title[: match.start()] + title[match.end() :]).strip(), match.group("genre")
    return title, None


def _outlet_case(outlet: str) -> str:
    """'THE DAILY TRIBUNE' -> 'The Daily Tribune'; a name already in mixed case is kept."""
    if not outlet.isupper():
        return outlet
    small = {"of", "the", "and", "in", "on", "for", "a", "an", "at", "to"}
    words = outlet.lower().split()
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _looks_like_headline(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= 30
        and not text.endswith(".")
        and not _BYLINE.match(text)
        and not _is_furniture(text)
    )


def _read_authors(lines: list[_Line], result: Extraction) -> None:
    notes: list[tuple[str, _Line]] = []
    for line in lines:
        if line.removed:
            continue
        byline = _BYLINE.match(line.text)
        names = _names(byline.group("names")) if byline and len(line.text.split()) <= _BYLINE_MAX_WORDS else []
        if names:
            line.removed = True
            role = (byline.group("role") or "").strip() or None
            if role and _names(role) and not _ROLE_WORD.search(role):  # "By Jane Doe, John Roe and Ann Poe"
                names, role = names + _names(role), None
            if not result.authors:  # later bylines belong to teasers of other articles
                result.authors = [Author(name=name, role=role if len(names) == 1 else None) for name in names]
            continue
        note = _ABOUT_AUTHOR.match(line.text) or _AUTHOR_NOTE.match(line.text)
        # An unbracketed "The author is ..." is a note only when it gives a role; in a review it may be prose.
        if note and len(line.text.split()) <= 80 and (
            note.re is _ABOUT_AUTHOR or line.text.startswith("(") or _role_and_affiliation(note.group("bio"))[0]
        ):
            notes.append((note.group("bio"), line))
        elif DISCLAIMER.search(line.text) and len(line.text.split()) <= 60:
            line.removed = True
            result.genre_signals.append(DISCLAIMER_SIGNAL)
    for bio, line in notes:
        line.removed = True
        result.genre_signals.append("author note")
        if DISCLAIMER.search(bio):
            result.genre_signals.append(DISCLAIMER_SIGNAL)
        _apply_bio(DISCLAIMER.split(bio)[0], result)


def _apply_bio(bio: str, result: Extraction) -> None:
    """Fold "Dr. Jane Doe is a fellow at X" (or, without a name, "a fellow at X") into the authors."""
    name, rest = _split_bio_name(bio)
    role, affiliation = _role_and_affiliation(rest)
    if name is None and len(result.authors) == 1:
        name = result.authors[0].name
    if name is None:
        return
    known = next((a for a in result.authors if _same_name(a.name, name)), None)
    if known is None:
        known = Author(name=name)
        result.authors.append(known)
    known.role = known.role or role
    known.affiliation = known.affiliation or affiliation


def _split_bio_name(bio: str) -> tuple[str | None, str]:
    """'Dr. Jane Doe is a fellow ...' -> ('Jane Doe', 'is a fellow ...'); no name -> (None, bio)."""
    match = re.match(r"^(?P<name>.+?)(?:,\s+|\s+(?=(?:is|was|serves as|works as)\b))(?P<rest>.+)$", bio)
    if match:
        names = _names(match.group("name"))
        if len(names) == 1:
            return names[0], match.group("rest")
    return None, bio


def _role_and_affiliation(text: str) -> tuple[str | None, str | None]:
    for pattern in _BIO_ROLES:
        match = pattern.match(text.strip())
        if match and _ROLE_WORD.search(match.group("role")):
            org = match.groupdict().get("org")
            abbreviation = _ABBREVIATION.search(org) if org else None
            return match.group("role").strip(), abbreviation.group("abbr") if abbreviation else org
    return None, None


def _role_word(role: str) -> str | None:
    match = _ROLE_WORD.search(role)
    return match.group(0).lower() if match else None


def _names(text: str) -> list[str]:
    """Person names in "Jane Doe and John Roe" (honorifics dropped); [] when any part is not a name."""
    parts = [p for p in _NAME_LIST_SEPARATOR.split(text.strip()) if p]
    names = [_HONORIFIC.sub("", p).strip() for p in parts]
    return names if names and all(_is_name(n) for n in names) else []


def _is_name(text: str) -> bool:
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or tokens[0] == "The":
        return False
    return all(t[:1].isupper() or t.lower() in _NAME_PARTICLES for t in tokens) and not any(
        ch.isdigit() for ch in text
    )


def _same_name(a: str, b: str) -> bool:
    return _HONORIFIC.sub("", a).casefold() == _HONORIFIC.sub("", b).casefold()


# -- pass 2: classing lines by wording ---------------------------------------


def _is_furniture(text: str) -> bool:
    words = len(text.split())
    if words <= _NOTICE_MAX_WORDS and _NOTICE.search(text):
        return True
    return words <= _FURNITURE_MAX_WORDS and bool(_FURNITURE.fullmatch(text.rstrip(" .:!|»›>")))


def _is_inline_junk(text: str) -> bool:
    return len(text.split()) <= _FURNITURE_MAX_WORDS and (
        bool(_INLINE_JUNK.fullmatch(text.rstrip(" .:!|»›>"))) or _is_timestamp(text)
    )


def _is_timestamp(text: str) -> bool:
    """A line of nothing but a date and time ("Wednesday 20 November 2019 11:42, UK", "2019-11-19T08:57:40")."""
    tokens = [t for t in re.split(r"[\s,|•·/]+", text) if t]
    return bool(tokens) and any(t[:1].isdigit() for t in tokens) and all(_TIME_TOKEN.fullmatch(t) for t in tokens)


# -- pass 3: the main block ------------------------------------------------


def _keep_main_block(lines: list[_Line]) -> None:
    """Keep the contiguous run of lines whose prose score sums highest (maximum subarray); drop junk in it.

    Lines already taken out as metadata count as neutral, so they neither join nor split blocks. Once reader
    comments open after some prose, later prose counts as junk, so comments never outscore the article.
    """
    repeated = Counter(line.text for line in lines)
    scores: list[float] = []
    junk: list[bool] = []
    prose_words, in_comments = 0, False
    for line in lines:
        comment = bool(_COMMENTS.fullmatch(line.text))
        if comment and prose_words >= _ARTICLE_MIN_WORDS:
            in_comments = True
        furniture = comment or _is_furniture(line.text)
        # A line the page repeats (teasers, captions, widgets) or one without a word is never article text.
        junk.append(
            furniture or _is_inline_junk(line.text) or repeated[line.text] > 1 or not _WORD.search(line.text)
        )
        if line.removed:
            scores.append(0.0)
        elif furniture:
            scores.append(-_FURNITURE_COST)
        elif junk[-1]:
            scores.append(-_LINE_COST / 2)
        else:
            value = _prose_score(line.text)
            prose_words += _word_count(line.text) if value > 0 else 0
            scores.append(-_LINE_COST / 2 if in_comments and value > 0 else value)
    first, last = _best_run(scores)
    if first > last:  # no prose anywhere (a short note, a list): keep every line that is not junk
        first, last = 0, len(lines) - 1
    # Short closing or opening sentences ("Thanks for reading.") belong to the article they touch.
    while first > 0 and _is_short_sentence(lines[first - 1], junk[first - 1]):
        first -= 1
    while last < len(lines) - 1 and _is_short_sentence(lines[last + 1], junk[last + 1]):
        last += 1
    for index, line in enumerate(lines):
        if junk[index] or not first <= index <= last:
            line.removed = True


def _best_run(scores: list[float]) -> tuple[int, int]:
    """First and last index of the contiguous run with the highest sum (Kadane); (0, -1) when none is positive."""
    best, span = 0.0, (0, -1)
    total, start = 0.0, 0
    for index, value in enumerate(scores):
        if total <= 0:
            total, start = 0.0, index
        total += value
        if total > best:
            best, span = total, (start, index)
    return span


def _is_short_sentence(line: _Line, junk: bool) -> bool:
    return not (line.removed or junk) and len(line.text.split()) >= 3 and bool(_SENTENCE_END.search(line.text))


def _prose_score(text: str) -> float:
    words = _word_count(text)
    if words >= _PROSE_MIN_WORDS and _SENTENCE_END.search(text):
        return words - _LINE_COST
    if words >= _UNPUNCTUATED_MIN_WORDS:
        return (words - _LINE_COST) / 2  # likely prose that lost its full stop; teasers and menus are shorter
    return -_LINE_COST / 2


def _word_count(text: str) -> int:
    """Words, counting two CJK characters as one word, since those scripts put no spaces between words."""
    return len(text.split()) + len(_CJK.findall(text)) // 2


# -- pass 4: a trailing author bio ------------------------------------------


def _read_trailing_bio(lines: list[_Line], result: Extraction) -> None:
    """Drop name lines and bios of known authors at the end of the kept text, filling in their roles."""
    if not result.authors:
        return
    for line in reversed([line for line in lines if not line.removed]):
        bare = _HONORIFIC.sub("", line.text)
        author = next((a for a in result.authors if bare.startswith(a.name)), None)
        if author is None:
            return
        line.removed = True
        if not _same_name(line.text, author.name):
            result.genre_signals.append("author bio")
            _apply_bio(line.text, result)
