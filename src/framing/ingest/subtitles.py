"""Caption files (WebVTT, SubRip): the cues' words as running text, one paragraph per speaker turn.

A caption file cuts every sentence into cues of a few words, each under a cue
number and a timing line, with voice tags (``<v Narrator>``) and styling
around the words. Read as lines, no cue is a sentence. The spoken cues are
joined back into paragraphs, a new one at each change of voice; a sound cue
("[MUSIC]") and an on-screen graphic (a cue wholly inside a ``<c.class>``
span: a name strap, an end card) stand alone, for the line classifier to
judge. A ``Title:`` in a NOTE block, where a publisher names the programme, is
printed first. NOTE, STYLE and REGION blocks are not text.
"""

from __future__ import annotations

import re

_TIME = r"(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}"
_RE_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_RE_SRT_START = re.compile(rf"\A\s*\d+[ \t]*\n{_TIME}\s*-->")
_RE_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_RE_TAG = re.compile(r"</?[a-z][^>]*>|<\d[\d:.]*>", re.I)  # <v ...>, <c.lt>, <i>, </c>, inline <00:00:01.000>
_RE_GRAPHIC = re.compile(r"^\s*<c\.[\w.-]+>.*</c>\s*$", re.S)
_RE_SOUND = re.compile(r"^\s*(?:\[[^\]]*\]|\([A-Z][^)]*\)|♪.*)\s*$")


def looks_like_subtitles(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")
    return head.startswith("WEBVTT") or _RE_SRT_START.match(head) is not None


def subtitles_to_text(text: str) -> str:
    """The file as plain text: its title (if a NOTE names one), then the spoken paragraphs."""
    title: str | None = None
    pars: list[str] = []
    turn: list[str] = []
    voice: str | None = None

    def close() -> None:
        if turn:
            pars.append(" ".join(turn))
            turn.clear()

    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").lstrip("\ufeff")):
        lines = block.strip().split("\n")
        first = lines[0].strip()
        if first.startswith("NOTE"):
            named = next((ln.split(":", 1)[1].strip() for ln in lines if ln.strip().lower().startswith("title:")), "")
            title = title or named or None
            continue
        at = next((i for i, ln in enumerate(lines) if _RE_TIMING.match(ln)), None)
        if at is None:
            continue  # the WEBVTT header, STYLE and REGION blocks
        raw = " ".join(ln.strip() for ln in lines[at + 1:] if ln.strip())
        words = " ".join(_RE_TAG.sub("", raw).split())
        if not words:
            continue
        if _RE_GRAPHIC.match(raw) or _RE_SOUND.match(words):
            close()
            pars.append(words)
            continue
        named = _RE_VOICE.search(raw)
        if named and named.group(1).strip() != voice:
            close()
            voice = named.group(1).strip()
        turn.append(words)
    close()
    return "\n\n".join([title, *pars] if title else pars)
