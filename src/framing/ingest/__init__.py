"""Turn a raw web article (HTML page or copied/scraped text) into its sentences.

Contract
--------
``extract_article(raw)`` returns the article's sentences in reading order,
headline first when one is found, each passed through ``normalize_text``.
Everything the labeling guide says is *not* a sentence of the article is
dropped: navigation and menu text, bylines and sign-offs, dates and
"Updated" lines, view/comment counters, photo captions and credits, share
buttons, copyright and reprint notices, ads, cookie and newsletter prompts,
author bios, readers' comments, and lists of other stories ("Latest
Stories", "Most Read", ...), and a second copy of a sentence already
returned (a pull quote, a caption printed twice). A deck printed under the
headline, a kicker and section titles are kept, each as one unsplit line.

Normalization (what ``normalize_text`` guarantees, and what the fixtures in
``data/raw/*.expected.txt`` are written in):

* Unicode NFKC (full-width forms, ligatures, NBSP, "…" -> "...");
* circled c (``ⓒ``/``Ⓒ``) becomes ``©`` rather than NFKC's plain ``c``;
* curly quotes and apostrophes are straightened to ``"`` and ``'``;
* zero-width characters and soft hyphens removed, whitespace collapsed;
* em/en dashes are kept as they are.

Beyond normalization the text path also drops a few pieces of article
furniture that sit *inside* paragraphs: wire datelines ("SEOUL, Feb. 27
(Yonhap) -- "), end marks ("-0-", "(END)"), leading list enumerators
("1. ", "- ", "•") and leading headline tags ("[Editorial] ", "(LEAD) ").

Nothing is computed at import time beyond compiling regular expressions;
trafilatura, lxml and pysbd are imported lazily so that
``normalize_text``/``is_debris`` stay cheap to use. trafilatura needs
``lxml_html_clean`` (lxml >= 5.2 split it out); without it the HTML path
falls back to a plain lxml extractor.

Stages and files
----------------
Each module imports only the ones above it in this list:

* ``normalize``: ``normalize_text`` (the canonical form all stages compare in);
* ``segment``: ``split_sentences`` on pysbd, and the in-paragraph cleanup
  (datelines, end marks, headline tags, enumerators);
* ``furniture``: the vocabulary of page furniture (word sets, regular expressions);
* ``debris``: the context-free line rules over it, ``debris_class``/``is_debris``;
* ``features``: the line classifier's features of each paragraph;
* ``classifier``: the line classifier (article / heading / debris), shipped as
  ``page_lines.json`` and fitted by ``benchmarks/page_lines.py``;
* ``headline``: the headline of a plain text, and its repeats;
* ``lines``: context decisions over a text's paragraphs (unwrapping, headline,
  story lists, readers' comments, author names) and the classifier's verdict;
* ``html``: ``looks_like_html`` and the markup path (trafilatura, headline,
  deck, the lxml fallback);
* ``pipeline``: ``extract_article``, the flow from raw input to sentences;
* ``evaluate``: ``evaluate_fixture``/``evaluate_dir``, for tests and
  benchmarks/ingest_eval.py.
"""

from __future__ import annotations

from framing.ingest.debris import debris_class, is_debris
from framing.ingest.evaluate import evaluate_dir, evaluate_fixture
from framing.ingest.html import looks_like_html
from framing.ingest.normalize import normalize_text
from framing.ingest.pipeline import extract_article
from framing.ingest.segment import split_sentences

__all__ = [
    "normalize_text",
    "split_sentences",
    "extract_article",
    "is_debris",
    "debris_class",
    "looks_like_html",
    "evaluate_fixture",
    "evaluate_dir",
]
