"""LaTeX sources (a brief or a paper as written, before it is compiled): rewritten as HTML.

Read as text, a source is mostly markup: the preamble, ``%`` comments,
``\\footnote{...}`` and ``\\cite{...}`` inside sentences, ``~`` for spaces,
lines wrapped where the author typed them. The body between
``\\begin{document}`` and ``\\end{document}`` is rendered instead: ``\\title``
becomes the ``<h1>``, sections headings, blank lines paragraphs; floats
(figures, tables), the bibliography and boxes of unknown kinds (a pull quote)
are not running text and go whole; a command's text arguments are kept
(``\\emph{x}``, a template's ``\\deck{x}``), its other arguments dropped.
"""

from __future__ import annotations

import html
import re
import unicodedata

from framing.ingest.tree import _article_page

_RE_LATEX = re.compile(r"\\documentclass\b|\\begin\{document\}")
_RE_COMMENT = re.compile(r"(?<!\\)%.*")
# commands whose arguments are never text (their count of braced arguments)
_DROP = {
    "footnote": 1, "thanks": 1, "cite": 1, "citep": 1, "citet": 1, "label": 1, "ref": 1, "eqref": 1, "pageref": 1,
    "index": 1, "includegraphics": 1, "vspace": 1, "hspace": 1, "input": 1, "include": 1, "bibliography": 1,
    "bibliographystyle": 1, "usepackage": 1, "documentclass": 1, "pagestyle": 1, "thispagestyle": 1,
    "newcommand": 2, "renewcommand": 2, "setlength": 2, "definecolor": 3, "setmainfont": 1, "titleformat": 5,
    "lhead": 1, "chead": 1, "rhead": 1, "lfoot": 1, "cfoot": 1, "rfoot": 1, "caption": 1, "date": 1, "author": 1,
    "title": 1, "color": 1, "hypersetup": 1, "addbibresource": 1, "graphicspath": 1, "end": 1,
}
_HEADINGS = {"section": "h2", "subsection": "h3", "subsubsection": "h4", "paragraph": "h4"}
_KEEP_ENVS = {"document", "itemize", "enumerate", "description", "quote", "quotation", "abstract", "center",
              "flushleft", "flushright", "minipage", "multicols", "verse", "small", "large"}
_SYMBOLS = {"copyright": "©", "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "S": "§",
            "textquoteright": "'", "textquoteleft": "'", "par": "\n\n", "item": "\n\n", "newline": "\n"}
_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            "u": "\u0306", "v": "\u030c", "c": "\u0327", "H": "\u030b", ".": "\u0307"}


def looks_like_latex(text: str) -> bool:
    return _RE_LATEX.search(text[:20000]) is not None


def latex_to_html(text: str) -> str | None:
    """The document's body as an HTML page, its ``\\title`` the <h1>; None without a body."""
    text = "\n".join(_RE_COMMENT.sub("", line) for line in text.replace("\r\n", "\n").split("\n"))
    title = _command_arg(text, "title")
    start, end = text.find("\\begin{document}"), text.rfind("\\end{document}")
    if start < 0:
        return None
    body = _render(text[start + len("\\begin{document}"): end if end > start else len(text)])
    parts = [f"<h1>{html.escape(_flat(title))}</h1>"] if title else []
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        heading = re.fullmatch(r"\x00(h\d)\x00(.*?)\x00", block, re.S)
        if heading:
            parts.append(f"<{heading.group(1)}>{html.escape(_flat(heading.group(2)))}</{heading.group(1)}>")
        elif _flat(block):
            parts.append(f"<p>{html.escape(_flat(block))}</p>")
    return _article_page("".join(parts))


def _flat(text: str) -> str:
    text = text.replace("---", "\u2014").replace("--", "\u2013")
    return " ".join(text.split())


def _command_arg(text: str, name: str) -> str | None:
    m = re.search(rf"\\{name}\s*(?:\[[^\]]*\])?\s*\{{", text)
    if not m:
        return None
    inner, _ = _group(text, m.end() - 1)
    return _render(inner)


def _group(text: str, at: int) -> tuple[str, int]:
    """The balanced ``{...}`` opening at ``at``: its inside and the index after it."""
    depth, i = 0, at
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[at + 1: i], i + 1
        i += 1
    return text[at + 1:], len(text)


def _args(text: str, i: int, count: int | None) -> tuple[list[str], int]:
    """Braced arguments from ``i`` (optional ``[...]`` skipped): ``count`` of them, or those right at ``i``."""
    out: list[str] = []
    while count is None or len(out) < count:
        j = i
        if count is not None:
            while j < len(text) and text[j] in " \t\n":
                j += 1
        if j < len(text) and text[j] == "[":
            close = text.find("]", j)
            j = close + 1 if close > 0 else j
        if count is not None:
            while j < len(text) and text[j] in " \t\n":
                j += 1
        if j >= len(text) or text[j] != "{":
            break
        inner, i = _group(text, j)
        out.append(inner)
    return out, i


def _render(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+)\*?|\\(.)", text[i:])
            name = m.group(1) or m.group(2)
            i += m.end()
            if name in _ACCENTS and i < len(text):
                base, i = (_group(text, i) if text[i] == "{" else (text[i], i + 1))
                out.append(unicodedata.normalize("NFC", base + _ACCENTS[name]))
            elif name == "begin":
                (env,), i = _args(text, i, 1)
                inner, i = _environment(text, i, env)
                if env in _KEEP_ENVS:
                    out.append(f"\n\n{_render(inner)}\n\n")
            elif name in _DROP:
                _, i = _args(text, i, _DROP[name])
            elif name in _HEADINGS:
                args, i = _args(text, i, 1)
                out.append(f"\n\n\x00{_HEADINGS[name]}\x00{_render(args[0]) if args else ''}\x00\n\n")
            elif name == "href":
                args, i = _args(text, i, 2)
                out.append(_render(args[-1]) if args else "")
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            elif m.group(2) is not None:  # \% \& \$ \# \_ \, \  \\
                out.append({"\\": "\n", ",": " ", " ": " "}.get(name, name))
            else:
                args, i = _args(text, i, None)
                out.append(" ".join(_render(a) for a in args))
        elif ch == "~":
            out.append(" ")
            i += 1
        elif ch in "{}":
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _environment(text: str, i: int, env: str) -> tuple[str, int]:
    """The inside of ``\\begin{env}`` (already read up to ``i``) and the index after its ``\\end{env}``."""
    depth = 1
    pattern = re.compile(rf"\\(begin|end)\{{{re.escape(env)}\}}")
    for m in pattern.finditer(text, i):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return text[i: m.start()], m.end()
    return text[i:], len(text)
