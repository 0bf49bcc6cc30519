"""The headline of a plain text, and its repeats.

Markup names its headline (``header``); a copied page does not. The search looks for the title-like line whose
content words the prose under it shares, then reads the header furniture around it (a byline, a date, a share
row) the way a reader does. The headline's repeats (a breadcrumb, a "Most read" entry) are found here too.
"""

from __future__ import annotations

import re

from framing.ingest.debris import _is_prose, _is_title_like


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _repeats_headline(par: str, norm_head: str | None) -> bool:
    """The headline printed again: alone, as a numbered entry of a "Most read" list ("3 <headline>"), or as the
    page's title with the site's name before or after it ("<headline> | The Daily", "Site - <headline>")."""
    if not norm_head:
        return False
    low = re.sub(r"^\d{1,2}[.)]? +", "", par.lower())
    if low == norm_head:
        return True
    if low.startswith(norm_head) and _RE_TITLE_SEP.match(low[len(norm_head) :]):
        return True
    return low.endswith(norm_head) and bool(_RE_TITLE_SEP_END.search(low[: -len(norm_head)]))


_RE_TITLE_SEP = re.compile(r"\s+[|–—-]\s+\S.{0,60}$")  # " | The Canterbury Regional", " – live updates | Site"
_RE_TITLE_SEP_END = re.compile(r"^.{1,60}\S\s+[|–—-]\s+$")


def _same_title(par: str, norm_head: str) -> bool:
    if par.lower() == norm_head:
        return True
    a, b = _tokens(par), _tokens(norm_head)
    return _is_title_like(par) and bool(a) and len(a & b) / len(a | b) >= 0.6


_HEADLINE_MARKERS = {"byline", "date", "contact", "author", "counter", "share"}


def _find_headline(pars: list[str], classes: list[str | None]) -> int | None:
    """Index of the headline in plain text, or None.

    The search starts at the first title-like line that shares two content words with the prose paragraphs
    (three at most) of the 16 lines under it, or at the line just above it (a headline over a topical deck): a
    site's tagline, a cookie wall or a menu above the story shares none, and a cookie wall's prose must not end
    the search. Reach and count were chosen on all rounds' headlines (221 of 297 text pages found, against 154).
    Without such a line, the whole text is searched (``_header_headline``).
    """
    # each prose line's content words, once (a menu's every item is a candidate)
    prose = [_content_words(par) if cls is None and _is_prose(par) else None
             for par, cls in zip(pars, classes, strict=True)]
    first = None
    for i, (par, cls) in enumerate(zip(pars, classes, strict=True)):
        if cls is not None or not _is_title_like(par):
            continue
        under = [w for w in prose[i + 1 : i + 1 + _LEDE_REACH] if w is not None][:_LEDE_PARS]
        if len(_content_words(par) & set().union(*under)) >= 2:
            first = i - 1 if i > 0 and classes[i - 1] is None and _is_title_like(pars[i - 1]) else i
            break
    if first is None:
        return _header_headline(pars, classes)
    # lines above the search are furniture to the header logic, which stops at the first free prose line
    found = _header_headline(pars, ["above" if i < first else cls for i, cls in enumerate(classes)])
    return first if found is None else found


_LEDE_REACH = 16  # a lede sits within this many lines under its headline (byline, date, share row, caption)
_LEDE_PARS = 3
_STOPWORDS = frozenset(
    "the and that with from this have been were will would their said says into over after about which what "
    "they when than also more most some there these those them then such only other where while under before "
    "between because could should being many against first last year years new news your yours ours since "
    "until upon onto within without through across toward towards among each every both just like even still "
    "much very well here does whose".split()
)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOPWORDS}


def _header_headline(pars: list[str], classes: list[str | None]) -> int | None:
    """The header logic over a stretch of plain text.

    Candidates are title-like lines before the first prose paragraph. One
    followed by a byline, date, counter or share line wins, the nearest to
    it if several are (a site's tagline above a menu and the date line is
    further): that block is what a copied article header looks like, even
    when a sidebar story list precedes it. Otherwise the first candidate
    outside a story list.
    """
    first_free: int | None = None
    in_list = False
    best: tuple[int, int] | None = None  # (lines of other furniture before the marker, index)
    previous = -2  # the last candidate
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
        gap = _marker_gap(classes, i)
        if gap is not None and (best is None or gap < best[0]):
            # "Headline / deck / By X": the deck is the one next to the byline
            best = (gap, i - 1 if previous == i - 1 else i)
        previous = i
        if first_free is None and not in_list:
            first_free = i
    return best[1] if best is not None else first_free


def _marker_gap(classes: list[str | None], i: int) -> int | None:
    """How many furniture lines (menus, buttons) sit between line i and the header furniture (byline, date,
    ...) under it; None if another line comes first."""
    for gap, cls in enumerate(classes[i + 1 :]):
        if cls in _HEADLINE_MARKERS:
            return gap
        if cls is None or cls == "related":
            return None
    return None
