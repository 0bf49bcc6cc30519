"""The context filter: author names, the headline and each paragraph's verdict.

Works on the paragraphs of a text (``paragraphs``) and decides with context
what ``debris`` cannot decide from one line alone: the headline (found by
``headline`` in plain text), story lists
after a "Latest Stories" header, readers' comments, author sign-offs and
bios; then the line classifier judges each paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from framing.ingest.classifier import load_model
from framing.ingest.debris import (
    _is_prose,
    _is_related_header,
    _words,
    debris_class,
)
from framing.ingest.features import LineContext, page_features
from framing.ingest.furniture import _RE_AI_NOTE
from framing.ingest.headline import _find_headline, _repeats_headline, _same_title
from framing.ingest.normalize import normalize_text
from framing.ingest.segment import _clean_paragraph

_NAME = re.compile(r"[A-Z][\w'-]+(?: [A-Z][\w'-]+){1,3}")
_RE_BYLINE_NAMES = re.compile(
    r"^(?:by|written by|reported by|commentary by|analysis by|reporter|reporters|correspondent)"
    r"\s*[:=]?\s*(.+)$",
    re.I,
)


def _byline_names(lines: Iterable[str]) -> set[str]:
    """Author names from byline lines, used to drop sign-offs and author bios."""
    names: set[str] = set()
    for line in lines:
        line = normalize_text(line)
        m = _RE_BYLINE_NAMES.match(line)
        if not m or len(_words(line)) > 15:
            continue
        body = re.split(r"[,(|]| in | - | — ", m.group(1))[0]
        for part in re.split(r" and | AND |&|;", body):
            part = part.strip()
            if _NAME.fullmatch(part):
                names.add(part.title() if part.isupper() else part)
    return names


def _mentions_author(line: str, names: set[str]) -> bool:
    """Sign-offs ("Lee Soo-jin, HBC News.") and bios ("X is a senior fellow ...")."""
    low = line.lower()
    for name in names:
        nl = name.lower()
        if len(nl.split()) < 2:
            continue
        if nl in low and len(_words(line)) <= 8:
            return True
        if re.match(rf"{re.escape(nl)},? (?:is|was|has been|serves as|works as)\b", low):
            return True
    return False


def _inner_stop(par: str) -> bool:
    """Does a sentence end inside the line ("It never went quiet. Since ...")?"""
    return bool(re.search(r"[a-z0-9][.!?][\"')]? +[\"']?[A-Z]", par))


def _line_context(
    pars: list[str], headline: str | None, names: set[str]
) -> tuple[str | None, list[LineContext], list[bool]]:
    """The rules' pass over a text's paragraphs: (headline, per-line context, the rules' keep verdict).

    ``headline`` comes from HTML metadata when there is markup; for plain
    text it is found by ``_find_headline``, and non-prose lines above it are
    page header chrome. A story-list header drops the non-prose lines after
    it; a comment counter after the article text drops the short lines after
    it (readers' comments) until a long prose paragraph. The context feeds
    the line classifier; the verdict is the fallback without one.
    """
    classes: list[str | None] = []
    for par in pars:
        cls = "related" if _is_related_header(par) else debris_class(par)
        if cls is None and _mentions_author(par, names):
            cls = "author"
        classes.append(cls)
    start = 0
    if headline is None:
        idx = _find_headline(pars, classes)
        if idx is not None:
            headline, start = pars[idx], idx + 1
            classes[idx] = "headline"
    norm_head = normalize_text(headline).lower() if headline else None

    contexts: list[LineContext] = []
    keep: list[bool] = []
    in_list = in_comments = seen_prose = False
    for i, (par, cls) in enumerate(zip(pars, classes, strict=True)):
        prose = _is_prose(par)
        repeat = _repeats_headline(par, norm_head) or (
            bool(norm_head) and not seen_prose and _same_title(par, norm_head)
        )
        if i >= start:
            if cls == "related":
                in_list = True
            elif cls in ("comments", "counter") and seen_prose and re.search(r"comment|repl", par, re.I):
                in_comments = True  # readers' comments follow the article
            elif cls is None and in_comments and len(_words(par)) >= 40 and prose:
                in_comments = False
            elif cls is None and in_list and prose:
                in_list = False
        contexts.append(LineContext(cls if cls != "headline" else None, in_list, in_comments, i < start, repeat))
        if i < start:
            keep.append(cls is None and prose)  # prose above a plain-text headline (rare: a teaser)
            continue
        ok = cls is None and not in_comments and not repeat and not (in_list and not prose)
        seen_prose = seen_prose or (ok and prose)
        keep.append(ok)
    return headline, contexts, keep


# Rule classes that no expected line of data/raw carries: dropped whatever the classifier says (the few
# rules on top). "short", "counter", "button" and "contact" do fire on headings and stay evidence only.
_ALWAYS_DEBRIS = {
    "separator", "credit", "navigation", "ad", "share", "tags", "copyright", "caption", "byline", "bio", "cookie",
    "newsletter", "address", "ticker", "menu", "date", "disclaimer",
}


def line_rows(
    pars: list[str], contexts: list[LineContext], headline: str | None, anchors: list[str] | None
) -> tuple[list[list[float]], list[str]]:
    """The classifier's feature rows and the lines they describe, each paragraph as it would be
    printed (dateline, end mark and headline tag removed), for fitting and inference alike."""
    shown = [_clean_paragraph(p) or p for p in pars]
    return page_features(shown, contexts, headline, anchors), shown


def _filter_paragraphs(
    pars: list[str], headline: str | None, names: set[str], anchors: list[str] | None = None
) -> tuple[str | None, list[tuple[str, bool | None]]]:
    """Drop debris paragraphs, story lists and the repeated headline.

    Returns (headline, [(paragraph, is_heading)]). The line classifier
    decides each paragraph from its features and the rules' context; the
    exact repeat of the headline is always dropped. Without a model file the
    rules' verdict stands and is_heading is None (the caller decides).
    """
    headline, contexts, keep = _line_context(pars, headline, names)
    model = load_model()
    if model is None or not pars:
        return headline, [(p, None) for p, k in zip(pars, keep, strict=True) if k]
    norm_head = normalize_text(headline).lower() if headline else None
    prose_kept = [k and _is_prose(p) for p, k in zip(pars, keep, strict=True)]
    labels = model.labels(*line_rows(pars, contexts, headline, anchors), prose_kept)
    # the headline's line (plain text, or HTML with a kicker); -1 when only the markup has it; 0 without one
    at = next((i for i, par in enumerate(pars) if norm_head and par.lower() == norm_head), -1 if norm_head else 0)
    # the first article line under the headline: a tagline or teaser above it, or the headline's own line, is
    # not where the body starts
    first_article = next((i for i, label in enumerate(labels) if label == "article" and i > at), len(labels))
    ai_box = _ai_summary_lines(pars)
    set_apart = _set_apart_deck(pars, labels, at, first_article, has_headline=bool(norm_head))
    body = []
    for i, (par, label) in enumerate(zip(pars, labels, strict=True)):
        if label == "debris" or _repeats_headline(par, norm_head) or contexts[i].rule_class in _ALWAYS_DEBRIS:
            continue
        if i in ai_box:
            continue
        # Several sentences stay one unit only as a deck: under the headline, before the first prose line, and
        # short (a lede of 60 words and more is split, whatever the label)
        deck = at < i <= first_article and len(_words(par)) < 60
        heading = (label == "heading" and (not _inner_stop(par) or deck)) or (set_apart and i == first_article)
        body.append((par, heading))
    return headline, body


def _set_apart_deck(pars: list[str], labels: list[str], at: int, first: int, has_headline: bool) -> bool:
    """Is the first article line under the headline (``first``) a deck the model read as the lede?

    A short paragraph of two or three sentences right under the headline (no deck between them; without a
    headline, under the page's one title) and set apart from the body by furniture (a byline, a date).
    """
    if first >= len(labels) - 2:
        return False
    under = first == at + 1 or (
        not has_headline and labels[at + 1 : first].count("heading") == 1 and labels[first - 1] == "heading"
    )
    return (under and labels[first + 1] == "debris" and _inner_stop(pars[first]) and len(_words(pars[first])) < 50
            and "article" in labels[first + 2 :])


_RE_SUMMARY_HEAD = re.compile(r"^(?:key (?:points|takeaways|facts)|(?:quick |ai )?summary|in brief|at a glance|"
                              r"highlights|quick reads?|tl;?dr|(?:here's )?what to know)\b", re.I)


_RE_FEEDBACK = re.compile(r"\b(?:helpful|useful|feedback)\b.*\?|^(?:yes|no)\W+(?:yes|no)\W*$", re.I)


def _ai_summary_lines(pars: list[str]) -> set[int]:
    """A plain-text box of summary bullets under a "Key points" title, with a note saying AI wrote it.

    Only whole boxes: the title, at most eight short lines and the note under them; or the title, the note
    right under it, and short lines down to the box's feedback question ("Was this summary helpful?"). A
    list without such a note is article text.
    """
    out: set[int] = set()
    for i, par in enumerate(pars):
        if len(_words(par)) > 40 or not _RE_AI_NOTE.search(par):
            continue
        if i > 0 and _RE_SUMMARY_HEAD.match(pars[i - 1]) and len(_words(pars[i - 1])) <= 4:
            end = next((j for j in range(i + 1, min(i + 10, len(pars))) if _RE_FEEDBACK.search(pars[j])), None)
            if end is not None and all(len(_words(p)) <= 30 for p in pars[i + 1 : end]):
                out.update(range(i - 1, end + 1))
                if end + 1 < len(pars) and _RE_FEEDBACK.search(pars[end + 1]):
                    out.add(end + 1)  # "Yes  No" on a line of its own
                continue
        for j in range(i - 1, max(-1, i - 10), -1):
            if _RE_SUMMARY_HEAD.match(pars[j]) and len(_words(pars[j])) <= 4:
                out.update(range(j, i + 1))
                break
            if len(_words(pars[j])) > 45:
                break
    return out

