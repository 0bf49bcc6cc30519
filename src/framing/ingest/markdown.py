"""Markdown pages (a notes app's web clipping, a static site's source): rendered to HTML, then read as HTML.

Markdown is HTML written another way: its headings, lists, block quotes and
paragraphs (soft-wrapped lines included) are the blocks the HTML path already
reads, and rendering it with markdown-it drops the link targets, emphasis and
heading marks that would otherwise be read into the sentences. YAML front
matter is the clipper's metadata; its ``title`` becomes the page's <title>.
Pandoc's Markdown (a Word file converted) adds ``{#id .class}`` attributes,
``[text]{.mark}`` spans and ``[^1]`` footnotes, which CommonMark prints as
written: they are taken off first, the footnote list with them.
Gemtext (Gemini capsules) is Markdown's line-oriented cousin: "=> URL label"
lines are links and every line is its own paragraph; it is rewritten as
Markdown first.
"""

from __future__ import annotations

import html
import re

_RE_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_RE_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_RE_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")
_RE_GEM_LINK = re.compile(r"^=>[ \t]*(\S+)(?:[ \t]+(.*?))?[ \t]*$", re.M)
_RE_PANDOC = re.compile(r"(?<=[\])])\{[#.][^}\n]*\}|\[\^\w+\]")  # {#_Toc1 .anchor}, [^1]
_RE_SPAN = re.compile(r"(?<!!)\[([^\]\n]*)\]\{[^}\n]*\}")  # [DRAFT]{.mark} -> DRAFT; []{#_Toc1 .anchor} -> ""
_RE_ATTRS = re.compile(r"(?<=\))\{[^}\n]*\}")  # ![](media/image1.png){width="1.6in"}
_RE_NOTE_DEF = re.compile(r"^\[\^\w+\]:.*(?:\n(?:[ \t]+.*)?)*?(?=\n\S|\n?\Z)", re.M)
_RE_NOTE_REF = re.compile(r"\[\^\w+\]")
_RE_HIGHLIGHT = re.compile(r"==(?=\S)(.+?)(?<=\S)==")  # Obsidian-style highlight, not CommonMark


def looks_like_markdown(text: str) -> bool:
    """Two of three marks: front matter, two ATX headings, two inline or gemtext links or pandoc attributes (no
    other page of data/raw has two)."""
    links = max(len(_RE_LINK.findall(text)), len(_RE_GEM_LINK.findall(text)), len(_RE_PANDOC.findall(text)))
    marks = [bool(_RE_FRONT.match(text)), len(_RE_HEADING.findall(text)) >= 2, links >= 2]
    return sum(marks) >= 2


def markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    title = None
    front = _RE_FRONT.match(text)
    if front:
        text = text[front.end():]
        found = re.search(r"^title:\s*(.+)$", front.group(1), re.M)
        title = found.group(1).strip().strip("\"'") if found else None
    if len(_RE_PANDOC.findall(text)) >= 2:
        text = _RE_NOTE_REF.sub("", _RE_NOTE_DEF.sub("", _RE_ATTRS.sub("", _RE_SPAN.sub(r"\1", text))))
    if len(_RE_GEM_LINK.findall(text)) >= 2:
        text = _gemtext_to_markdown(text)
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(_RE_HIGHLIGHT.sub(r"\1", text))
    head = f"<title>{html.escape(title)}</title>" if title else ""
    return f"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>"


def _gemtext_to_markdown(text: str) -> str:
    """Each line its own paragraph (a blank line after it), "=> URL label" a Markdown link; fenced blocks kept."""
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        if fenced or not line.strip():
            out.append(line)
            continue
        link = _RE_GEM_LINK.match(line)
        if link:
            label = (link.group(2) or link.group(1)).replace("[", "(").replace("]", ")")
            line = f"[{label}]({link.group(1)})"
        out.extend((line, ""))
    return "\n".join(out)
