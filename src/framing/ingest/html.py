"""The HTML path: markup sniffing, trafilatura, and what it misses.

trafilatura finds the main text in the tree ``tree`` cleaned; the helpers here
add what it drops (section titles, the page's byline lines, link texts), read a
PDF laid out line by line as its lines, and give a plain lxml extractor for when
trafilatura cannot be imported. The header block (headline, deck, kicker) is
``header``.
trafilatura and lxml are imported lazily, inside the functions that need them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from framing.ingest.debris import _words
from framing.ingest.normalize import normalize_text
from framing.ingest.tree import _BLOCK_TAGS, _BLOCKS, _documents

_RE_HTML = re.compile(r"<(?:!doctype|html|head|body|div|p|article|br|span|table|meta)\b", re.I)


def looks_like_html(raw: str) -> bool:
    """Cheap sniff: markup tags near the top of the document."""
    return bool(_RE_HTML.search(raw[:5000]))


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
