"""E-books in FictionBook 2 (FB2, the XML format of many Russian-language libraries): rewritten as HTML.

An FB2 file is XML, not HTML: its headline and section titles are ``<title>``
and ``<subtitle>`` elements, which an HTML reader takes for page metadata or
unknown tags, and its ``<description>`` (book title, annotation, author's
e-mail) and ``<binary>`` images are not the text. The body's sections become
``<div>``s, its titles headings, and the rest is read as HTML.
"""

from __future__ import annotations

import html
import re

from framing.ingest.tree import _article_page, _xml_root

_RE_FB2 = re.compile(r"<FictionBook\b")


def looks_like_fb2(text: str) -> bool:
    return _RE_FB2.search(text[:2000]) is not None


def fb2_to_html(text: str) -> str | None:
    """The book's body as an HTML page, its first title the <h1>; None when the XML cannot be read."""
    root = _xml_root(text)
    if root is None:
        return None
    parts: list[str] = []
    body = next((el for el in root.iter("{*}body") if el.get("name") != "notes"), None)
    if body is None:
        return None
    first = True
    for el in body.iter("{*}title", "{*}subtitle", "{*}p"):
        if el.tag.endswith("}p") and el.getparent().tag.endswith(("}title", "}subtitle")):
            continue  # a title's own lines are read with the title
        words = html.escape(" ".join("".join(el.itertext()).split()))
        if not words:
            continue
        if el.tag.endswith("}title"):
            parts.append(f"<h1>{words}</h1>" if first else f"<h2>{words}</h2>")
            first = False
        elif el.tag.endswith("}subtitle"):
            parts.append(f"<h2>{words}</h2>")
        else:
            parts.append(f"<p>{words}</p>")
    return _article_page("".join(parts))
