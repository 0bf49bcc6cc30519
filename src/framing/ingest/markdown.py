"""Markdown pages (a notes app's web clipping, a static site's source): rendered to HTML, then read as HTML.

Markdown is HTML written another way: its headings, lists, block quotes and
paragraphs (soft-wrapped lines included) are the blocks the HTML path already
reads, and rendering it with markdown-it drops the link targets, emphasis and
heading marks that would otherwise be read into the sentences. YAML front
matter is the clipper's metadata; its ``title`` becomes the page's <title>.
"""

from __future__ import annotations

import html
import re

_RE_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
_RE_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.M)
_RE_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")
_RE_HIGHLIGHT = re.compile(r"==(?=\S)(.+?)(?<=\S)==")  # Obsidian-style highlight, not CommonMark


def looks_like_markdown(text: str) -> bool:
    """Two of three marks: front matter, two ATX headings, two inline links (no other page of data/raw has two)."""
    marks = [bool(_RE_FRONT.match(text)), len(_RE_HEADING.findall(text)) >= 2, len(_RE_LINK.findall(text)) >= 2]
    return sum(marks) >= 2


def markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    title = None
    front = _RE_FRONT.match(text)
    if front:
        text = text[front.end():]
        found = re.search(r"^title:\s*(.+)$", front.group(1), re.M)
        title = found.group(1).strip().strip("\"'") if found else None
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(_RE_HIGHLIGHT.sub(r"\1", text))
    head = f"<title>{html.escape(title)}</title>" if title else ""
    return f"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>"
