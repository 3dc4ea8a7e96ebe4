"""Batchers: split a stream of Examples into training batches (registry.batchers).

    [training.batcher]
    @batchers = "heron.batch_by_words.v1"
    discard_oversize = false
    tolerance = 0.2

    [training.batcher.size]
    @schedules = "heron.compounding.v1"
    start = 100
    stop = 1000
    compound = 1.001

A batcher is a callable `batcher(items) -> Iterator[list]`. A size schedule advances
once per batch and keeps counting across calls (epochs), so compounding batch sizes
keep growing over the whole run, as in spaCy.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Iterator, List, Optional, Union

from ..errors import Errors, HeronValueError
from ..registry import registry

Sizing = Union[int, float, Callable[[int], float]]


class _SizeCounter:
    """The batch size at the current batch number; advances with next()."""

    def __init__(self, size: Sizing):
        if not callable(size) and (isinstance(size, bool) or not isinstance(size, (int, float)) or size <= 0):
            raise HeronValueError(Errors.E505.format(value=size))
        self.size = size
        self.step = 0

    def next(self) -> int:
        value = self.size(self.step) if callable(self.size) else self.size
        self.step += 1
        return max(1, int(value))


def _length(item: Any) -> int:
    return len(item)


class BatchByWords:
    """Batches of roughly `size` words (see `batch_by_words`)."""

    def __init__(self, size: Sizing, tolerance: float, discard_oversize: bool,
                 get_length: Optional[Callable[[Any], int]]):
        self.sizes = _SizeCounter(size)
        self.tolerance = float(tolerance)
        self.discard_oversize = discard_oversize
        self.get_length = get_length or _length

    def __call__(self, items: Iterable[Any]) -> Iterator[List[Any]]:
        target = self.sizes.next()
        tol = target * self.tolerance
        batch: List[Any] = []
        overflow: List[Any] = []
        batch_size = overflow_size = 0
        for item in items:
            n = self.get_length(item)
            if n > target + tol:
                # Too long for any batch: alone (or dropped), so it can't blow up memory.
                if not self.discard_oversize:
                    yield [item]
            elif overflow_size == 0 and batch_size + n <= target:
                batch.append(item)
                batch_size += n
            elif batch_size + overflow_size + n <= target + tol:
                overflow.append(item)
                overflow_size += n
            else:
                if batch:
                    yield batch
                target = self.sizes.next()
                tol = target * self.tolerance
                batch, batch_size = overflow, overflow_size
                overflow, overflow_size = [], 0
                if batch_size + n <= target:
                    batch.append(item)
                    batch_size += n
                elif batch_size + n <= target + tol:
                    overflow.append(item)
                    overflow_size += n
                else:
                    if batch:
                        yield batch
                    target = self.sizes.next()
                    tol = target * self.tolerance
                    batch, batch_size = [item], n
        batch.extend(overflow)
        if batch:
            yield batch


@registry.batchers("heron.batch_by_words.v1")
def batch_by_words(*, size: Sizing, tolerance: float = 0.2, discard_oversize: bool = False,
                   get_length: Optional[Callable[[Any], int]] = None) -> BatchByWords:
    """Batches of about `size` words (an int, or a schedule evaluated per batch).

    tolerance: a batch may exceed `size` by this fraction (0.2 = 20%) to fit one more
        item instead of leaving a small batch. discard_oversize: drop items longer
        than size * (1 + tolerance) instead of giving them a batch of their own.
    get_length: item -> number of words (default len(item): predicted tokens).
    Word-based batches keep the work per step steady when Doc lengths vary a lot.
    """
    return BatchByWords(size, tolerance, discard_oversize, get_length)


class BatchBySequence:
    """Batches of `size` items (see `batch_by_sequence`)."""

    def __init__(self, size: Sizing):
        self.sizes = _SizeCounter(size)

    def __call__(self, items: Iterable[Any]) -> Iterator[List[Any]]:
        iterator = iter(items)
        while True:
            batch = list(itertools.islice(iterator, self.sizes.next()))
            if not batch:
                return
            yield batch


@registry.batchers("heron.batch_by_sequence.v1")
def batch_by_sequence(*, size: Sizing, get_length: Optional[Callable[[Any], int]] = None) -> BatchBySequence:
    """Batches of `size` items (Docs/Examples) regardless of their length; size may be a
    schedule. get_length is accepted for spaCy compatibility and unused."""
    return BatchBySequence(size)


@registry.batchers("heron.batch_by_padded.v1")
def batch_by_padded(*, size: int, buffer: int = 256, discard_oversize: bool = False,
                    get_length: Optional[Callable[[Any], int]] = None,
                    ) -> Callable[[Iterable[Any]], Iterator[List[Any]]]:
    """Batches whose padded size (items x longest item) stays under `size` words.

    Items are read `buffer` at a time and sorted by length within the buffer, so
    batches hold similar lengths and little compute goes to padding.
    """
    get_length = get_length or _length

    def batcher(items: Iterable[Any]) -> Iterator[List[Any]]:
        iterator = iter(items)
        while True:
            chunk = sorted(itertools.islice(iterator, buffer), key=get_length)
            if not chunk:
                return
            batch: List[Any] = []
            longest = 0
            for item in chunk:
                n = get_length(item)
                if n > size:
                    if not discard_oversize:
                        yield [item]
                    continue
                if batch and max(longest, n) * (len(batch) + 1) > size:
                    yield batch
                    batch, longest = [], 0
                batch.append(item)
                longest = max(longest, n)
            if batch:
                yield batch

    return batcher


__all__ = ["batch_by_words", "batch_by_sequence", "batch_by_padded", "BatchByWords", "BatchBySequence"]
