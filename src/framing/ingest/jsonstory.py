"""A story delivered as JSON by a content API: IPTC ninjs (1.x and 2.x), a WordPress REST post, a schema.org
NewsArticle, or any object with a headline and a body: rewritten as an HTML page.

Read as text, a JSON response is one run of keys, escapes ("\\u2019", "\\"")
and metadata (rate limits, keywords, SEO and social variants of the
headline, the summary, the picture's caption). The story is the first object,
nearest the top, that carries a body of some length; its main headline
becomes the ``<h1>``, a "sub" headline or a deck field the deck, and the body
(HTML as it is, plain text one paragraph a line) the page.
"""

from __future__ import annotations

import html
import json
from collections import deque
from typing import Any

from framing.ingest.tree import _article_page

_BODY_KEYS = ("bodies", "body_html", "body_xhtml", "body_text", "articleBody", "content", "body", "text", "html")
_HEAD_KEYS = ("headlines", "headline", "title", "name")
_DECK_KEYS = ("subheadline", "subtitle", "deck", "dek", "standfirst", "alternativeHeadline")
_MIN_BODY = 200  # characters: shorter strings are teasers, captions and summaries


def looks_like_json(text: str) -> bool:
    """Opens like a JSON document; ``json_to_html`` parses it (once) and says None when it is not one."""
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def json_to_html(text: str) -> str | None:
    """The story object's headline and body as an HTML page; None when the text is not JSON or no object has a
    body."""
    story = _story(_load(text))
    if story is None:
        return None
    node, body = story
    head = html.escape(_headline(node, "main"))
    deck = _headline(node, "sub") or next((_plain(node[k]) for k in _DECK_KEYS if isinstance(node.get(k), str)), "")
    if "<" not in body:  # plain text: a paragraph a line
        body = "".join(f"<p>{html.escape(line.strip())}</p>" for line in body.splitlines() if line.strip())
    deck_html = f"<p>{html.escape(deck)}</p>" if deck else ""
    return _article_page(f"<h1>{head}</h1>{deck_html}{body}", head=f"<title>{head}</title>")


def _load(text: str) -> Any:
    try:
        return json.loads(text.lstrip("\ufeff"))
    except ValueError:
        return None


def _story(data: Any) -> tuple[dict, str] | None:
    """Breadth first, so the item wins over the pictures and related stories nested in it."""
    queue = deque([data])
    while queue:
        node = queue.popleft()
        if isinstance(node, list):
            queue.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        body = next((b for b in (_body(node.get(k)) for k in _BODY_KEYS) if len(b) >= _MIN_BODY), None)
        if body is not None:
            return node, body
        queue.extend(node.values())
    return None


def _body(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # WordPress: {"rendered": "<p>..."}
        return _body(value.get("rendered") or value.get("value"))
    if isinstance(value, list):  # ninjs 2: [{"role": "main", "contenttype": "text/html", "value": ...}]
        bodies = [b for b in value if isinstance(b, dict) and isinstance(b.get("value"), str)]
        bodies.sort(key=lambda b: (b.get("role", "main") != "main", "html" not in b.get("contenttype", "html")))
        return bodies[0]["value"] if bodies else ""
    return ""


def _headline(node: dict, role: str) -> str:
    for key in _HEAD_KEYS:
        value = node.get(key)
        if isinstance(value, list):  # ninjs 2: [{"role": "main", "value": ...}, {"role": "sub", ...}]
            match = [h for h in value if isinstance(h, dict) and h.get("role", "main") == role]
            if match:
                return _plain(match[0].get("value", ""))
        elif role == "main" and isinstance(value, (str, dict)):
            return _plain(value if isinstance(value, str) else value.get("rendered", ""))
    return ""


def _plain(text: str) -> str:
    return " ".join(html.unescape(str(text)).split())
