"""Paragraphs of the raw-text novels (../shared/data/raw_text), in a fixed order.

The silver corpus and the distilled vectors read the same paragraphs in the same order
(`round_robin`), so a smaller run's text is a prefix of a bigger one's.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Iterator, List

_SENT_END = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"']?[A-Z])")


def paragraphs(path: Path) -> Iterator[str]:
    """Paragraphs of one novel, line wraps joined, >= 4 words.

    Most files wrap lines at ~70 characters and separate paragraphs by blank lines; some
    hold one paragraph per line (long lines): there each line is a paragraph.
    """
    text = path.read_text(encoding="utf8").lstrip("\ufeff")
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip()]
        unwrapped = lines and sum(map(len, lines)) / len(lines) > 150
        for para in (lines if unwrapped else [block]):
            yield from _chunks(" ".join(para.split()))


def _chunks(para: str, most: int = 300, size: int = 150) -> Iterator[str]:
    """`para` if it has 4 to `most` words; longer ones (files without paragraph breaks)
    in pieces of about `size` words, cut after sentence ends."""
    n_words = len(para.split())
    if n_words <= most:
        if n_words >= 4:
            yield para
        return
    piece: List[str] = []
    for sent in _SENT_END.split(para):
        piece.append(sent)
        if sum(len(p.split()) for p in piece) >= size:
            yield " ".join(piece)
            piece = []
    if len(" ".join(piece).split()) >= 4:
        yield " ".join(piece)


def round_robin(files: List[Path], words: int) -> List[str]:
    """Paragraphs one from each novel in turn (so no single book dominates) until about
    `words` whitespace words."""
    out, total = [], 0
    for para in (p for group in itertools.zip_longest(*(paragraphs(f) for f in files)) for p in group if p):
        out.append(para)
        total += len(para.split())
        if total >= words:
            break
    return out
