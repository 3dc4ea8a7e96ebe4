"""Span getters (registry.span_getters): which stretches of each Doc the transformer reads.

A span getter is `get_spans(docs) -> List[List[Span]]`, one list per doc, as in
spacy-transformers. Each span is tokenized and run separately; a token covered by several spans
averages their wordpieces.

Windows are counted in WORDPIECES, which only the model's tokenizer knows. So
`heron.strided_spans.v1(window, stride)` returns whole-doc spans and carries `window` and
`stride` attributes; `featurize_wordpieces` reads them (`window_settings(get_spans)`) and cuts
each span's wordpieces into windows of `window` pieces every `stride` pieces (special tokens added
per window); overlapping outputs are averaged per wordpiece. Every getter's spans are split the
same way, automatically, when they exceed the model's maximum length (warning W700), so nothing
is ever truncated; strided_spans just lets you choose the window and stride.
"""
from __future__ import annotations

from typing import Callable, Iterable, List, Optional, Tuple

from ..errors import Errors, HeronValueError
from ..registry import registry

SpanGetter = Callable[[Iterable], List[List]]


def _whole(doc):
    return doc[0:len(doc)]


class DocSpans:
    """One span per doc: the whole doc (an empty doc gives one empty span)."""

    name = "heron.doc_spans.v1"
    window: Optional[int] = None
    stride: Optional[int] = None

    def __call__(self, docs) -> List[List]:
        return [[_whole(doc)] for doc in docs]

    def __repr__(self) -> str:
        return f"{self.name}()"


class SentSpans(DocSpans):
    """One span per sentence. Needs sentence boundaries set BEFORE the transformer runs
    (a sentencizer earlier in the pipeline, or sent_starts on the Docs); E703 otherwise."""

    name = "heron.sent_spans.v1"

    def __call__(self, docs) -> List[List]:
        out = []
        for i, doc in enumerate(docs):
            if len(doc) == 0:
                out.append([_whole(doc)])
                continue
            if not doc.has_annotation("SENT_START"):
                raise HeronValueError(Errors.E703.format(i=i, text=doc.text[:40]))
            out.append(list(doc.sents))
        return out


class StridedSpans(DocSpans):
    """Whole-doc spans read in overlapping windows of `window` wordpieces every `stride` pieces."""

    name = "heron.strided_spans.v1"

    def __init__(self, window: int, stride: int) -> None:
        validate_window(window, stride)
        self.window = int(window)
        self.stride = int(stride)

    def __repr__(self) -> str:
        return f"{self.name}(window={self.window}, stride={self.stride})"


def validate_window(window, stride) -> None:
    """E702 naming the config key unless 0 < stride <= window (integers, in wordpieces)."""
    for key, value in (("window", window), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise HeronValueError(Errors.E702.format(key=key, value=value, reason="not an integer"))
        if value <= 0:
            raise HeronValueError(Errors.E702.format(key=key, value=value, reason="must be > 0"))
    if stride > window:
        raise HeronValueError(Errors.E702.format(
            key="stride", value=stride,
            reason=f"larger than window ({window}), which would skip wordpieces"))


def window_settings(get_spans) -> Tuple[Optional[int], Optional[int]]:
    """(window, stride) in wordpieces chosen by a span getter, or (None, None) for automatic
    windows (only spans longer than the model maximum are split). Works for user getters too:
    give the callable `window` and `stride` attributes to opt in."""
    window = getattr(get_spans, "window", None)
    stride = getattr(get_spans, "stride", None)
    if window is None:
        return None, None
    stride = window if stride is None else stride
    validate_window(window, stride)
    return int(window), int(stride)


def get_span_chars(get_spans, docs) -> List[List[Tuple[int, int]]]:
    """Run a span getter and return per doc the (start_char, end_char) of each span, checking the
    getter returned one list of spans of the right doc per doc (E710)."""
    docs = list(docs)
    spans = get_spans(docs)
    if not isinstance(spans, (list, tuple)) or len(spans) != len(docs):
        raise HeronValueError(Errors.E710.format(
            getter=get_spans, i=0, detail=f"{type(spans).__name__} of length "
                                          f"{len(spans) if hasattr(spans, '__len__') else '?'} for {len(docs)} docs"))
    out = []
    for i, (doc, doc_spans) in enumerate(zip(docs, spans)):
        chars = []
        for span in doc_spans:
            if getattr(span, "doc", None) is not doc:
                raise HeronValueError(Errors.E710.format(
                    getter=get_spans, i=i, detail=f"a span that is not a Span of that doc ({span!r})"))
            chars.append((span.start_char, span.end_char))
        out.append(chars)
    return out


@registry.span_getters("heron.doc_spans.v1")
def doc_spans() -> SpanGetter:
    """Each doc is one span (split into windows automatically if longer than the model allows)."""
    return DocSpans()


@registry.span_getters("heron.sent_spans.v1")
def sent_spans() -> SpanGetter:
    """Each sentence is one span; needs sentence boundaries before the transformer runs."""
    return SentSpans()


@registry.span_getters("heron.strided_spans.v1")
def strided_spans(*, window: int = 128, stride: int = 96) -> SpanGetter:
    """Overlapping windows of `window` wordpieces every `stride` wordpieces (0 < stride <= window);
    the overlap (window - stride pieces) gives every piece context on both sides, and overlapping
    outputs are averaged. A window larger than the model maximum is clamped (W701)."""
    return StridedSpans(window, stride)
