"""Time framing.ingest.extract_article: every page in data/raw, then long made-up pages.

    python benchmarks/ingest_speed.py [--raw-dir data/raw] [--lines 1000 3000 6000]

The raw pages give the ordinary cost (total seconds, the slowest page). The long
pages find costs that grow faster than the page: a comment thread of N short
distinct comments under a body of N long sentences (HTML), and the same as
copied text. Seconds per 1,000 lines should stay flat as N grows. Prints a
markdown table; not a test (timings need a quiet machine).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # this checkout's code, always
from framing.ingest import extract_article  # noqa: E402

_WORDS = ("Moscow Pyongyang treaty shells Kursk troops rail bridge Tumen Wonsan satellite sanctions panel "
          "summit Vostochny envoy freight drills").split()


def _thread(n: int, seed: int = 0) -> tuple[str, str]:
    """An HTML page and a text page, each with n body sentences and n short distinct comments."""
    rng = random.Random(seed)
    body = [" ".join(rng.choice(_WORDS + ["the", "of", "and", "said"]) for _ in range(28)).capitalize() + "."
            for _ in range(n)]
    comments = [f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} again, user{i} says" for i in range(n)]
    html = ("<html><head><title>Long thread</title></head><body><article><h1>Rail ties deepen</h1>"
            + "".join(f"<p>{s}</p>" for s in body) + "</article><section class='comments'>"
            + "".join(f"<div class='comment'><p>{c}</p><a href='#r{i}'>Reply</a></div>"
                      for i, c in enumerate(comments)) + "</section></body></html>")
    text = "\n\n".join(["Rail ties deepen", *body, "Comments", *comments])
    return html, text


def _seconds(page: str) -> float:
    start = time.perf_counter()
    extract_article(page)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", default="data/raw", type=Path)
    parser.add_argument("--lines", type=int, nargs="+", default=[1000, 3000, 6000],
                        help="body sentences (and as many comments) of each long page")
    args = parser.parse_args(argv)

    pages = sorted(p for p in args.raw_dir.rglob("*") if p.suffix in (".html", ".txt")
                   and not p.name.endswith(".expected.txt") and p.name != "README.md")
    times = {p: _seconds(p.read_text(encoding="utf-8", errors="replace")) for p in pages}
    slowest = max(times, key=times.get)
    print(f"{len(pages)} raw pages: {sum(times.values()):.1f} s in all, "
          f"slowest {times[slowest]:.2f} s ({slowest.relative_to(args.raw_dir)})\n")
    print("| page | lines | seconds | s per 1,000 lines |\n|---|---:|---:|---:|")
    for n in args.lines:
        for kind, page in zip(("html thread", "text thread"), _thread(n), strict=True):
            s = _seconds(page)
            print(f"| {kind} | {2 * n:,} | {s:.2f} | {1000 * s / (2 * n):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
