"""The article's header block in the markup: headline, deck and kicker.

trafilatura keeps the body and drops the header around the ``<h1>``: the
deck printed under it and the kicker above it are read here from the
elements whose class names them, the headline from the title metadata.
"""

from __future__ import annotations

import re
from typing import Any

from framing.ingest.debris import _words, debris_class, is_debris
from framing.ingest.normalize import normalize_text


def _html_headline(tree: Any, md_title: str | None) -> str | None:
    """Article headline: trafilatura's title, else og:title, else the first <h1>.

    trafilatura's title prefers og:title/<h1> and strips the site name that
    <title> usually carries; the raw meta tags and <h1> are fallbacks.
    """
    candidates: list[str] = [md_title] if md_title else []
    for xp in ('//meta[@property="og:title"]/@content', '//meta[@name="twitter:title"]/@content'):
        candidates += [str(v) for v in tree.xpath(xp)]
    h1s = [normalize_text(h.text_content()) for h in tree.xpath("//h1")]
    for cand in [normalize_text(c) for c in candidates] + h1s:
        if len(_words(cand)) >= 3:
            # a title that prints the <h1> with more around it ("LIVE: <h1>", "<h1> - Site") is not the headline,
            # nor one that rearranges it ("Guides: <h1 without its last words>: Overview"): the page prints the <h1>
            # and a social title cut short ("<h1>'s first sentence") is the <h1> that prints it whole
            inner = next((h for h in h1s if len(_words(h)) >= 3 and (h.lower() in cand.lower()
                                                                     or h.lower().startswith(cand.lower())
                                                                     or _shared(h, cand) >= 0.7)), None)
            return inner or cand
    return None


def _shared(h1: str, title: str) -> float:
    """The share of the <h1>'s words that the title prints too."""
    words = [w.lower() for w in _words(h1)]
    title_words = {w.lower() for w in _words(title)}
    return sum(w in title_words for w in words) / len(words) if words else 0.0


_RE_DECK_ATTR = re.compile(
    r"(?:^|[\s_-])(?:lead|deck|dek|standfirst|sub-?title|subhead(?:line)?|summary|strapline|intro|excerpt|"
    r"preview)(?:$|[\s_-])"
)


def _html_deck(tree: Any) -> str | None:
    """The deck/standfirst printed under the <h1>, which trafilatura drops.

    Only looked for in the headline's own header block, after the <h1>, in
    elements whose class names it (lead, deck, standfirst, subtitle, ...).
    """
    h1s = tree.xpath("//h1")
    if not h1s:
        return None
    h1 = h1s[0]
    container = h1.getparent()
    for _ in range(2):
        if container is None:
            return None
        after = False
        for el in container.iter():
            if el is h1:
                after = True
                continue
            if not after or not isinstance(el.tag, str):
                continue
            marks = f"{el.get('class', '')} {el.get('id', '')}".lower()
            if _RE_DECK_ATTR.search(marks):
                text = normalize_text(el.text_content())
                if 5 <= len(_words(text)) <= 60 and not is_debris(text):
                    return text
        container = container.getparent()
    return None


def _html_kicker(tree: Any) -> str | None:
    """The kicker printed just above the <h1>, which trafilatura drops.

    Only the <h1>'s previous sibling, when its class or id names it a kicker (eyebrow, overline, ...)
    and it holds no link: over the shipped pages that markup named 28 kickers of 30, while the
    section labels in the same slot ("Analysis", "LIVE", "Members") carry label, badge or rubric classes.
    """
    h1s = tree.xpath("//h1")
    el = h1s[0].getprevious() if h1s else None
    while el is not None and not isinstance(el.tag, str):
        el = el.getprevious()
    if el is None or el.xpath(".//a|.//time|.//img"):
        return None
    if not _RE_KICKER_ATTR.search(f"{el.get('class', '')} {el.get('id', '')}".lower()):
        return None
    text = normalize_text(el.text_content())
    return text if 1 <= len(_words(text)) <= 8 and debris_class(text) in (None, "short") else None


_RE_KICKER_ATTR = re.compile(r"kicker|eyebrow|overline|supertitle|superhead")
