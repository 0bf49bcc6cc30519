"""Pages saved as MHTML (a browser's "Save as single file"): the HTML part, decoded, then read as HTML.

An MHTML file is a MIME message: headers, then the page's HTML and its
style sheets and images as parts, each in its own transfer encoding
(quoted-printable turns every "=" into "=3D" and wraps lines at 76 columns).
Read as it is, the markup is unreadable; the standard library's e-mail
parser gives the HTML part back as the page it was.
"""

from __future__ import annotations

import email
import email.policy
import re

_RE_MIME = re.compile(r"^MIME-Version:\s*1\.0\s*$", re.M | re.I)
_RE_RELATED = re.compile(r"^Content-Type:\s*multipart/related", re.M | re.I)


def looks_like_mhtml(text: str) -> bool:
    """MIME headers at the top and a multipart/related body: a web archive, not a page."""
    head = text[:4000]
    return bool(_RE_MIME.search(head) and _RE_RELATED.search(head))


def mhtml_to_html(text: str) -> str | None:
    """The first text/html part, decoded (its charset, else UTF-8), or None when there is none."""
    message = email.message_from_string(text, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        charset = part.get_content_charset() or "utf-8"
        return payload.decode(charset, errors="replace")
    return None
