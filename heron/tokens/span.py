"""Span: a slice doc[start:end] of tokens with an optional label (entities, sentences)."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Iterator, Optional, Union

import numpy as np

from ..errors import Errors, HeronValueError
from . import _tree, _vectors
from .attrs import HEAD, SENT_START
from .token import Token
from .underscore import Underscore, make_extension_classmethods


class Span:
    """Tokens doc[start:end] (token indices, end exclusive) with a label and kb_id.

    `label`, `kb_id`, `span_id` take a str or its hash; read back as `label_`/`label`.
    """

    __slots__ = ("doc", "start", "end", "label", "kb_id", "id")

    def __init__(self, doc, start: int, end: int, label: Union[str, int] = "",
                 *, vector=None, vector_norm=None, kb_id: Union[str, int] = "",
                 span_id: Union[str, int] = ""):
        n = len(doc._words)
        if not 0 <= start <= end <= n:
            raise HeronValueError(Errors.E018.format(start=start, end=end, n=n))
        strings = doc.vocab.strings
        self.doc = doc
        self.start = start
        self.end = end
        # Hashes may arrive as numpy integers (from arrays); store plain ints.
        self.label = strings.add(label) if isinstance(label, str) else int(label)
        self.kb_id = strings.add(kb_id) if isinstance(kb_id, str) else int(kb_id)
        self.id = strings.add(span_id) if isinstance(span_id, str) else int(span_id)

    # ---- text ----------------------------------------------------------
    @property
    def text(self) -> str:
        """The span's text without the last token's trailing space."""
        offsets = self.doc._get_offsets()
        if self.start == self.end:
            return ""
        return self.doc.text[offsets[self.start]:self.end_char]

    @property
    def text_with_ws(self) -> str:
        offsets = self.doc._get_offsets()
        return self.doc.text[offsets[self.start]:offsets[self.end]]

    @property
    def start_char(self) -> int:
        return self.doc._get_offsets()[self.start]

    @property
    def end_char(self) -> int:
        if self.start == self.end:
            return self.start_char
        return self.doc._get_offsets()[self.end - 1] + len(self.doc._words[self.end - 1])

    @property
    def label_(self) -> str:
        return self.doc.vocab.strings[self.label] if self.label else ""

    @label_.setter
    def label_(self, value: str) -> None:
        self.label = self.doc.vocab.strings.add(value)

    @property
    def kb_id_(self) -> str:
        return self.doc.vocab.strings[self.kb_id] if self.kb_id else ""

    @kb_id_.setter
    def kb_id_(self, value: str) -> None:
        self.kb_id = self.doc.vocab.strings.add(value)

    @property
    def id_(self) -> str:
        return self.doc.vocab.strings[self.id] if self.id else ""

    @id_.setter
    def id_(self, value: str) -> None:
        self.id = self.doc.vocab.strings.add(value)

    @property
    def vocab(self):
        return self.doc.vocab

    @property
    def tensor(self):
        tensor = self.doc.tensor
        return tensor[self.start:self.end] if len(tensor) else tensor

    # ---- sequence protocol ----------------------------------------------
    def __len__(self) -> int:
        return self.end - self.start

    def __getitem__(self, key: Union[int, slice]):
        n = self.end - self.start
        if isinstance(key, slice):
            from .doc import _normalize_slice

            start, end = _normalize_slice(n, key)
            return Span(self.doc, self.start + start, self.start + end)
        i = key + n if key < 0 else key
        if not 0 <= i < n:
            raise IndexError(Errors.E016.format(i=key, n=n))
        return Token(self.doc, self.start + i)

    def __iter__(self) -> Iterator[Token]:
        for i in range(self.start, self.end):
            yield Token(self.doc, i)

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def _key(self) -> tuple:
        return (self.start, self.end, self.label, self.kb_id, self.id)

    def __eq__(self, other) -> bool:
        return isinstance(other, Span) and other.doc is self.doc and other._key() == self._key()

    def __lt__(self, other: "Span") -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash((id(self.doc), *self._key()))

    # ---- structure --------------------------------------------------------
    @property
    def sent(self) -> "Span":
        """The sentence holding the span's first token (E030 without sentence boundaries)."""
        if not self.doc.has_annotation(SENT_START):
            raise HeronValueError(Errors.E030)
        start, end = _tree.sent_of(self.doc, self.start)
        return Span(self.doc, start, end)

    @property
    def sents(self) -> Iterator["Span"]:
        for sent in self.doc.sents:
            if sent.end > self.start and sent.start < self.end:
                yield sent

    @property
    def ents(self) -> tuple["Span", ...]:
        """Entities of the Doc that lie entirely inside this span."""
        return tuple(e for e in self.doc.ents if e.start >= self.start and e.end <= self.end)

    # ---- syntax (spaCy's Span semantics; tree arrays from _tree.py) ---------------
    @property
    def root(self) -> Token:
        """The token nearest the root of the tree (spaCy's rule).

        The first token that is its own head (a root, or an unparsed token) if any;
        else, among tokens whose head is outside the span, the one with the fewest arcs to
        its root, the first on ties; a punctuation or space token without children only
        when nothing else qualifies.
        """
        doc, start, end = self.doc, self.start, self.end
        if doc._hooks is not None and "root" in doc._hooks[2]:
            return doc._hooks[2]["root"](self)
        col = doc._cols.get(HEAD)
        if col is None or start == end:
            return Token(doc, start)
        own = np.flatnonzero(col[start:end] == 0)
        if len(own):
            return Token(doc, start + int(own[0]))
        tree = _tree.tree_of(doc)
        n = len(doc)
        heads = tree.heads[start:end]
        best, best_depth = start, n
        for i in (start + np.flatnonzero((heads < start) | (heads >= end))).tolist():
            depth = int(tree.depth[i])
            if depth < 0:  # in a cycle: no path to a root
                depth = n
            elif tree.n_lefts[i] + tree.n_rights[i] == 0 and _punct_or_space(doc, i):
                depth = n - 1
            if depth < best_depth:
                best, best_depth = i, depth
        return Token(doc, best)

    @property
    def lefts(self) -> Iterator[Token]:
        """Children of the span's tokens that lie left of the span (spaCy's order)."""
        for token in reversed(list(self)):
            for left in token.lefts:
                if left.i < self.start:
                    yield left

    @property
    def rights(self) -> Iterator[Token]:
        """Children of the span's tokens that lie right of the span."""
        for token in self:
            for right in token.rights:
                if right.i >= self.end:
                    yield right

    @property
    def n_lefts(self) -> int:
        return sum(1 for _ in self.lefts)

    @property
    def n_rights(self) -> int:
        return sum(1 for _ in self.rights)

    @property
    def subtree(self) -> Iterator[Token]:
        """The span's tokens and their descendants: lefts' subtrees, the span, rights' subtrees."""
        for word in self.lefts:
            yield from word.subtree
        yield from self
        for word in self.rights:
            yield from word.subtree

    @property
    def left_edge(self) -> Token:
        """The first token of the subtrees of the span's tokens."""
        if self.start == self.end:
            return Token(self.doc, self.start)
        return Token(self.doc, int(_tree.tree_of(self.doc).l_edge[self.start:self.end].min()))

    @property
    def right_edge(self) -> Token:
        """The last token of the subtrees of the span's tokens."""
        if self.start == self.end:
            return Token(self.doc, self.start)
        return Token(self.doc, int(_tree.tree_of(self.doc).r_edge[self.start:self.end].max()))

    @property
    def conjuncts(self) -> tuple[Token, ...]:
        """The tokens coordinated with the span's root."""
        return self.root.conjuncts

    @property
    def noun_chunks(self) -> Iterator["Span"]:
        """The Doc's noun chunks that lie inside this span (see Doc.noun_chunks)."""
        for chunk in self.doc.noun_chunks:
            if chunk.start >= self.start and chunk.end <= self.end:
                yield chunk

    def as_doc(self, *, copy_user_data: bool = False):
        """A new Doc holding copies of this span's words and annotations."""
        from ._serialize import span_as_doc

        return span_as_doc(self, copy_user_data)

    def char_span(self, start_idx: int, end_idx: int, label="", kb_id="", vector=None,
                  alignment_mode: str = "strict", span_id=""):
        """Like Doc.char_span with offsets relative to this span's start."""
        base = self.start_char
        return self.doc.char_span(base + start_idx, base + end_idx, label=label, kb_id=kb_id,
                                  alignment_mode=alignment_mode, span_id=span_id)

    @property
    def vector(self):
        """Mean of the word vectors (or of doc.tensor rows when the vocab has no vectors)."""
        return _vectors.span_vector(self.doc, self.start, self.end, self, 2)

    @property
    def has_vector(self) -> bool:
        return _vectors.span_has_vector(self.doc, self.start, self.end, self, 2)

    @property
    def vector_norm(self) -> float:
        return _vectors.norm(self.vector)

    def similarity(self, other) -> float:
        return _vectors.similarity(self, other, 2)

    @property
    def _(self) -> Underscore:
        return Underscore(Underscore.span_extensions, self, start=self.start_char, end=self.end_char)

    set_extension, get_extension, has_extension, remove_extension = make_extension_classmethods("span")


def char_span_bounds(doc, start_idx: int, end_idx: int, alignment_mode: str) -> Optional[tuple[int, int]]:
    """Token bounds (start, end) of the characters [start_idx, end_idx) for Doc.char_span."""
    if alignment_mode not in ("strict", "contract", "expand"):
        raise HeronValueError(Errors.E019.format(mode=alignment_mode))
    n = len(doc._words)
    starts = doc._get_offsets()[:-1]
    ends = [s + len(w) for s, w in zip(starts, doc._words)]
    if alignment_mode == "strict":
        i = bisect_left(starts, start_idx)
        j = bisect_left(ends, end_idx)
        if i >= n or j >= n or starts[i] != start_idx or ends[j] != end_idx:
            return None
        j += 1
    elif alignment_mode == "contract":
        i = bisect_left(starts, start_idx)
        j = bisect_right(ends, end_idx)
    else:
        i = bisect_right(ends, start_idx)
        j = bisect_left(starts, end_idx)
    return (i, j) if i < j else None


def _punct_or_space(doc, i: int) -> bool:
    word = doc._words[i]
    return doc.vocab.get_lex_attr(word, "is_punct") or doc.vocab.get_lex_attr(word, "is_space")


def filter_spans(spans) -> list[Span]:
    """Drop overlapping spans, keeping the longest (the earliest on ties); sorted by start.

    Use it before `doc.ents = spans` when spans may overlap (e.g. from several matchers).
    """
    ordered = sorted(spans, key=lambda s: (s.end - s.start, -s.start), reverse=True)
    taken: set[int] = set()
    kept = []
    for span in ordered:
        if not taken.intersection(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)
