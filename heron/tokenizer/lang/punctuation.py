"""Language-neutral prefix, suffix and infix patterns and the URL pattern.

Languages start from these lists and add or remove entries (see lang/en/punctuation.py).
Every entry is a regex source string, so rules stay plain data.
"""
from __future__ import annotations

from ..char_classes import (
    ALPHA,
    ALPHA_LOWER,
    ALPHA_UPPER,
    CONCAT_QUOTES,
    CURRENCY,
    HYPHENS,
    LIST_CURRENCY,
    LIST_ELLIPSES,
    LIST_ICONS,
    LIST_PUNCT,
    LIST_QUOTES,
    UNITS,
)

# The single characters of LIST_PUNCT, usable inside [...].
_PUNCT_CHARS = "".join(p for p in LIST_PUNCT if len(p.replace("\\", "")) == 1)

PREFIXES = (
    ["§", "%", "=", "—", "–", r"\+(?![0-9])"]
    + LIST_PUNCT + LIST_ELLIPSES + LIST_QUOTES + LIST_CURRENCY + LIST_ICONS
)

SUFFIXES = (
    LIST_PUNCT + LIST_ELLIPSES + LIST_QUOTES + LIST_ICONS
    + ["'s", "'S", "’s", "’S", "—", "–"]
    + [
        r"(?<=[0-9])\+",
        r"(?<=°[FfCcKk])\.",
        rf"(?<=[0-9])(?:{CURRENCY})",
        rf"(?<=[0-9])(?:{UNITS})",
        rf"(?<=[0-9{ALPHA_LOWER}%²\-\+{CONCAT_QUOTES}{_PUNCT_CHARS}])\.",
        rf"(?<=[{ALPHA_UPPER}][{ALPHA_UPPER}])\.",
    ]
)

INFIXES = (
    LIST_ELLIPSES + LIST_ICONS
    + [
        r"(?<=[0-9])[+\-\*^](?=[0-9-])",
        rf"(?<=[{ALPHA_LOWER}{CONCAT_QUOTES}])\.(?=[{ALPHA_UPPER}{CONCAT_QUOTES}])",
        rf"(?<=[{ALPHA}]),(?=[{ALPHA}])",
        rf"(?<=[{ALPHA}0-9])(?:{HYPHENS})(?=[{ALPHA}])",
        rf"(?<=[{ALPHA}0-9])[:<>=/](?=[{ALPHA}])",
    ]
)

# URLs with a scheme or "www.", or bare domains with a known-shape TLD ("example.com",
# "bbc.co.uk/news"). Kept whole by url_match after brackets/quotes are split off.
_HOST = r"(?:[^\W_](?:[\w\-]{0,62}[^\W_])?\.)+(?:[a-z]{2,24}|com|COM|Com|org|net|edu|gov)"
URL_PATTERN = (
    r"^(?:"
    rf"[\w.+\-'%!]+@(?:{_HOST}|[\w\-.]+)"                                   # email (also "abc...@x.com")
    r"|"
    r"(?:[a-zA-Z][a-zA-Z0-9+.\-]{1,15}://|www\d{0,3}\.|mailto:)[^\s]+"  # scheme:// or www.
    rf"|{_HOST}(?::\d{{2,5}})?(?:[/?#][^\s]*)?"                      # bare domain
    r")$"
)
