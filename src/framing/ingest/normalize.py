"""Text normalization: one canonical form so that equal text compares equal.

Everything downstream (segmentation, the debris rules, the fixtures in
``data/raw/*.expected.txt``) works on normalized text, so this module sits
at the bottom of the package and imports nothing from it.
"""

from __future__ import annotations

import re
import unicodedata

# zero-width characters, and the control characters a raw wire feed carries (SOH, STX, ETX around each
# story; \x1c-\x1f are whitespace to re, so they stay)
_DROPPED = dict.fromkeys([*map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), *range(0x09), *range(0x0E, 0x1C), 0x7F])
_PRE_NFKC = str.maketrans({"\u24d2": "\u00a9", "\u24b8": "\u00a9"})  # ⓒ Ⓒ -> ©
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Normalize one sentence or line so equal text compares equal.

    NFKC folds the many look-alike code points web pages carry; quotes are
    straightened because sources mix curly and straight quotes freely and the
    classifier should not see the difference (wire feeds and TeX write ``these'').
    """
    text = text.translate(_PRE_NFKC)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_DROPPED).translate(_QUOTES)
    if "``" in text or "''" in text:  # wire and TeX quotes: ``Every launch ...,'' said
        text = text.replace("``", '"').replace("''", '"')
    return _WS.sub(" ", text).strip()
