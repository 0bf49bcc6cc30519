"""Plain text to paragraphs: hard wraps undone, quote marks and shortcodes taken off.

A pasted page, a scraper's dump or what the HTML path extracted arrives as
lines; a paragraph is what a reader sees as one block. The line classifier
judges paragraphs, so a wrap left in cuts a sentence in two and a wrong join
glues a title to its deck.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from framing.ingest.debris import _ends_terminal, debris_class, is_debris
from framing.ingest.normalize import normalize_text
from framing.ingest.segment import _NEVER_FINAL, _RE_DATELINE


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
# "[00:02:15] Let me be direct ...": a transcript's time code before a sentence (not before a speaker's name)
_RE_LEAD_CUE = re.compile(rf"^[\[(]{_TIME}[\])]\s+(?=\S*[a-z])")


# A WordPress caption shortcode, whole: a scraper wraps its <img ...> markup over several lines
_RE_CAPTION_CODE = re.compile(r"\[caption\b[^\]]{0,500}\].{0,1500}?\[/caption\]", re.S | re.I)
# a chat export's bold (Markdown's "**", and Slack's "*" or "_" around a whole line), in plain text
_RE_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*|^([*_])(\S(?:.*\S)?)\2$")
_RE_QUOTE_MARK = re.compile(r"^(?:[ \t]*>)+[ \t]?")


_RE_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$")  # "2", "page 2 of 5", "2/5"


def _drop_running_heads(lines: list[str]) -> list[str]:
    """Lines without a printed page's break inside a sentence: its page number and running head.

    pdftotext prints "... 152 mm and 122 mm" / "2" / "Counting the Shells | Policy Brief No. 7" /
    "ammunition. Because ..." where a page ends mid-sentence. A block of blank lines, page numbers and
    lines printed more than once (the running head) between a line without a final stop and one that
    goes on in lower case is taken out, so the two halves meet.
    """
    texts = [normalize_text(ln) for ln in lines]  # a form feed is whitespace to it
    counts = Counter(t.lower() for t in texts if t)
    furniture = [not t or _RE_PAGE_NUMBER.match(t.lower()) is not None
                 or (counts[t.lower()] >= 2 and len(t.split()) <= 15) for t in texts]
    keep: list[int] = []  # indices of the lines that stay
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and furniture[j]:
            j += 1
        head = texts[keep[-1]] if keep else ""
        tail = texts[j] if j < len(lines) else ""
        printed = any(texts[i:j])  # not only blank lines
        prose = len(head) >= 30 and len(tail) >= 20  # halves of a wrapped sentence, not a button and a name
        if j > i and printed and prose and not _ends_terminal(head) and tail[:1].islower():
            i = j  # the page break inside a sentence goes
            continue
        keep.extend(range(i, max(j, i + 1)))
        i = max(j, i + 1)
    return [lines[k] for k in keep]


# inline tags a raw CMS dump leaves in its text ("<strong>Arms, food and technology</strong>")
_RE_INLINE_TAG = re.compile(r"</?(?:strong|em|b|i|u|span)(?:\s[^<>]*)?>", re.I)


# a raw wire feed's format codes around a line: "^North Korea has shipped ...<", "^By PARK SUNG-HO=" (ANPA)
_RE_WIRE_CODES = re.compile(r"^\^(?=\S)|(?<=\S)[<=]$")


def _markup_off(line: str) -> str:
    """A plain-text line as a reader sees it: inline tags and character entities ("&nbsp;") of a raw dump gone,
    and a wire feed's format codes."""
    if "<" in line:
        line = _RE_INLINE_TAG.sub("", line)
    if "&" in line:
        line = html.unescape(line)
    line = normalize_text(line)
    return _RE_WIRE_CODES.sub("", line) if line.startswith("^") else line


def _unquote(lines: list[str]) -> list[str]:
    """Lines without an e-mail's quote marks ("> > text"), where they run over ten lines or more.

    A forwarded story sits behind "> " on every line, a bare ">" for its blank lines; a reply's few
    quoted lines (a newsgroup post quoting the one before, a chat quoting the story) keep their marks:
    they quote the story, they are not the story.
    """
    quoted = [bool(_RE_QUOTE_MARK.match(ln)) for ln in lines]
    out = list(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and quoted[j]:
            j += 1
        if j - i >= 10:
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
    lines = _drop_running_heads(_unquote([ln.rstrip() for ln in text.split("\n")]))
    width = _wrap_width(lines)
    hyphenated = {w.lower() for w in _RE_HYPHENATED.findall(text)}
    pars: list[str] = []
    last_raw: str | None = None  # previous line, if directly adjacent (no blank line)
    for at, raw_line in enumerate(lines):
        line = _RE_LEAD_CUE.sub("", _RE_BOLD.sub(lambda m: m.group(1) or m.group(3), _markup_off(raw_line)))
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
                    and re.search(r"\w[.!?][\"')]?\d{0,2}$", line) is not None)  # "crastination.4": a footnote mark
            if ((wrapped or lower or dangling) and not is_debris(pars[-1])
                    and (tail or debris_class(line) in (None, "short")) and not _RE_DATELINE.match(line)):
                hyphen = re.search(r"[a-z]-$", pars[-1]) and line[0].islower()  # "prede-" + "cessor"
                if hyphen and _compound(pars[-1], line, hyphenated):
                    pars[-1] = f"{pars[-1]}{line}"  # "short-" + "range": the hyphen is the word's own
                else:
                    pars[-1] = f"{pars[-1][:-1]}{line}" if hyphen else f"{pars[-1]} {line}"
                last_raw = raw_line
                continue
            if lower and len(line.split()) <= 8 and debris_class(pars[-1]) == "related":
                pars[-1] = f"{pars[-1]} {line}"  # a promo's wrapped tail ("READ MORE: ... nears" + "third winter")
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
_RE_TAIL = re.compile(r"(?<=[.!?\"')])(?:\s+(?:\d{1,3}/\d{1,3}|pic\.\S+|https?://\S+|[\w-]+\.[a-z]{2,}/\S*|\(edited\)))+$")
_RE_EDIT = re.compile(r"\s*\[edit\]$")  # a wiki section title's edit link


def _strip_tail(par: str) -> str:
    return _RE_EDIT.sub("", _RE_TAIL.sub("", par))
