"""Exact alignment of heron tokens to transformer wordpieces, from character offsets.

Rule: token t owns wordpiece p iff their character ranges overlap after both are trimmed of
whitespace at their ends. That one rule covers every tokenizer family:

- BERT WordPiece (also lowercasing / accent-stripping ones: fast tokenizers map offsets of the
  normalised pieces back onto the original text, so "café" -> "cafe" still covers "café").
- RoBERTa/GPT-2 byte-level BPE: "Ġthe" may carry the leading space in its offsets (when
  trim_offsets is off); trimming keeps it off the previous token and off whitespace tokens. A
  character split across two byte pieces (an emoji, "ü") gives both pieces to its token.
- SentencePiece: a lone "▁" piece points at the next character and so joins that token.
- A piece straddling a token boundary belongs to both tokens; a very long token gets all of its
  (many) pieces, in order.
- Tokens that are only whitespace, and tokens whose characters the tokenizer drops (control
  characters, unless mapped to an [UNK] piece with offsets), align to NOTHING: their Ragged length
  is 0 and every pooling layer gives them a zero vector. Special tokens never align (empty offsets).

All array work: O((n_tokens + n_pieces) log n) with searchsorted, no per-character Python loops.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np

from ..errors import Errors, HeronValueError
from .ragged import Ragged
from .span_pieces import SpanPieces

# Every code point for which str.isspace() is true (all lie below U+3001).
_SPACE_CODEPOINTS = np.asarray([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)
_SPACE_LUT = np.zeros(0x3001, dtype=bool)
_SPACE_LUT[_SPACE_CODEPOINTS] = True


def _codepoints(text: str) -> np.ndarray:
    """One uint32 per character (Python string indices = code points, as HF offsets are).
    surrogatepass: a lone surrogate is a character of the text like any other."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _is_space(cps: np.ndarray) -> np.ndarray:
    # A lookup table, not np.isin: this runs per doc at inference and isin sorts each time.
    out = np.zeros(cps.shape, dtype=bool)
    small = cps < _SPACE_LUT.size
    out[small] = _SPACE_LUT[cps[small]]
    return out


def trim_whitespace(spans: np.ndarray, text: str) -> np.ndarray:
    """Shrink each [start, end) to its first..last non-whitespace character of `text`.

    A range holding only whitespace (or empty) becomes empty (start == end). Vectorised: the
    positions of non-space characters are searched, never the characters one by one.
    """
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    keep = np.flatnonzero(~_is_space(_codepoints(text))).astype(np.int64)
    if keep.size == 0:
        return np.stack([spans[:, 0], spans[:, 0]], axis=1)
    first = np.searchsorted(keep, spans[:, 0], side="left")
    last = np.searchsorted(keep, spans[:, 1], side="left") - 1
    new_start = keep[np.minimum(first, keep.size - 1)]
    new_end = keep[np.maximum(last, 0)] + 1
    empty = (first > last) | (first >= keep.size) | (last < 0)
    new_start = np.where(empty, spans[:, 0], new_start)
    new_end = np.where(empty, spans[:, 0], new_end)
    return np.stack([new_start, new_end], axis=1)


def align_tokens(token_char_spans, piece_char_offsets, *, text: Optional[str] = None) -> Ragged:
    """Ragged token -> wordpiece alignment (indices into the rows of `piece_char_offsets`).

    token_char_spans:   (n_tokens, 2) [start, end) per token, sorted, not overlapping (a Doc's
                        tokens: idx, idx + len(text)).
    piece_char_offsets: (n_pieces, 2) [start, end) per wordpiece in the SAME coordinates (doc
                        characters); empty rows (special tokens) never align. Any order.
    text:               the doc text; when given, both sides are trimmed of whitespace first (see
                        module docstring). Without it offsets are used as they are.
    """
    tok = _check(token_char_spans, "token_char_spans")
    pcs = _check(piece_char_offsets, "piece_char_offsets")
    if text is not None:
        tok, pcs = trim_whitespace(tok, text), trim_whitespace(pcs, text)
    n_tok = tok.shape[0]
    if n_tok and (np.diff(tok[:, 0]) < 0).any():
        raise HeronValueError(Errors.E705.format(
            func="align_tokens", arg="token_char_spans", shape=tok.shape,
            expected="sorted by start", fix="pass the doc's tokens in order"))
    # Tokens overlapping piece p: the first token ending after p's start .. the last token
    # starting before p's end (tokens are sorted and disjoint, so that is a contiguous range).
    lo = np.searchsorted(tok[:, 1], pcs[:, 0], side="right")
    hi = np.searchsorted(tok[:, 0], pcs[:, 1], side="left")
    counts = np.where(pcs[:, 1] > pcs[:, 0], np.maximum(hi - lo, 0), 0)
    piece_idx = np.repeat(np.arange(pcs.shape[0], dtype=np.int64), counts)
    group_start = np.repeat(np.cumsum(counts) - counts, counts)
    tok_idx = np.repeat(lo, counts) + (np.arange(piece_idx.size) - group_start)
    # Empty (whitespace-only) tokens inside a piece's range still must not take it.
    ok = tok[tok_idx, 1] > tok[tok_idx, 0] if tok_idx.size else np.zeros(0, bool)
    piece_idx, tok_idx = piece_idx[ok], tok_idx[ok]
    order = np.lexsort((piece_idx, tok_idx))
    lengths = np.bincount(tok_idx, minlength=n_tok) if n_tok else np.zeros(0, np.int64)
    return Ragged(piece_idx[order].astype(np.int32), lengths.astype(np.int32))


def _check(arr, name: str) -> np.ndarray:
    out = np.asarray(arr, dtype=np.int64)
    if out.size == 0:
        return out.reshape(0, 2)
    if out.ndim != 2 or out.shape[1] != 2:
        raise HeronValueError(Errors.E705.format(
            func="align_tokens", arg=name, shape=out.shape, expected="(n, 2)",
            fix="pass one [start, end) character pair per row"))
    return out


def doc_token_spans(doc) -> np.ndarray:
    """(n_tokens, 2) int64 [idx, idx + len(token.text)) for every token of a heron Doc."""
    words = doc.words
    starts = np.asarray(doc._get_offsets()[:-1], dtype=np.int64) if words else np.zeros(0, np.int64)
    ends = starts + np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    return np.stack([starts, ends], axis=1)


def doc_piece_offsets(span_starts: Sequence[int], pieces: Sequence[SpanPieces]) -> np.ndarray:
    """Concatenate the spans' piece offsets into doc character coordinates: (n_total, 2).

    Span i's offsets are shifted by `span_starts[i]` (its start_char); special tokens stay empty,
    so they never align. Rows follow the doc's flat wordpiece list (spans in order).
    """
    if not pieces:
        return np.zeros((0, 2), dtype=np.int64)
    rows = []
    for start, sp in zip(span_starts, pieces):
        off = sp.offsets.astype(np.int64) + int(start)
        off[sp.special_mask] = int(start)
        rows.append(off)
    return np.concatenate(rows, axis=0)


def align_doc(doc, span_starts: Sequence[int], pieces: Sequence[SpanPieces]) -> Ragged:
    """Align a Doc's tokens to the flat wordpiece list of its spans (pieces of span 0, then 1...).

    With overlapping spans (the same text in two spans) a token owns the pieces of every span
    that covers it, so pooling averages over all of them.
    """
    return align_tokens(doc_token_spans(doc), doc_piece_offsets(span_starts, pieces), text=doc.text)


def piece_coverage(ragged: Ragged, piece_char_offsets) -> Tuple[np.ndarray, np.ndarray]:
    """(first char, end char) covered by a token's pieces, per token: a debugging aid.

    Returns arrays (n_tokens,) start/end; tokens aligned to nothing get (-1, -1).
    """
    pcs = np.asarray(piece_char_offsets, dtype=np.int64).reshape(-1, 2)
    tok_of = ragged.token_index()
    n = len(ragged)
    start = np.full(n, np.iinfo(np.int64).max)
    end = np.full(n, -1, dtype=np.int64)
    np.minimum.at(start, tok_of, pcs[ragged.data, 0])
    np.maximum.at(end, tok_of, pcs[ragged.data, 1])
    start[ragged.lengths == 0] = -1
    return start, end
