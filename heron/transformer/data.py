"""Containers for transformer outputs: `TransformerData` (doc._.trf_data, with its `Ragged`
token alignment from heron.featurize) and `FullTransformerBatch` (what annotation setters
receive).

Everything stored on a Doc is a compact numpy array on the CPU (no torch tensors, no graph), so
keeping `trf_data` on many Docs holds only their own floats. Only `FullTransformerBatch.hidden`
may be a torch tensor that still needs grad; it lives for one batch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ..errors import Errors, HeronValueError
from ..featurize.ragged import Ragged  # built by featurize's alignment; still importable from here


@dataclass
class TransformerData:
    """A Doc's transformer output: `doc._.trf_data`.

    wordpieces:  the doc's flat wordpiece list: each span's pieces (special tokens included) in
                 span order; overlapping windows of a long span are already averaged, so every
                 wordpiece appears once per span.
    input_ids:   int64 (n_pieces,), the vocabulary id of each wordpiece.
    last_hidden: float32 (n_pieces, width), the last hidden state of each wordpiece.
    align:       Ragged with one entry per token (see `Ragged`).
    span_lengths: int64 (n_spans,), wordpieces per span (the span getter's spans, in order);
                 None (when built by hand) means all pieces form one span.

    `tensors` gives the same states in spacy-transformers' layout, so code written for it
    (`doc._.trf_data.tensors[-1]`) runs unchanged.
    """

    wordpieces: List[str]
    input_ids: np.ndarray
    last_hidden: np.ndarray
    align: Ragged
    span_lengths: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        self.input_ids = np.asarray(self.input_ids, dtype=np.int64).reshape(-1)
        n = len(self.wordpieces)
        if self.input_ids.size != n:
            raise HeronValueError(Errors.E707.format(
                detail=f"{n} wordpieces but {self.input_ids.size} input ids"))
        if getattr(self.last_hidden, "ndim", 0) != 2 or self.last_hidden.shape[0] != n:
            raise HeronValueError(Errors.E707.format(
                detail=f"{n} wordpieces but last_hidden has shape {getattr(self.last_hidden, 'shape', None)}"))
        if self.align.data.size and (int(self.align.data.max()) >= n or int(self.align.data.min()) < 0):
            raise HeronValueError(Errors.E707.format(
                detail=f"align points at wordpiece {int(self.align.data.max())} of {n}"))
        lengths = [n] if self.span_lengths is None and n else self.span_lengths
        self.span_lengths = np.asarray([] if lengths is None else lengths, dtype=np.int64).reshape(-1)
        if int(self.span_lengths.sum()) != n or (self.span_lengths < 0).any():
            raise HeronValueError(Errors.E707.format(
                detail=f"{n} wordpieces but span_lengths {self.span_lengths.tolist()}"))

    @property
    def width(self) -> int:
        return int(self.last_hidden.shape[1])

    @property
    def n_pieces(self) -> int:
        return len(self.wordpieces)

    @property
    def tensors(self) -> List[np.ndarray]:
        """spacy-transformers' view: the list of output tensors, last hidden state last;
        here only that one, float32 (n_spans, longest span's wordpieces, width), each span's
        row zero-padded after its pieces. A new array on each access (the flat
        `last_hidden` is what heron stores)."""
        assert self.span_lengths is not None  # set by __post_init__
        lengths = self.span_lengths.tolist()
        out = np.zeros((len(lengths), max(lengths, default=0), self.width), dtype=np.float32)
        start = 0
        for row, length in enumerate(lengths):
            out[row, :length] = self.last_hidden[start:start + length]
            start += length
        return [out]

    @classmethod
    def empty(cls, n_tokens: int = 0, width: int = 0) -> "TransformerData":
        """No wordpieces; every token aligned to nothing (pools to zeros)."""
        return cls([], np.zeros((0,), np.int64), np.zeros((0, width), np.float32),
                   Ragged(np.zeros((0,), np.int32), np.zeros((n_tokens,), np.int32)))

    def to_dict(self) -> Dict[str, Any]:
        """msgpack-friendly form: last_hidden as raw float32 bytes plus its shape (never pickle)."""
        hidden = np.ascontiguousarray(self.last_hidden, dtype=np.float32)
        return {"wordpieces": list(self.wordpieces), "input_ids": self.input_ids.tolist(),
                "last_hidden": hidden.tobytes(), "shape": list(hidden.shape),
                "align": self.align.to_dict(),
                "span_lengths": [] if self.span_lengths is None else self.span_lengths.tolist()}

    @classmethod
    def from_dict(cls, msg: Dict[str, Any]) -> "TransformerData":
        hidden = np.frombuffer(msg["last_hidden"], dtype=np.float32).reshape(msg["shape"]).copy()
        # Data saved before span_lengths existed reads as one span (None).
        return cls(list(msg["wordpieces"]), np.asarray(msg["input_ids"], np.int64), hidden,
                   Ragged.from_dict(msg["align"]), msg.get("span_lengths"))


@dataclass
class FullTransformerBatch:
    """One forward pass over a batch of Docs, handed to the annotation setter with the docs.

    spans:    per doc, the (start_char, end_char) of each span the span getter returned.
    doc_data: per doc, its `TransformerData` (numpy, CPU).
    hidden:   the padded last hidden states (n_windows, max_len, width) as the model computed
              them (torch; may require grad during training), or None once released.
    """

    docs: List[Any]
    spans: List[List[Tuple[int, int]]]
    doc_data: List[TransformerData]
    hidden: Optional[Any] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.docs)


__all__ = ["Ragged", "TransformerData", "FullTransformerBatch"]
