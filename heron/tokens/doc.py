"""Doc: a sequence of tokens with column-wise annotations.

Words and trailing spaces are plain Python lists (the tokenizer builds one Doc per text,
so construction must cost microseconds). Annotations live in numpy columns that are only
created when something is written: an unannotated Doc carries no arrays at all. String
annotations are uint64 hashes resolved through `doc.vocab.strings`.

Columns (attrs ID -> array of length len(doc)):
    TAG, POS, LEMMA, MORPH, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID   uint64 hashes, 0 = unset
    HEAD        int32 offset to the head (head index - token index; 0 = own head/root)
    ENT_IOB     uint8: 0 missing, 1 I, 2 O, 3 B (spaCy's codes)
    SENT_START  int8: 1 starts a sentence, -1 does not, 0 unknown (token 0 is always 1)
"""
from __future__ import annotations

import operator
from itertools import accumulate
from typing import Iterable, Iterator, Optional, Sequence, Union

import numpy as np

from ..errors import Errors, HeronNotImplementedError, HeronValueError
from . import _annotate, _ents, _tree, _vectors
from ._doc_io import DocIOMixin  # copy, to/from bytes, json, array, dict
from .attrs import DEP, ENT_IOB, POS, SENT_START, TAG, intify_attr
from .noun_chunks import SYNTAX_ITERATORS
from .retokenizer import Retokenizer
from .span import Span, char_span_bounds
from .span_group import GroupData
from .span_groups import SpanGroups
from .token import Token
from .underscore import Underscore, make_extension_classmethods
from .vocab import Vocab

_EMPTY_TENSOR = np.zeros((0, 0), dtype="float32")
_EMPTY_TENSOR.flags.writeable = False  # shared default; assign a new array to doc.tensor


class Doc(DocIOMixin):
    """A tokenized text and its annotations.

    vocab (Vocab): shared strings and lexical attributes.
    words (list[str]): the tokens; each a non-empty str. `doc.text` is
        "".join(w + " " * s for w, s in zip(words, spaces)), so pass whitespace tokens as words.
    spaces (list[bool] | None): whether each word is followed by one space; None = all True.
    user_data (dict | None): free-form data; extension values are stored here.
    tags, pos, morphs, lemmas, deps (list[str | None] | None): per-token strings; None = unset.
        `pos` must be Universal Dependencies tags; `morphs` are FEATS strings "Case=Nom".
    heads (list[int] | None): absolute index of each token's head (a root is its own head).
        Sentence starts are derived from the trees when `sent_starts` is not given.
    sent_starts (list[bool | None] | None): True starts a sentence, False not, None unknown.
    ents (list[str | None] | None): IOB or BILUO tags per token ("B-PER", "I-PER", "L-PER",
        "U-PER", "O"); "-", "" or None mark a token whose entity annotation is missing.
    """

    __slots__ = ("vocab", "_words", "_spaces", "user_data", "_cols", "_offsets", "_text",
                 "_tensor", "cats", "_hooks", "_tree", "_spans", "__weakref__")

    def __init__(self, vocab: Vocab, words: Optional[Sequence[str]] = None,
                 spaces: Optional[Sequence[bool]] = None, *, user_data: Optional[dict] = None,
                 tags=None, pos=None, morphs=None, lemmas=None, heads=None, deps=None,
                 sent_starts=None, ents=None):
        words = [] if words is None else list(words)
        n = len(words)
        # C-level checks first (a few hundred ns for 25 words); locate the culprit only on error.
        try:
            ok = all(words) and "".join(words) is not None  # join raises TypeError on non-str
        except TypeError:
            ok = False
        if not ok:
            i, word = next((i, w) for i, w in enumerate(words) if not isinstance(w, str) or not w)
            raise HeronValueError(Errors.E006.format(i=i, word=word))
        if spaces is None:
            spaces = [True] * n
        else:
            spaces = list(map(bool, spaces))
            if len(spaces) != n:
                raise HeronValueError(Errors.E005.format(n_words=n, n_spaces=len(spaces)))
        self.vocab = vocab
        add_string = vocab.strings.add
        for word in words:  # as in spaCy, `vocab.strings[token.orth]` gives the text back
            add_string(word)
        self._words = words
        self._spaces = spaces
        self.user_data = {} if user_data is None else user_data
        self._cols = {}
        self._offsets = None
        self._text = None
        self._tensor = None
        self.cats = {}
        self._hooks = None
        self._tree = None
        self._spans: Optional[dict[str, GroupData]] = None  # doc.spans' groups, created on first use
        if not (tags is None and pos is None and morphs is None and lemmas is None and heads is None
                and deps is None and sent_starts is None and ents is None):
            _annotate.set_annotations(self, tags=tags, pos=pos, morphs=morphs, lemmas=lemmas,
                                      heads=heads, deps=deps, sent_starts=sent_starts, ents=ents)

    @classmethod
    def _from_words_fast(cls, vocab: Vocab, words: list, spaces: list) -> "Doc":
        """Build a Doc without validation or copies; the lists become the Doc's own.

        For the tokenizer: `words` must be non-empty strs, `spaces` bools of the same length.
        """
        doc = cls.__new__(cls)
        doc.vocab = vocab
        doc._words = words
        doc._spaces = spaces
        doc.user_data = {}
        doc._cols = {}
        doc._offsets = None
        doc._text = None
        doc._tensor = None
        doc.cats = {}
        doc._hooks = None
        doc._tree = None
        doc._spans = None
        return doc

    # ---- text and offsets ----------------------------------------------
    @property
    def text(self) -> str:
        """The exact input text: words joined with their trailing spaces."""
        if self._text is None:
            self._text = "".join([w + " " if s else w for w, s in zip(self._words, self._spaces)])
        return self._text

    @property
    def text_with_ws(self) -> str:
        return self.text

    @property
    def words(self) -> list[str]:
        return list(self._words)

    @property
    def spaces(self) -> list[bool]:
        return list(self._spaces)

    def _get_offsets(self) -> list[int]:
        """Start char of every token plus len(text) at the end (built once, on first use)."""
        if self._offsets is None:
            self._offsets = [0, *accumulate(len(w) + s for w, s in zip(self._words, self._spaces))]
        return self._offsets

    @property
    def tensor(self):
        """Output of the tok2vec/trunk, (len(doc), width); (0, 0) float32 until set."""
        return _EMPTY_TENSOR if self._tensor is None else self._tensor

    @tensor.setter
    def tensor(self, value) -> None:
        self._tensor = value

    @property
    def lang_(self) -> str:
        return self.vocab.lang

    @property
    def lang(self) -> int:
        return self.vocab.strings.add(self.vocab.lang)

    @property
    def user_hooks(self) -> dict:
        """Custom callables overriding doc behaviour, e.g. {"vector": fn}, like spaCy."""
        if self._hooks is None:
            self._hooks = ({}, {}, {})
        return self._hooks[0]

    @property
    def user_token_hooks(self) -> dict:
        self.user_hooks
        return self._hooks[1]

    @property
    def user_span_hooks(self) -> dict:
        self.user_hooks
        return self._hooks[2]

    # ---- sequence protocol ----------------------------------------------
    def __len__(self) -> int:
        return len(self._words)

    def __getitem__(self, key: Union[int, slice]):
        if isinstance(key, slice):
            start, end = _normalize_slice(len(self._words), key)
            return Span(self, start, end)
        if type(key) is not int:
            key = operator.index(key)  # numpy integers; anything else raises TypeError
        n = len(self._words)
        i = key + n if key < 0 else key
        if not 0 <= i < n:
            raise IndexError(Errors.E016.format(i=key, n=n))
        return Token(self, i)

    def __iter__(self) -> Iterator[Token]:
        for i in range(len(self._words)):
            yield Token(self, i)

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __bytes__(self) -> bytes:
        return self.to_bytes()

    # ---- columns ---------------------------------------------------------
    def _col(self, attr: int) -> np.ndarray:
        """The column for `attr`, created (all unset) on first use so it can be written.

        A column frozen by a cache (HEAD, see _tree.py) is swapped for a writable copy.
        """
        col = self._cols.get(attr)
        if col is None:
            col = self._cols[attr] = _annotate.empty_column(attr, len(self._words))
        elif not col.flags.writeable:
            col = self._cols[attr] = col.copy()
        return col

    def _get(self, attr: int, i: int) -> int:
        col = self._cols.get(attr)
        if col is None:
            return 1 if attr == SENT_START and i == 0 else 0
        return col.item(i)

    def has_annotation(self, attr: Union[str, int], *, require_complete: bool = False) -> bool:
        """Whether any (or, with require_complete, every) token has `attr` set.

        attr: "TAG", "POS", "LEMMA", "MORPH", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE",
        "SENT_START"/"IS_SENT_START", ... (names or attrs IDs). An empty Doc is annotated.
        SENT_START is also True when the Doc has a parse or a single token (like spaCy).
        """
        return _annotate.has_annotation(self, intify_attr(attr), require_complete)

    # ---- entities and sentences ----------------------------------------
    @property
    def ents(self) -> tuple[Span, ...]:
        """Named entities as labelled Spans. Setting marks all other tokens as outside ("O")."""
        return _ents.get_ents(self)

    @ents.setter
    def ents(self, ents: Iterable) -> None:
        _ents.set_ents(self, ents, default="outside")

    def set_ents(self, entities: Iterable, *, blocked: Iterable | None = None,
                 missing: Iterable | None = None, outside: Iterable | None = None,
                 default: str = "outside") -> None:
        """Set entities and mark `blocked`/`missing`/`outside` spans (like spaCy).

        default: what happens to tokens in none of the lists: "outside" (O), "missing"
        (unknown), "blocked" (no entity may start there) or "unmodified" (kept as is).
        Overlapping or out-of-range spans raise E011/E012 naming the spans.
        """
        _ents.set_ents(self, entities, blocked=blocked, missing=missing, outside=outside, default=default)

    @property
    def spans(self) -> SpanGroups:
        """Named span groups (spaCy's doc.spans): overlapping, labelled spans, e.g. for spancat.

        doc.spans["sc"] = [doc[0:2], doc[1:3]] stores a SpanGroup named "sc" (see
        tokens/span_groups.py). Created on first use; copies, DocBin, to_bytes, to_json,
        from_docs, as_doc and retokenize() keep it consistent.
        """
        if self._spans is None:
            self._spans = {}
        return SpanGroups._view(self, self._spans)  # a view holding this Doc: no reference cycle

    @property
    def sents(self) -> Iterator[Span]:
        """Sentences as Spans (from sentence starts or the parse). E030 if none are set."""
        if "sents" in (self._hooks[0] if self._hooks else ()):
            yield from self._hooks[0]["sents"](self)
            return
        if not self.has_annotation(SENT_START):
            raise HeronValueError(Errors.E030)
        bounds = _tree.sent_bounds(self)
        for start, end in zip(bounds[:-1], bounds[1:]):
            yield Span(self, start, end)

    @property
    def noun_chunks(self) -> Iterator[Span]:
        """Base noun phrases ("NP" Spans) from the parse, by the language's rules.

        E060 without dependency labels; E061 for a language without rules (see
        tokens/noun_chunks.py). The chunks are collected before the first is yielded, so
        the Doc may be retokenized while iterating.
        """
        iterator = self.vocab.get_noun_chunks
        if iterator is None:
            raise HeronNotImplementedError(Errors.E061.format(lang=self.vocab.lang, available=sorted(SYNTAX_ITERATORS)))
        yield from [Span(self, start, end, label=label) for start, end, label in iterator(self)]

    def retokenize(self) -> Retokenizer:
        """Context manager to merge and split tokens; changes apply together on exit.

        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[0:2], attrs={"LEMMA": "New York"})
            retokenizer.split(doc[3], ["Los", "Angeles"], heads=[(doc[3], 1), doc[2]])
        See tokens/retokenizer.py for what each operation keeps.
        """
        return Retokenizer(self)

    @property
    def is_sentenced(self) -> bool:
        return self.has_annotation(SENT_START)

    @property
    def is_parsed(self) -> bool:
        return self.has_annotation(DEP)

    @property
    def is_tagged(self) -> bool:
        return self.has_annotation(TAG) or self.has_annotation(POS)

    @property
    def is_nered(self) -> bool:
        return self.has_annotation(ENT_IOB)

    def char_span(self, start_idx: int, end_idx: int, label: Union[str, int] = "",
                  kb_id: Union[str, int] = "", vector=None, alignment_mode: str = "strict",
                  span_id: Union[str, int] = "") -> Optional[Span]:
        """The Span covering characters [start_idx, end_idx), or None if none fits.

        alignment_mode: "strict" needs both offsets on token boundaries; "contract" keeps
        the tokens entirely inside; "expand" grows to every token the range touches.
        """
        bounds = char_span_bounds(self, start_idx, end_idx, alignment_mode)
        if bounds is None:
            return None
        return Span(self, bounds[0], bounds[1], label=label, kb_id=kb_id, span_id=span_id)

    @property
    def vector(self):
        """Mean of the word vectors (or of doc.tensor rows when the vocab has no vectors)."""
        return _vectors.span_vector(self, 0, len(self._words), self, 0)

    @property
    def has_vector(self) -> bool:
        return _vectors.span_has_vector(self, 0, len(self._words), self, 0)

    @property
    def vector_norm(self) -> float:
        return _vectors.norm(self.vector)

    def similarity(self, other) -> float:
        """Cosine similarity of the vectors (0.0 if either has none); hooks may override."""
        return _vectors.similarity(self, other, 0)

    @property
    def _(self) -> Underscore:
        return Underscore(Underscore.doc_extensions, self)

    set_extension, get_extension, has_extension, remove_extension = make_extension_classmethods("doc")

    def count_by(self, attr: Union[str, int]) -> dict[int, int]:
        values, counts = np.unique(self.to_array([attr])[:, 0], return_counts=True)
        return dict(zip(values.tolist(), counts.tolist()))


def _normalize_slice(n: int, key: slice) -> tuple[int, int]:
    if key.step not in (None, 1):
        raise HeronValueError(Errors.E017.format(step=key.step))
    start, end, _ = key.indices(n)
    return start, max(start, end)
