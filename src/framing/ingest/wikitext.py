"""MediaWiki source (a wiki's edit or "View source" box, copied): the markup taken off, read as plain text.

Wikitext writes links as ``[[target|shown words]]``, bold as ``'''``,
headings as ``== Background ==`` and references as ``<ref>...</ref>``, all
inside the sentences; templates (``{{date|...}}``) and ``[[File:...]]``
images with their captions are not text. MediaWiki's own words around a
"View source" box are its interface, not the page: "View source for <title>"
gives the title, the rest ("You can view and copy the source of this page:",
"Return to <title>.") goes. What is left is read as any plain-text page, the
wiki's menus around it included.
"""

from __future__ import annotations

import re

_RE_LINK = re.compile(r"\[\[([^\[\]\n|]+)(?:\|([^\[\]\n]*))?\]\]")
_RE_MARKS = (
    re.compile(r"^=+[ \t]*[^=\n]+?[ \t]*=+[ \t]*$", re.M),  # == Background ==
    re.compile(r"'''"),
    re.compile(r"<ref\b"),
    re.compile(r"\{\{[^{}\n]*\}\}"),
)
_RE_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_RE_FILE = re.compile(r"\[\[(?:File|Image|Category):(?:[^\[\]]|\[\[[^\]]*\]\])*\]\]", re.I)
_RE_REF = re.compile(r"<ref\b[^>/]*/>|<ref\b[^>]*>.*?</ref>", re.S | re.I)
_RE_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RE_HEADING = re.compile(r"^=+[ \t]*([^=\n]+?)[ \t]*=+[ \t]*$", re.M)
_RE_VIEW_SOURCE = re.compile(r"^(?:View|Editing) source for (.+)$", re.M)
_RE_INTERFACE = re.compile(
    r"^(?:You do not have permission to edit this page.*|You can view and copy the source of this page:?|"
    r"This page has been protected so that only .*|Return to .+\.|← .+)$", re.M)
_RE_EXTERNAL = re.compile(r"\[(?:https?:)?//\S+ ([^\]\n]+)\]")  # [https://... shown words]


def looks_like_wikitext(text: str) -> bool:
    """Three [[links]] and two of the other marks: headings, bold, <ref>, templates."""
    if len(_RE_LINK.findall(text)) < 3:
        return False
    return sum(bool(r.search(text)) for r in _RE_MARKS) >= 2


def wikitext_to_text(text: str) -> str:
    title = _RE_VIEW_SOURCE.search(text)
    if title:
        text = _RE_INTERFACE.sub("", _RE_VIEW_SOURCE.sub(lambda m: m.group(1), text, count=1))
    text = _RE_REF.sub("", _RE_COMMENT.sub("", text))
    while _RE_TEMPLATE.search(text):  # innermost first: {{a|{{b}}}}
        text = _RE_TEMPLATE.sub("", text)
    text = _RE_FILE.sub("", text)
    text = _RE_LINK.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(1), text)
    text = _RE_EXTERNAL.sub(r"\1", text)
    text = _RE_HEADING.sub(lambda m: f"\n{m.group(1)}\n", text)
    return text.replace("'''", "").replace("''", "")
