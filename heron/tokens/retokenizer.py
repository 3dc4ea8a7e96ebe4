"""`doc.retokenize()`: merge spans into one token and split tokens into several.

spaCy's semantics (spacy/tokens/_retokenize.pyx), applied when the `with` block ends
(not when it raises): first every merge together, then every split together.

Merge (`retokenizer.merge(span, attrs={...})`): the new token's text is the span's text
and its trailing space the last token's. TAG, POS, MORPH, DEP and the entity come from the
span's root (`span.root`); the lemma is the tokens' lemmas joined as in the text; the
norm is reset; the sentence start is the first token's. The new token's head is the root's
head, and every arc into the span now points at the new token. `doc.tensor` keeps the
last token's row. Identical merges are made once; overlapping ones raise E063.

Split (`retokenizer.split(token, orths, heads, attrs={...})`): `orths` must concatenate
to the token's text. Each piece is attached to its entry in `heads`: a Token, or
(token, k) for piece k of a token split in the same block (for example (token, 1) for
the second piece of this very token). Pieces inherit the token's annotations; a lemma,
if set, becomes each piece's text; arcs into the token point at its first piece; an
entity starting at the token starts at its first piece; the tensor rows of the pieces
are zeros (as in spaCy). `attrs` values are per piece: {"POS": ["PROPN", "PROPN"]}.

Both keep `doc.spans` consistent: a span keeps the new tokens its first and last token
became, so a span that a merge cuts grows to the whole merged token, and a split token's
pieces all stay in the span (no span points inside a token or past the Doc; see
span_groups.remap). spaCy instead re-finds a span by its character offsets and fails
(E036/E037) when an edge falls inside a merged token.
Both keep `doc.ents` consistent (entity IOB repaired), extension values (`._`: they are
keyed by character offsets, which neither changes; the merged token and the first piece
keep the values of the token they start with) and sentence starts (derived ones follow
the new trees). attrs: token annotations ("TAG", "LEMMA", "ENT_TYPE", ...), lexical
attributes of the new word ("IS_STOP", "SHAPE", ...; they change the word for every Doc,
as in spaCy) and "_": {name: value} for token extensions.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from ..errors import Errors, HeronValueError
from . import _annotate
from ._retokenize import apply_merges, apply_splits, merged_index
from .attrs import (
    DEP,
    ENT_ID,
    ENT_IOB,
    ENT_KB_ID,
    ENT_TYPE,
    FLAG_ATTRS,
    LEMMA,
    MORPH,
    NAMES,
    NORM,
    POS,
    SENT_START,
    STRING_LEX_ATTRS,
    TAG,
    intify_attr,
)
from .morphology import normalize_features
from .span import Span
from .token import Token
from .underscore import Underscore

_HASHED = (TAG, LEMMA, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID, NORM)
_LEXICAL = tuple(a for a in FLAG_ATTRS + STRING_LEX_ATTRS if a not in (NORM,) and NAMES[a] != "ORTH")
_SUPPORTED = _HASHED + (POS, MORPH, ENT_IOB, SENT_START) + _LEXICAL
_IOB = {"": 0, "I": 1, "O": 2, "B": 3}


class Retokenizer:
    """Collects merges and splits for one Doc; `doc.retokenize()` makes one."""

    def __init__(self, doc):
        self.doc = doc
        self._merges: list[tuple[int, int, dict]] = []
        self._merged: dict[int, tuple[int, int]] = {}  # token -> the span it is merged in
        self._splits: dict[int, tuple[list, list, list]] = {}  # token -> (orths, heads, attrs per piece)

    def __enter__(self) -> "Retokenizer":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:  # leave the Doc untouched when the block failed
            return
        doc = self.doc
        merges = sorted(self._merges, key=lambda m: m[0])
        # Resolve (and check) the splits before anything changes: an error leaves the Doc as it was.
        splits = self._resolve_splits(merged_index(len(doc), merges).tolist()) if self._splits else {}
        if merges:
            apply_merges(doc, merges)
        if splits:
            apply_splits(doc, splits)
        self._merges, self._merged, self._splits = [], {}, {}

    def merge(self, span: Span, attrs: Optional[dict] = None) -> None:
        """Mark `span` to become one token; `attrs` are set on that token."""
        if not isinstance(span, Span) or span.doc is not self.doc:
            raise HeronValueError(Errors.E070.format(what=f"the span {span!r}"))
        start, end = span.start, span.end
        if start == end:
            raise HeronValueError(Errors.E062.format(start=start, end=end))
        if self._merged.get(start) == (start, end):
            return  # the same merge twice: once is enough (spaCy ignores repeats too)
        for i in range(start, end):
            if i in self._merged:
                other = self._merged[i]
                raise HeronValueError(Errors.E063.format(start=start, end=end, other_start=other[0],
                                                         other_end=other[1]))
            if i in self._splits:
                self._refuse_both(i, "marked for splitting and for merging")
        values = normalize_attrs(self.doc, attrs or {}, n_values=None)
        self._merges.append((start, end, values))
        for i in range(start, end):
            self._merged[i] = (start, end)

    def split(self, token: Token, orths: Sequence[str], heads: Sequence[Any],
              attrs: Optional[dict] = None) -> None:
        """Mark `token` to become the tokens `orths`, piece k attached to `heads[k]`."""
        if not isinstance(token, Token) or token.doc is not self.doc:
            raise HeronValueError(Errors.E070.format(what=f"the token {token!r}"))
        i, text = token.i, token.text
        if i in self._merged:
            self._refuse_both(i, "marked for merging and for splitting")
        if i in self._splits:
            self._refuse_both(i, "marked for splitting twice")
        orths = list(orths) if not isinstance(orths, str) else [orths]
        if not orths or not all(isinstance(o, str) and o for o in orths):
            raise HeronValueError(Errors.E064.format(i=i, text=text, orths=orths,
                                                     problem="a piece is empty or not a str"))
        if "".join(orths) != text:
            raise HeronValueError(Errors.E064.format(i=i, text=text, orths=orths,
                                                     problem=f"they concatenate to {''.join(orths)!r}"))
        heads = list(heads)
        if len(heads) != len(orths):
            raise HeronValueError(Errors.E065.format(i=i, text=text, n_orths=len(orths), what="heads",
                                                     n_values=len(heads)))
        head_refs = [self._head_ref(head, i, k) for k, head in enumerate(heads)]
        per_piece = normalize_attrs(self.doc, attrs or {}, n_values=len(orths), where=(i, text))
        self._splits[i] = (orths, head_refs, per_piece)

    # ---- helpers -------------------------------------------------------------
    def _refuse_both(self, i: int, problem: str) -> None:
        raise HeronValueError(Errors.E067.format(i=i, text=self.doc._words[i], problem=problem))

    def _head_ref(self, head: Any, i: int, k: int) -> tuple[int, int]:
        if isinstance(head, Token):
            head, piece = head, 0
        elif isinstance(head, tuple) and len(head) == 2 and isinstance(head[0], Token):
            head, piece = head
        else:
            raise HeronValueError(Errors.E066.format(head=head, k=k, i=i, problem="not a Token or (Token, piece)"))
        if head.doc is not self.doc:
            raise HeronValueError(Errors.E070.format(what=f"the head {head!r}"))
        if isinstance(piece, bool) or not isinstance(piece, int) or piece < 0:
            raise HeronValueError(Errors.E066.format(head=(head, piece), k=k, i=i,
                                                     problem="the piece is not an int >= 0"))
        return head.i, piece

    def _resolve_splits(self, new_index: list) -> dict[int, tuple[list, list, list]]:
        """The splits keyed by token index after the merges, heads as (token, piece)."""
        n_pieces = {i: len(orths) for i, (orths, _, _) in self._splits.items()}
        resolved = {}
        for i, (orths, head_refs, per_piece) in self._splits.items():
            heads = []
            for k, (head, piece) in enumerate(head_refs):
                span = self._merged.get(head)
                if span is not None and span[0] != head:
                    raise HeronValueError(Errors.E071.format(head=self._word(head), i=i))
                if piece >= n_pieces.get(head, 1):
                    raise HeronValueError(Errors.E066.format(
                        head=(self._word(head), piece), k=k, i=i,
                        problem=f"that token has {n_pieces.get(head, 1)} piece(s)"))
                heads.append((new_index[head], piece))
            resolved[new_index[i]] = (orths, heads, per_piece)
        return resolved

    def _word(self, i: int) -> str:
        return self.doc._words[i]


def normalize_attrs(doc, attrs: dict, n_values: Optional[int], where: tuple = ()) -> Any:
    """Validate `attrs` now (so that applying them cannot fail half way).

    n_values None (merge): {attr ID: value, "_": {name: value}} for one token.
    n_values k (split): k such dicts, one per piece, from per-piece lists.
    """
    if not isinstance(attrs, dict):
        raise HeronValueError(Errors.E068.format(problem=f"expected a dict, got {type(attrs).__name__}"))
    pieces: list[dict] = [{} for _ in range(n_values or 1)]
    for key, value in attrs.items():
        values = value
        if n_values is not None:
            if not isinstance(value, (list, tuple)) or len(value) != n_values:
                got = len(value) if isinstance(value, (list, tuple)) else 1
                raise HeronValueError(Errors.E065.format(i=where[0], text=where[1], n_orths=n_values,
                                                         what=f"attrs[{key!r}]", n_values=got))
        else:
            values = [value]
        if key == "_":
            for piece, ext in zip(pieces, values):
                piece["_"] = _check_extensions(ext)
            continue
        attr = intify_attr(key)
        if attr not in _SUPPORTED:
            raise HeronValueError(Errors.E068.format(problem=f"{key!r} cannot be set by the retokenizer"))
        for piece, item in zip(pieces, values):
            piece[attr] = _normalize_value(doc, attr, item)
    return pieces[0] if n_values is None else pieces


def _normalize_value(doc, attr: int, value: Any):
    """The value as stored: a column value for annotations, bool/str for lexical attrs."""
    name = NAMES[attr]
    if attr in FLAG_ATTRS:
        return bool(value)
    if attr in STRING_LEX_ATTRS and attr != NORM:
        return doc.vocab.strings.as_string(value)
    if attr == ENT_IOB:
        code = _IOB.get(value) if isinstance(value, str) else value
        if isinstance(code, bool) or code not in (0, 1, 2, 3):
            raise HeronValueError(Errors.E068.format(
                problem=f"ENT_IOB {value!r} is not one of B, I, O, \"\" (or 3, 1, 2, 0)"))
        return code
    if attr == SENT_START:
        if value in (True, 1):
            return 1
        if value is None or value == 0:
            return 0
        if value in (False, -1):
            return -1
        raise HeronValueError(Errors.E068.format(problem=f"SENT_START {value!r} is not True, False or None"))
    if attr == MORPH and not isinstance(value, int):  # "Case=Nom|..." or {"Case": "Nom"}
        return doc.vocab.strings.add(normalize_features(value, " in retokenize() attrs"))
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise HeronValueError(Errors.E068.format(problem=f"{name} {value!r} is not a str (or its hash)"))
    if isinstance(value, int):
        return value
    if attr == POS:
        _annotate.check_pos(value, " in retokenize() attrs")
    elif attr == NORM and not value:
        raise HeronValueError(Errors.E068.format(problem="NORM must be a non-empty str"))
    return doc.vocab.strings.add(value)


def _check_extensions(ext: Any) -> dict:
    if not isinstance(ext, dict):
        raise HeronValueError(Errors.E068.format(problem=f"\"_\" must map extension names to values, got {ext!r}"))
    for name in ext:
        spec = Underscore.token_extensions.get(name)
        if spec is None:
            raise HeronValueError(Errors.E069.format(name=name, problem="is not registered"))
        default, method, getter, setter = spec
        if setter is None and (getter is not None or method is not None):
            raise HeronValueError(Errors.E069.format(name=name, problem="has a getter or method but no setter"))
    return dict(ext)
