"""Batchers: sizes, tolerance, oversize items, schedules."""
import pytest

from heron.errors import HeronValueError
from heron.training import batch_by_padded, batch_by_sequence, batch_by_words, compounding


def _lengths(batches):
    return [[len(x) for x in batch] for batch in batches]


def test_batch_by_words_sizes():
    items = ["x" * n for n in [3, 3, 3, 3, 3]]
    batcher = batch_by_words(size=6, tolerance=0.0)
    assert _lengths(batcher(items)) == [[3, 3], [3, 3], [3]]


def test_batch_by_words_tolerance_fills_overflow():
    items = ["x" * n for n in [4, 4, 4]]
    # target 10, tolerance 2 -> the last item fits in the 12-word margin
    assert _lengths(batch_by_words(size=10, tolerance=0.2)(items)) == [[4, 4, 4]]
    assert _lengths(batch_by_words(size=10, tolerance=0.0)(items)) == [[4, 4], [4]]


def test_batch_by_words_oversize():
    items = ["x" * n for n in [2, 50, 2]]
    assert _lengths(batch_by_words(size=10)(items)) == [[50], [2, 2]]
    assert _lengths(batch_by_words(size=10, discard_oversize=True)(items)) == [[2, 2]]


def test_batch_by_words_schedule_continues_across_epochs():
    items = ["x"] * 20
    batcher = batch_by_words(size=compounding(start=2, stop=8, compound=2.0), tolerance=0.0)
    first = [len(b) for b in batcher(items)]
    assert first == [2, 4, 8, 6]
    second = [len(b) for b in batcher(items)]
    assert second[0] == 8  # the schedule did not restart


def test_batch_by_words_custom_length():
    batcher = batch_by_words(size=2, tolerance=0.0, get_length=lambda item: 1)
    assert [len(b) for b in batcher(["long item"] * 5)] == [2, 2, 1]


def test_batch_by_sequence():
    assert [len(b) for b in batch_by_sequence(size=3)(range(7))] == [3, 3, 1]
    sched = batch_by_sequence(size=compounding(start=1, stop=4, compound=2.0))
    assert [len(b) for b in sched(range(10))] == [1, 2, 4, 3]
    with pytest.raises(HeronValueError, match="E505"):
        batch_by_sequence(size=0)


def test_batch_by_padded():
    items = ["x" * n for n in [1, 5, 1, 5, 1]]
    batches = list(batch_by_padded(size=10, buffer=10)(items))
    assert sorted(len(x) for b in batches for x in b) == [1, 1, 1, 5, 5]
    for b in batches:
        assert max(len(x) for x in b) * len(b) <= 10
