"""Token's annotation and lexical attributes, mixed into `Token` (kept out of token.py,
which holds the view itself, sentences, tree navigation and vectors):

- string annotations stored in the Doc's columns: `pos`, `tag`, `lemma`, `dep`,
  `ent_type`, `ent_kb_id`, `ent_id` (a StringStore hash; `name_` the string), `morph`;
- the entity IOB code (`ent_iob`, `ent_iob_`);
- the word's lexical attributes, read from the Vocab: `lower`/`lower_`, `shape_`,
  `prefix_`, `suffix_`, ... (lex_attrs.STRING_ATTR_NAMES) and the flags `is_alpha`,
  `like_num`, ... (FLAG_ATTR_NAMES); `norm_` may be overridden per token.

Every getter reads the Doc on demand and every setter writes its column, so a write
through one Token is visible to every view of the Doc.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

from ..errors import Errors, HeronValueError
from . import _annotate
from .attrs import DEP, ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, POS, TAG
from .lex_attrs import FLAG_ATTR_NAMES, STRING_ATTR_NAMES
from .morphology import MorphAnalysis, normalize_features


class TokenAttrsMixin:
    """`Token`'s annotation and lexical attributes (no state of its own: Token has __slots__)."""

    __slots__ = ()
    doc: Any
    i: int

    if TYPE_CHECKING:  # Token's read-only property, used in error messages below
        @property
        def text(self) -> str: ...

    # ---- string annotations ---------------------------------------------
    def _str(self, attr: int) -> str:
        col = self.doc._cols.get(attr)
        if col is None:
            return ""
        key = col.item(self.i)
        if not key:
            return ""
        try:
            return self.doc.vocab.strings._map[key]
        except KeyError:
            return self.doc.vocab.strings[key]  # raises the coded E002

    def _set_str(self, attr: int, value: Union[str, int]) -> None:
        key = self.doc.vocab.strings.add(value) if isinstance(value, str) else int(value)
        self.doc._col(attr)[self.i] = key

    @property
    def pos(self) -> int:
        return self.doc._get(POS, self.i)

    @pos.setter
    def pos(self, value: Union[int, str]) -> None:
        self.pos_ = self.doc.vocab.strings[value] if isinstance(value, int) else value

    @property
    def pos_(self) -> str:
        """Universal POS tag ("NOUN", "VERB", ...); "" if unset. Setting validates (E008)."""
        return self._str(POS)

    @pos_.setter
    def pos_(self, value: str) -> None:
        if value:
            _annotate.check_pos(value, f" for token {self.i} ({self.text!r})")
        self._set_str(POS, value)

    @property
    def morph(self) -> MorphAnalysis:
        """Morphological features; str(token.morph) -> "Case=Nom|Number=Sing"."""
        return MorphAnalysis(self.doc.vocab, self.doc._get(MORPH, self.i))

    @morph.setter
    def morph(self, value: Union[MorphAnalysis, str, dict, int]) -> None:
        if isinstance(value, int):
            self.doc._col(MORPH)[self.i] = value
            return
        key_str = normalize_features(value, f" for token {self.i} ({self.text!r})")
        self.doc._col(MORPH)[self.i] = self.doc.vocab.strings.add(key_str)

    def set_morph(self, features) -> None:
        self.morph = features

    def has_morph(self) -> bool:
        return self.doc._get(MORPH, self.i) != 0

    # ---- entities -------------------------------------------------------
    @property
    def ent_iob(self) -> int:
        """0 missing, 1 inside, 2 outside, 3 begin (spaCy's codes)."""
        return self.doc._get(ENT_IOB, self.i)

    @ent_iob.setter
    def ent_iob(self, value: int) -> None:
        if value not in (0, 1, 2, 3):
            raise HeronValueError(Errors.E036.format(value=value, i=self.i))
        self.doc._col(ENT_IOB)[self.i] = value

    @property
    def ent_iob_(self) -> str:
        return _annotate.IOB_STRINGS[self.doc._get(ENT_IOB, self.i)]

    @ent_iob_.setter
    def ent_iob_(self, value: str) -> None:
        if value not in _annotate.IOB_STRINGS:
            raise HeronValueError(Errors.E036.format(value=value, i=self.i))
        self.doc._col(ENT_IOB)[self.i] = _annotate.IOB_STRINGS.index(value)

    @staticmethod
    def iob_strings() -> tuple[str, ...]:
        return _annotate.IOB_STRINGS


# The attributes below are generated from name tables, so they are set on the mixin after
# its definition; Token inherits them as it inherits the ones written out above.

def _lex_property(name: str, as_hash: bool):
    if as_hash:
        def fget(self):
            vocab = self.doc.vocab
            return vocab.strings.add(vocab.get_lex_attr(self.doc._words[self.i], name))
    else:
        def fget(self):
            return self.doc.vocab.get_lex_attr(self.doc._words[self.i], name)
    return property(fget, doc=f"Lexical attribute `{name}` of the word (see Vocab).")


def _get_norm(self) -> str:
    col = self.doc._cols.get(NORM)
    if col is not None and col[self.i]:
        return self.doc.vocab.strings[int(col[self.i])]
    return self.doc.vocab.get_lex_attr(self.doc._words[self.i], "norm")


def _set_norm(self, value: str) -> None:
    # A token-level override, as spaCy's token.norm_ setter: "n't" -> "not".
    if not isinstance(value, str) or not value:
        raise HeronValueError(Errors.E039.format(i=self.i, value=value))
    doc = self.doc
    col = doc._cols.get(NORM)
    if col is None:
        col = doc._cols[NORM] = _annotate.empty_column(NORM, len(doc._words))
    col[self.i] = doc.vocab.strings.add(value)


for _name in STRING_ATTR_NAMES:
    setattr(TokenAttrsMixin, _name, _lex_property(_name, True))
    setattr(TokenAttrsMixin, _name + "_", _lex_property(_name, False))
TokenAttrsMixin.norm_ = property(_get_norm, _set_norm, doc="The token's norm: a per-token override or the word's.")
TokenAttrsMixin.norm = property(lambda self: self.doc.vocab.strings.add(_get_norm(self)),
                                doc="Hash of norm_.")
for _name in FLAG_ATTR_NAMES:
    setattr(TokenAttrsMixin, _name, _lex_property(_name, False))
del _name


def _annotation_properties(name: str, attr: int) -> None:
    def get_key(self) -> int:
        col = self.doc._cols.get(attr)
        return 0 if col is None else col.item(self.i)

    def get_str(self) -> str:
        return self._str(attr)

    def set_value(self, value) -> None:
        self._set_str(attr, value)

    setattr(TokenAttrsMixin, name,
            property(get_key, set_value, doc=f"{name.upper()} as a StringStore hash (0 = unset)."))
    setattr(TokenAttrsMixin, name + "_",
            property(get_str, set_value, doc=f"{name.upper()} as a string (\"\" = unset)."))


for _name, _attr in (("tag", TAG), ("lemma", LEMMA), ("dep", DEP), ("ent_type", ENT_TYPE),
                     ("ent_kb_id", ENT_KB_ID), ("ent_id", ENT_ID)):
    _annotation_properties(_name, _attr)
del _name, _attr
