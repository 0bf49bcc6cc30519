"""Features of one line of a page, for the line classifier (``classifier``).

A line is judged by what it looks like (length, capitals, punctuation, function
words and verbs, furniture words), by what the rules in ``debris`` and the
context pass in ``lines`` say about it (as evidence, not as the verdict), by
its place on the page, by repetition (pull quotes, related stories that echo
the headline) and, on HTML, by how much of it is link text. Every feature is a
number; ``FEATURES`` fixes their order, which the model file records.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from framing.ingest.debris import DEBRIS_CLASSES, _ends_terminal, _is_prose, _is_title_like, _words

# Function words: running prose is dense in them, menus and headlines are not (jusText's main cue).
_FUNCTION = set(
    "a an the of to in on at for from by with and or but that this these those it its is are was were be "
    "been being has have had will would could should may might can not no as than which who whom whose "
    "what when where while if because after before about into over under between during against".split()
)
_VERBS = set(
    "is are was were be been has have had said says say told tells added warned called "
    "will would could should may might can did does do made make makes took take sent send "
    "signed agreed announced reported expected remains became".split()
)
# Words of page furniture; counted, never matched as whole-line rules.
_FURNITURE = set(
    "subscribe subscriber subscribers subscription newsletter sign login log register account "
    "cookie cookies consent privacy terms share shares tweet follow like likes comment comments "
    "replies reply read more related recommended popular trending latest watch video listen audio "
    "podcast download print email e-mail photo photos image images credit getty afp reuters "
    "advertisement sponsored ad ads copyright rights reserved click here app free articles "
    "premium paywall disclaimer edited translation generated beta ai summary feedback helpful "
    "views min minutes ago updated published tags topics hashtag section menu home affiliate commission "
    "disclosure advice informational research cite citation doi references notes about contents toggle "
    "forwarded official record media unofficial mistake press ctrl".split()
)
# Headers of a page's back matter; every line after one is more likely apparatus than article.
_BACK_MATTER = re.compile(
    r"^(?:references|notes|endnotes|footnotes|sources|bibliography|citations|works cited|further reading|"
    r"about the authors?|table of contents|contents|chapters|in this (?:issue|article))\s*:?$",
    re.I,
)
# A reference-list entry: "[2] Lewis, P. (2024).", "^ ...", "1 Treaty on ...", "(2023, Nov. 22)."
_REFERENCE = re.compile(r"^(?:\[\d{1,3}\]|\^|\d{1,2} [A-Z])|\((?:19|20)\d\d[a-z]?(?:, [A-Z][a-z]+\.? ?\d*)?\)\.")
# A photo described in the present tense: "X speaks during a news conference at ..."
_CAPTION_GRAMMAR = re.compile(
    r"^(?:[A-Z][\w.'-]*,? (?:\(\w+\) )?){1,8}(?:\w+ ){0,5}(?:speaks|attends|shakes|shake|waves|wave|looks|walks|walk|"
    r"arrives|arrive|poses|pose|inspects|inspect|sits|sit|stands|stand|gestures|listens|smiles|talks|watches|holds|"
    r"greets|greet|delivers|leaves|rests|drives|march|marches|work|ride|rides|boards|board|wait|gather|salute|"
    r"salutes|unload|unloads|is seen|are seen|is pictured|are pictured)\b"
    r"|^(?:An? (?:aerial |general |satellite )?view of|This (?:undated )?(?:file )?(?:photo|image|picture) shows)\b"
)
# The publisher speaking to the reader: "we", "our", "you", outside quotation marks.
_PUBLISHER = {"we", "our", "us", "you", "your", "yours", "ours"}
_META = set("this article story post summary page report newsletter site generated beta accuracy verified "
            "observed ratings standards liable responsible opinions expressed reflect necessarily endorse "
            "views".split())
# News narrates in the past; a caption describes a photo in the present ("Workers load shells onto a pallet").
_PAST = set("said says was were had did told made took sent began came went gave met left became saw held won "
            "wrote rose fell led ran set put got brought thought found knew kept paid sought built".split())
_RE_PAST = re.compile(r"\b[a-z]{3,}ed\b")
# "Duration: five years, renewable", "FIT - free independent traveller; ...": a fact box's or a glossary's row
_LABEL_VALUE = re.compile(r"^[A-Z][\w'&/-]*(?: [\w'&/-]+){0,3}(?::| [-–—]) +\S")
_SEPARATORS = re.compile(r"[|·•∙›»▶►]")
_INNER_STOP = re.compile(r"[a-z0-9)][.!?][\"')]* +[\"'A-Z]")  # a sentence ends inside the line: a deck, a paragraph
_TOKEN = re.compile(r"[a-z0-9']+")

_OWN = [
    "log_words", "log_chars", "terminal", "ends_colon", "ends_question", "title_like", "prose",
    "cap_ratio", "upper_ratio", "function_ratio", "has_verb", "digit_ratio", "symbol_ratio",
    "has_quote", "separators", "hashtag", "bracketed", "parenthesized", "body_overlap", "reference",
    "caption_grammar", "publisher_voice", "meta_words",
    "after_back_matter", "furniture", "furniture_ratio",
    "rule_debris", "in_list", "in_comments", "above_headline", "headline_repeat",
    "position", "before_first_prose", "after_last_prose", "repeated", "echo", "headline_overlap",
    "link_share", "is_html", "below_headline", "above_headline_line", "inner_stops", "contained",
    "past_tense", "label_value",
]
# a photo's caption sits next to its credit line: the neighbours' caption and credit rules
_NEIGHBOUR = ["prose", "rule_debris", "title_like", "log_words", "rule_caption", "rule_credit"]
FEATURES: list[str] = (
    _OWN
    + [f"rule_{c}" for c in DEBRIS_CLASSES]
    + [f"{side}_{name}" for side in ("prev", "next") for name in _NEIGHBOUR]
    + ["window_prose", "window_debris"]
)


@dataclass(frozen=True)
class LineContext:
    """What the context pass (``lines._line_context``) knows about one paragraph."""

    rule_class: str | None
    in_list: bool = False
    in_comments: bool = False
    above_headline: bool = False
    headline_repeat: bool = False


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text.lower()))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _own(line: str) -> dict[str, float]:
    words = _words(line)
    n = max(len(words), 1)
    lower = [w.strip("\"'()[],.:;!?").lower() for w in words]
    alpha = [w for w in words if any(ch.isalpha() for ch in w)]
    letters = sum(ch.isalnum() for ch in line)
    furniture = sum(w in _FURNITURE for w in lower)
    outside_quotes = re.sub(r'"[^"]*"', " ", line)
    unquoted = [w.strip("\"'()[],.:;!?").lower() for w in _words(outside_quotes)]
    return {
        "log_words": math.log1p(len(words)),
        "log_chars": math.log1p(len(line)),
        "terminal": float(_ends_terminal(line)),
        "ends_colon": float(line.rstrip().endswith(":")),
        "ends_question": float(line.rstrip("\"') ").endswith("?")),
        "title_like": float(_is_title_like(line)),
        "prose": float(_is_prose(line)),
        "cap_ratio": sum(w[0].isupper() for w in alpha) / max(len(alpha), 1),
        "upper_ratio": sum(w.isupper() and len(w) > 1 for w in alpha) / max(len(alpha), 1),
        "function_ratio": sum(w in _FUNCTION for w in lower) / n,
        "has_verb": float(any(w in _VERBS for w in lower)),
        "digit_ratio": sum(ch.isdigit() for ch in line) / max(len(line), 1),
        "symbol_ratio": (len(line.replace(" ", "")) - letters) / max(len(line), 1),
        "has_quote": float('"' in line),
        "separators": min(len(_SEPARATORS.findall(line)), 3) / 3,
        "hashtag": float(bool(re.search(r"(?:^|\s)#\w", line))),
        "bracketed": float(line.startswith("[") or line.endswith("]") or bool(re.search(r"\[\d+\]", line))),
        "reference": float(bool(_REFERENCE.search(line))),
        "caption_grammar": float(bool(_CAPTION_GRAMMAR.match(line)) and "said" not in lower),
        "publisher_voice": float(any(w in _PUBLISHER for w in unquoted)),
        "meta_words": min(sum(w in _META for w in lower), 3) / 3,
        "parenthesized": float(line.startswith("(") and line.rstrip(".").endswith(")")),
        "furniture": min(furniture, 4) / 4,
        "furniture_ratio": furniture / n,
        "past_tense": float(any(w in _PAST for w in unquoted) or bool(_RE_PAST.search(outside_quotes))),
        "label_value": float(bool(_LABEL_VALUE.match(line))),
    }


def _overlap(words: set[str], vocab: dict[str, int], own_prose: bool, head: set[str]) -> float:
    """Share of a line's content words found in the page's other prose lines or the headline.

    A page with no other prose (a two-line brief) gives no evidence either way: 1.0.
    """
    if not words:
        return 0.0
    others = {t for t, n in vocab.items() if n - (own_prose and t in words) > 0} | head
    if not others:
        return 1.0
    return len(words & others) / len(words)


def _link_share(line: str, anchors: Sequence[str]) -> float:
    """Share of the line's characters covered by the longest link text it contains."""
    best = 0
    for anchor in anchors:
        if len(anchor) > best and anchor in line:
            best = len(anchor)
    return best / max(len(line), 1)


def _contained(pars: Sequence[str]) -> list[bool]:
    """Short lines printed again inside a longer line of the page: a section name that is also a menu item or
    a breadcrumb, a site name in the copyright line. A kicker or a crosshead is printed once.

    Each distinct line is looked for once in all distinct lines joined: a longer line holding it between
    non-word characters is the only other place it can be found (an equal-length one would be the same
    line), so a second such hit decides. ``str.find``, not a regex with look-arounds, which scans slowly.
    """
    low = [p.lower() for p in pars]
    distinct = list(dict.fromkeys(low))
    joined = "\n".join(distinct)
    found = {line: _found_twice(joined, line) for line in distinct if len(line.split()) <= 6 and len(line) >= 3}
    return [found.get(line, False) for line in low]


def _found_twice(text: str, part: str) -> bool:
    """Whether ``part`` occurs twice in ``text`` as whole words (what ``(?<!\\w)part(?!\\w)`` matches)."""
    hits, at = 0, text.find(part)
    while at >= 0:
        end = at + len(part)
        if not _word_char(text, at - 1) and not _word_char(text, end):
            hits += 1
            if hits == 2:
                return True
        at = text.find(part, at + 1)
    return False


def _word_char(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] == "_")


def _echo(toks: Sequence[set[str]]) -> list[float]:
    """Each line's highest Jaccard similarity to another line, both of four or more tokens: a pull quote, a
    related headline or a caption printed again. One matrix product over the tokens two lines can share
    instead of a loop over pairs (a 3,000-line thread took 20 s); counts are exact, so values are too."""
    rows = [i for i, t in enumerate(toks) if len(t) >= 4]
    out = [0.0] * len(toks)
    if len(rows) < 2:
        return out
    df: dict[str, int] = {}
    for i in rows:
        for t in toks[i]:
            df[t] = df.get(t, 0) + 1
    column = {t: k for k, t in enumerate(t for t, n in df.items() if n > 1)}
    member = np.zeros((len(rows), len(column)), dtype=np.float32)
    for r, i in enumerate(rows):
        member[r, [column[t] for t in toks[i] if t in column]] = 1.0
    sizes = np.array([len(toks[i]) for i in rows], dtype=np.float64)
    for start in range(0, len(rows), 512):
        block = slice(start, start + 512)
        inter = (member[block] @ member.T).astype(np.float64)
        jaccard = inter / (sizes[block, None] + sizes[None, :] - inter)
        here = np.arange(jaccard.shape[0])
        jaccard[here, here + start] = -1.0  # not itself
        for r, best in enumerate(jaccard.max(axis=1), start):
            out[rows[r]] = max(float(best), 0.0)
    return out


def page_features(
    pars: Sequence[str],
    contexts: Sequence[LineContext],
    headline: str | None,
    anchors: Sequence[str] | None = None,
) -> list[list[float]]:
    """One row of ``FEATURES`` per paragraph; ``anchors`` are the page's link texts (HTML only)."""
    own = [_own(p) for p in pars]
    toks = [_tokens(p) for p in pars]
    head = _tokens(headline or "")
    prose_idx = [i for i, o in enumerate(own) if o["prose"]]
    first, last = (prose_idx[0], prose_idx[-1]) if prose_idx else (len(pars), -1)
    counts: dict[str, int] = {}
    for p in pars:
        counts[p.lower()] = counts.get(p.lower(), 0) + 1
    anchors = [a for a in (anchors or []) if len(a) >= 12]
    content = [{t for t in tk if len(t) > 3 and t not in _FUNCTION} for tk in toks]
    prose_set = set(prose_idx)
    vocab: dict[str, int] = {}
    for i in prose_idx:
        for t in content[i]:
            vocab[t] = vocab.get(t, 0) + 1
    back = next((i for i, p in enumerate(pars) if _BACK_MATTER.match(p)), len(pars))
    contained = _contained(pars)
    echo = _echo(toks)
    # The line under the headline (or the first line, when the headline came from markup): where a deck sits.
    at = next((i for i, p in enumerate(pars) if headline and p.lower() == headline.lower()), None)
    deck_slot = 0 if at is None else at + 1
    rows: list[dict[str, float]] = []
    for i, (par, ctx) in enumerate(zip(pars, contexts, strict=True)):
        row = dict(own[i])
        row.update({
            "rule_debris": float(ctx.rule_class is not None),
            "in_list": float(ctx.in_list),
            "in_comments": float(ctx.in_comments),
            "above_headline": float(ctx.above_headline),
            "headline_repeat": float(ctx.headline_repeat),
            "position": i / max(len(pars) - 1, 1),
            "after_back_matter": float(i > back),
            "before_first_prose": float(i < first),
            "after_last_prose": float(i > last),
            "repeated": float(counts[par.lower()] > 1),
            "echo": echo[i],
            # share of the line's content words that other prose lines of the page use: boilerplate is off-topic
            "body_overlap": _overlap(content[i], vocab, i in prose_set, head),
            "headline_overlap": _jaccard(toks[i], head),
            "link_share": _link_share(par, anchors) if anchors else 0.0,
            "is_html": float(bool(anchors)),
            "below_headline": float(i == deck_slot),
            "above_headline_line": float(at is not None and i == at - 1),  # where a kicker sits
            "inner_stops": min(len(_INNER_STOP.findall(par)), 3) / 3,
            "contained": float(contained[i]),
        })
        for c in DEBRIS_CLASSES:
            row[f"rule_{c}"] = float(ctx.rule_class == c)
        rows.append(row)
    out: list[list[float]] = []
    for i, row in enumerate(rows):
        for side, j in (("prev", i - 1), ("next", i + 1)):
            other = rows[j] if 0 <= j < len(rows) else None
            for name in _NEIGHBOUR:
                row[f"{side}_{name}"] = other[name] if other else (0.0 if name != "rule_debris" else 1.0)
        window = rows[max(0, i - 2) : i] + rows[i + 1 : i + 3]
        row["window_prose"] = sum(r["prose"] for r in window) / 4
        row["window_debris"] = sum(r["rule_debris"] for r in window) / 4
        out.append([row[name] for name in FEATURES])
    return out
