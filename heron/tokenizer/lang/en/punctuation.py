"""English prefix/suffix/infix rules: the neutral rules adapted to UD English-EWT.

Differences from the neutral rules (each follows the EWT/Penn conventions, checked on
the EWT train/dev splits):
- runs of one punctuation character are one token ("!!!", "<<", "*****", "''");
  mixed runs of sentence punctuation too ("?!", ".?", "!!!?");
- hyphens between words split ("center-north" -> "center" "-" "north") except after
  a bound prefix or a single letter ("e-mail", "non-stop", "re-read", "T-shirt");
- digits: short ranges split ("5-10" -> "5" "-" "10"), longer digit groups stay
  ("713-853-3989"); "7:30PM" -> "7:30" "PM";
- slashes split between words of two letters or more ("and/or"), not in "w/o", "b/c",
  dates or fractions; colons and "=" never split inside a chunk;
- "'s" stays on numbers ("60's"), quotes stay on decade years ("'72").
"""
from __future__ import annotations

from ...char_classes import (
    ALPHA, ALPHA_LOWER, ALPHA_UPPER, CONCAT_QUOTES, CURRENCY, HYPHENS, LIST_CURRENCY,
    LIST_ELLIPSES, LIST_ICONS, LIST_PUNCT, LIST_QUOTES, UNITS,
)

# A hyphen after one of these at the start of a word does not split it ("e-mail").
BOUND_PREFIXES = """
anti arch bi co counter cross de e ex extra hyper inter intra macro mega micro mid mis
multi neo non over post pre pro pseudo psycho quasi re semi socio sub super trans tri
ultra un uni
""".split()

_bound = "".join(rf"(?<!\b{p})(?<!\b{p.title()})(?<!\b{p.upper()})" for p in BOUND_PREFIXES)
_single_letter = rf"(?<!\b[{ALPHA}])"
_PUNCT_NO_HASH = [p for p in LIST_PUNCT if p not in ("#",)]
# Quotes that do not split before a two-digit year: "'72", "’90s".
_QUOTES = [q + r"(?![0-9]{2}(?:s\b|\b))" if q in (r"\'", "’", "‘") else q for q in LIST_QUOTES]

# One repeated punctuation character, and runs of sentence punctuation.
RUNS = [r"(?P<run>[^\w\s]|_)(?P=run)+", r"(?:\.+|:)?[!?][.!?]*", "‘’", "’’"]

PREFIXES = (
    RUNS + ["§", "%", "=", "—", "–", r"\+(?![0-9])", r"#(?![A-Za-z])", r"@(?=[0-9])", r"[wW]/(?=[{a}])".format(a=ALPHA)]
    + _PUNCT_NO_HASH + LIST_ELLIPSES + _QUOTES + LIST_CURRENCY + LIST_ICONS
)

SUFFIXES = (
    [r"(?P<run>[^\w\s]|_)(?P=run)+", r"(?:\.+|:)?[!?][.!?]*", "’’", "‘’"]
    + [r":-?[()DPp]", r";-?\)"]  # emoticons glued to a word: "family:)"
    + _PUNCT_NO_HASH + [r"(?<![0-9])#"] + LIST_ELLIPSES + LIST_QUOTES + LIST_ICONS
    + [r"(?<![0-9])['`’][sS]", "—", "–"]
    + [
        r"(?<=[0-9])\+",
        r"(?<=°[FfCcKk])\.",
        rf"(?<=[0-9])(?:{CURRENCY})",
        r"(?<=[0-9])(?:[ap]\.m\.|[AP]\.M\.|[ap]m|[AP]M|k)",
        rf"(?<=[0-9])(?:{UNITS.replace('|T|G|M|K', '')})",
        rf"(?<=[0-9{ALPHA_LOWER}%²\-\+{CONCAT_QUOTES}…,:;!?()\[\]{{}}*&])\.",
        rf"(?<=[{ALPHA_UPPER}][{ALPHA_UPPER}])\.",
    ]
)

_num_left = r"(?:(?<=(?<![0-9\-])[0-9])|(?<=(?<![0-9\-])[0-9]{2}))"
INFIXES = (
    LIST_ELLIPSES + LIST_ICONS
    + [
        r"(?<=[0-9])[+\*^](?=[0-9])",
        rf"{_num_left}-(?=[0-9]{{1,2}}(?![0-9\-/]))",                              # 5-10
        rf"(?<=[{ALPHA_LOWER}{CONCAT_QUOTES}])\.(?=[{ALPHA_UPPER}{CONCAT_QUOTES}])",
        rf"(?<=[{ALPHA}]),(?=[{ALPHA}])",
        rf"(?<=[{ALPHA}]);(?=[{ALPHA}])",
        rf"{_bound}{_single_letter}(?<=[{ALPHA}0-9])(?:{HYPHENS})(?=[{ALPHA}])",  # well-known
        rf"(?<=[{ALPHA}])(?:{HYPHENS})(?=[0-9])",                                  # AK-47
        rf"(?<=[{ALPHA}]{{2}})/(?=[{ALPHA}]{{2}})",                                # and/or
        rf"(?<=[{ALPHA}0-9])[(\[](?=[{ALPHA}0-9])|(?<=[{ALPHA}0-9)\]])[)\]](?=[{ALPHA}0-9(\[])",
    ]
)

# Whole tokens never split: phone numbers and numeric dates/IDs ("713-853-3989",
# "8-7-01", "11/28/2000"), hashtags and handles ("#audiobooks", "@user"), decades.
TOKEN_MATCH = (
    r"^(?:"
    r"\(?[0-9]{3}\)?-?[0-9]{3}-[0-9]{4}|[0-9]{3}-[0-9]{4}|x?[0-9]-[0-9]{4}"
    r"|[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}|[0-9]{1,2}/[0-9]{2,4}"
    rf"|[#@][{ALPHA}][\w]*"
    r")$"
)
