"""RSS and Atom feeds: the first entry with a body, rewritten as an HTML page.

A feed is XML, not HTML: its story's title is a ``<title>`` element, which an
HTML reader takes for the page title (here the channel's, "Opinion - The X
Herald"), and its body is HTML escaped inside ``content:encoded`` (RSS) or
``<content>`` (Atom), which an HTML reader sees as one run of text or a
comment. The entry's title becomes the ``<h1>`` and its body the page.
WordPress ends every body with "The post <title> appeared first on <site>.",
a feed's own signature, dropped here.
"""

from __future__ import annotations

import html
import re

from framing.ingest.tree import _article_page, _xml_root

_RE_FEED = re.compile(r"<rss\b|<feed\b[^>]*\bxmlns=[\"']http://www\.w3\.org/2005/Atom")
_RE_POSTED = re.compile(r"<p>\s*The post\b(?:(?!</p>).){0,600}?\bappeared first on\b(?:(?!</p>).){0,300}</p>", re.S)


def looks_like_feed(text: str) -> bool:
    return _RE_FEED.search(text[:3000]) is not None


def feed_to_html(text: str) -> str | None:
    """The first entry with a body (else the first entry, with its teaser) as an HTML page; None without one."""
    root = _xml_root(text)
    if root is None:
        return None
    entries = [(el, _body(el)) for el in root.iter("{*}item", "item", "{*}entry")]
    if not entries:
        return None
    entry, body = next((e for e in entries if e[1]), entries[0])
    if not body:  # a feed of teasers: the first teaser is all the text it has
        body = _text(entry, "{*}description", "description", "{*}summary")
    head = html.escape(" ".join(_text(entry, "{*}title", "title").split()))
    author = next((" ".join("".join(el.itertext()).split()) for el in entry.iter("{*}creator", "{*}name")), "")
    meta = f'<meta name="author" content="{html.escape(author)}">' if author else ""
    body = _RE_POSTED.sub("", body or "")
    return _article_page(f"<h1>{head}</h1>{body}", head=f"<title>{head}</title>{meta}")


def _body(entry) -> str:
    """The entry's HTML body: RSS content:encoded or Atom content (escaped HTML or inline XHTML); else empty."""
    import lxml.etree

    for tag in ("{http://purl.org/rss/1.0/modules/content/}encoded", "{*}content"):
        el = entry.find(tag)
        if el is None:
            continue
        if len(el):  # Atom type="xhtml": the markup is inline, in the XHTML namespace
            inner = "".join(lxml.etree.tostring(child, encoding="unicode") for child in el)
            return re.sub(r"\s?xmlns(?::\w+)?=\"[^\"]*\"", "", re.sub(r"<(/?)html:", r"<\1", inner))
        if (el.text or "").strip():
            return el.text
    return ""


def _text(entry, *tags: str) -> str:
    el = next((e for tag in tags if (e := entry.find(tag)) is not None), None)
    return el.text or "" if el is not None else ""
