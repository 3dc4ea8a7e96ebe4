"""Token attribute IDs and names (same names and integer values as spaCy v3; CLUSTER and
PROB keep spaCy v2's values, SENT_END is heron's own).

Used by `doc.to_array`, `doc.from_array`, `DocBin(attrs=...)`, `doc.has_annotation` and
Matcher patterns. Functions accept either the name ("TAG", case-insensitive, also
"tag_"/"is_sent_start" aliases) or the integer ID (`attrs.TAG`).
"""
from __future__ import annotations

from typing import Union

from ..errors import Errors, HeronValueError

NULL_ATTR = 0
IS_ALPHA = 1
IS_ASCII = 2
IS_DIGIT = 3
IS_LOWER = 4
IS_PUNCT = 5
IS_SPACE = 6
IS_TITLE = 7
IS_UPPER = 8
LIKE_URL = 9
LIKE_NUM = 10
LIKE_EMAIL = 11
IS_STOP = 12
IS_OOV = 13
IS_BRACKET = 14
IS_QUOTE = 15
IS_LEFT_PUNCT = 16
IS_RIGHT_PUNCT = 17
IS_CURRENCY = 18
ID = 64
ORTH = 65
LOWER = 66
NORM = 67
SHAPE = 68
PREFIX = 69
SUFFIX = 70
LENGTH = 71
CLUSTER = 72
LEMMA = 73
POS = 74
TAG = 75
DEP = 76
ENT_IOB = 77
ENT_TYPE = 78
HEAD = 79
SENT_START = 80
SPACY = 81
PROB = 82
LANG = 83
# spaCy moved these four past its symbol table's POS and tag names (v3 numbering).
ENT_KB_ID = 452
MORPH = 453
ENT_ID = 454
IDX = 455
SENT_END = 88  # heron's own: spaCy v3 has no SENT_END attribute (84-88 are free there)

IDS: dict[str, int] = {
    name: value for name, value in globals().items() if name.isupper() and isinstance(value, int)
}
NAMES: dict[int, str] = {value: name for name, value in IDS.items()}

# Boolean lexical flags (values 0/1 in arrays) and their Lexeme attribute names.
FLAG_ATTRS = (IS_ALPHA, IS_ASCII, IS_DIGIT, IS_LOWER, IS_PUNCT, IS_SPACE, IS_TITLE, IS_UPPER,
              LIKE_URL, LIKE_NUM, LIKE_EMAIL, IS_STOP, IS_BRACKET, IS_QUOTE, IS_LEFT_PUNCT,
              IS_RIGHT_PUNCT, IS_CURRENCY)
# String-valued lexical attributes (uint64 hashes in arrays).
STRING_LEX_ATTRS = (ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX)
# Annotation columns stored on the Doc (everything else is derived from the words).
ANNOTATION_ATTRS = (TAG, POS, LEMMA, MORPH, DEP, HEAD, ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID,
                    SENT_START)

# The 17 Universal Dependencies POS tags, plus spaCy's SPACE for whitespace tokens.
UNIVERSAL_POS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
                 "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X", "SPACE")

_ALIASES = {"IS_SENT_START": SENT_START, "SENT_START": SENT_START, "TEXT": ORTH,
            "WHITESPACE": SPACY, "ENT_IOB_": ENT_IOB}


def intify_attr(attr: Union[str, int]) -> int:
    """Return the integer ID for an attribute name or ID ("tag_", "TAG", 75 -> 75).

    Raises a coded HeronValueError naming the allowed attributes if `attr` is unknown.
    """
    if isinstance(attr, int) and not isinstance(attr, bool):
        if attr in NAMES:
            return attr
    elif isinstance(attr, str):
        name = attr.upper()
        if name in _ALIASES:
            return _ALIASES[name]
        if name.endswith("_") and name[:-1] in IDS:
            name = name[:-1]
        if name in IDS:
            return IDS[name]
    allowed = ", ".join(sorted(n for n in IDS if not n.startswith("FLAG")))
    raise HeronValueError(Errors.E020.format(attr=attr, allowed=allowed))


def intify_attrs(attrs) -> list[int]:
    """`intify_attr` over a list (a single name or ID gives a one-element list)."""
    if isinstance(attrs, (str, int)):
        attrs = [attrs]
    return [intify_attr(a) for a in attrs]


__all__ = list(IDS) + ["IDS", "NAMES", "UNIVERSAL_POS", "intify_attr", "intify_attrs"]
