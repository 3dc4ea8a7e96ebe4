"""Example: a predicted Doc (heron's tokens, to be annotated) paired with a gold reference.

    eg = Example(nlp.make_doc(gold.text), gold)
    eg.get_aligned("TAG")        # gold tags per PREDICTED token (None: unaligned/unknown)
    eg.get_aligned_ner()         # gold BILUO tags per predicted token
    eg.get_aligned_sent_starts() # 1 / 0 / None per predicted token

The two Docs may be tokenized differently (heron's tokenizer vs. treebank tokens);
`eg.alignment` maps tokens by character offsets ignoring whitespace (alignment.py).
Components train on the PREDICTED tokenization with gold values projected onto it, as
in spaCy v3, so a model never sees gold tokens at training time that it won't see at
inference.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from ..errors import Errors, HeronValueError, Warnings, warn
from ..tokens import Doc, Span
from ..tokens._serialize import column_values
from ..tokens.attrs import ENT_IOB, ENT_TYPE, NAMES, SENT_START, intify_attr
from .alignment import Alignment, doc_to_biluo_tags, offsets_to_biluo_tags

_INT_ATTRS = ("ENT_IOB", "SENT_START")
# Keys of Example.from_dict: spaCy's lowercase names and its upper-case attribute names.
_TOKEN_KEYS = {"words": "words", "ORTH": "words", "spaces": "spaces", "SPACY": "spaces",
               "tags": "tags", "TAG": "tags", "pos": "pos", "POS": "pos", "morphs": "morphs",
               "MORPH": "morphs", "lemmas": "lemmas", "LEMMA": "lemmas", "heads": "heads",
               "HEAD": "heads", "deps": "deps", "DEP": "deps", "sent_starts": "sent_starts",
               "SENT_START": "sent_starts"}
_DOC_KEYS = ("entities", "cats", "links", "spans")


class Example:
    """A training/evaluation pair of Docs over the same text.

    predicted (Doc): the Doc the pipeline annotates (usually `nlp.make_doc(text)`).
    reference (Doc): the gold Doc. Its text may differ from `predicted` only in
        whitespace; tokenization may differ freely.
    alignment (Alignment | None): reuse a known alignment (same tokenization only).
    """

    __slots__ = ("_x", "_y", "_alignment", "_ner_cache")

    def __init__(self, predicted: Doc, reference: Doc, *, alignment: Optional[Alignment] = None):
        if not isinstance(predicted, Doc) or not isinstance(reference, Doc):
            raise HeronValueError(Errors.E501.format(
                got=f"({type(predicted).__name__}, {type(reference).__name__})"))
        self._x = predicted
        self._y = reference
        self._alignment = alignment
        self._ner_cache: Optional[tuple] = None

    # ---- the two Docs ------------------------------------------------------------
    @property
    def predicted(self) -> Doc:
        return self._x

    @predicted.setter
    def predicted(self, doc: Doc) -> None:
        if self._alignment is not None and doc._words != self._x._words:
            self._alignment = None  # other tokens: recompute lazily
        self._x = doc

    @property
    def reference(self) -> Doc:
        return self._y

    @reference.setter
    def reference(self, doc: Doc) -> None:
        if self._alignment is not None and doc._words != self._y._words:
            self._alignment = None
        self._y = doc

    x = predicted
    y = reference

    @property
    def alignment(self) -> Alignment:
        """Token alignment of predicted (x) and reference (y), computed once on first use."""
        if self._alignment is None:
            self._alignment = Alignment.from_docs(self._x, self._y)
        return self._alignment

    @property
    def text(self) -> str:
        return self._x.text

    def __len__(self) -> int:
        """Number of predicted tokens (what batchers count as words)."""
        return len(self._x)

    def copy(self) -> "Example":
        return Example(self._x.copy(), self._y.copy(), alignment=self._alignment)

    # ---- gold values per predicted token ----------------------------------------------
    def get_aligned(self, attr: Union[str, int], as_string: bool = True) -> List[Any]:
        """The reference's `attr` for every predicted token.

        attr: "TAG", "POS", "LEMMA", "MORPH", "DEP", "ENT_TYPE" (strings), or
            "ENT_IOB"/"SENT_START" (ints). A predicted token gets a value when the
            reference tokens it overlaps all carry that same value (one-to-one, or a
            predicted token spanning several gold tokens that agree, like spaCy); else
            None. Missing gold values are None as well, so losses can skip them.
        as_string: strings (True) or StringStore hashes (False) for string attrs.
        """
        attr_id = intify_attr(attr)
        name = NAMES[attr_id]
        if name == "HEAD":
            raise HeronValueError(Errors.E515.format(attr=attr))
        values = self._aligned_values(attr_id)
        if name in _INT_ATTRS:
            if name == "SENT_START":
                values = values.view(np.int64)
            return [None if v is None else int(v) for v in _masked(values, self._aligned_mask(attr_id))]
        if as_string:
            lookup = self._y.vocab.strings
            names = {int(h): lookup[int(h)] for h in np.unique(values) if h}
            return [names[h] if h else None for h in values.tolist()]
        return [h if h else None for h in values.tolist()]

    def _aligned_values(self, attr_id: int) -> np.ndarray:
        """uint64 gold values per predicted token; 0 where unaligned or in conflict."""
        x2y = self.alignment.x2y
        n = len(self._x)
        out = np.zeros(n, dtype=np.uint64)
        if not len(x2y.data):
            return out
        gold = column_values(self._y, attr_id)[x2y.data]
        has = x2y.lengths > 0
        starts = x2y.starts[:-1][has]
        lo = np.minimum.reduceat(gold, starts)
        hi = np.maximum.reduceat(gold, starts)
        out[has] = np.where(lo == hi, lo, 0)
        return out

    def _aligned_mask(self, attr_id: int) -> np.ndarray:
        """For int attrs (0 is a real value): True where the aligned gold tokens agree."""
        x2y = self.alignment.x2y
        mask = x2y.lengths > 0
        if not len(x2y.data):
            return mask
        gold = column_values(self._y, attr_id)[x2y.data]
        starts = x2y.starts[:-1][mask]
        agree = np.minimum.reduceat(gold, starts) == np.maximum.reduceat(gold, starts)
        mask[mask] = agree
        return mask

    def get_aligned_sent_starts(self) -> List[Optional[int]]:
        """Per predicted token: 1 starts a gold sentence, 0 does not, None unknown.

        A predicted token starts a sentence when it begins at the first character of a
        gold token that starts one; a token beginning inside a gold token never does.
        All None when the reference has no sentence boundaries.
        """
        n = len(self._x)
        if n == 0:
            return []
        if not self._y.has_annotation("SENT_START"):
            return [None] * n
        align = self.alignment
        gold = column_values(self._y, SENT_START).view(np.int64)
        out = np.full(n, 2, dtype=np.int64)  # 2 = unknown
        has = align.x2y.lengths > 0
        first_y = align.x2y.data[align.x2y.starts[:-1][has]]
        first_x_of_y = align.y2x.data[align.y2x.starts[first_y]]
        begins = first_x_of_y == np.flatnonzero(has)
        value = np.select([gold[first_y] == 1, gold[first_y] == -1], [1, 0], default=2)
        out[has] = np.where(begins, value, 0)
        out[0] = 1
        return [None if v == 2 else int(v) for v in out.tolist()]

    def get_aligned_ner(self) -> List[Optional[str]]:
        """Gold BILUO tags per predicted token ("U-PER", "B-ORG", ..., "O").

        A gold entity is projected only if predicted tokens cover exactly its
        characters; tokens of an entity that can't be projected, and tokens whose gold
        annotation is missing, get None (the loss ignores them, like spaCy's "-").
        Whitespace tokens outside entities are "O". All None without gold NER.
        """
        x = self._x
        if not self._y.has_annotation("ENT_IOB"):
            return [None] * len(x)
        # Training asks every epoch; the answer only changes with the gold entities.
        cols = self._y._cols
        key = (self.alignment, x, cols[ENT_IOB].tobytes(), cols[ENT_TYPE].tobytes() if ENT_TYPE in cols else b"")
        if self._ner_cache is not None and self._ner_cache[0] == key:
            return list(self._ner_cache[1])
        tags = self._compute_aligned_ner()
        self._ner_cache = (key, tags)
        return list(tags)

    def _compute_aligned_ner(self) -> List[Optional[str]]:
        x = self._x
        x_ents = self.get_aligned_spans_y2x(self._y.ents, allow_overlap=False)
        tags = np.array(offsets_to_biluo_tags(
            x, [(e.start_char, e.end_char, e.label_) for e in x_ents], missing=None), dtype=object)
        iob = self._aligned_values(ENT_IOB)
        is_space = np.array([w.isspace() for w in x._words], dtype=bool)
        fill = np.equal(tags, None) & ((iob == 2) | is_space)
        tags[fill] = "O"
        return tags.tolist()

    def get_aligned_spans_y2x(self, y_spans: Iterable[Span], allow_overlap: bool = False) -> List[Span]:
        """Reference spans projected onto predicted tokens (dropped if not exactly aligned).

        allow_overlap: keep spans that share tokens (pass True for doc.spans groups, e.g.
        `eg.get_aligned_spans_y2x(eg.reference.spans["sc"], allow_overlap=True)`); with False
        a span loses the tokens an earlier span took (spaCy's rule). Label, kb_id and id are kept.
        """
        return _aligned_spans(self._x, y_spans, self.alignment.y2x,
                              self.alignment.y_offsets, self.alignment.x_offsets, allow_overlap)

    def get_aligned_spans_x2y(self, x_spans: Iterable[Span], allow_overlap: bool = False) -> List[Span]:
        """Predicted spans projected onto reference tokens (dropped if not exactly aligned)."""
        return _aligned_spans(self._y, x_spans, self.alignment.x2y,
                              self.alignment.x_offsets, self.alignment.y_offsets, allow_overlap)

    # ---- conversion -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, predicted: Doc, example_dict: Dict[str, Any]) -> "Example":
        """An Example whose reference is built from `example_dict` over predicted's text.

        Keys (spaCy's): "words", "spaces" (default: inferred from predicted's text),
        "tags", "pos", "morphs", "lemmas", "heads" (absolute indices), "deps",
        "sent_starts" (True/1 start, False/-1 not, None/0 unknown), "entities" as
        (start_char, end_char, label) triples (misaligned ones become unknown "-") or
        a BILUO/IOB tag list over the words, "cats", and "spans" as {key: [(start_char,
        end_char, label[, kb_id]), ...]} for doc.spans (E080 if malformed, E081 if a span is
        not on token boundaries). Without "words" the reference
        uses predicted's tokens. Upper-case names (TAG, ORTH, ...) and spaCy's nested
        "token_annotation"/"doc_annotation" also work.
        """
        if not isinstance(predicted, Doc):
            raise HeronValueError(Errors.E501.format(got=f"({type(predicted).__name__}, dict)"))
        token, doc_annot = _normalise_dict(example_dict)
        words = token.pop("words", None)
        spaces = token.pop("spaces", None)
        if words is None:
            words, spaces = predicted.words, predicted.spaces
        elif spaces is None:
            spaces = _infer_spaces(list(words), predicted.text)
        entities = doc_annot.get("entities")
        ents = None if entities is None or _is_offsets(entities) else list(entities)
        reference = Doc(predicted.vocab, words=list(words), spaces=spaces, ents=ents, **token)
        if entities is not None and _is_offsets(entities):
            tags = offsets_to_biluo_tags(reference, [tuple(e) for e in entities], missing="O")
            if "-" in tags:
                bad = [e for e in entities if reference.char_span(e[0], e[1]) is None]
                warn(Warnings.W500.format(n=len(bad), entities=bad[:3], text=reference.text[:50]))
            reference = Doc(predicted.vocab, words=list(words), spaces=spaces, ents=tags, **token)
        reference.cats = dict(doc_annot.get("cats") or {})
        if doc_annot.get("spans") is not None:
            _add_spans(reference, doc_annot["spans"])
        return cls(predicted, reference)

    def to_dict(self) -> Dict[str, Any]:
        """spaCy's layout: {"doc_annotation": {...}, "token_annotation": {...}} of the reference."""
        y = self._y
        return {
            "doc_annotation": {"cats": dict(y.cats), "entities": doc_to_biluo_tags(y), "links": {},
                               "spans": {key: [(s.start_char, s.end_char, s.label_, s.kb_id_) for s in group]
                                         for key, group in y.spans.items()}},
            "token_annotation": {
                "ORTH": y.words, "SPACY": y.spaces,
                "TAG": [t.tag_ for t in y], "LEMMA": [t.lemma_ for t in y],
                "POS": [t.pos_ for t in y], "MORPH": [str(t.morph) for t in y],
                "HEAD": [t.head.i for t in y], "DEP": [t.dep_ for t in y],
                "SENT_START": [int(bool(t.is_sent_start)) for t in y],
            },
        }

    def split_sents(self) -> List["Example"]:
        """One Example per reference sentence (the Example itself if none are set)."""
        if not self._y.has_annotation("SENT_START"):
            return [self]
        y2x = self.alignment.y2x
        seen = -1
        out = []
        for sent in self._y.sents:
            idx = y2x[sent.start:sent.end]
            idx = idx[idx > seen]
            if len(idx):
                x_sent = self._x[int(idx[0]):int(idx[-1]) + 1]
                out.append(Example(x_sent.as_doc(), sent.as_doc()))
                seen = int(idx[-1])
        return out

    def __repr__(self) -> str:
        return f"Example(predicted={self._x.text[:40]!r}, n_x={len(self._x)}, n_y={len(self._y)})"

    __str__ = __repr__


def _masked(values: np.ndarray, mask: np.ndarray) -> List[Any]:
    return [v if m else None for v, m in zip(values.tolist(), mask.tolist())]


def _aligned_spans(target: Doc, spans: Iterable[Span], align, src_off: np.ndarray,
                   tgt_off: np.ndarray, allow_overlap: bool) -> List[Span]:
    out = []
    taken = np.zeros(len(target), dtype=bool)  # target tokens of the spans kept so far
    for span in spans:
        if span.end <= span.start:
            continue
        idx = align[span.start:span.end]
        if not allow_overlap:
            idx = idx[~taken[idx]]
        if not len(idx):
            continue
        first, last = int(idx[0]), int(idx[-1])
        if tgt_off[first, 0] == src_off[span.start, 0] and tgt_off[last, 1] == src_off[span.end - 1, 1]:
            out.append(Span(target, first, last + 1, label=span.label_, kb_id=span.kb_id_, span_id=span.id_))
            taken[idx] = True
    return out


def _add_spans(doc: Doc, spans_data: Any) -> None:
    """doc.spans[key] from {key: [(start_char, end_char, label[, kb_id]), ...]} (spaCy's from_dict)."""
    if not isinstance(spans_data, dict):
        raise HeronValueError(Errors.E080.format(problem=f"'spans' is a {type(spans_data).__name__}, not a dict"))
    groups = {}
    for key, items in spans_data.items():
        if not isinstance(key, str) or not isinstance(items, (list, tuple)):
            raise HeronValueError(Errors.E080.format(problem=f"spans[{key!r}] is not a list of span tuples"))
        spans = []
        for item in items:
            ok = (isinstance(item, (list, tuple)) and 2 <= len(item) <= 4
                  and all(isinstance(v, int) and not isinstance(v, bool) for v in item[:2])
                  and all(isinstance(v, (str, int)) for v in item[2:]))
            if not ok:
                raise HeronValueError(Errors.E080.format(problem=f"span {item!r} of spans[{key!r}] is malformed"))
            label = item[2] if len(item) > 2 else ""
            kb_id = item[3] if len(item) > 3 else ""
            span = doc.char_span(item[0], item[1], label=label, kb_id=kb_id)
            if span is None:
                near = [t for t in doc if t.idx < item[1] + 10 and t.idx + len(t) > item[0] - 10][:8]
                tokens = ", ".join(f"{t.text!r}@{t.idx}-{t.idx + len(t)}" for t in near) or "no tokens nearby"
                raise HeronValueError(Errors.E081.format(span=tuple(item), key=key, tokens=tokens,
                                                         span_text=doc.text[item[0]:item[1]]))
            spans.append(span)
        groups[key] = spans
    for key, spans in groups.items():
        doc.spans[key] = spans


def _normalise_dict(example_dict: Dict[str, Any]) -> tuple:
    if not isinstance(example_dict, dict):
        raise HeronValueError(Errors.E502.format(key=type(example_dict).__name__, allowed=_allowed()))
    flat = dict(example_dict)
    for nested in ("token_annotation", "doc_annotation"):
        flat.update(flat.pop(nested, None) or {})
    token: Dict[str, Any] = {}
    doc_annot: Dict[str, Any] = {}
    for key, value in flat.items():
        if key in _TOKEN_KEYS:
            token[_TOKEN_KEYS[key]] = value
        elif key in _DOC_KEYS:
            doc_annot[key] = value
        else:
            raise HeronValueError(Errors.E502.format(key=repr(key), allowed=_allowed()))
    return token, doc_annot


def _allowed() -> str:
    return ", ".join(sorted({k for k in _TOKEN_KEYS if k.islower()} | set(_DOC_KEYS)))


def _is_offsets(entities: Sequence[Any]) -> bool:
    return bool(entities) and all(isinstance(e, (list, tuple)) for e in entities)


def _infer_spaces(words: List[str], text: str) -> Optional[List[bool]]:
    """Spaces that reproduce `text` from `words`; None (= all True) if they can't."""
    spaces = []
    pos = 0
    for word in words:
        if text.startswith(word, pos):
            pos += len(word)
            spaces.append(text.startswith(" ", pos))
            pos += spaces[-1]
        else:
            return None
    return spaces if pos == len(text) else None


__all__ = ["Example"]
