"""MIME messages: pages saved as MHTML and e-mails (.eml, mbox), read from their decoded text part.

An MHTML file (a browser's "Save as single file") and an e-mail are both
MIME messages: headers, then parts, each in its own transfer encoding
(quoted-printable turns every "=" into "=3D", writes "’" as "=E2=80=99" and
wraps lines at 76 columns with a soft "=" break, even inside a word). Read as
it is, the text is unreadable; the standard library's e-mail parser gives each
part back as it was written. The HTML part is preferred (a newsletter's plain
part is a lesser copy of it), else the plain-text part. Headers are not page
text: an e-mail's subject is not its headline, which the body prints.
"""

from __future__ import annotations

import email
import email.policy
import re

_RE_MIME = re.compile(r"^MIME-Version:\s*1\.0\s*$", re.M | re.I)
_RE_ENCODED = re.compile(
    r"^Content-Type:\s*(?:multipart/|text/(?:html|plain))|^Content-Transfer-Encoding:\s*(?:quoted-printable|base64)",
    re.M | re.I,
)
_RE_HEADER_BLOCK = re.compile(r"\A(?:From .*\n)?(?:[A-Za-z][\w-]*:.*\n(?:[ \t].*\n)*){2,}")


def looks_like_mime(text: str) -> bool:
    """A header block at the very top (an mbox "From " line may precede it) naming MIME parts or an encoding."""
    head = text.lstrip("\ufeff")[:6000].replace("\r\n", "\n")
    block = _RE_HEADER_BLOCK.match(head)
    return bool(block and _RE_MIME.search(head) and _RE_ENCODED.search(head))


def mime_text(text: str) -> str | None:
    """The first text/html part, else the first text/plain part, decoded (its charset, else UTF-8); None when
    the message has neither."""
    message = email.message_from_string(text.lstrip("\ufeff"), policy=email.policy.default)
    parts = [p for p in message.walk() if p.get_content_type() in ("text/html", "text/plain")]
    for part in sorted(parts, key=lambda p: p.get_content_type() != "text/html"):
        payload = part.get_payload(decode=True)
        if payload:
            return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return None
