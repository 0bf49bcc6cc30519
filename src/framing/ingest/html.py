"""The HTML path: markup sniffing, trafilatura, and what it misses.

trafilatura finds the main text; the helpers here clean the tree it reads
(tooltips, share rows, frames), add what it drops (section titles, the page's
byline lines, link texts) and a plain lxml extractor for when trafilatura
cannot be imported. The header block (headline, deck, kicker) is ``header``.
trafilatura and lxml are imported lazily, inside the functions that need them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from framing.ingest.debris import _RE_AI_NOTE, _words
from framing.ingest.normalize import normalize_text

_RE_HTML = re.compile(r"<(?:!doctype|html|head|body|div|p|article|br|span|table|meta)\b", re.I)


def looks_like_html(raw: str) -> bool:
    """Cheap sniff: markup tags near the top of the document."""
    return bool(_RE_HTML.search(raw[:5000]))


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
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "figure",
    "iframe",
    "svg",
    "button",
    "select",
    "textarea",
    "template",
)


# class/id words of page chrome, dropped by the no-trafilatura fallback
_RE_CHROME_ATTR = re.compile(
    r"\b(?:comments?|reply|share|social|sns|related|trending|popular|ranking|sidebar|"
    r"widget|ad|ads|advert\w*|promo\w*|newsletter|cookie\w*|footer|nav\w*|menu|gnb|"
    r"breadcrumb|tags?|ticker|byline|author-bio)\b"
)


_RE_SHARE_ATTR = re.compile(r"(?<![a-z0-9])(?:share|sharing|social|sns|permalink)(?![a-z0-9])")  # "post__share" too
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
    for el in list(tree.iter("*")):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        attrs = f"{el.get('class', '')} {el.get('id', '')}".lower()
        tooltip = el.get("role") == "tooltip" or _RE_TOOLTIP_ATTR.search(attrs)
        blocks = any(d.tag in _BLOCKS for d in el.iterdescendants())
        links = el.xpath(".//a/@href")
        anchors = el.tag in ("div", "footer") and links and all(h.startswith("#") for h in links)  # "Link to this post"
        share = (_RE_SHARE_ATTR.search(attrs) or anchors) and not blocks and len(el.text_content().split()) <= 8
        promo = (el.tag in ("div", "aside") and _RE_PROMO_ATTR.search(attrs) and not blocks
                 and len(el.text_content().split()) <= 20 and next(el.iter("a"), None) is not None)
        if tooltip or share or promo:
            el.drop_tree()  # keeps the tail: the sentence around a tooltip stays whole
    for box in _ai_summary_boxes(tree):
        box.drop_tree()
    _flow_text(tree)
    return tree


def _flow_text(tree: Any) -> None:
    """Line breaks inside running text are spaces, as a browser shows them (outside <pre>).

    A word processor's "Save as HTML" wraps its source at 80 columns inside paragraphs;
    trafilatura's fallback keeps those breaks, and each piece would read as a paragraph.
    """
    for el in tree.iter("*"):
        if not isinstance(el.tag, str) or el.tag in ("pre", "textarea", "script", "style") or el.xpath("ancestor::pre"):
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
    boxes = []
    for note in tree.xpath("//p|//div|//span|//small"):
        own = normalize_text(note.text_content())
        if len(own.split()) > 40 or not _RE_AI_NOTE.search(own):
            continue
        for box in note.iterancestors():
            if box.tag in ("body", "html", "main", "article") or box.xpath(".//h1"):
                break
            if box.xpath(".//ul|.//ol"):
                if len(box.text_content().split()) <= 120 and box.getparent() is not None:
                    boxes.append(box)
                break
    return [b for b in boxes if not any(a in boxes for a in b.iterancestors())]


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


def _html_fallback_text(tree: Any) -> str:
    """Text of the page minus obvious chrome, one block per line (no trafilatura)."""
    import copy

    tree = copy.deepcopy(tree)
    for el in tree.xpath("|".join(f"//{t}" for t in _DROP_TAGS)):
        el.drop_tree()
    page_chars = len(tree.text_content()) or 1
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}".lower()
        # never drop a wrapper holding most of the page (a "share-enabled" body)
        if _RE_CHROME_ATTR.search(marks) and len(el.text_content()) < 0.5 * page_chars:
            el.drop_tree()
    for el in tree.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    body = tree.find("body")
    return (body if body is not None else tree).text_content()


def _page_lines(tree: Any) -> list[str]:
    import copy

    tree = copy.deepcopy(tree)
    for el in tree.xpath("//script|//style|//noscript"):
        el.drop_tree()
    for el in tree.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return [ln for ln in tree.text_content().split("\n") if ln.strip()]


_HEADINGS = "//h2|//h3|//h4|//h5|//h6|//*[@role='heading']"


def _restore_headings(tree: Any, text: str) -> str:
    """Put back the section titles trafilatura dropped, each above the paragraph it heads.

    A heading (``<h2>``-``<h6>`` or ``role="heading"``) missing from the text
    returns only when the first paragraph after it is in the text, so that
    headings of sidebars and footers stay out; the line classifier still
    judges every restored line.
    """
    if tree is None or not text:
        return text
    lines = text.split("\n")
    norm = [normalize_text(ln) for ln in lines]
    present = set(norm)
    before: dict[int, list[str]] = {}
    for el in tree.xpath(_HEADINGS):
        head = normalize_text(el.text_content())
        if not head or head in present or len(_words(head)) > 30:
            continue
        following = el.xpath("following::p[1]")
        start = normalize_text(following[0].text_content())[:60] if following else ""
        if len(start) < 20:
            continue
        idx = next((i for i, ln in enumerate(norm) if ln.startswith(start)), None)
        if idx is not None:
            before.setdefault(idx, []).append(head)
            present.add(head)
    if not before:
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        out.extend(before.get(i, []))
        out.append(line)
    return "\n".join(out)


def _line_layout_text(tree: Any) -> str | None:
    """A page laid out line by line, as a PDF converted to HTML is (pdf2htmlEX): its lines, else None.

    Each printed line is its own positioned ``<div>``, with no ``<p>`` anywhere; trafilatura keeps one
    page's block of them. Read as the lines they are, the text is a hard-wrapped plain page.
    """
    body = tree.find(".//body")
    if body is None or tree.xpath("count(//p)") >= 3:
        return None
    leaves = [d for d in body.iter("div") if all(c.tag in ("span", "br") for c in d)]
    lines = [normalize_text(d.text_content()) for d in leaves]
    lines = [ln for ln in lines if 0 < len(ln) <= 150]
    words = sum(len(ln.split()) for ln in lines)
    if len(lines) < 20 or words < 0.8 * len(normalize_text(body.text_content()).split()):
        return None
    return "\n".join(lines)


def _link_texts(tree: Any) -> list[str]:
    """Normalized texts of the page's links: a line made of one is navigation or a story list."""
    if tree is None:
        return []
    texts = {normalize_text(a.text_content()) for a in tree.iter("a")}
    return sorted(t for t in texts if t)


def _unlist_containers(tree: Any) -> Any:
    """A copy of the tree with list items that hold headings or paragraphs turned into plain blocks.

    A live blog or a card feed marked up as ``<li>`` entries (time, title, paragraphs) is a
    stack of sections, not a list: trafilatura would print each entry as one line. A copy,
    because trafilatura cleans the tree it is given in place.
    """
    tree = copy.deepcopy(tree)
    for item in tree.iter("li"):
        if any(child.tag in _BLOCKS for child in item.iterdescendants()):
            item.tag = "div"
            parent = item.getparent()
            if parent is not None and parent.tag in ("ol", "ul"):
                parent.tag = "div"
    return tree


_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}


def _trafilatura_text(raw: str, tree: Any) -> tuple[str | None, str | None, list[str]]:
    """(text, title, authors) from trafilatura, or (None, None, []) if unavailable; ``tree`` is ``_html_tree(raw)``."""
    try:
        import trafilatura
        from trafilatura.settings import use_config
    except ImportError:  # e.g. lxml_html_clean missing: fall back to lxml
        return None, None, []
    config = use_config()
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # signal-based timeout breaks in threads
    text = trafilatura.extract(
        _unlist_containers(tree),
        output_format="txt",
        include_comments=False,  # reader comments are not the article
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=False,
        config=config,
    )
    meta = trafilatura.extract_metadata(max(_documents(raw), key=len))  # a frameset's title names the site
    title = meta.title if meta is not None else None
    authors: list[str] = []
    if meta is not None and meta.author:
        authors = [a.strip() for a in meta.author.split(";") if len(a.split()) >= 2]
    return text, title, authors
