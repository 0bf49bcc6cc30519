"""Plain-text structure: unwrapping, author names and the context filter.

Works on the paragraphs of a text (pasted, scraped, or what the HTML path
extracted) and decides with context what ``debris`` cannot decide from one
line alone: hard wraps, the headline, story lists after a "Latest Stories"
header, readers' comments, author sign-offs and bios.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from framing.ingest.debris import (
    _ends_terminal,
    _is_prose,
    _is_related_header,
    _is_title_like,
    _words,
    debris_class,
    is_debris,
)
from framing.ingest.normalize import normalize_text


def _wrap_width(lines: list[str]) -> int | None:
    """Detect hard-wrapped text and return its wrap column, else None.

    A wrapped file has many lines just under one width, most of them ending
    mid-sentence. Copy-pasted text (one paragraph per line) does not.
    """
    lengths = [len(ln) for ln in lines if ln.strip()]
    if len(lengths) < 4:
        return None
    best, best_count = None, 0
    for width in range(40, 101):
        count = sum(1 for x in lengths if width - 12 <= x <= width)
        if count > best_count:
            best, best_count = width, count
    if best is None or best_count < max(4, 0.3 * len(lengths)):
        return None
    band = [ln for ln in lines if ln.strip() and best - 12 <= len(ln) <= best]
    open_ended = sum(1 for ln in band if not _ends_terminal(ln.strip()))
    if open_ended < 0.5 * len(band):
        return None
    return max(len(ln) for ln in band)


def _paragraphs(text: str) -> list[str]:
    """Split text into normalized paragraphs, undoing hard wraps.

    A line continues the previous one when the text is hard-wrapped and the
    previous line was full (its successor's first word would not have fit),
    or when it starts in lower case after a line with no final punctuation
    (a sentence broken by a stray <br> or a crude scraper).
    """
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    width = _wrap_width(lines)
    pars: list[str] = []
    last_raw: str | None = None  # previous line, if directly adjacent (no blank line)
    for raw_line in lines:
        line = normalize_text(raw_line)
        if not line:
            last_raw = None
            continue
        if last_raw is not None and pars:
            first = line.split(" ", 1)[0]
            wrapped = width is not None and len(last_raw) <= width and len(last_raw) + 1 + len(first) > width
            lower = line[0].islower() and not _ends_terminal(pars[-1])
            # A wrap never runs into a byline or date line; a short tail
            # ("Okinawa.") only looks like debris out of context.
            if (wrapped or lower) and not is_debris(pars[-1]) and debris_class(line) in (None, "short"):
                pars[-1] = f"{pars[-1]} {line}"
                last_raw = raw_line
                continue
        pars.append(line)
        last_raw = raw_line
    return pars


_NAME = re.compile(r"[A-Z][\w'-]+(?: [A-Z][\w'-]+){1,3}")
_RE_BYLINE_NAMES = re.compile(
    r"^(?:by|written by|reported by|commentary by|analysis by|reporter|reporters|correspondent)"
    r"\s*[:=]?\s*(.+)$",
    re.I,
)


def _byline_names(lines: Iterable[str]) -> set[str]:
    """Author names from byline lines, used to drop sign-offs and author bios."""
    names: set[str] = set()
    for line in lines:
        line = normalize_text(line)
        m = _RE_BYLINE_NAMES.match(line)
        if not m or len(_words(line)) > 15:
            continue
        body = re.split(r"[,(|]| in | - | — ", m.group(1))[0]
        for part in re.split(r" and | AND |&|;", body):
            part = part.strip()
            if _NAME.fullmatch(part):
                names.add(part.title() if part.isupper() else part)
    return names


def _mentions_author(line: str, names: set[str]) -> bool:
    """Sign-offs ("Lee Soo-jin, HBC News.") and bios ("X is a senior fellow ...")."""
    low = line.lower()
    for name in names:
        nl = name.lower()
        if len(nl.split()) < 2:
            continue
        if nl in low and len(_words(line)) <= 8:
            return True
        if re.match(rf"{re.escape(nl)},? (?:is|was|has been|serves as|works as)\b", low):
            return True
    return False


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _same_title(par: str, norm_head: str) -> bool:
    if par.lower() == norm_head:
        return True
    a, b = _tokens(par), _tokens(norm_head)
    return _is_title_like(par) and bool(a) and len(a & b) / len(a | b) >= 0.6


_HEADLINE_MARKERS = {"byline", "date", "contact", "author", "counter", "share"}


def _find_headline(pars: list[str], classes: list[str | None]) -> int | None:
    """Index of the headline in plain text, or None.

    Candidates are title-like lines before the first prose paragraph. One
    directly followed by a byline, date, counter or share line wins: that
    block is what a copied article header looks like, even when a sidebar
    story list precedes it. Otherwise the first candidate outside a story
    list.
    """
    first_free: int | None = None
    in_list = False
    for i, (par, cls) in enumerate(zip(pars, classes, strict=True)):
        if cls == "related":
            in_list = True
            continue
        if cls is not None:
            continue
        if _is_prose(par):
            break
        if not _is_title_like(par):
            continue
        if _followed_by_marker(classes, i):
            # "Headline / deck / By X": the deck is the one next to the byline
            return first_free if first_free == i - 1 else i
        if first_free is None and not in_list:
            first_free = i
    return first_free


def _followed_by_marker(classes: list[str | None], i: int) -> bool:
    """Is line i directly followed by header furniture (byline, date, ...)?"""
    for cls in classes[i + 1 :]:
        if cls in _HEADLINE_MARKERS:
            return True
        if cls is None or cls == "related":
            return False
    return False


def _filter_paragraphs(
    pars: list[str], headline: str | None, names: set[str]
) -> tuple[str | None, list[str]]:
    """Drop debris paragraphs, story lists and the repeated headline.

    Returns (headline, body paragraphs). ``headline`` comes from HTML
    metadata when there is markup; for plain text it is found by
    ``_find_headline``, and non-prose lines above it are page header chrome.
    A story-list header drops the non-prose lines after it; a comment
    counter after the article text drops the short lines after it (readers'
    comments) until a long prose paragraph.
    """
    classes: list[str | None] = []
    for par in pars:
        cls = "related" if _is_related_header(par) else debris_class(par)
        if cls is None and _mentions_author(par, names):
            cls = "author"
        classes.append(cls)
    start = 0
    if headline is None:
        idx = _find_headline(pars, classes)
        if idx is not None:
            headline, start = pars[idx], idx + 1
    norm_head = normalize_text(headline).lower() if headline else None

    body: list[str] = []
    in_list = False
    in_comments = False
    seen_prose = False
    for i in range(start, len(pars)):
        par, cls = pars[i], classes[i]
        if cls == "related":
            in_list = True
            continue
        if cls in ("comments", "counter") and seen_prose and re.search(r"comment|repl", par, re.I):
            in_comments = True  # readers' comments follow the article
            continue
        if cls is not None:
            continue
        if in_comments:
            if len(_words(par)) < 40 or not _is_prose(par):
                continue
            in_comments = False
        if norm_head and (par.lower() == norm_head or (not seen_prose and _same_title(par, norm_head))):
            continue  # the headline repeated in the body (<h1> next to og:title)
        prose = _is_prose(par)
        if in_list:
            if not prose:
                continue
            in_list = False
        seen_prose = seen_prose or prose
        body.append(par)
    # Prose above a plain-text headline (rare: a teaser) is kept, in order.
    lead = [p for p, c in zip(pars[:start], classes[:start], strict=True) if c is None and _is_prose(p)]
    return headline, lead + body
