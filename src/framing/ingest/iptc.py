"""Wire copy in the news industry's XML formats, IPTC NewsML-G2 and NITF: the story rewritten as HTML.

A NewsML-G2 message is a set of items: the story, and beside it pictures
with their own headlines and captions; each item carries metadata (rights,
slugline, keywords, summary bullets, editors' notes) that is not the text.
Read as HTML, all of it comes out as one run of words. The text item's main
headline (not its "short" variant) becomes the ``<h1>`` and its ``inlineXML``
body (or ``inlineData`` text, one paragraph a line) the page. NITF has the
story in one document: ``hl1`` the headline, ``hl2`` the deck, ``body.content``
the paragraphs.
"""

from __future__ import annotations

import html
import re

from framing.ingest.tree import _article_page, _xml_root

_RE_IPTC = re.compile(r"<(?:newsMessage|newsItem|packageItem)\b[^>]*iptc\.org/std/nar|<nitf\b")


def looks_like_iptc(text: str) -> bool:
    return _RE_IPTC.search(text[:5000]) is not None


def iptc_to_html(text: str) -> str | None:
    """The story as an HTML page, its headline the <h1>; None when no item has a body."""
    import lxml.etree

    root = _xml_root(text)
    if root is None:
        return None
    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = lxml.etree.QName(el).localname  # XHTML bodies are namespaced; the page is plain HTML
    if root.tag == "nitf":
        head, deck, body = _text(root.find(".//hl1")), _text(root.find(".//hl2")), root.find(".//body.content")
        inner = _inner_html(body) if body is not None else ""
        return _page(head, f"<p>{html.escape(deck)}</p>" if deck else "", inner) if inner else None
    for item in root.iter("newsItem"):
        inner = _item_body(item)
        if not inner:
            continue  # a picture: its headline and caption are not the story's
        heads = item.findall("contentMeta/headline")
        main = next((h for h in heads if not h.get("role") or "main" in h.get("role", "")), heads[0] if heads else None)
        return _page(_text(main), "", inner)
    return None


def _item_body(item) -> str:
    inline = item.find("contentSet/inlineXML")
    if inline is not None:
        body = inline.find(".//body")
        return _inner_html(body if body is not None else inline)
    data = item.find("contentSet/inlineData")
    if data is not None and (data.text or "").strip():
        return "".join(f"<p>{html.escape(line.strip())}</p>" for line in data.text.splitlines() if line.strip())
    return ""


def _inner_html(el) -> str:
    import lxml.etree

    return "".join(lxml.etree.tostring(child, encoding="unicode", method="html") for child in el)


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _page(head: str, deck: str, body: str) -> str:
    head = html.escape(head)
    return _article_page(f"<h1>{head}</h1>{deck}{body}", head=f"<title>{head}</title>")
