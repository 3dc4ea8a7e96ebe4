"""Docs -> WordpieceBatch: the tensors a transformer encoder reads, and the map back to tokens.

    batch = featurize_wordpieces(docs, get_spans, hf_tokenizer, max_length=512)
    for chunk in batch.chunks(max_batch_items=4096, pad_id=0, device=device):
        hidden = encoder(chunk)   # (n_real_pieces, W): TransformerModel reads .input_ids, .attention_mask
        ...torch.split(hidden, chunk.lengths) are the windows chunk.windows
    per_span = average_windows(window_outputs, batch.windows)    # windows.py

In four steps, all before the encoder runs:

1. the span getter cuts each Doc into spans (whole doc, sentences, or wordpiece windows);
2. each span's text is tokenized ONCE by the fast tokenizer (character offsets kept);
3. spans longer than the model allows are cut into overlapping windows (never truncated;
   W700 names heron.strided_spans.v1);
4. each doc's tokens are aligned to its flat piece list by character overlap (`align_doc`).

`chunks` then sorts the windows by length and pads them in groups of at most
`max_batch_items` wordpieces, so padding and memory stay small. `transformers` is never
imported here: the caller passes a loaded tokenizer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, List, Sequence, Tuple

import numpy as np
import torch

from ..util import length_chunks
from .alignment import align_doc
from .ragged import Ragged
from .span_getters import get_span_chars, window_settings
from .span_pieces import SpanPieces, tokenize_spans
from .windows import WindowPlan, plan_span_windows

SpanGetter = Callable[[List[Any]], List[List[Any]]]


@dataclass
class WindowChunk:
    """A padded group of windows: one encoder call (`TransformerModel.forward(chunk)`).

    windows:        int64 (B,), the index in `WordpieceBatch.windows` of each row
    input_ids:      (B, L) int64, each row's pieces first, then `pad_id`
    attention_mask: (B, L) int64, 1 on real pieces, 0 on padding
    lengths:        real pieces per row (B,), to split the encoder's packed output
    """

    windows: np.ndarray
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    lengths: List[int]


@dataclass
class WordpieceBatch:
    """Docs as wordpiece windows, with what maps the windows' outputs back to the docs.

    spans:   per doc, (start_char, end_char) of each span the span getter returned
    pieces:  per span (every doc's spans, in doc order), its `SpanPieces`
    windows: the model inputs: ids per window, window -> span, window position -> span piece
    align:   per doc, token -> indices into the doc's flat piece list (its spans' pieces in order)
    """

    spans: List[List[Tuple[int, int]]]
    pieces: List[SpanPieces]
    windows: WindowPlan
    align: List[Ragged]

    def __len__(self) -> int:
        return len(self.spans)

    def doc_pieces(self) -> Iterator[List[SpanPieces]]:
        """Per doc, the SpanPieces of its spans."""
        start = 0
        for doc_spans in self.spans:
            yield self.pieces[start:start + len(doc_spans)]
            start += len(doc_spans)

    @property
    def n_pieces(self) -> np.ndarray:
        """int64 (n_docs,): wordpieces per doc (its spans' pieces, special tokens included)."""
        return np.asarray([sum(len(p) for p in group) for group in self.doc_pieces()], dtype=np.int64)

    @property
    def doc_offsets(self) -> np.ndarray:
        """int64 (n_docs + 1,): doc i's pieces are rows [offsets[i], offsets[i + 1]) of the
        batch's flat piece list."""
        return np.concatenate([[0], np.cumsum(self.n_pieces)]).astype(np.int64)

    def chunks(self, max_batch_items: int, *, pad_id: int,
               device: Any = "cpu") -> Iterator[WindowChunk]:
        """The windows sorted by length and padded in groups of at most `max_batch_items`
        wordpieces (a window longer than that is a group of its own)."""
        windows = self.windows.input_ids
        lengths = self.windows.lengths
        for chunk in length_chunks(lengths, max_batch_items):
            width = int(lengths[chunk].max())
            ids = np.full((len(chunk), width), pad_id, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, w in enumerate(chunk):
                ids[row, : lengths[w]] = windows[w]
                mask[row, : lengths[w]] = 1
            yield WindowChunk(np.asarray(chunk, dtype=np.int64), torch.from_numpy(ids).to(device),
                              torch.from_numpy(mask).to(device), lengths[chunk].tolist())


def featurize_wordpieces(docs: Sequence[Any], get_spans: SpanGetter, hf_tokenizer: Any, *,
                         max_length: int) -> WordpieceBatch:
    """Cut, tokenize, window and align `docs` for a model of `max_length` wordpieces per
    window (special tokens included). `get_spans` is a registered span getter; its
    `window`/`stride` (heron.strided_spans.v1) set the windows, else only spans longer
    than `max_length` are split (W700)."""
    docs = list(docs)
    spans = get_span_chars(get_spans, docs)  # per doc: [(start_char, end_char), ...]
    texts = [doc.text[start:end] for doc, doc_spans in zip(docs, spans) for start, end in doc_spans]
    pieces = tokenize_spans(hf_tokenizer, texts, max_length=max_length)
    window, stride = window_settings(get_spans)
    plan = plan_span_windows(pieces, max_length=max_length, window=window, stride=stride,
                             getter_name=getattr(get_spans, "name", "heron.doc_spans.v1"))
    batch = WordpieceBatch(spans, pieces, plan, [])
    batch.align = [align_doc(doc, [start for start, _ in doc_spans], group)
                   for doc, doc_spans, group in zip(docs, spans, batch.doc_pieces())]
    return batch


__all__ = ["WordpieceBatch", "WindowChunk", "featurize_wordpieces"]
