"""Turn a raw web article (HTML page or copied/scraped text) into its sentences.

Contract
--------
``extract_article(raw)`` returns the article's sentences in reading order,
headline first when one is found, each passed through ``normalize_text``.
Everything the labeling guide says is *not* a sentence of the article is
dropped: navigation and menu text, bylines and sign-offs, dates and
"Updated" lines, view/comment counters, photo captions and credits, share
buttons, copyright and reprint notices, ads, cookie and newsletter prompts,
author bios, readers' comments, and lists of other stories ("Latest
Stories", "Most Read", ...). A deck printed under the headline and section
titles are kept, each as one unsplit line.

Normalization (what ``normalize_text`` guarantees, and what the fixtures in
``data/raw/*.expected.txt`` are written in):

* Unicode NFKC (full-width forms, ligatures, NBSP, "…" -> "...");
* circled c (``ⓒ``/``Ⓒ``) becomes ``©`` rather than NFKC's plain ``c``;
* curly quotes and apostrophes are straightened to ``"`` and ``'``;
* zero-width characters and soft hyphens removed, whitespace collapsed;
* em/en dashes are kept as they are.

Beyond normalization the text path also drops a few pieces of article
furniture that sit *inside* paragraphs: wire datelines ("SEOUL, Feb. 27
(Yonhap) -- "), end marks ("-0-", "(END)"), leading list enumerators
("1. ", "- ", "•") and leading headline tags ("[Editorial] ", "(LEAD) ").

Nothing is computed at import time beyond compiling regular expressions;
trafilatura, lxml and pysbd are imported lazily so that
``normalize_text``/``is_debris`` stay cheap to use. trafilatura needs
``lxml_html_clean`` (lxml >= 5.2 split it out); without it the HTML path
falls back to a plain lxml extractor.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "normalize_text",
    "split_sentences",
    "extract_article",
    "is_debris",
    "debris_class",
    "looks_like_html",
    "evaluate_fixture",
    "evaluate_dir",
]

# --------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_PRE_NFKC = str.maketrans({"\u24d2": "\u00a9", "\u24b8": "\u00a9"})  # ⓒ Ⓒ -> ©
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Normalize one sentence or line so equal text compares equal.

    NFKC folds the many look-alike code points web pages carry; quotes are
    straightened because sources mix curly and straight quotes freely and the
    classifier should not see the difference.
    """
    text = text.translate(_PRE_NFKC)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_ZERO_WIDTH).translate(_QUOTES)
    return _WS.sub(" ", text).strip()


# --------------------------------------------------------------------------
# Sentence segmentation
# --------------------------------------------------------------------------

# Titles and abbreviations that never end an English news sentence: a split
# right after one of them is a segmentation error and gets undone.
_NEVER_FINAL = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "gen",
    "lt",
    "col",
    "maj",
    "capt",
    "cpt",
    "sgt",
    "adm",
    "cmdr",
    "gov",
    "sen",
    "rep",
    "rev",
    "hon",
    "pres",
    "amb",
    "vs",
    "e.g",
    "i.e",
    "cf",
    "approx",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_ENUM = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|[-•·▪‣◦*])\s+(?=\S)")
_ONLY_ENUM = re.compile(r"^\s*\(?\d{1,2}[.)]\s*$")
_TERMINAL = re.compile(r"[.!?:;…][\"')\]]*$|[\"'][.!?]$")


@functools.lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd  # lazy: keep import of this module cheap

    return pysbd.Segmenter(language="en", clean=False)


def _strip_enum(text: str) -> str:
    return _ENUM.sub("", text, count=1)


def _split_paragraph(par: str) -> list[str]:
    pieces = [p.strip() for p in _segmenter().segment(par)]
    out: list[str] = []
    pending_enum = False
    for piece in pieces:
        if not piece:
            continue
        if _ONLY_ENUM.match(piece):  # a stray "2." between list items
            pending_enum = True
            continue
        if out and not pending_enum:
            last_word = out[-1].rsplit(" ", 1)[-1].rstrip(".").lower()
            # Undo splits after titles ("Gen.") and before lower-case text.
            after_title = out[-1].endswith(".") and (
                last_word in _NEVER_FINAL or (last_word in ("no", "nos") and piece[0].isdigit())
            )
            if after_title or piece[0].islower():
                out[-1] = f"{out[-1]} {piece}"
                continue
        pending_enum = False
        out.append(_strip_enum(piece))
    return [s for s in out if s]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; each line is treated as its own paragraph.

    pysbd handles abbreviations (U.S., Gen., e.g., No. 1), decimals and
    quotes with the full stop inside; on top of it, list enumerators are
    stripped and splits after titles are undone. Lines are never merged:
    callers that have hard-wrapped text should unwrap it first
    (``extract_article`` does).
    """
    sentences: list[str] = []
    for line in text.splitlines():
        par = _strip_enum(normalize_text(line))
        if par:
            sentences.extend(_split_paragraph(par))
    return sentences


# --------------------------------------------------------------------------
# Debris (boilerplate) line classes
# --------------------------------------------------------------------------

_MONTHS = (
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_DATE_WORDS = set(_MONTHS) | set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
    "published updated update input modified edited posted last date time am pm a.m p.m "
    "gmt utc kst jst est edt bst cet msk min mins minute minutes read reading ago hour hours "
    "day days week weeks on at and juche written registered sent".split()
)
_SHARE_WORDS = set(
    "share shares sharing facebook twitter x kakaotalk kakao kakaostory band linkedin whatsapp "
    "reddit telegram line naver blog pinterest tumblr email e-mail mail print copy copied link "
    "url send to friend this article page it on via save bookmark scrap a+ a- font size "
    "tweet messenger sns more".split()
)
_NAV_SINGLE = set(
    "menu search login logout home donate close open more next previous prev top back "
    "subscribe register accept reply report like likes translate language languages".split()
)

_RE_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RE_HANDLE = re.compile(r"(?:^|\s)@\w{3,}")
_RE_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_RE_PHONE = re.compile(r"\b(?:tel|fax)\b\.?|\bphone\s*:|\b\d{2,4}-\d{3,4}-\d{4}\b", re.I)

_RE_NAV = re.compile(
    r"^(?:quick access to|skip to|skip navigation|go to (?:the )?(?:main|menu|content|top)|"
    r"jump to|back to top|move to|go to top|open menu|close menu|main menu|toggle navigation)\b",
    re.I,
)
_RE_BREADCRUMB = re.compile(r"\s(?:>|›|»|/)\s")
_RE_BYLINE = re.compile(
    r"^(?i:by|written by|reported by|posted by|commentary by|analysis by|words by|"
    r"reporter|reporters|correspondent|staff writer|staff reporter|editor|writer)\b\s*[:=]?\s*"
    r"(?=[A-Z\u3131-\uD7A3])",
)
_RE_BYLINE_TAIL = re.compile(
    r"(?:,|\s)\s*(?:staff )?(?:reporter|correspondent|writer|editor|contributor)s?\s*$", re.I
)
_RE_CONTRIB = re.compile(
    r"\bcontributed (?:reporting|to this (?:report|story|article))\b|"
    r"\b(?:reporting by|editing by|additional reporting(?: by)?)\b",
    re.I,
)
_RE_REPORTED_FROM = re.compile(r"\breported from\b", re.I)
_RE_WRITER_NOTE = re.compile(
    r"^[-—–*(]*\s*(?:the )?(?:writer|author|columnist|contributor)s? (?:is|are|was|were|served)\b", re.I
)
_RE_COUNTER = re.compile(
    r"^(?:views?|hits?|reads?|comments?|replies|reply|likes?|shares?|reactions?|"
    r"recommend(?:ations)?|votes?)\s*[:(]?\s*[\d,.]*\s*k?\)?$|"
    r"^[\d,.]+k?\s*(?:views?|comments?|likes?|shares?|replies|reads?)$",
    re.I,
)
_RE_COMMENTS = re.compile(
    r"^(?:join the (?:conversation|discussion|debate)|show (?:more|all) comments|view (?:all )?comments|"
    r"load more(?: comments)?|leave a (?:comment|reply)|post a comment|add a comment|"
    r"please log ?in to (?:leave a )?comment|comments? (?:are|is) closed)\b",
    re.I,
)
_RE_CAPTION_START = re.compile(
    r"^(?:[△▲▶►■□◆◇●○※▷▽▼]|(?:photos?|images?|pictures?|photograph|video|graphic|illustration|"
    r"file photo|source|credits?)\s*(?:by\b|=|:|-\s|—)|courtesy of\b|"
    r"\[(?:photo|image|video|graphic)\b|\((?:photo|image)\b)",
    re.I,
)
_RE_CAPTION_END = re.compile(
    r"(?:[\[(][^\[\]()]*\b(?:photos?|images?|pictures?|source\s*[=:]|credits?|courtesy|"
    r"file photo|yonhap|kcna|afp|ap|reuters|epa|getty(?: images)?|xinhua|tass|"
    r"sputnik|newsis|news1)\b[^\[\]()]*[\])]|[\[(]\s*©[^\[\]()]*[\])]|"
    r"\b(?:credit|photo|picture|image)s?\s*:\s*[\w /.&-]{2,40}|"
    r"\b[A-Z]{2,}(?:[- ][A-Z]{2,})*/[A-Z][\w .'-]{1,40}|\bvia Getty Images|\bGetty Images)\s*$",
    re.I,
)
_RE_COPYRIGHT = re.compile(
    r"©|\bcopyright\b|\(c\)\s*\d{4}|\ball rights reserved\b|\breprint(?:ing)?\b.*\bprohibited\b|"
    r"\bredistribution\b.*\bprohibited\b|\bunauthori[sz]ed (?:reproduction|copying|use)\b|"
    r"\bmay not be (?:re)?(?:published|reproduced|broadcast|redistributed)\b",
    re.I,
)
_RE_RELATED_HEADER = re.compile(
    r"^(?:the )?(?:latest|top|most|more|related|popular|trending|recommended|featured|"
    r"editor'?s'?|weekly|daily|monthly|today'?s|hot|breaking|other|similar|also|further|"
    r"you may|you might|we recommend|don'?t miss|read|see|watch|explore|must)\b"
    r"[\w' &-]{0,40}?\b(?:stories|story|articles?|news|headlines|reads?|read|viewed|popular|"
    r"shared|commented|coverage|content|posts?|picks?|like|links|videos?|best|reading|"
    r"also|now|more|updates|this|topics|research)"
    r"(?:\s+(?:in|on|from|about)\s+[\w' -]+)?\s*:?\s*$",
    re.I,
)
# "MORE IN WORLD", "Latest from Asia", "Trending"
_RE_RELATED_SHORT = re.compile(
    r"^(?:(?:more|latest|top|trending|popular)\s+(?:in|on|from|about)\s+[\w' &-]+|"
    r"(?:trending|related|latest|popular|recommended)(?: now)?|(?:news|live) (?:feed|ticker|line)|"
    r"all (?:news|headlines|stories))\s*:?\s*$",
    re.I,
)
_RE_PROMO = re.compile(
    r"^(?:read more|read also|also read|see also|related|more|watch|listen|recommended|"
    r"sponsored|advertisement|promoted)\s*:\s*\S",
    re.I,
)
_RE_AD = re.compile(
    r"^(?:advertisement|advertising|ad|sponsored(?: content)?|promoted|scroll to continue(?: with content)?|"
    r"story continues below(?: advertisement)?|continue reading(?: below)?)$",
    re.I,
)
_RE_COOKIE = re.compile(r"\bcookies?\b.*\b(?:use|accept|consent|policy|settings|preferences|agree)\b", re.I)
_RE_NEWSLETTER = re.compile(
    r"\bnewsletters?\b|^(?:subscribe|sign up|sign in|log ?in|register|get our|join our|"
    r"follow us|download (?:the|our) app|get the app|type your|enter your)\b",
    re.I,
)
# "Thanks for reading X! Subscribe for free ...": end-of-post prompts
_RE_SUBSCRIBE_PROMPT = re.compile(
    r"^(?:thanks?(?: you)? for reading|(?:subscribe|sign up)\b.*\b(?:free|posts|updates|inbox|support)\b|"
    r"(?:follow|find) [\w ]{0,30}\bon (?:telegram|twitter|x|facebook|instagram|youtube|vk))",
    re.I,
)
_RE_FOOTER_LINKS = re.compile(
    r"^(?:about us|contact us|privacy(?: policy)?|terms(?: of (?:use|service))?|cookie (?:policy|settings)|"
    r"accessibility(?: statement)?|careers|advertise(?: with us)?|sitemap|rss|faq|help)$",
    re.I,
)
_RE_TAGS = re.compile(r"^(?:topics?|tags?|keywords?|filed under|categories|category|section)\s*:", re.I)
_RE_DOWNLOAD = re.compile(r"^(?:download|print|listen to|watch|play)\b", re.I)
_RE_SEPARATOR = re.compile(r"^[\W_]+$|^-0-$|^\(?end\)?$", re.I)
_RE_TICKER = re.compile(r"[▲▼]\s*[\d.,]+%")

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

    if _RE_SEPARATOR.match(line):
        return "separator"
    checks: list[tuple[str, bool]] = [
        ("navigation", bool(_RE_NAV.match(line) or lower in _NAV_SINGLE or _RE_FOOTER_LINKS.match(line))),
        ("ad", bool(_RE_AD.match(line))),
        ("comments", bool(_RE_COMMENTS.match(line))),
        ("counter", bool(_RE_COUNTER.match(line))),
        ("date", _is_date_line(line)),
        ("share", _is_share_line(line)),
        ("related", _is_related_header(line) or bool(_RE_PROMO.match(line))),
        ("tags", bool(_RE_TAGS.match(line))),
        (
            "contact",
            n <= 30 and bool(_RE_EMAIL.search(line) or _RE_HANDLE.search(line) or _RE_URL.search(line)),
        ),
        ("copyright", n <= 40 and bool(_RE_COPYRIGHT.search(line))),
        ("caption", bool(_RE_CAPTION_START.match(line) or _RE_CAPTION_END.search(line))),
        (
            "byline",
            (n <= 15 and bool(_RE_BYLINE.match(line)) and not _ends_terminal(line.rstrip(")")))
            or (n <= 8 and bool(_RE_BYLINE_TAIL.search(line))),
        ),
        (
            "credit",
            (n <= 20 and bool(_RE_CONTRIB.search(line))) or (n <= 8 and bool(_RE_REPORTED_FROM.search(line))),
        ),
        ("bio", n <= 40 and bool(_RE_WRITER_NOTE.match(line))),
        ("cookie", n <= 40 and bool(_RE_COOKIE.search(line))),
        (
            "newsletter",
            (n <= 12 and bool(_RE_NEWSLETTER.search(line)))
            or (n <= 30 and bool(_RE_SUBSCRIBE_PROMPT.search(line))),
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


# --------------------------------------------------------------------------
# Paragraph-level cleanup
# --------------------------------------------------------------------------

_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_CITY = r"[A-Z][\w.'-]*(?:[ /][A-Z][\w.'-]*){0,3}"  # SEOUL, Pyongyang, KYIV/SEOUL
_REGION = r"(?:, [A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}){0,2}"  # , Russia
_DATE = rf"{_MONTH_ABBR} \d{{1,2}}\.?"  # Sept. 13 / December 4.
_RE_DATELINE = re.compile(
    "^(?:"
    # SEOUL, Feb. 27 (Yonhap) --   /   MOSCOW (AP) —
    rf"{_CITY}{_REGION}(?:,? {_DATE})? ?\([A-Z][\w.&/ -]{{0,30}}\) ?(?:--|-|—|–)"
    # MOSCOW, December 4. /TASS/.
    rf"|{_CITY}{_REGION},? {_DATE} ?/[A-Z][\w.& -]{{0,20}}/\.?"
    # KYIV/SEOUL, Nov. 5 --   (no agency: all-caps city and a date required)
    rf"|[A-Z]{{2,}}(?:[ /-][A-Z]{{2,}}){{0,3}}{_REGION},? {_DATE} ?(?:--|—|–)"
    # SEOUL -- (all-caps city, double dash)
    r"|[A-Z]{3,}(?:[ /-][A-Z]{2,}){0,3} (?:--|—)"
    ")\\s*(?=[\"'A-Z])"
)
_RE_END_MARK = re.compile(r"\s*(?:-0-|\(END\)|\(end\)|/end)\s*$")
# "[Editorial] ...", "(LEAD) ...", "(2nd LD) ...", "(News Focus) ..."
_RE_LEAD_TAG = re.compile(
    r"^(?:\[[A-Za-z0-9][A-Za-z0-9' &-]{1,30}\]|"
    r"\((?:[A-Z][A-Za-z']*|\d+(?:st|nd|rd|th))(?: (?:[A-Z][A-Za-z']*|\d+(?:st|nd|rd|th))){0,2}\))\s*(?=\S)"
)


def _clean_paragraph(par: str) -> str:
    par = _RE_DATELINE.sub("", par, count=1)
    par = _RE_END_MARK.sub("", par)
    par = _RE_LEAD_TAG.sub("", par, count=1)
    return _strip_enum(par).strip()


# --------------------------------------------------------------------------
# Plain-text structure: unwrapping, names, context filter
# --------------------------------------------------------------------------


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


def _sentences_from_paragraphs(headline: str | None, pars: list[str]) -> list[str]:
    out: list[str] = []
    if headline:
        head = _clean_paragraph(normalize_text(headline))
        if head:
            out.append(head)
    for par in pars:
        par = _clean_paragraph(par)
        if not par:
            continue
        if _is_title_like(par) and not re.search(r"[.!?][\"')\]]*$", par):
            out.append(par)  # subheading: one unit, never split ("N. Korea ...")
        else:
            out.extend(_split_paragraph(par))
    return [s for s in out if s]


def _text_article(text: str, headline: str | None = None, names: Iterable[str] = ()) -> list[str]:
    pars = _paragraphs(text)
    all_names = set(names) | _byline_names(pars)
    head, body = _filter_paragraphs(pars, headline, all_names)
    return _sentences_from_paragraphs(head, body)


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_RE_HTML = re.compile(r"<(?:!doctype|html|head|body|div|p|article|br|span|table|meta)\b", re.I)


def looks_like_html(raw: str) -> bool:
    """Cheap sniff: markup tags near the top of the document."""
    return bool(_RE_HTML.search(raw[:5000]))


_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "figcaption",
    "dd",
    "dt",
    "pre",
)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "figure",
    "iframe",
    "svg",
    "button",
    "select",
    "textarea",
    "template",
)


# class/id words of page chrome, dropped by the no-trafilatura fallback
_RE_CHROME_ATTR = re.compile(
    r"\b(?:comments?|reply|share|social|sns|related|trending|popular|ranking|sidebar|"
    r"widget|ad|ads|advert\w*|promo\w*|newsletter|cookie\w*|footer|nav\w*|menu|gnb|"
    r"breadcrumb|tags?|ticker|byline|author-bio)\b"
)


def _html_tree(raw: str) -> Any:
    import lxml.html

    return lxml.html.document_fromstring(raw.encode("utf-8") if isinstance(raw, str) else raw)


def _html_headline(tree: Any, md_title: str | None) -> str | None:
    """Article headline: trafilatura's title, else og:title, else the first <h1>.

    trafilatura's title prefers og:title/<h1> and strips the site name that
    <title> usually carries; the raw meta tags and <h1> are fallbacks.
    """
    candidates: list[str] = [md_title] if md_title else []
    for xp in ('//meta[@property="og:title"]/@content', '//meta[@name="twitter:title"]/@content'):
        candidates += [str(v) for v in tree.xpath(xp)]
    candidates += [h.text_content() for h in tree.xpath("//h1")]
    for cand in candidates:
        cand = normalize_text(cand)
        if len(_words(cand)) >= 3:
            return cand
    return None


_RE_DECK_ATTR = re.compile(
    r"(?:^|[\s_-])(?:lead|deck|dek|standfirst|sub-?title|subhead(?:line)?|summary|strapline)(?:$|[\s_-])"
)


def _html_deck(tree: Any) -> str | None:
    """The deck/standfirst printed under the <h1>, which trafilatura drops.

    Only looked for in the headline's own header block, after the <h1>, in
    elements whose class names it (lead, deck, standfirst, subtitle, ...).
    """
    h1s = tree.xpath("//h1")
    if not h1s:
        return None
    h1 = h1s[0]
    container = h1.getparent()
    for _ in range(2):
        if container is None:
            return None
        after = False
        for el in container.iter():
            if el is h1:
                after = True
                continue
            if not after or not isinstance(el.tag, str):
                continue
            marks = f"{el.get('class', '')} {el.get('id', '')}".lower()
            if _RE_DECK_ATTR.search(marks):
                text = normalize_text(el.text_content())
                if 5 <= len(_words(text)) <= 60 and not is_debris(text):
                    return text
        container = container.getparent()
    return None


def _html_fallback_text(tree: Any) -> str:
    """Text of the page minus obvious chrome, one block per line (no trafilatura)."""
    import copy

    tree = copy.deepcopy(tree)
    for el in tree.xpath("|".join(f"//{t}" for t in _DROP_TAGS)):
        el.drop_tree()
    page_chars = len(tree.text_content()) or 1
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}".lower()
        # never drop a wrapper holding most of the page (a "share-enabled" body)
        if _RE_CHROME_ATTR.search(marks) and len(el.text_content()) < 0.5 * page_chars:
            el.drop_tree()
    for el in tree.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    body = tree.find("body")
    return (body if body is not None else tree).text_content()


def _page_lines(tree: Any) -> list[str]:
    import copy

    tree = copy.deepcopy(tree)
    for el in tree.xpath("//script|//style|//noscript"):
        el.drop_tree()
    for el in tree.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return [ln for ln in tree.text_content().split("\n") if ln.strip()]


def _trafilatura_text(raw: str) -> tuple[str | None, str | None, list[str]]:
    """(text, title, authors) from trafilatura, or (None, None, []) if unavailable."""
    try:
        import trafilatura
        from trafilatura.settings import use_config
    except ImportError:  # e.g. lxml_html_clean missing: fall back to lxml
        return None, None, []
    config = use_config()
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # signal-based timeout breaks in threads
    text = trafilatura.extract(
        raw,
        output_format="txt",
        include_comments=False,  # reader comments are not the article
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=False,
        config=config,
    )
    meta = trafilatura.extract_metadata(raw)
    title = meta.title if meta is not None else None
    authors: list[str] = []
    if meta is not None and meta.author:
        authors = [a.strip() for a in meta.author.split(";") if len(a.split()) >= 2]
    return text, title, authors


def _html_article(raw: str) -> list[str]:
    tree = _html_tree(raw)
    text, md_title, authors = _trafilatura_text(raw)
    headline = _html_headline(tree, md_title)
    names = set(authors) | _byline_names(_page_lines(tree))
    if not text or len(_words(text)) < 30:
        text = _html_fallback_text(tree)
    deck = _html_deck(tree)
    if deck and deck.lower() not in normalize_text(text).lower():
        text = f"{deck}\n{text}"
    return _text_article(text, headline=headline, names=names)


# --------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------


def extract_article(raw: str | bytes, *, is_html: bool | None = None) -> list[str]:
    """Return the article's sentences, headline first, debris removed.

    HTML goes through trafilatura (main-content extraction, comments and
    tables off) with the headline recovered from og:title/<h1> and the deck
    from the headline block; its output,
    like plain text, then passes the line-level debris filter, because
    trafilatura keeps captions, sign-offs and, on table layouts, menus.
    """
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if is_html is None:
        is_html = looks_like_html(raw)
    return _html_article(raw) if is_html else _text_article(raw)


# --------------------------------------------------------------------------
# Measurement (shared by tests/test_ingest.py and benchmarks/ingest_eval.py)
# --------------------------------------------------------------------------


def evaluate_fixture(raw_path: str | Path, expected_path: str | Path | None = None) -> dict[str, Any]:
    """Compare extract_article(raw) with the expected sentence list.

    recall: share of expected sentences found verbatim (after normalization)
    in the output; debris: output sentences not in the expected list (junk
    kept, or a sentence cut or merged wrongly). Multisets, so duplicates count.
    """
    raw_path = Path(raw_path)
    if expected_path is None:
        expected_path = raw_path.with_name(raw_path.name.split(".")[0] + ".expected.txt")
    expected = [normalize_text(ln) for ln in Path(expected_path).read_text(encoding="utf-8").splitlines()]
    expected = [ln for ln in expected if ln]
    output = [normalize_text(s) for s in extract_article(raw_path.read_text(encoding="utf-8"))]
    exp_c, out_c = Counter(expected), Counter(output)
    matched = sum((exp_c & out_c).values())
    return {
        "name": raw_path.name.split(".")[0],
        "kind": "html" if raw_path.suffix.lower() in (".html", ".htm") else "txt",
        "expected": len(expected),
        "output": len(output),
        "matched": matched,
        "recall": matched / len(expected) if expected else 1.0,
        "debris": len(output) - matched,
        "debris_rate": (len(output) - matched) / len(output) if output else 0.0,
        "missing": sorted((exp_c - out_c).elements(), key=expected.index),
        "extra": _excess(output, out_c - exp_c),
    }


def _excess(output: list[str], extra: Counter[str]) -> list[str]:
    """Output sentences beyond what the expected list accounts for, in order."""
    left = Counter(extra)
    kept = []
    for s in reversed(output):  # the later copy of a duplicate is the extra one
        if left[s] > 0:
            left[s] -= 1
            kept.append(s)
    return kept[::-1]


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    exp = sum(r["expected"] for r in rows)
    out = sum(r["output"] for r in rows)
    matched = sum(r["matched"] for r in rows)
    return {
        "fixtures": len(rows),
        "expected": exp,
        "output": out,
        "matched": matched,
        "recall": matched / exp if exp else 1.0,
        "debris_rate": (out - matched) / out if out else 0.0,
    }


def evaluate_dir(raw_dir: str | Path = "data/raw") -> dict[str, Any]:
    """Evaluate every ``<name>.{html,txt}`` with a ``<name>.expected.txt``.

    Totals are pooled over sentences, for all fixtures, the original ones and
    the held-out ones (``heldout_*``) separately.
    """
    raw_dir = Path(raw_dir)
    rows = []
    for path in sorted(raw_dir.iterdir()):
        if path.suffix.lower() not in (".html", ".htm", ".txt") or path.name.endswith(".expected.txt"):
            continue
        exp = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.txt")
        if exp.exists():
            rows.append(evaluate_fixture(path, exp))
    original = [r for r in rows if not r["name"].startswith("heldout_")]
    heldout = [r for r in rows if r["name"].startswith("heldout_")]
    return {
        "fixtures": rows,
        "totals": {"all": _totals(rows), "original": _totals(original), "heldout": _totals(heldout)},
    }
