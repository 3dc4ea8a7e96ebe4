"""Token attribute getters shared by the Matcher and the PhraseMatcher.

A matcher compares pattern values with per-token values. Reading a value through the
`Token` view costs a Python call per token, so each matcher call builds one column
(a list with a value per token) for each attribute its patterns use, and only those.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List

from ..errors import Errors
from ..tokens.underscore import ExtensionAttributeError

# String-valued attributes: pattern values are str (compared exactly).
STRING_ATTRS: Dict[str, Callable[[Any], Any]] = {
    "ORTH": lambda t: t.text,
    "LOWER": lambda t: t.lower_,
    "NORM": lambda t: t.norm_,
    "SHAPE": lambda t: t.shape_,
    "PREFIX": lambda t: t.prefix_,
    "SUFFIX": lambda t: t.suffix_,
    "POS": lambda t: t.pos_,
    "TAG": lambda t: t.tag_,
    "LEMMA": lambda t: t.lemma_,
    "DEP": lambda t: t.dep_,
    "ENT_TYPE": lambda t: t.ent_type_,
    "ENT_IOB": lambda t: t.ent_iob_,
    "MORPH": lambda t: str(t.morph),
}

# Boolean attributes: pattern values are true/false.
BOOL_ATTRS: Dict[str, Callable[[Any], Any]] = {
    "IS_ALPHA": lambda t: bool(t.is_alpha),
    "IS_ASCII": lambda t: t.text.isascii(),
    "IS_DIGIT": lambda t: bool(t.is_digit),
    "IS_PUNCT": lambda t: bool(t.is_punct),
    "IS_SPACE": lambda t: bool(t.is_space),
    # Derived from the text: same definitions as spaCy's lexical flags.
    "IS_TITLE": lambda t: t.text.istitle(),
    "IS_UPPER": lambda t: t.text.isupper(),
    "IS_LOWER": lambda t: t.text.islower(),
    "IS_STOP": lambda t: bool(getattr(t, "is_stop", False)),
    "LIKE_NUM": lambda t: bool(t.like_num),
    "LIKE_URL": lambda t: bool(t.like_url),
    "LIKE_EMAIL": lambda t: bool(t.like_email),
    # None (unknown) never equals true or false, as in spaCy.
    "SENT_START": lambda t: t.is_sent_start,
}

INT_ATTRS: Dict[str, Callable[[Any], Any]] = {"LENGTH": lambda t: len(t.text)}

GETTERS: Dict[str, Callable[[Any], Any]] = {**STRING_ATTRS, **BOOL_ATTRS, **INT_ATTRS}
ALIASES = {"TEXT": "ORTH", "IS_SENT_START": "SENT_START"}
# Attributes that only components set (not the tokenizer).
ANNOTATION_ATTRS = {"POS", "TAG", "LEMMA", "DEP", "ENT_TYPE", "ENT_IOB", "MORPH", "SENT_START"}


def normalize_attr(name: Any) -> str:
    """"lower" -> "LOWER", "TEXT" -> "ORTH"; unknown names are returned upper-cased."""
    upper = str(name).upper()
    return ALIASES.get(upper, upper)


class Columns:
    """Lazily computed per-token attribute values of one Doc or Span."""

    def __init__(self, tokens: List[Any]):
        self.tokens = tokens
        self._cols: Dict[Any, List[Any]] = {}

    def __len__(self) -> int:
        return len(self.tokens)

    def get(self, attr: str) -> List[Any]:
        col = self._cols.get(attr)
        if col is None:
            getter = GETTERS[attr]
            col = self._cols[attr] = [getter(t) for t in self.tokens]
        return col

    def get_ext(self, name: str) -> List[Any]:
        key = ("_", name)
        col = self._cols.get(key)
        if col is None:
            # An unregistered name is a typo or a missing set_extension, never "no match".
            if self.tokens and not type(self.tokens[0]).has_extension(name):
                raise ExtensionAttributeError(Errors.E657.format(name=name))
            col = self._cols[key] = [getattr(t._, name, None) for t in self.tokens]
        return col


def doc_and_offset(doclike: Any):
    """(doc, tokens, offset) for a Doc or a Span; offset is the Span's start in its Doc."""
    if hasattr(doclike, "doc") and hasattr(doclike, "start") and doclike.doc is not doclike:
        return doclike.doc, list(doclike), doclike.start
    return doclike, list(doclike), 0
