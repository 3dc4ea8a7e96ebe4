"""Windows for spans longer than the model allows, and averaging window outputs back.

    plan = plan_span_windows(pieces, max_length=512, window=None, stride=None)
    outputs = run the model on plan.input_ids (sorted/batched as you like, keep the order)
    per_span = average_windows(outputs, plan)   # List[(n_pieces_i, width)], differentiable

A span is never truncated: if it has more wordpieces than fit, it is cut into overlapping
windows (counted in wordpieces, each wrapped in the tokenizer's own special tokens) and the
windows' outputs are averaged per wordpiece, special tokens included (each window's [CLS] feeds
the span's [CLS]).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..errors import Errors, HeronValueError, Warnings, warn
from .span_pieces import SpanPieces

if TYPE_CHECKING:  # torch is imported where it is used: planning windows needs only numpy
    import torch


def plan_windows(n_pieces: int, *, window: int, stride: int) -> List[Tuple[int, int]]:
    """[start, end) windows over `n_pieces` content wordpieces: starts 0, stride, 2*stride, ...,
    each `window` long, stopping at the first window that reaches the end.

    stride < window overlaps consecutive windows by window - stride pieces; stride == window
    tiles them. 0 pieces give one empty window (the span still gets its special tokens).
    """
    if window <= 0:
        raise HeronValueError(Errors.E708.format(func="plan_windows", key="window", value=window,
                                                 reason="must be > 0", fix="pass window >= 1"))
    if not 0 < stride <= window:
        raise HeronValueError(Errors.E708.format(func="plan_windows", key="stride", value=stride,
                                                 reason=f"must be in 1..window ({window})",
                                                 fix="pass 0 < stride <= window"))
    if n_pieces <= window:
        return [(0, n_pieces)]
    starts = np.arange(0, n_pieces - window + stride, stride)
    starts = starts[: int(np.searchsorted(starts + window, n_pieces, side="left")) + 1]
    return [(int(s), int(min(int(s) + window, n_pieces))) for s in starts]


@dataclass
class WindowPlan:
    """How the spans' wordpieces map onto model inputs.

    input_ids:   one int64 array per window, special tokens included (feed these to the model)
    span_index:  int64 (n_windows,), the span each window belongs to
    targets:     per window, int64 (len(window),): the index of each window position in its
                 span's piece list (positions of special tokens map to the span's specials)
    span_lengths: int64 (n_spans,), pieces per span (the length of each averaged output)
    """

    input_ids: List[np.ndarray]
    span_index: np.ndarray
    targets: List[np.ndarray]
    span_lengths: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """Length of each window (for sorting by length and max_batch_items)."""
        return np.asarray([x.size for x in self.input_ids], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.input_ids)


def plan_span_windows(spans: Sequence[SpanPieces], *, max_length: int,
                      window: Optional[int] = None, stride: Optional[int] = None,
                      getter_name: str = "heron.doc_spans.v1") -> WindowPlan:
    """Cut every span into windows of at most `max_length` pieces (special tokens included).

    window/stride (content wordpieces per window, e.g. from heron.strided_spans.v1) apply to every
    span; a window too large for max_length is clamped and its stride scaled by the same factor
    (at least 1), so the overlap ratio is kept (W701). Without them a span that fits is one
    window and a longer one is split with window = max_length - n_special and stride = 3/4 of it
    (W700, once per call). Raises E709 if max_length can't hold the special tokens plus one piece.
    """
    windows, span_index, targets = [], [], []
    n_split, longest, auto = 0, 0, (0, 0)
    for s_i, sp in enumerate(spans):
        lo, hi = sp.content
        n_special = len(sp) - (hi - lo)
        room = max_length - n_special
        if room <= 0:
            raise HeronValueError(Errors.E709.format(max_length=max_length, n_special=n_special))
        if window is not None:
            win, strd = window, min(stride if stride is not None else window, window)
            if window > room:
                # Scale the stride with the window, so the configured overlap ratio (the
                # context each piece gets from its neighbours' windows) survives the clamp.
                win, strd = room, max(1, min(room, round(room * strd / window)))
                warn(Warnings.W701.format(window=window, n_special=n_special, max_length=max_length,
                                          new_window=win, new_stride=strd,
                                          stride=stride if stride is not None else window))
        else:
            win, strd = room, max(1, (room * 3) // 4)
            if hi - lo > room:
                n_split, longest, auto = n_split + 1, max(longest, len(sp)), (win, strd)
        lead = np.arange(lo, dtype=np.int64)
        trail = np.arange(hi, len(sp), dtype=np.int64)
        for a, b in plan_windows(hi - lo, window=win, stride=strd):
            tgt = np.concatenate([lead, np.arange(lo + a, lo + b, dtype=np.int64), trail])
            windows.append(sp.input_ids[tgt])
            targets.append(tgt)
            span_index.append(s_i)
    if n_split:
        warn(Warnings.W700.format(n=n_split, getter=getter_name, longest=longest,
                                  max_length=max_length, window=auto[0], stride=auto[1]))
    return WindowPlan(windows, np.asarray(span_index, dtype=np.int64), targets,
                      np.asarray([len(sp) for sp in spans], dtype=np.int64))


def average_windows(outputs, plan: WindowPlan) -> List["torch.Tensor"]:
    """Average the window outputs per wordpiece: one (span_lengths[i], width) tensor per span.

    `outputs` is a padded tensor (n_windows, L >= longest window, width) or a list of
    (window length, width) tensors, in `plan` order. A wordpiece seen by k windows gets the mean of
    its k output rows (specials: the mean over the span's windows). Differentiable (index_add).
    """
    import torch

    rows = _window_rows(outputs, plan)
    device, width = rows.device, rows.shape[-1]
    span_starts = np.zeros(len(plan.span_lengths), dtype=np.int64)
    np.cumsum(plan.span_lengths[:-1], out=span_starts[1:])
    flat_targets = np.concatenate(
        [t + span_starts[s] for t, s in zip(plan.targets, plan.span_index)]) if len(plan) else \
        np.zeros((0,), np.int64)
    total = int(plan.span_lengths.sum())
    index = torch.as_tensor(flat_targets, device=device)
    summed = torch.zeros((total, width), dtype=rows.dtype, device=device).index_add(0, index, rows)
    counts = np.bincount(flat_targets, minlength=total).astype(np.float32)
    if (counts == 0).any():
        raise HeronValueError(Errors.E706.format(detail="some wordpieces are in no window"))
    mean = summed / torch.as_tensor(counts, device=device, dtype=rows.dtype).unsqueeze(1)
    return list(torch.split(mean, plan.span_lengths.tolist(), dim=0))


def _window_rows(outputs: Union[Sequence, "torch.Tensor"], plan: WindowPlan):
    """The valid rows of every window, concatenated in plan order: (sum of lengths, width)."""
    import torch

    lengths = plan.lengths.tolist()
    if isinstance(outputs, torch.Tensor):
        if outputs.dim() != 3 or outputs.shape[0] != len(plan) or \
                (lengths and outputs.shape[1] < max(lengths)):
            raise HeronValueError(Errors.E706.format(
                detail=f"outputs have shape {tuple(outputs.shape)} for {len(plan)} windows of "
                       f"lengths up to {max(lengths, default=0)}"))
        outputs = [outputs[i, :n] for i, n in enumerate(lengths)]
    if len(outputs) != len(plan) or any(o.shape[0] != n for o, n in zip(outputs, lengths)):
        raise HeronValueError(Errors.E706.format(
            detail=f"got {len(outputs)} outputs for {len(plan)} windows, or a window of the wrong length"))
    if not outputs:
        return torch.zeros((0, 0))
    return torch.cat(list(outputs), dim=0)
