"""Token: a light view (doc, i) over the Doc's words and annotation columns.

Creating a Token costs one small object; every attribute reads the Doc on demand, so
writes through a Token (token.tag_ = "NN") are visible to every other view at once.

This module holds the view itself (text, offsets, identity), sentences, tree navigation
(head, children, subtree, conjuncts, ...), vectors and extensions. The annotation and
lexical attributes (pos, tag, lemma, dep, morph, entities, norm, lower_, is_alpha, ...)
come from `TokenAttrsMixin` in _token_attrs.py. Tree navigation stays here because it
creates Tokens, which a mixin module could only do by importing this one.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from ..errors import Errors, HeronValueError
from . import _annotate, _tree, _vectors
from ._token_attrs import TokenAttrsMixin  # pos, tag, lemma, dep, morph, ents, norm, lexical attrs
from .attrs import DEP, HEAD, SENT_START
from .strings import get_string_id
from .underscore import Underscore, make_extension_classmethods


class Token(TokenAttrsMixin):
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
