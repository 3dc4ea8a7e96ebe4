"""Token alignment between two tokenizations of the same text, and BILUO helpers.

Two Docs of one text (heron's tokens vs. gold tokens from a treebank) are aligned by
character offsets with whitespace removed, like spaCy: token i of `x` is aligned to
token j of `y` when they share at least one non-whitespace character. This handles
one-to-one, one-to-many (x "don't" ~ y "do" "n't") and many-to-one alignments, and
texts that differ only in whitespace. Whitespace-only tokens align to nothing.

The computation is vectorised: one numpy array maps each non-whitespace character to
its token in each Doc; unique (x, y) pairs are the alignment.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import Errors, HeronValueError

_WS = re.compile(r"\s")
_MISSING_TAGS = (None, "", "-")


class AlignmentArray:
    """A ragged array: for each token of one side, the aligned token indices of the other.

    data (int64 array): all aligned indices, grouped per token, ascending.
    lengths (int64 array): how many indices each token has (0 = unaligned).
    `arr[i]` is the int64 array for token i; `arr[i:j]` the concatenation for i..j-1.
    """

    __slots__ = ("data", "lengths", "starts")

    def __init__(self, data: np.ndarray, lengths: np.ndarray):
        self.data = data
        self.lengths = lengths
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self.lengths))
            return self.data[self.starts[start]:self.starts[max(start, stop)]]
        return self.data[self.starts[key]:self.starts[key + 1]]

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(len(self.lengths)):
            yield self[i]

    @property
    def dataXd(self) -> np.ndarray:  # spaCy's name
        return self.data

    def to_lists(self) -> List[List[int]]:
        return [self[i].tolist() for i in range(len(self.lengths))]


class Alignment:
    """x2y and y2x AlignmentArrays between token lists `x` and `y` (see module docstring).

    Also keeps each token's [start, end) in whitespace-free character space
    (`x_offsets`, `y_offsets`, (n, 2) int64), so both sides' boundaries can be compared.
    """

    def __init__(self, x2y: AlignmentArray, y2x: AlignmentArray,
                 x_offsets: np.ndarray, y_offsets: np.ndarray):
        self.x2y = x2y
        self.y2x = y2x
        self.x_offsets = x_offsets
        self.y_offsets = y_offsets

    @classmethod
    def from_strings(cls, x: Sequence[str], y: Sequence[str]) -> "Alignment":
        """Align two token lists whose concatenations differ only in whitespace.

        Raises E500 (naming both texts' start) when the texts differ otherwise.
        """
        if list(x) == list(y) and not _WS.search("".join(x)):
            return cls._identity(x)
        x_tok, x_chars, x_off = _char_tokens(x)
        y_tok, y_chars, y_off = _char_tokens(y)
        if x_chars != y_chars and not (len(x_chars) == len(y_chars) and x_chars.lower() == y_chars.lower()):
            raise HeronValueError(Errors.E500.format(x=_show(x), y=_show(y), where=_first_diff(x_chars, y_chars)))
        nx, ny = len(x), len(y)
        if len(x_tok) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(AlignmentArray(empty, np.zeros(nx, np.int64)),
                       AlignmentArray(empty, np.zeros(ny, np.int64)), x_off, y_off)
        pairs = np.unique(x_tok * max(ny, 1) + y_tok)  # sorted by x, then y
        px, py = pairs // max(ny, 1), pairs % max(ny, 1)
        x2y = AlignmentArray(py, np.bincount(px, minlength=nx).astype(np.int64))
        order = np.lexsort((px, py))  # by y, then x
        y2x = AlignmentArray(px[order], np.bincount(py, minlength=ny).astype(np.int64))
        return cls(x2y, y2x, x_off, y_off)

    @classmethod
    def _identity(cls, words: Sequence[str]) -> "Alignment":
        """Same tokens, no whitespace (the common case): token i <-> token i."""
        n = len(words)
        ends = np.cumsum(np.array(list(map(len, words)), dtype=np.int64))
        offsets = np.stack([ends - np.array(list(map(len, words)), dtype=np.int64), ends], axis=1)
        arr = AlignmentArray(np.arange(n, dtype=np.int64), np.ones(n, dtype=np.int64))
        return cls(arr, arr, offsets, offsets)

    @classmethod
    def from_docs(cls, x_doc, y_doc) -> "Alignment":
        return cls.from_strings(x_doc._words, y_doc._words)


def _char_tokens(words: Sequence[str]) -> Tuple[np.ndarray, str, np.ndarray]:
    """(token index of each non-whitespace char, the whitespace-free text, offsets (n, 2))."""
    lengths = np.array(list(map(len, words)), dtype=np.int64)
    text = "".join(words)
    keep = np.ones(len(text), dtype=bool)
    ws = [m.start() for m in _WS.finditer(text)]
    if ws:
        keep[ws] = False
        text = _WS.sub("", text)
    tok = np.repeat(np.arange(len(words), dtype=np.int64), lengths)[keep]
    kept_per_token = np.bincount(tok, minlength=len(words)) if len(tok) else np.zeros(len(words), np.int64)
    ends = np.cumsum(kept_per_token)
    offsets = np.stack([ends - kept_per_token, ends], axis=1).astype(np.int64)
    return tok, text, offsets


def _show(words: Sequence[str]) -> str:
    text = " ".join(words)
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def _first_diff(a: str, b: str) -> str:
    i = next((k for k, (p, q) in enumerate(zip(a, b)) if p != q), min(len(a), len(b)))
    return f"non-whitespace character {i}: {a[i:i + 15]!r} vs {b[i:i + 15]!r}"


# ---- BILUO helpers (spaCy's heron.training.iob_utils) ------------------------------

def iob_to_biluo(tags: Iterable[Optional[str]]) -> List[Optional[str]]:
    """IOB tags ("B-PER", "I-PER", "O") -> BILUO; missing values ("-", None, "") kept."""
    tags = list(tags)
    out: List[Optional[str]] = []
    for i, tag in enumerate(tags):
        if tag in _MISSING_TAGS or tag == "O":
            out.append(tag)
            continue
        prefix, label = tag.split("-", 1)
        prev = tags[i - 1] if i else None
        begins = prefix in ("B", "U", "S") or not (isinstance(prev, str) and prev[2:] == label
                                                     and prev[:1] in ("B", "I"))
        nxt = tags[i + 1] if i + 1 < len(tags) else None
        continues = isinstance(nxt, str) and nxt[:2] in ("I-", "L-", "E-") and nxt[2:] == label
        out.append(("B-" if continues else "U-") + label if begins else ("I-" if continues else "L-") + label)
    return out


def biluo_to_iob(tags: Iterable[Optional[str]]) -> List[Optional[str]]:
    out: List[Optional[str]] = []
    for tag in tags:
        if tag in _MISSING_TAGS or tag == "O":
            out.append(tag)
        else:
            prefix, label = tag.split("-", 1)
            out.append(("B-" if prefix in ("B", "U") else "I-") + label)
    return out


def offsets_to_biluo_tags(doc, entities: Iterable[Tuple[int, int, str]], missing: Optional[str] = "O"
                          ) -> List[Optional[str]]:
    """BILUO tags for `doc` from (start_char, end_char, label) entities.

    Tokens in no entity get `missing` ("O" = annotated as outside; None or "-" =
    unknown). An entity whose offsets are not on token boundaries marks the tokens it
    touches "-" (unknown), as spaCy does, so a misaligned entity is never trained as O.
    """
    n = len(doc)
    tags: List[Optional[str]] = [missing] * n
    offsets = doc._get_offsets()
    starts = np.array(offsets[:-1], dtype=np.int64)
    ends = starts + np.fromiter((len(w) for w in doc._words), dtype=np.int64, count=n)
    for start, end, label in entities:
        first = int(np.searchsorted(starts, start, side="left"))
        last = int(np.searchsorted(ends, end, side="left"))
        if first < n and last < n and starts[first] == start and ends[last] == end and first <= last:
            if first == last:
                tags[first] = f"U-{label}"
            else:
                tags[first] = f"B-{label}"
                for i in range(first + 1, last):
                    tags[i] = f"I-{label}"
                tags[last] = f"L-{label}"
        else:
            touched = np.flatnonzero((starts < end) & (ends > start))
            for i in touched.tolist():
                tags[i] = "-"
    return tags


def doc_to_biluo_tags(doc, missing: str = "-") -> List[Optional[str]]:
    """The Doc's entities as BILUO tags; tokens without NER annotation get `missing`."""
    tags = offsets_to_biluo_tags(doc, [(e.start_char, e.end_char, e.label_) for e in doc.ents], missing="O")
    iob = [t.ent_iob for t in doc]
    return [missing if code == 0 and tag == "O" else tag for tag, code in zip(tags, iob)]


def biluo_tags_to_offsets(doc, tags: Sequence[Optional[str]]) -> List[Tuple[int, int, str]]:
    """(start_char, end_char, label) of the entities in BILUO (or IOB) `tags` for `doc`."""
    return [(span.start_char, span.end_char, span.label_) for span in biluo_tags_to_spans(doc, tags)]


def biluo_tags_to_spans(doc, tags: Sequence[Optional[str]]) -> list:
    """Labelled Spans of `doc` for BILUO/IOB tags (missing tags break entities)."""
    from ..tokens import Span

    spans = []
    start, label = -1, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, tag_label = (tag or "-").partition("-")
        continues = prefix in ("I", "L", "E") and start != -1 and tag_label == label
        if not continues and start != -1:
            spans.append(Span(doc, start, i, label=label))
            start, label = -1, None
        if prefix in ("B", "U", "S") or (prefix in ("I", "L", "E") and start == -1 and tag_label):
            start, label = i, tag_label
        if prefix in ("L", "U", "E", "S") and start != -1:
            spans.append(Span(doc, start, i + 1, label=label))
            start, label = -1, None
    return spans


__all__ = ["Alignment", "AlignmentArray", "doc_to_biluo_tags", "iob_to_biluo", "biluo_to_iob", "offsets_to_biluo_tags",
           "biluo_tags_to_offsets", "biluo_tags_to_spans"]
