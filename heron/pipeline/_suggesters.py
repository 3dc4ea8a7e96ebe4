"""Suggesters: the candidate spans a span categorizer scores (spaCy's, registered in @misc).

    [components.spancat.suggester]
    @misc = "heron.ngram_suggester.v1"
    sizes = [1, 2, 3]

A suggester is any callable `suggester(docs) -> List[np.ndarray]`: one int64 array of
shape (n_spans, 2) per Doc, each row (start, end) in token indices (end exclusive).
The component checks what a suggester returns (E981), so a user's own function fails
with a message instead of an index error deep in torch; a thinc-style `Ragged`
(spaCy suggesters return one: `.dataXd` or `.data` (total, 2) + `.lengths`) is
accepted too.

As in spaCy, n-gram suggestions ignore sentence boundaries, and sizes longer than a
Doc suggest nothing for it (an empty Doc gets an empty (0, 2) array). The order is
spaCy's: by size as listed, then by start.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, List, Sequence

import numpy as np

from ..errors import Errors, HeronValueError
from ..registry import registry

Suggester = Callable[[Sequence[Any]], List[np.ndarray]]


def _check_sizes(name: str, arg: str, sizes: Any) -> List[int]:
    if not isinstance(sizes, (list, tuple)) or not sizes or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise HeronValueError(Errors.E982.format(
            suggester=name, arg=arg, value=sizes, detail="expected a non-empty list of ints >= 1",
            fix="list span lengths in tokens, e.g. sizes = [1, 2, 3]"))
    return sorted(set(sizes), key=list(sizes).index)  # unique, first occurrence's order


def ngram_spans(n_tokens: int, sizes: Sequence[int]) -> np.ndarray:
    """Every (start, start + size) of each size in `sizes` that fits in n_tokens: (n, 2) int64."""
    blocks = []
    for size in sizes:
        if size <= n_tokens:
            starts = np.arange(n_tokens - size + 1, dtype=np.int64)
            blocks.append(np.stack([starts, starts + size], axis=1))
    return np.concatenate(blocks) if blocks else np.zeros((0, 2), dtype=np.int64)


class NgramSuggester:
    """All n-grams of the given sizes; a class (not a closure) so its settings show in repr."""

    def __init__(self, sizes: Sequence[int], name: str = "heron.ngram_suggester.v1"):
        self.sizes = _check_sizes(name, "sizes", list(sizes))

    def __call__(self, docs: Iterable[Any]) -> List[np.ndarray]:
        return [ngram_spans(len(doc), self.sizes) for doc in docs]

    @property
    def max_size(self) -> int:
        return max(self.sizes)

    def __repr__(self) -> str:
        return f"NgramSuggester(sizes={self.sizes})"


@registry.misc("heron.ngram_suggester.v1")
def build_ngram_suggester(*, sizes: List[int]) -> Suggester:
    """Suggest every span of the given lengths (spaCy's spacy.ngram_suggester.v1).

    sizes (list[int]): span lengths in tokens, e.g. [1, 2, 3] (spaCy's default). The
        number of candidates grows with len(sizes) x doc length, and so does the cost;
        a gold span longer than every size can never be predicted (initialize warns,
        W981).
    """
    return NgramSuggester(sizes)


@registry.misc("heron.ngram_range_suggester.v1")
def build_ngram_range_suggester(*, min_size: int, max_size: int) -> Suggester:
    """Suggest every span of min_size..max_size tokens, both inclusive
    (spaCy's spacy.ngram_range_suggester.v1).

    min_size (int): >= 1. max_size (int): >= min_size; e.g. 1 and 5 for named entities.
    """
    name = "heron.ngram_range_suggester.v1"
    for arg, value in (("min_size", min_size), ("max_size", max_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise HeronValueError(Errors.E982.format(
                suggester=name, arg=arg, value=value, detail="expected an int >= 1",
                fix="e.g. min_size = 1, max_size = 5"))
    if max_size < min_size:
        raise HeronValueError(Errors.E982.format(
            suggester=name, arg="max_size", value=max_size, detail=f"it is smaller than min_size = {min_size}",
            fix=f"set max_size >= {min_size}"))
    return NgramSuggester(list(range(min_size, max_size + 1)), name)


class PresetSpansSuggester:
    """The spans of an existing doc.spans group (on the PREDICTED Doc)."""

    def __init__(self, spans_key: str):
        if not isinstance(spans_key, str) or not spans_key:
            raise HeronValueError(Errors.E982.format(
                suggester="heron.preset_spans_suggester.v1", arg="spans_key", value=spans_key,
                detail="expected a non-empty string", fix="name the doc.spans key to read, e.g. \"candidates\""))
        self.spans_key = spans_key

    def __call__(self, docs: Iterable[Any]) -> List[np.ndarray]:
        out = []
        for doc in docs:
            group = doc.spans[self.spans_key] if self.spans_key in doc.spans else []
            pairs = np.array([(span.start, span.end) for span in group], dtype=np.int64).reshape(-1, 2)
            pairs = pairs[pairs[:, 1] > pairs[:, 0]]  # an empty span has no vector to score
            # One row per distinct span: the same span with two labels is one candidate
            # (spaCy's suggester repeats it, and then predicts each label twice).
            _, first = np.unique(pairs, axis=0, return_index=True)
            out.append(pairs[np.sort(first)])
        return out

    def __repr__(self) -> str:
        return f"PresetSpansSuggester(spans_key={self.spans_key!r})"


@registry.misc("heron.preset_spans_suggester.v1")
def build_preset_spans_suggester(*, spans_key: str) -> Suggester:
    """Suggest the spans already in doc.spans[spans_key] (spaCy's
    spacy.preset_spans_suggester.v1), e.g. candidates written by a span_ruler earlier in
    the pipeline. A Doc without that key gets no candidates.

    spans_key (str): the doc.spans key to read. For training, the component that
        writes it must run on the predicted docs too ([training] annotating_components).
    """
    return PresetSpansSuggester(spans_key)


class NounChunkSuggester:
    """The noun chunks of each Doc (needs a dependency parse)."""

    def __call__(self, docs: Iterable[Any]) -> List[np.ndarray]:
        out = []
        for doc in docs:
            if not len(doc):
                out.append(np.zeros((0, 2), dtype=np.int64))
                continue
            if not doc.has_annotation("DEP"):
                raise HeronValueError(Errors.E983.format(text=doc.text[:40]))
            chunks = [(span.start, span.end) for span in doc.noun_chunks]
            out.append(np.array(chunks, dtype=np.int64).reshape(-1, 2))
        return out

    def __repr__(self) -> str:
        return "NounChunkSuggester()"


@registry.misc("heron.noun_chunk_suggester.v1")
def build_noun_chunk_suggester() -> Suggester:
    """Suggest each Doc's noun chunks (doc.noun_chunks: base noun phrases from the
    dependency parse; English rules). Far fewer candidates than n-grams, but a gold span
    that is not a noun chunk can never be predicted. Needs a parser earlier in the
    pipeline: a Doc without a parse raises E983.
    """
    return NounChunkSuggester()


def check_suggestions(name: str, docs: Sequence[Any], suggested: Any) -> List[np.ndarray]:
    """The suggester's output as one (n, 2) int64 array per Doc, or E981 saying what is wrong."""
    def fail(detail: str) -> HeronValueError:
        return HeronValueError(Errors.E981.format(name=name, detail=detail))

    if hasattr(suggested, "lengths") and not isinstance(suggested, (list, tuple)):
        data = getattr(suggested, "dataXd", getattr(suggested, "data", None))
        data = np.asarray(data).reshape(-1, 2) if data is not None and np.size(data) else np.zeros((0, 2))
        cuts = np.cumsum(np.asarray(suggested.lengths, dtype=np.int64))[:-1]
        suggested = np.split(data, cuts)
    if not isinstance(suggested, (list, tuple)) or len(suggested) != len(docs):
        got = f"{len(suggested)} items" if isinstance(suggested, (list, tuple)) else type(suggested).__name__
        raise fail(f"{got} for {len(docs)} Docs")
    out = []
    for i, (doc, spans) in enumerate(zip(docs, suggested)):
        spans = np.asarray(spans)
        if spans.size == 0:
            out.append(np.zeros((0, 2), dtype=np.int64))
            continue
        if spans.ndim != 2 or spans.shape[1] != 2 or not np.issubdtype(spans.dtype, np.integer):
            raise fail(f"an array of shape {spans.shape} and dtype {spans.dtype} for Doc {i}")
        bad = (spans[:, 0] < 0) | (spans[:, 1] <= spans[:, 0]) | (spans[:, 1] > len(doc))
        if bad.any():
            start, end = (int(v) for v in spans[np.argmax(bad)])
            raise fail(f"the span ({start}, {end}) for Doc {i}, which has {len(doc)} tokens")
        out.append(spans.astype(np.int64, copy=False))
    return out


__all__ = ["Suggester", "NgramSuggester", "PresetSpansSuggester", "NounChunkSuggester", "ngram_spans",
           "check_suggestions", "build_ngram_suggester", "build_ngram_range_suggester",
           "build_preset_spans_suggester", "build_noun_chunk_suggester"]
