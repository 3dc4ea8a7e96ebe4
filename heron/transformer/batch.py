"""Docs -> FullTransformerBatch: featurize, encode the windows, average them back, assemble.

    batch = transformer_batch(model, docs)   # model: any WordpieceEncoder (protocol.py)
    batch.extra["pieces"]       # (n_pieces_in_batch, W) float32, in the autograd graph when training
    batch.extra["doc_offsets"]  # int64 (n_docs + 1,): doc i's rows of "pieces"
    batch.doc_data              # per doc its TransformerData (numpy, CPU): doc._.trf_data

The one place where Docs meet the encoder: `heron.featurize.featurize_wordpieces` cuts the
Docs into wordpiece windows (spans, tokenization, windowing, token alignment), the
tensors-only encoder (heron.TransformerModel.v1 or any module following
`protocol.WordpieceEncoder`) encodes them in length-sorted chunks of at most
`model.max_batch_items` padded pieces, and `average_windows` folds overlapping windows back
into each span's pieces. Used by the `transformer` component and by the inline
heron.TransformerTok2Vec.v1, so both give the same numbers.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from ..featurize.windows import average_windows
from ..featurize.wordpieces import WordpieceBatch, featurize_wordpieces
from ..tokens import Doc
from .data import FullTransformerBatch, TransformerData
from .protocol import WordpieceEncoder, check_encoder_output, encoder_device, encoder_pad_id, ensure_loaded

DEFAULT_MAX_BATCH_ITEMS = 4096


def transformer_batch(model: WordpieceEncoder, docs: Sequence[Doc]) -> FullTransformerBatch:
    """Run `model` over `docs` (grad mode and train/eval mode are the caller's)."""
    ensure_loaded(model)
    docs = list(docs)
    wordpieces = featurize_wordpieces(docs, model.get_spans, model.tokenizer, max_length=int(model.max_length))
    outputs = encode_windows(model, wordpieces)  # per window (len_w, W), in plan order
    if len(wordpieces.windows):
        flat = torch.cat(average_windows(outputs, wordpieces.windows), 0)  # (n_pieces_in_batch, W)
    else:
        flat = torch.zeros((0, int(model.width or 0)), device=encoder_device(model))
    padded = nn.utils.rnn.pad_sequence(outputs, batch_first=True) if outputs else None
    return FullTransformerBatch(docs, wordpieces.spans, doc_data(wordpieces, flat), padded,
                                extra={"pieces": flat, "doc_offsets": wordpieces.doc_offsets})


def encode_windows(model: WordpieceEncoder, wordpieces: WordpieceBatch) -> List[torch.Tensor]:
    """Each window's (len_w, W) float32 hidden states, in `wordpieces.windows` order; run in
    chunks sorted by length so padding (and memory) stay small."""
    outputs: List[Optional[torch.Tensor]] = [None] * len(wordpieces.windows)
    max_items = int(getattr(model, "max_batch_items", DEFAULT_MAX_BATCH_ITEMS))
    for chunk in wordpieces.chunks(max_items, pad_id=encoder_pad_id(model), device=encoder_device(model)):
        hidden = check_encoder_output(model, model(chunk), chunk.lengths)  # (n_pieces_in_chunk, W)
        for w, rows in zip(chunk.windows.tolist(), torch.split(hidden, chunk.lengths)):
            outputs[w] = rows
    return outputs  # type: ignore[return-value]


def doc_data(wordpieces: WordpieceBatch, flat: torch.Tensor) -> List[TransformerData]:
    """One TransformerData per doc, each with its own compact float32 CPU copy of its rows."""
    hidden = flat.detach().to("cpu", torch.float32).numpy()
    out, offset = [], 0
    for group, align in zip(wordpieces.doc_pieces(), wordpieces.align):
        n = sum(len(p) for p in group)
        out.append(TransformerData(
            [w for p in group for w in p.wordpieces],
            np.concatenate([p.input_ids for p in group]) if group else np.zeros(0, np.int64),
            np.array(hidden[offset:offset + n], dtype=np.float32),  # a copy: not a view of the batch
            align, np.asarray([len(p) for p in group], dtype=np.int64)))
        offset += n
    return out


__all__ = ["transformer_batch", "encode_windows", "doc_data"]
