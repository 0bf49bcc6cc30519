"""Context-free line classes: is one line article text, or page furniture?

The site rules' word sets and regular expressions live in ``furniture``, one or
more per debris class (navigation, bylines, dates, counters, captions, share
buttons, ...); ``debris_class`` tries them in order. Decisions that need the neighbouring
lines (story lists, headlines, readers' comments) are in ``lines``.
"""

from __future__ import annotations

import re

from framing.ingest.furniture import (
    _DATE_WORDS,
    _NAV_SINGLE,
    _RE_AD,
    _RE_AGE_NOTE,
    _RE_APPEAL,
    _RE_ATTRIBUTION,
    _RE_BYLINE,
    _RE_BYLINE_TAIL,
    _RE_CAPTION_END,
    _RE_CAPTION_START,
    _RE_COMMENTS,
    _RE_CONSENT,
    _RE_CONTRIB,
    _RE_COOKIE,
    _RE_COPYRIGHT,
    _RE_COUNTER,
    _RE_CUT_LINE,
    _RE_DISCLAIMER,
    _RE_DOWNLOAD,
    _RE_EMAIL,
    _RE_FOOTER_LINKS,
    _RE_HANDLE,
    _RE_NAV,
    _RE_NEWSLETTER,
    _RE_PERSON_BIO,
    _RE_PHONE,
    _RE_PROMO,
    _RE_RELATED_HEADER,
    _RE_RELATED_SHORT,
    _RE_REPORTED_FROM,
    _RE_SEPARATOR,
    _RE_SERIES,
    _RE_SOUND_CUE,
    _RE_SOURCE_TAG,
    _RE_SPONSOR_LINE,
    _RE_SUBSCRIBE_PROMPT,
    _RE_TAGS,
    _RE_TICKER,
    _RE_URL,
    _RE_WRITER_NOTE,
    _SHARE_WORDS,
)
from framing.ingest.normalize import normalize_text

DEBRIS_CLASSES = (
    "separator", "navigation", "ad", "comments", "counter", "date", "share", "related", "tags", "contact",
    "copyright", "caption", "byline", "credit", "bio", "cookie", "newsletter", "button", "address", "ticker",
    "menu", "short", "author", "disclaimer",
)

_WORD = re.compile(r"\S+")


def _words(line: str) -> list[str]:
    return _WORD.findall(line)


def _ends_terminal(line: str) -> bool:
    return bool(re.search(r"[.!?][\"')\]]*$", line))


def _is_date_line(line: str) -> bool:
    """Lines made only of dates, times and words like "Updated" or "min read".

    Up to two other words are allowed next to a full date or a clock time
    ("All News 15:21 October 18, 2024").
    """
    if not re.search(r"\d", line):
        return False
    others = 0
    for token in re.split(r"[\s,|·:/()\[\]]+", line.lower()):
        token = token.strip(".-–—")
        if not re.search(r"\w", token) or re.search(r"\d", token) or token in _DATE_WORDS:
            continue
        others += 1
    if others == 0:
        return True
    strong = re.search(r"\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b", line)
    return bool(strong) and others <= 2 and len(_words(line)) <= 8


def _is_share_line(line: str) -> bool:
    tokens = [t.strip(":;,|·/()[]•").lower() for t in _words(line)]
    tokens = [t for t in tokens if t]
    return bool(tokens) and all(t in _SHARE_WORDS for t in tokens)


def _is_segmented_menu(line: str) -> bool:
    """ "A | B | C", "Home > World > Asia", "Terms · Privacy": menus and footers."""
    parts = re.split(r"\s*(?:\||[·•∙‧⋅・›»]|\s>\s|\s/\s)\s*", line)
    parts = [p for p in parts if p.strip()]
    if len(parts) < 2:
        return False
    for part in parts:
        n = len(_words(part))
        if n > 6 or (n >= 4 and _ends_terminal(part)):
            return False
    return True


def _is_attribution(line: str) -> bool:
    """A pull quote's "Name, role" line; not a title in capitals, nor a wrapped line cut after a function word."""
    return bool(_RE_ATTRIBUTION.match(line)) and not line.isupper() and not _RE_CUT_LINE.search(line)


def debris_class(line: str) -> str | None:
    """Name of the debris class a single line belongs to, or None for text.

    Context-free: decides from the line alone. Lists of other stories need
    context (the header before them) and are handled in ``extract_article``.
    """
    line = normalize_text(line)
    if not line:
        return "empty"
    n = len(_words(line))
    lower = line.lower()
    terminal = _ends_terminal(line)

    if _RE_SEPARATOR.match(line) or _RE_SOUND_CUE.match(line):
        return "separator"
    checks: list[tuple[str, bool]] = [
        (
            "navigation",
            bool(_RE_NAV.match(line) or lower in _NAV_SINGLE or _RE_FOOTER_LINKS.match(line))
            or bool(_RE_SERIES.search(line)),
        ),
        ("ad", bool(_RE_AD.match(line)) or (n <= 30 and bool(_RE_SPONSOR_LINE.match(line)))),
        ("comments", bool(_RE_COMMENTS.match(line))),
        ("counter", bool(_RE_COUNTER.match(line))),
        ("date", _is_date_line(line) or bool(_RE_AGE_NOTE.match(line))),
        ("share", _is_share_line(line)),
        ("related", _is_related_header(line) or bool(_RE_PROMO.match(line))),
        ("tags", bool(_RE_TAGS.match(line))),
        (
            "contact",
            n <= 30 and bool(_RE_EMAIL.search(line) or _RE_HANDLE.search(line) or _RE_URL.search(line)),
        ),
        ("copyright", n <= 40 and bool(_RE_COPYRIGHT.search(line))),
        ("disclaimer", n <= 60 and bool(_RE_DISCLAIMER.search(line))),
        ("caption", bool(_RE_CAPTION_START.match(line) or _RE_CAPTION_END.search(line))),
        (
            "byline",
            (n <= 15 and bool(_RE_BYLINE.match(line)) and not _ends_terminal(line.rstrip(")")))
            or (n <= 8 and bool(_RE_BYLINE_TAIL.search(line))),
        ),
        (
            "credit",
            (n <= 20 and bool(_RE_CONTRIB.search(line))) or (n <= 8 and bool(_RE_REPORTED_FROM.search(line)))
            or bool(_RE_SOURCE_TAG.match(line)) or _is_attribution(line),
        ),
        ("bio", n <= 40 and bool(_RE_WRITER_NOTE.match(line) or _RE_PERSON_BIO.match(line))),
        ("cookie", (n <= 40 and bool(_RE_COOKIE.search(line))) or (n <= 60 and bool(_RE_CONSENT.search(line)))),
        (
            "newsletter",
            (n <= 12 and bool(_RE_NEWSLETTER.search(line)))
            or (n <= 30 and bool(_RE_SUBSCRIBE_PROMPT.search(line) or _RE_APPEAL.search(line))),
        ),
        ("button", n <= 8 and bool(_RE_DOWNLOAD.match(line)) and not terminal),
        ("address", n <= 25 and bool(_RE_PHONE.search(line)) and not terminal),
        ("ticker", bool(_RE_TICKER.search(line)) and not terminal),
        ("menu", _is_segmented_menu(line)),
    ]
    for name, hit in checks:
        if hit:
            return name
    # Very short lines: menu items, kickers, buttons ("Politics", "WORLD NEWS",
    # "U.S.", "A+"). Two- or three-word sentences with a full stop survive.
    if n <= 3 and not (n >= 2 and terminal and line[0].isupper()):
        return "short"
    return None


def is_debris(line: str) -> bool:
    """True if a single line is page furniture rather than article text.

    Debris classes: navigation/menu items, bylines and credits, dates and
    "Updated" lines, view/comment counters, captions and photo credits,
    share buttons, copyright/reprint notices, ads, cookie and newsletter
    prompts, related-list headers, footer links, addresses. See
    ``debris_class`` for which one fired.
    """
    return debris_class(line) is not None


def _is_related_header(line: str) -> bool:
    """ "Latest Stories", "You May Also Like", "Most Read in World": a story list follows."""
    line = normalize_text(line)
    n = len(_words(line))
    if n > 7 or _ends_terminal(line):
        return False
    return bool(_RE_RELATED_HEADER.match(line)) or (n <= 5 and bool(_RE_RELATED_SHORT.match(line)))


def _is_prose(line: str) -> bool:
    """A paragraph of running text, as opposed to a headline in a story list."""
    return len(_words(line)) >= 8 and _ends_terminal(line)


def _is_title_like(line: str) -> bool:
    n = len(_words(line))
    return 4 <= n <= 30 and not re.search(r"[.:;,][\"')\]]*$", line)
