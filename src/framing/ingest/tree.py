"""The page's tree as a reader sees it: parsed, frames merged, and what no reader sees as text taken out.

Everything the HTML path reads (trafilatura, the header block, the fallback)
reads this tree: the documents of a saved frameset merged, a word processor's
conditional comments dropped before parsing, and tooltips, share rows,
"Related" boxes and AI summary boxes dropped after, with line breaks inside
running text flowed as spaces. lxml is imported lazily.
"""

from __future__ import annotations

import re
from typing import Any

from framing.ingest.furniture import _RE_AI_NOTE
from framing.ingest.normalize import normalize_text

_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "figcaption",
    "dd",
    "dt",
    "pre",
)

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}

_RE_SHARE_ATTR = re.compile(r"(?<![a-z0-9])(?:share|sharing|social|sns|permalink)(?![a-z0-9])")  # "post__share" too
_PERMALINK_MARKS = {"¶", "§", "#", "🔗", "⚓"}
_RE_TOOLTIP_ATTR = re.compile(r"(?<![a-z0-9])(?:tooltip|popover)(?![a-z0-9])")
# a "Related article" box set inside a story or a live-blog entry: one link and its label
_RE_PROMO_ATTR = re.compile(r"(?<![a-z0-9])(?:related|promo|read-?more|also-?read)(?![a-z0-9])")


def _html_tree(raw: str) -> Any:
    """The page's tree without what no reader sees as text: tooltips, share and permalink widgets, AI summaries.

    A glossary tooltip (ARIA ``role="tooltip"``) sits inside the sentence it annotates, and
    its definition would be read into it; a "Link to this post" row or a "Related article"
    box in a live-blog entry makes trafilatura take the entry for link furniture and drop it.
    """
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    docs = [_parse(doc) for doc in _documents(raw)]
    tree = docs[0]
    if len(docs) > 1:
        tree = _merged(docs)
    # a heading's permalink mark (Sphinx's "¶", a notebook's anchor link) would be read into the heading, a
    # footnote's superscript link ("<sup><a href=#fn1>1)</a></sup>") into the sentence, glued to its full stop
    for a in [a for a in tree.iter("a") if a.get("href", "").startswith("#") and not len(a)
              and (a.text_content().strip() in _PERMALINK_MARKS or _is_note_mark(a))]:
        a.drop_tree()
    # rows that may hold only in-page links ("Link to this post", "#" share buttons): the blocks around such links
    in_page = {box for a in tree.iter("a") if a.get("href", "").startswith("#")
               for box in a.iterancestors("div", "footer")}
    for el in list(tree.iter("*")):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        attrs = f"{el.get('class', '')} {el.get('id', '')}".lower()
        tooltip = el.get("role") == "tooltip" or _RE_TOOLTIP_ATTR.search(attrs)
        share_attr = _RE_SHARE_ATTR.search(attrs)
        promo_attr = el.tag in ("div", "aside") and _RE_PROMO_ATTR.search(attrs)
        if not (tooltip or share_attr or promo_attr or el in in_page):
            continue  # the costly checks below read the element's whole subtree
        blocks = any(d.tag in _BLOCKS for d in el.iterdescendants())
        anchors = el in in_page and all(h.startswith("#") for h in el.xpath(".//a/@href"))
        share = (share_attr or anchors) and not blocks and len(el.text_content().split()) <= 8
        promo = (promo_attr and not blocks and len(el.text_content().split()) <= 20
                 and next(el.iter("a"), None) is not None)
        if tooltip or share or promo:
            el.drop_tree()  # keeps the tail: the sentence around a tooltip stays whole
    for box in _ai_summary_boxes(tree):
        box.drop_tree()
    _flow_text(tree)
    return tree


def _is_note_mark(a: Any) -> bool:
    """An in-page link that is all of its <sup> and reads like a note number: "1", "1)", "[2]", "*"."""
    sup = a.getparent()
    return (sup is not None and sup.tag == "sup" and len(sup) == 1 and not (sup.text or "").strip()
            and not (a.tail or "").strip() and re.fullmatch(r"\[?\d{1,3}\)?\]?|\*{1,3}|†", a.text_content().strip())
            is not None)


def _flow_text(tree: Any) -> None:
    """Line breaks inside running text are spaces, as a browser shows them (outside <pre>).

    A word processor's "Save as HTML" wraps its source at 80 columns inside paragraphs;
    trafilatura's fallback keeps those breaks, and each piece would read as a paragraph.
    """
    kept = {d for el in tree.iter("pre", "textarea", "script", "style") for d in el.iter()}
    for el in tree.iter("*"):
        if not isinstance(el.tag, str) or el in kept:
            continue
        if el.text and "\n" in el.text:
            el.text = el.text.replace("\r\n", " ").replace("\n", " ")
        # after a block (a <div> ad box, a <br>) a break may be all that starts the next paragraph
        if el.tail and "\n" in el.tail and el.tag not in _BLOCK_TAGS:
            el.tail = el.tail.replace("\r\n", " ").replace("\n", " ")


def _ai_summary_boxes(tree: Any) -> list[Any]:
    """Boxes of summary bullets that say they were written by AI, whole: heading, bullets and the note.

    The bullets restate the story in full sentences, so a reader of lines alone keeps them; the note
    marks the box. The box is the note's nearest ancestor holding a list, if that is short (at most
    120 words) and holds no ``<h1>``.
    """
    boxes: dict[Any, None] = {}  # a box with two notes is one box
    notes: dict[Any, None] = {}
    for text in tree.xpath("//text()[contains(., 'AI') or contains(., 'artificial intelligence')]"):
        el = text.getparent()
        while el is not None:  # only elements around a text that can match are read whole
            if el.tag in ("p", "div", "span", "small"):
                notes[el] = None
            el = el.getparent()
    for note in notes:
        own = normalize_text(note.text_content())
        if len(own.split()) > 40 or not _RE_AI_NOTE.search(own):
            continue
        for box in note.iterancestors():
            if box.tag in ("body", "html", "main", "article") or box.xpath(".//h1"):
                break
            if box.xpath(".//ul|.//ol"):
                if len(box.text_content().split()) <= 120 and box.getparent() is not None:
                    boxes[box] = None
                break
    return [b for b in boxes if not any(a in boxes for a in b.iterancestors())]


def _xml_root(text: str) -> Any:
    """The root element of an XML document (an e-book, a feed), read leniently; None when nothing can be read."""
    import lxml.etree

    try:
        return lxml.etree.fromstring(text.encode("utf-8"), parser=lxml.etree.XMLParser(recover=True))
    except lxml.etree.XMLSyntaxError:
        return None


def _article_page(body: str, head: str = "") -> str:
    """A minimal HTML page around an article rewritten from another format (FB2, a feed entry, LaTeX)."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head>'
            f"<body><article>{body}</article></body></html>")


_RE_DOC_END = re.compile(r"</html\s*>", re.I)
_RE_DOC_START = re.compile(r"<html[\s>]", re.I)


def _documents(raw: str) -> list[str]:
    """The HTML documents of a file: one, or several when a frameset page was saved with its frames after it."""
    parts = _RE_DOC_END.split(raw)
    docs = [parts[0]] + [p for p in parts[1:] if _RE_DOC_START.search(p)]
    return docs


# Word's "Save as HTML" wraps list bullets and footnote marks in <![if !supportLists]> ... <![endif]>, which
# the parser reads as the start of a comment: the list item's text is lost with it
_RE_WORD_CONDITION = re.compile(r"<!\[(?:if\b[^\]]*|endif)\]>", re.I)


def _parse(doc: str) -> Any:
    import lxml.html

    doc = _RE_WORD_CONDITION.sub("", doc)
    # we encode, so we know the encoding: a late <meta charset> must not decide it
    return lxml.html.document_fromstring(doc.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))


def _merged(docs: list[Any]) -> Any:
    """One tree of several documents: the first one's head, every document's body in file order. A frameset
    (whose only text is the "your browser does not support frames" notice) gives way to its frames."""
    import lxml.html

    tree = docs[0]
    for frameset in tree.findall("frameset"):
        tree.remove(frameset)
    body = tree.find("body")
    if body is None:
        body = lxml.html.Element("body")
        tree.append(body)
    for doc in docs[1:]:
        other = doc.find("body")
        if other is not None:
            body.extend(list(other))
    return tree
