"""Plain-text structure: unwrapping, author names and the context filter.

Works on the paragraphs of a text (pasted, scraped, or what the HTML path
extracted) and decides with context what ``debris`` cannot decide from one
line alone: hard wraps, the headline, story lists after a "Latest Stories"
header, readers' comments, author sign-offs and bios.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from framing.ingest.classifier import load_model
from framing.ingest.debris import (
    _ends_terminal,
    _is_prose,
    _is_related_header,
    _is_title_like,
    _words,
    debris_class,
    is_debris,
)
from framing.ingest.features import LineContext, page_features
from framing.ingest.normalize import normalize_text
from framing.ingest.segment import _NEVER_FINAL, _RE_DATELINE, _clean_paragraph


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
    if best is None:
        return None
    # A crude scrape's menu (one short item per line) can outnumber the wrapped body; then the lines long
    # enough to wrap count, if few (a tenth) run past the width, as a forum's title bars do; pasted paragraphs
    # mostly do.
    longer = sum(1 for x in lengths if x > best + 8)
    wrappable = sum(1 for x in lengths if x >= 30)
    needed = 0.3 * (wrappable if longer <= max(2, 0.1 * wrappable) else len(lengths))
    if best_count < max(4, needed):
        return None
    band = [ln for ln in lines if ln.strip() and best - 12 <= len(ln) <= best]
    open_ended = sum(1 for ln in band if not _ends_terminal(ln.strip()))
    if open_ended < 0.5 * len(band):
        return None
    return max(len(ln) for ln in band)


_DANGLING = set("the a an of and or across between into than".split())  # "allowed in", "agreed to" end titles
# A line that is only a time code: a subtitle cue's start ("0:07", "[00:01:12]") or an .srt span
_TIME = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"
_RE_CUE = re.compile(rf"^[\[(]?{_TIME}(?:\s*-->\s*{_TIME})?[\])]?$")


# A WordPress caption shortcode, whole: a scraper wraps its <img ...> markup over several lines
_RE_CAPTION_CODE = re.compile(r"\[caption\b[^\]]{0,500}\].{0,1500}?\[/caption\]", re.S | re.I)
_RE_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")  # a chat export's or a Markdown note's bold, in plain text
_RE_QUOTE_MARK = re.compile(r"^(?:[ \t]*>)+[ \t]?")


def _unquote(lines: list[str]) -> list[str]:
    """Lines without an e-mail's quote marks ("> > text"), where they run over three lines or more.

    A forwarded story sits behind "> " on every line, a bare ">" for its blank lines; a chat's one
    quoted line keeps its mark (it quotes the story, it is not the story).
    """
    quoted = [bool(_RE_QUOTE_MARK.match(ln)) for ln in lines]
    out = list(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and quoted[j]:
            j += 1
        if j - i >= 3:
            out[i:j] = [_RE_QUOTE_MARK.sub("", ln) for ln in lines[i:j]]
        i = max(j, i + 1)
    return out


def _paragraphs(text: str) -> list[str]:
    """Split text into normalized paragraphs, undoing hard wraps.

    A line continues the previous one when the text is hard-wrapped and the
    previous line was full (its successor's first word would not have fit),
    when it starts in lower case after a line with no final punctuation
    (a sentence broken by a stray <br> or a crude scraper), or when the
    previous line ends in a word no title or sentence ends in ("... across the",
    "... with Ambassador Dr.").
    A line that opens with a wire dateline always starts a paragraph. A
    transcript's time codes sit between the pieces of one sentence ("... road
    bridge" / "0:07" / "across the Tumen River, ..."), so a time-code line in
    a run of cues is left out and the lines around it are judged as adjacent.
    An e-mail's quote marks are taken off, and a WordPress caption shortcode
    is dropped whole, however a scraper wrapped it.
    """
    text = _RE_CAPTION_CODE.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = _unquote([ln.rstrip() for ln in text.split("\n")])
    width = _wrap_width(lines)
    hyphenated = {w.lower() for w in _RE_HYPHENATED.findall(text)}
    pars: list[str] = []
    last_raw: str | None = None  # previous line, if directly adjacent (no blank line)
    for at, raw_line in enumerate(lines):
        line = _RE_BOLD.sub(r"\1", normalize_text(raw_line))
        if not line:
            last_raw = None
            continue
        if last_raw is not None and _in_cue_run(lines, at):
            continue
        if last_raw is not None and pars:
            first = line.split(" ", 1)[0]
            # the detected width is the longest line of the band; a writer's real limit can sit a little off it
            wrapped = width is not None and len(last_raw) <= width + 8 and len(last_raw) + 1 + len(first) > width - 3
            lower = line[0].islower() and not _ends_terminal(pars[-1])
            # a line in capitals ending "OF" runs on only into more capitals: an index title ("KOREA, DEMOCRATIC
            # PEOPLE'S REPUBLIC OF") is whole above a sentence
            end = pars[-1].rsplit(" ", 1)[-1]
            dangling = (end.lower() in _DANGLING and len(pars[-1].split()) >= 4
                        and (not end.isupper() or line.isupper()))
            dangling = dangling or (end.endswith(".") and end[:-1].lower() in _NEVER_FINAL)  # "Ambassador Dr."
            # A wrap never runs into a byline, a date line or a dateline; a short tail
            # ("Okinawa.", "1959.", "at late 2026.") only looks like debris out of context.
            tail = (wrapped and not _ends_terminal(pars[-1]) and len(line.split()) <= 4
                    and re.search(r"\w[.!?][\"')]?$", line) is not None)
            if ((wrapped or lower or dangling) and not is_debris(pars[-1])
                    and (tail or debris_class(line) in (None, "short")) and not _RE_DATELINE.match(line)):
                hyphen = re.search(r"[a-z]-$", pars[-1]) and line[0].islower()  # "prede-" + "cessor"
                if hyphen and _compound(pars[-1], line, hyphenated):
                    pars[-1] = f"{pars[-1]}{line}"  # "short-" + "range": the hyphen is the word's own
                else:
                    pars[-1] = f"{pars[-1][:-1]}{line}" if hyphen else f"{pars[-1]} {line}"
                last_raw = raw_line
                continue
        pars.append(line)
        last_raw = raw_line
    return [_strip_tail(p) for p in pars]


_RE_HYPHENATED = re.compile(r"\b[A-Za-z]+-[a-z]+\b")
# Prefixes that make compounds, not syllables: a line ending "self-" or "short-" keeps its hyphen
_COMPOUND_HEADS = set("self non ex anti co well short long medium cross multi semi half post pre pro counter "
                      "full part high low mid two three four state".split())


def _compound(head: str, tail: str, hyphenated: set[str]) -> bool:
    """Whether "head-" + "tail" is a hyphenated compound rather than one word broken at the line end: the
    page prints the compound elsewhere unbroken, or its first part is a compound-making prefix."""
    first = head.rsplit(" ", 1)[-1][:-1]
    rest = re.match(r"[a-z]+", tail)
    return (first.lower() in _COMPOUND_HEADS
            or (rest is not None and f"{first}-{rest.group(0)}".lower() in hyphenated))


def _in_cue_run(lines: list[str], at: int) -> bool:
    """A time code between two text lines, in a run of them (cue, text, cue, ...): a transcript, not a
    video's running time printed once under its caption."""
    def cue(i: int) -> bool:
        return 0 <= i < len(lines) and bool(_RE_CUE.match(lines[i].strip()))

    return cue(at) and at + 1 < len(lines) and bool(lines[at + 1].strip()) and (cue(at - 2) or cue(at + 2))


# What posts and threads hang after a sentence: "... at the front. 4/12 pic.x.com/r8Tz2qLm"
_RE_TAIL = re.compile(r"(?<=[.!?\"')])(?:\s+(?:\d{1,3}/\d{1,3}|pic\.\S+|https?://\S+|[\w-]+\.[a-z]{2,}/\S*))+$")
_RE_EDIT = re.compile(r"\s*\[edit\]$")  # a wiki section title's edit link


def _strip_tail(par: str) -> str:
    return _RE_EDIT.sub("", _RE_TAIL.sub("", par))


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
    ...) under it; None if another line comes first. The nearest wins: a site's tagline also sits above a
    menu and the date line, but further."""
    for gap, cls in enumerate(classes[i + 1 :]):
        if cls in _HEADLINE_MARKERS:
            return gap
        if cls is None or cls == "related":
            return None
    return None


def _inner_stop(par: str) -> bool:
    """Does a sentence end inside the line ("It never went quiet. Since ...")?"""
    return bool(re.search(r"[a-z0-9][.!?][\"')]? +[\"']?[A-Z]", par))


def _line_context(
    pars: list[str], headline: str | None, names: set[str]
) -> tuple[str | None, list[LineContext], list[bool]]:
    """The rules' pass over a text's paragraphs: (headline, per-line context, the rules' keep verdict).

    ``headline`` comes from HTML metadata when there is markup; for plain
    text it is found by ``_find_headline``, and non-prose lines above it are
    page header chrome. A story-list header drops the non-prose lines after
    it; a comment counter after the article text drops the short lines after
    it (readers' comments) until a long prose paragraph. The context feeds
    the line classifier; the verdict is the fallback without one.
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
            classes[idx] = "headline"
    norm_head = normalize_text(headline).lower() if headline else None

    contexts: list[LineContext] = []
    keep: list[bool] = []
    in_list = in_comments = seen_prose = False
    for i, (par, cls) in enumerate(zip(pars, classes, strict=True)):
        prose = _is_prose(par)
        repeat = bool(norm_head) and (par.lower() == norm_head or (not seen_prose and _same_title(par, norm_head)))
        if i >= start:
            if cls == "related":
                in_list = True
            elif cls in ("comments", "counter") and seen_prose and re.search(r"comment|repl", par, re.I):
                in_comments = True  # readers' comments follow the article
            elif cls is None and in_comments and len(_words(par)) >= 40 and prose:
                in_comments = False
            elif cls is None and in_list and prose:
                in_list = False
        contexts.append(LineContext(cls if cls != "headline" else None, in_list, in_comments, i < start, repeat))
        if i < start:
            keep.append(cls is None and prose)  # prose above a plain-text headline (rare: a teaser)
            continue
        ok = cls is None and not in_comments and not repeat and not (in_list and not prose)
        seen_prose = seen_prose or (ok and prose)
        keep.append(ok)
    return headline, contexts, keep


# Rule classes that no expected line of data/raw carries: dropped whatever the classifier says (the few
# rules on top). "short", "counter", "button" and "contact" do fire on headings and stay evidence only.
_ALWAYS_DEBRIS = {
    "separator", "credit", "navigation", "ad", "share", "tags", "copyright", "caption", "byline", "bio", "cookie",
    "newsletter", "address", "ticker", "menu", "date",
}


def line_rows(
    pars: list[str], contexts: list[LineContext], headline: str | None, anchors: list[str] | None
) -> tuple[list[list[float]], list[str]]:
    """The classifier's feature rows and the lines they describe, each paragraph as it would be
    printed (dateline, end mark and headline tag removed), for fitting and inference alike."""
    shown = [_clean_paragraph(p) or p for p in pars]
    return page_features(shown, contexts, headline, anchors), shown


def _filter_paragraphs(
    pars: list[str], headline: str | None, names: set[str], anchors: list[str] | None = None
) -> tuple[str | None, list[tuple[str, bool | None]]]:
    """Drop debris paragraphs, story lists and the repeated headline.

    Returns (headline, [(paragraph, is_heading)]). The line classifier
    decides each paragraph from its features and the rules' context; the
    exact repeat of the headline is always dropped. Without a model file the
    rules' verdict stands and is_heading is None (the caller decides).
    """
    headline, contexts, keep = _line_context(pars, headline, names)
    model = load_model()
    if model is None or not pars:
        return headline, [(p, None) for p, k in zip(pars, keep, strict=True) if k]
    norm_head = normalize_text(headline).lower() if headline else None
    prose_kept = [k and _is_prose(p) for p, k in zip(pars, keep, strict=True)]
    labels = model.labels(*line_rows(pars, contexts, headline, anchors), prose_kept)
    first_article = next((i for i, label in enumerate(labels) if label == "article"), len(labels))
    # the headline's line (plain text, or HTML with a kicker); -1 when only the markup has it; 0 without one
    at = next((i for i, par in enumerate(pars) if norm_head and par.lower() == norm_head), -1 if norm_head else 0)
    body = []
    for i, (par, label) in enumerate(zip(pars, labels, strict=True)):
        if label == "debris" or (norm_head and par.lower() == norm_head) or contexts[i].rule_class in _ALWAYS_DEBRIS:
            continue
        # Several sentences stay one unit only as a deck: under the headline, before the first prose line.
        heading = label == "heading" and (not _inner_stop(par) or at < i <= first_article)
        body.append((par, heading))
    return headline, body
