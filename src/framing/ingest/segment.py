"""Sentence segmentation, and the article furniture that sits inside paragraphs.

pysbd does the splitting; this module undoes its known mistakes (splits after
titles such as "Gen.", stray list enumerators) and strips wire datelines, end
marks and headline tags from a paragraph before it is split. It decides
nothing about whether a line belongs to the article (that is ``debris``/``lines``).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from framing.ingest.normalize import normalize_text

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
    "fr",  # Father
    "msgr",
    "hon",
    "pres",
    "amb",
    "assoc",
    "brig",
    "cpl",
    "pvt",
    "retd",
    "ret",  # "Ret. Lt. Col."
    "eng",  # Engineer, a title in Lusophone and Latin American pages: "Eng. Adilson Monteiro"
    "engr",
    "st",
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
# "6 p.m. Sunday", "9 a.m. local time": a clock time ends a sentence only before a new one.
_AFTER_CLOCK = set("monday tuesday wednesday thursday friday saturday sunday local moscow seoul "
                   "pyongyang beijing tokyo et gmt utc kst jst msk cet cest bst est edt cst cdt pst pdt eet eest "
                   "wib ict".split())
# list enumerators and bullets: "2." "2)" "- ", a thread's "2/", a chat bot's quote bar "▌ "
_ENUM = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\d{1,2}/|[-•·▪‣◦*▌▍▎▏┃│])\s+(?=\S)")
_ONLY_ENUM = re.compile(r"^\s*\(?\d{1,2}[.)]\s*$")
_TERMINAL = re.compile(r"[.!?:;…][\"')\]]*$|[\"'][.!?]$")


@functools.lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd  # lazy: keep import of this module cheap

    return pysbd.Segmenter(language="en", clean=False)


def _strip_enum(text: str) -> str:
    return _ENUM.sub("", text, count=1)


# A full stop, "!" or "?" and a capital inside an open double quote: pysbd keeps a quoted passage
# whole, a careful reader (and every held-out writer) gives each quoted sentence its own line.
_QUOTED_STOP = re.compile(r"(?<=[a-z0-9)][.!?]) (?=[A-Z])")


# A quotation that ends a sentence, then one that opens the next: 'a smoking gun." "Changing ...'
_QUOTE_AFTER_QUOTE = re.compile(r'(?<=[a-z0-9)][.!?]") (?="[A-Z])')


def _split_quoted(piece: str) -> list[str]:
    out, start = [], 0
    cuts = sorted([*_QUOTED_STOP.finditer(piece), *_QUOTE_AFTER_QUOTE.finditer(piece)], key=lambda m: m.start())
    for m in cuts:
        before = piece[start : m.start()]
        last = before.rsplit(" ", 1)[-1].rstrip('."').lstrip("\"'(").lower()
        inside = piece.count('"', 0, m.start()) % 2 == 1
        if (inside if m.re is _QUOTED_STOP else not inside) and last not in _NEVER_FINAL and "." not in last:
            out.append(before)
            start = m.end()
    return [*out, piece[start:]]


def _split_paragraph(par: str) -> list[str]:
    pieces = [q.strip() for p in _segmenter().segment(par) for q in _split_quoted(p.strip())]
    out: list[str] = []
    pending_enum = False
    for piece in pieces:
        if not piece:
            continue
        if _ONLY_ENUM.match(piece):  # a stray "2." between list items
            pending_enum = True
            continue
        if out and not pending_enum:
            last_word = out[-1].rsplit(" ", 1)[-1].rstrip(".").lower().rsplit("-", 1)[-1]  # "Brig.-Gen."
            # Undo splits after titles ("Gen.") and before lower-case text.
            after_title = out[-1].endswith(".") and (
                last_word in _NEVER_FINAL
                or (last_word in ("no", "nos") and piece[0].isdigit())
                or (last_word in ("a.m", "p.m") and piece.split(" ", 1)[0].strip(",.").lower() in _AFTER_CLOCK)
            )
            # a quotation closed on a comma (",'\"") goes on: "... the word 'Pyongyang,'" Cho said.
            if after_title or piece[0].islower() or piece[0] == "-" or re.search(r",['\"]+$", out[-1]):
                out[-1] = f"{out[-1]}{'' if piece[0] == '-' else ' '}{piece}"  # "Brig." + "-Gen."
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
# Paragraph-level cleanup
# --------------------------------------------------------------------------

_MONTH_ABBR = r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*|(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEPT?|OCT|NOV|DEC)[A-Z]*)\.?"  # noqa: E501
_UP = "A-ZÀ-ÖØ-Þ"  # capitals, Latin-1 ones included (TÓRSHAVN, MALMÖ)
_CITY = rf"[{_UP}][\w.'-]*(?:[ /][{_UP}][\w.'-]*){{0,3}}"  # SEOUL, Pyongyang, KYIV/SEOUL
_REGION = r"(?:, [A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}){0,2}"  # , Russia
_DATE_MD = rf"{_MONTH_ABBR} \d{{1,2}}(?:, (?:19|20)\d\d)?\.?"  # Sept. 13 / December 4. / April 22, 2025
_DATE_DM = r"\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"  # 17 June
_DATE = rf"(?:{_DATE_MD}|{_DATE_DM})"
_RE_DATELINE = re.compile(
    "^(?:"
    # SEOUL, Feb. 27 (Yonhap) --   /   MOSCOW (AP) —   /   SEOUL, South Korea (AP) _   (a wire feed's dash)
    rf"{_CITY}{_REGION}(?:,? {_DATE})? ?\([A-Z][\w.&/ -]{{0,30}}\) ?(?:--|-|—|–|:|_)"
    # Moscow, June 19, TNA --   /   TOKYO, Oct. 20 Kyodo -   (agency without brackets)
    rf"|{_CITY}, {_DATE},? [A-Z][\w.&]{{1,15}} ?(?:--|—|–|-)"
    # MOSCOW, December 4. /TASS/.
    rf"|{_CITY}{_REGION},? {_DATE} ?/[A-Z][\w.& -]{{0,20}}/\.?(?: ?(?:--|—|–))?"
    # KYIV/SEOUL, Nov. 5 --   (no agency: all-caps city and a date required)
    rf"|[{_UP}]{{2,}}(?:[ /-][{_UP}]{{2,}}){{0,3}}{_REGION},? {_DATE} ?(?:--|—|–)"
    # SEOUL --  /  SEOUL –  /  MOSCOW:  (all-caps city, a dash or a colon)
    r"|(?!(?:BREAKING|EXCLUSIVE|WATCH|UPDATE|UPDATED|ANALYSIS|OPINION|LIVE|NOTE|REVEALED|WARNING)\b)"
    rf"[{_UP}]{{3,}}(?:[ /-][{_UP}]{{2,}}){{0,3}}(?: (?:--|—|–)|:)"
    # Taipei, Oct. 30 (CNA)   (city, date and agency, no dash)
    rf"|{_CITY}{_REGION},? {_DATE} ?\([A-Z][\w.&/ -]{{0,30}}\)"
    # SACRAMENTO, Calif. —   (all-caps city, a state or country, a dash)
    rf"|[{_UP}]{{3,}}(?:[ /-][{_UP}]{{2,}}){{0,3}}, [A-Z][a-z]+\.? (?:--|—|–)"
    # ASTANA, 30 April. KAZATLAS –   (day before month, all-caps agency)
    rf"|{_CITY},? \d{{1,2}} [A-Z][a-z]+\.? [A-Z]{{3,}} ?(?:--|—|–|-)"
    ")\\s*(?=[\"'A-Z]|$)"
)
_RE_END_MARK = re.compile(r"\s*(?:-0-|\(END\)|\(end\)|/end|/END/|■)\s*$|(?<=[.!?\"'])\s*-\s*[A-Z][A-Za-z]+$")
# "[Editorial] ...", "(LEAD) ...", "(2nd LD) ...", "(News Focus) ...", a wire's version tags "UPDATE 2-", "REFILE-"
_RE_LEAD_TAG = re.compile(
    r"^(?:\[[A-Za-z0-9][A-Za-z0-9' &-]{1,30}\]|(?:(?:UPDATE|WRAPUP) \d{1,2}|REFILE|CORRECTED|RPT)-(?=[A-Z\"'])|"
    r"\[[^\]]{0,40}(?:Reporter|Correspondent|=)[^\]]{0,30}\]|"  # Korean-style "[Seoul=Yonhap]", "[X Reporter Y]"
    r"\((?:[A-Z][A-Za-z']*|\d+(?:st|nd|rd|th))(?: (?:[A-Z][A-Za-z']*|\d+(?:st|nd|rd|th))){0,2}\))\s*(?=\S)"
)


# Reference marks: "alliance.[1]", "decades.2 The" (not "No.1", "Art.4")
# "[1]" after a word, and a word processor's comment anchors ("[IS1]", "[KJ2]"), also opening a line
_RE_REF_BRACKET = re.compile(r"(?<=[\w.,;:!?\"')])\[[A-Z]{0,3}\d{1,3}\]|^\[[A-Z]{2,3}\d{1,2}\]\s+")
_RE_REF_GLUED = re.compile(r"\b(\w+)([.!?][\"')]?)\d{1,2}(?=\s|$)")
_NOT_REF = {"no", "nos", "art", "arts", "vol", "p", "pp", "para", "fig", "sec", "ch"}


_RE_LINK_NUMBER = re.compile(r"(?<=\s)\[\d{1,3}\](?=[\"'A-Za-z])")  # a text browser's "the [29]National ..."


def _drop_reference_marks(par: str) -> str:
    par = _RE_LINK_NUMBER.sub("", _RE_REF_BRACKET.sub("", par))

    def glued(m: re.Match) -> str:
        word = m.group(1)
        if word.lower() in _NOT_REF or word.isdigit() or not word[-1].isalpha():
            return m.group(0)
        return word + m.group(2)

    return _RE_REF_GLUED.sub(glued, par)


def _clean_paragraph(par: str) -> str:
    par = _drop_reference_marks(par)
    par = _RE_END_MARK.sub("", par)
    # A dateline opens a sentence: never an all-caps line or one without a final stop, which are
    # headings ("WHEAT AND FLOUR: VOLUMES UP", "WATCHDOG DOWN: How Russia's Veto ..."); a telex's lead is all
    # capitals too, but no heading runs to twenty words and a full stop.
    if ((any(ch.islower() for ch in par) or len(par.split()) >= 20)
            and re.search(r"[.!?][\"')\]]*$", par)):
        par = _RE_DATELINE.sub("", par, count=1)
    par = _RE_LEAD_TAG.sub("", par, count=1)
    par = re.sub(r"^(?:[QA]:|>>)\s*(?=[\"'A-Z])", "", par)  # interview and caption speaker marks
    par = re.sub(r"^(?:--|—|–)\s+(?=[\"'A-Z])", "", par)  # what a dateline's agency tag leaves: "(GWS) -- ..."
    return _strip_enum(par).strip()
