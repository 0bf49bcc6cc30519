"""The top-level flow: raw article -> paragraphs -> judged paragraphs -> sentences.

``read_page`` picks the HTML or plain-text path and cuts the text into
paragraphs (a ``Page``); ``extract_article`` has each paragraph judged
(``lines``: the rules' context and the line classifier) and segments what is
kept (``segment``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from framing.ingest.debris import _is_title_like, _words
from framing.ingest.fb2 import fb2_to_html, looks_like_fb2
from framing.ingest.feed import feed_to_html, looks_like_feed
from framing.ingest.header import _html_deck, _html_headline, _html_kicker
from framing.ingest.html import (
    _html_fallback_text,
    _line_layout_text,
    _link_texts,
    _page_lines,
    _restore_headings,
    _trafilatura_text,
    looks_like_html,
)
from framing.ingest.iptc import iptc_to_html, looks_like_iptc
from framing.ingest.jsonstory import json_to_html, looks_like_json
from framing.ingest.latex import latex_to_html, looks_like_latex
from framing.ingest.lines import _byline_names, _filter_paragraphs
from framing.ingest.markdown import looks_like_markdown, markdown_to_html
from framing.ingest.mime import looks_like_mime, mime_text
from framing.ingest.normalize import normalize_text
from framing.ingest.paragraphs import _paragraphs
from framing.ingest.segment import _clean_paragraph, _split_paragraph
from framing.ingest.subtitles import looks_like_subtitles, subtitles_to_text
from framing.ingest.tree import _html_tree
from framing.ingest.wikitext import looks_like_wikitext, wikitext_to_text


@dataclass(frozen=True)
class Page:
    """A page cut into paragraphs, before any line is judged: what the line classifier sees."""

    pars: list[str]
    headline: str | None  # from the markup; None for plain text (found among ``pars``)
    names: set[str] = field(default_factory=set)  # author names, to spot sign-offs and bios
    anchors: list[str] | None = None  # link texts, HTML only
    kicker: str | None = None  # named by the markup (HTML only), printed after the headline


def extract_article(raw: str | bytes, *, is_html: bool | None = None) -> list[str]:
    """Return the article's sentences, headline first, debris removed.

    HTML goes through trafilatura (main-content extraction, comments and
    tables off) with the headline recovered from og:title/<h1> and the deck
    from the headline block; its output, like plain text, is then cut into
    paragraphs, each judged by the line classifier (article, heading or
    debris) on top of the rules, because trafilatura keeps captions,
    sign-offs and, on table layouts, menus.
    """
    page = read_page(raw, is_html=is_html)
    head, body = _filter_paragraphs(page.pars, page.headline, page.names, page.anchors)
    return _sentences_from_paragraphs(head, body, page.kicker)


def read_page(raw: str | bytes, *, is_html: bool | None = None) -> Page:
    """Decode, pick the HTML or plain-text path, and cut the text into paragraphs."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if is_html is None and looks_like_mime(raw):
        raw = mime_text(raw) or raw
    if is_html is None and looks_like_fb2(raw):
        raw = fb2_to_html(raw) or raw
    if is_html is None and looks_like_json(raw):
        raw = json_to_html(raw) or raw
    if is_html is None and looks_like_iptc(raw):
        raw = iptc_to_html(raw) or raw
    if is_html is None and looks_like_feed(raw):
        raw = feed_to_html(raw) or raw
    if is_html is None and looks_like_latex(raw):
        raw = latex_to_html(raw) or raw
    if is_html is None and looks_like_subtitles(raw):
        raw, is_html = subtitles_to_text(raw), False
    if is_html is None:
        is_html = looks_like_html(raw)
        if not is_html and looks_like_markdown(raw):
            raw, is_html = markdown_to_html(raw), True
        elif not is_html and looks_like_wikitext(raw):
            raw = wikitext_to_text(raw)
    return _html_page(raw) if is_html else _text_page(raw)


def _text_page(
    text: str, headline: str | None = None, names: Iterable[str] = (), anchors: list[str] | None = None
) -> Page:
    pars = _paragraphs(text)
    return Page(pars, headline, set(names) | _byline_names(pars), anchors)


def _html_page(raw: str) -> Page:
    tree = _html_tree(raw)
    lines = _line_layout_text(tree)
    if lines is not None:  # a PDF converted to HTML: its printed lines, read as plain text
        return _text_page(lines, anchors=_link_texts(tree))
    text, md_title, authors = _trafilatura_text(raw, tree)
    headline = _html_headline(tree, md_title)
    names = set(authors) | _byline_names(_page_lines(tree))
    if not text or len(_words(text)) < 30:
        text = _html_fallback_text(tree)
    text = _restore_headings(tree, text)
    deck = _html_deck(tree)
    if deck and deck.lower() not in normalize_text(text).lower():
        text = f"{deck}\n{text}"
    page = _text_page(text, headline=headline, names=names, anchors=_link_texts(tree))
    kicker = _html_kicker(tree)
    if kicker is None:
        return page
    # the markup has decided: the kicker is not left to the line classifier, wherever trafilatura put it
    pars = list(page.pars)
    at = next((i for i, p in enumerate(pars) if p.lower() == kicker.lower()), None)
    if at is not None:
        del pars[at]
    return replace(page, pars=pars, kicker=kicker)


def _sentences_from_paragraphs(
    headline: str | None, pars: list[tuple[str, bool | None]], kicker: str | None = None
) -> list[str]:
    out: list[str] = []
    for line in (headline, kicker):
        line = _clean_paragraph(normalize_text(line)) if line else None
        if line:
            out.append(line)
    for par, heading in pars:
        par = _clean_paragraph(par)
        if not par:
            continue
        if heading is None:  # no line model: a title-like line with no final stop
            heading = _is_title_like(par) and not re.search(r"[.!?][\"')\]]*$", par)
        if heading:
            out.append(par)  # headline-like: one unit, never split ("N. Korea ...")
        else:
            out.extend(_split_paragraph(par))
    # An article does not say the same sentence twice (no expected list of data/raw does): a repeat is a
    # pull quote, a caption printed twice or a teaser of the body, so only the first copy stays.
    return _drop_pull_quotes(list(dict.fromkeys(s for s in out if s)))


_WRAPPED_QUOTE = re.compile(r'^"[^"]+(?:"[.!?]?|[.!?]")$')


def _drop_pull_quotes(sentences: list[str]) -> list[str]:
    """Drop a sentence that is only a quotation whose words a longer sentence of the article already holds:
    a pull quote printed apart from the body sentence it repeats ("...," said X). A quotation the body
    prints once stays, wherever it stands."""
    words = [set(re.findall(r"\w+", s.lower())) for s in sentences]
    keep = []
    for i, s in enumerate(sentences):
        mine = words[i]
        repeated = (
            len(mine) >= 5
            and _WRAPPED_QUOTE.match(s) is not None
            and any(len(other) > len(mine) and len(mine & other) >= 0.9 * len(mine) for other in words)
        )
        if not repeated:
            keep.append(s)
    return keep
