"""Token: a light view (doc, i) over the Doc's words and annotation columns.

Creating a Token costs one small object; every attribute reads the Doc on demand, so
writes through a Token (token.tag_ = "NN") are visible to every other view at once.
"""
from __future__ import annotations

from typing import Iterator, Union

import numpy as np

from ..errors import Errors, HeronValueError
from . import _annotate, _tree, _vectors
from .attrs import DEP, ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE, HEAD, LEMMA, MORPH, NORM, POS, SENT_START, TAG
from .lex_attrs import FLAG_ATTR_NAMES, STRING_ATTR_NAMES
from .morphology import MorphAnalysis, normalize_features
from .strings import get_string_id
from .underscore import Underscore, make_extension_classmethods


class Token:
    """One token of a Doc. `Token(doc, i)`; usually obtained as `doc[i]`."""

    __slots__ = ("doc", "i")

    def __init__(self, doc, i: int):
        self.doc = doc
        self.i = i

    # ---- text ----------------------------------------------------------
    @property
    def text(self) -> str:
        return self.doc._words[self.i]

    orth_ = text

    @property
    def orth(self) -> int:
        return self.doc.vocab.strings.add(self.doc._words[self.i])

    @property
    def whitespace_(self) -> str:
        return " " if self.doc._spaces[self.i] else ""

    @property
    def text_with_ws(self) -> str:
        word = self.doc._words[self.i]
        return word + " " if self.doc._spaces[self.i] else word

    @property
    def idx(self) -> int:
        """Character offset of the token's first char in doc.text."""
        return self.doc._get_offsets()[self.i]

    @property
    def vocab(self):
        return self.doc.vocab

    @property
    def lex(self):
        return self.doc.vocab[self.doc._words[self.i]]

    @property
    def lang_(self) -> str:
        return self.doc.vocab.lang

    @property
    def tensor(self):
        tensor = self.doc.tensor
        return tensor[self.i] if len(tensor) else tensor

    def __len__(self) -> int:
        return len(self.doc._words[self.i])

    def __str__(self) -> str:
        return self.doc._words[self.i]

    def __repr__(self) -> str:
        return self.doc._words[self.i]

    def __eq__(self, other) -> bool:
        return isinstance(other, Token) and other.doc is self.doc and other.i == self.i

    def __lt__(self, other: "Token") -> bool:
        return self.i < other.i

    def __hash__(self) -> int:
        return hash((id(self.doc), self.i))

    def nbor(self, i: int = 1) -> "Token":
        """The token `i` positions away (E016 if that leaves the Doc)."""
        j = self.i + i
        if not 0 <= j < len(self.doc._words):
            raise IndexError(Errors.E016.format(i=j, n=len(self.doc._words)))
        return Token(self.doc, j)

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

    # ---- sentences ------------------------------------------------------
    @property
    def is_sent_start(self):
        """True/False, or None if unknown. Token 0 always starts a sentence.

        Unset on a parsed Doc, it follows the trees (a new root starts a sentence).
        """
        value = _tree.is_sent_start(self.doc, self.i)
        return None if value == 0 else value > 0

    @is_sent_start.setter
    def is_sent_start(self, value) -> None:
        if self.i == 0:
            if value is False:
                raise HeronValueError(Errors.E032.format(value=value))
            return
        if value not in (True, False, None):
            raise HeronValueError(Errors.E033.format(value=value, i=self.i))
        self.doc._col(SENT_START)[self.i] = 0 if value is None else (1 if value else -1)

    sent_start = is_sent_start

    @property
    def is_sent_end(self):
        if self.i + 1 == len(self.doc._words):
            return True
        return Token(self.doc, self.i + 1).is_sent_start

    @property
    def sent(self):
        """The sentence Span holding this token (E030 if no sentence boundaries are set)."""
        from .span import Span

        if not self.doc.has_annotation(SENT_START):
            raise HeronValueError(Errors.E030)
        start, end = _tree.sent_of(self.doc, self.i)
        return Span(self.doc, start, end)

    # ---- syntax (tree arrays cached per Doc: see _tree.py) ---------------------
    @property
    def head(self) -> "Token":
        """The syntactic head; a root (or an unparsed token) is its own head."""
        return Token(self.doc, self.i + self.doc._get(HEAD, self.i))

    @head.setter
    def head(self, value: "Token") -> None:
        """Attach to `value` (a token of the same Doc; E034 otherwise).

        Cycles are not checked (as in spaCy, so a tree can be rebuilt arc by arc); if the
        Doc's sentence starts were the ones its trees imply, they follow the new tree.
        """
        doc = self.doc
        if not isinstance(value, Token) or value.doc is not doc:
            raise HeronValueError(Errors.E034.format(i=self.i))
        offset = value.i - self.i
        if doc._get(HEAD, self.i) == offset:
            return
        starts = doc._cols.get(SENT_START)
        follow = (starts is not None and HEAD in doc._cols
                  and np.array_equal(starts, _annotate.sent_starts_from_heads(doc._cols[HEAD])))
        doc._col(HEAD)[self.i] = offset
        if follow:
            doc._cols[SENT_START] = _annotate.sent_starts_from_heads(doc._cols[HEAD])

    def has_head(self) -> bool:
        """Whether the head is annotated (a dep label or a head other than itself)."""
        return self.doc._get(DEP, self.i) != 0 or self.doc._get(HEAD, self.i) != 0

    def has_dep(self) -> bool:
        return self.doc._get(DEP, self.i) != 0

    @property
    def children(self) -> Iterator["Token"]:
        """The tokens whose head is this one, in document order (lefts, then rights)."""
        doc = self.doc
        for j in _tree.tree_of(doc).children(self.i).tolist():
            yield Token(doc, j)

    @property
    def lefts(self) -> Iterator["Token"]:
        doc, tree = self.doc, _tree.tree_of(self.doc)
        for j in tree.children(self.i)[:tree.n_lefts[self.i]].tolist():
            yield Token(doc, j)

    @property
    def rights(self) -> Iterator["Token"]:
        doc, tree = self.doc, _tree.tree_of(self.doc)
        for j in tree.children(self.i)[tree.n_lefts[self.i]:].tolist():
            yield Token(doc, j)

    @property
    def n_lefts(self) -> int:
        return int(_tree.tree_of(self.doc).n_lefts[self.i])

    @property
    def n_rights(self) -> int:
        return int(_tree.tree_of(self.doc).n_rights[self.i])

    @property
    def ancestors(self) -> Iterator["Token"]:
        """Head, head's head, ... up to the root (a cycle stops at the first repeat)."""
        heads = _tree.tree_of(self.doc).heads_list()
        i, seen = self.i, {self.i}
        while heads[i] not in seen:
            i = heads[i]
            seen.add(i)
            yield Token(self.doc, i)

    def is_ancestor(self, descendant: "Token") -> bool:
        """Whether this token is the head, the head's head, ... of `descendant`."""
        if not isinstance(descendant, Token) or descendant.doc is not self.doc:
            return False
        return any(t.i == self.i for t in descendant.ancestors)

    @property
    def subtree(self) -> Iterator["Token"]:
        """This token and its descendants: lefts' subtrees, itself, rights' subtrees.

        That is document order for projective trees (spaCy's order for the others).
        """
        doc = self.doc
        return (Token(doc, j) for j in _tree.tree_of(doc).subtree(self.i))

    @property
    def left_edge(self) -> "Token":
        """The first token of the subtree."""
        return Token(self.doc, int(_tree.tree_of(self.doc).l_edge[self.i]))

    @property
    def right_edge(self) -> "Token":
        """The last token of the subtree."""
        return Token(self.doc, int(_tree.tree_of(self.doc).r_edge[self.i]))

    @property
    def conjuncts(self) -> tuple["Token", ...]:
        """Tokens coordinated with this one ("conj" arcs), without the token itself.

        As spaCy: climb "conj" arcs to the first conjunct, then collect the "conj"
        right children of it and of every conjunct found.
        """
        doc = self.doc
        if doc._hooks is not None and "conjuncts" in doc._hooks[1]:
            return tuple(doc._hooks[1]["conjuncts"](self))
        deps = doc._cols.get(DEP)
        if deps is None:
            return ()
        conj = get_string_id("conj")
        tree = _tree.tree_of(doc)
        heads = tree.heads_list()
        start, steps = self.i, 0
        while heads[start] != start and deps[start] == conj and steps < len(heads):
            start, steps = heads[start], steps + 1
        found, queue = [start], [start]
        for word in queue:
            for child in tree.children(word)[tree.n_lefts[word]:].tolist():
                if deps[child] == conj and child not in found:
                    found.append(child)
                    queue.append(child)
        return tuple(Token(doc, j) for j in found if j != self.i)

    # ---- vectors (see _vectors.py) ----------------------------------------
    @property
    def vector(self):
        return _vectors.token_vector(self)

    @property
    def has_vector(self) -> bool:
        return _vectors.token_has_vector(self)

    @property
    def vector_norm(self) -> float:
        return _vectors.norm(self.vector)

    def similarity(self, other) -> float:
        return _vectors.similarity(self, other, 1)

    @property
    def _(self) -> Underscore:
        return Underscore(Underscore.token_extensions, self, start=self.idx)

    set_extension, get_extension, has_extension, remove_extension = make_extension_classmethods("token")

    def check_flag(self, flag_id: int) -> bool:
        from .attrs import NAMES

        return bool(getattr(self, NAMES[flag_id].lower()))


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
    setattr(Token, _name, _lex_property(_name, True))
    setattr(Token, _name + "_", _lex_property(_name, False))
Token.norm_ = property(_get_norm, _set_norm, doc="The token's norm: a per-token override or the word's.")
Token.norm = property(lambda self: self.doc.vocab.strings.add(_get_norm(self)),
                      doc="Hash of norm_.")
for _name in FLAG_ATTR_NAMES:
    setattr(Token, _name, _lex_property(_name, False))
del _name


def _annotation_properties(name: str, attr: int) -> None:
    def get_key(self) -> int:
        col = self.doc._cols.get(attr)
        return 0 if col is None else col.item(self.i)

    def get_str(self) -> str:
        return self._str(attr)

    def set_value(self, value) -> None:
        self._set_str(attr, value)

    setattr(Token, name, property(get_key, set_value, doc=f"{name.upper()} as a StringStore hash (0 = unset)."))
    setattr(Token, name + "_", property(get_str, set_value, doc=f"{name.upper()} as a string (\"\" = unset)."))


for _name, _attr in (("tag", TAG), ("lemma", LEMMA), ("dep", DEP), ("ent_type", ENT_TYPE),
                     ("ent_kb_id", ENT_KB_ID), ("ent_id", ENT_ID)):
    _annotation_properties(_name, _attr)
del _name, _attr
