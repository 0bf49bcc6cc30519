"""The top-level flow: raw article -> paragraphs -> filtered paragraphs -> sentences.

``extract_article`` picks the HTML or plain-text path; both end in
``_text_article``, which runs the line-level filter (``lines``) and then
segments what is left (``segment``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from framing.ingest.debris import _is_title_like, _words
from framing.ingest.html import (
    _html_deck,
    _html_fallback_text,
    _html_headline,
    _html_tree,
    _page_lines,
    _trafilatura_text,
    looks_like_html,
)
from framing.ingest.lines import _byline_names, _filter_paragraphs, _paragraphs
from framing.ingest.normalize import normalize_text
from framing.ingest.segment import _clean_paragraph, _split_paragraph


def extract_article(raw: str | bytes, *, is_html: bool | None = None) -> list[str]:
    """Return the article's sentences, headline first, debris removed.

    HTML goes through trafilatura (main-content extraction, comments and
    tables off) with the headline recovered from og:title/<h1> and the deck
    from the headline block; its output,
    like plain text, then passes the line-level debris filter, because
    trafilatura keeps captions, sign-offs and, on table layouts, menus.
    """
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if is_html is None:
        is_html = looks_like_html(raw)
    return _html_article(raw) if is_html else _text_article(raw)


def _text_article(text: str, headline: str | None = None, names: Iterable[str] = ()) -> list[str]:
    pars = _paragraphs(text)
    all_names = set(names) | _byline_names(pars)
    head, body = _filter_paragraphs(pars, headline, all_names)
    return _sentences_from_paragraphs(head, body)


def _html_article(raw: str) -> list[str]:
    tree = _html_tree(raw)
    text, md_title, authors = _trafilatura_text(raw)
    headline = _html_headline(tree, md_title)
    names = set(authors) | _byline_names(_page_lines(tree))
    if not text or len(_words(text)) < 30:
        text = _html_fallback_text(tree)
    deck = _html_deck(tree)
    if deck and deck.lower() not in normalize_text(text).lower():
        text = f"{deck}\n{text}"
    return _text_article(text, headline=headline, names=names)


def _sentences_from_paragraphs(headline: str | None, pars: list[str]) -> list[str]:
    out: list[str] = []
    if headline:
        head = _clean_paragraph(normalize_text(headline))
        if head:
            out.append(head)
    for par in pars:
        par = _clean_paragraph(par)
        if not par:
            continue
        if _is_title_like(par) and not re.search(r"[.!?][\"')\]]*$", par):
            out.append(par)  # subheading: one unit, never split ("N. Korea ...")
        else:
            out.extend(_split_paragraph(par))
    return [s for s in out if s]
