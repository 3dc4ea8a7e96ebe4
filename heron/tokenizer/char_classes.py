"""Character classes shared by the punctuation rules of every language.

Python's `re` has no `\\p{Lu}`-style property classes, so the letter classes are built
once from `str.isupper()/islower()/isalpha()` over the Basic Multilingual Plane and
written as compact ranges. The strings are regex *fragments* meant to sit inside
`[...]` (ALPHA, ALPHA_LOWER, ALPHA_UPPER) or inside `(?:...)` (QUOTES, HYPHENS, UNITS,
CURRENCY), exactly like spaCy's `char_classes`, so rule lists written for spaCy read
the same here.
"""
from __future__ import annotations

import re


def _ranges(predicate) -> str:
    """A character-class body covering every BMP character for which `predicate` holds."""
    parts: list[str] = []
    start = prev = None
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        if predicate(chr(cp)):
            if start is None:
                start = cp
            elif cp != prev + 1:
                parts.append(_range(start, prev))
                start = cp
            prev = cp
    if start is not None:
        parts.append(_range(start, prev))
    return "".join(parts)


def _range(lo: int, hi: int) -> str:
    return re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"


def split_chars(chars: str) -> list[str]:
    """'a b c' -> ['a', 'b', 'c'] (space-separated, already regex-escaped where needed)."""
    return [c for c in chars.strip().split(" ") if c]


def merge_chars(chars: str) -> str:
    """'a b c' -> 'a|b|c' for use inside `(?:...)`."""
    return "|".join(split_chars(chars))


# Letters: ASCII written out, the rest of the BMP generated (covers Latin, Greek,
# Cyrillic, Armenian, Georgian...; scripts without case only appear in ALPHA).
ALPHA_LOWER = "a-z" + _ranges(lambda c: c.islower())
ALPHA_UPPER = "A-Z" + _ranges(lambda c: c.isupper())
ALPHA = "a-zA-Z" + _ranges(lambda c: c.isalpha())

_QUOTES = r"\' \" ” “ ` ‘ ´ ’ ‚ , „ » « 「 」 『 』 （ ） 〔 〕 【 】 《 》 〈 〉 ⟦ ⟧"
LIST_QUOTES = split_chars(_QUOTES)
QUOTES = merge_chars(_QUOTES)
CONCAT_QUOTES = "".join(LIST_QUOTES).replace(",", "")  # plain comma is not a quote inside [...]

_PUNCT = r"… …… , : ; \! \? ¿ ؟ ¡ \( \) \[ \] \{ \} < > _ # \* & 。 ？ ！ ， 、 ； ： ～ · । ، ۔ ؛ ٪"
LIST_PUNCT = split_chars(_PUNCT)
PUNCT = merge_chars(_PUNCT)

_CURRENCY = r"\$ £ € ¥ ฿ US\$ C\$ A\$ ₽ ₴ ₠ ₡ ₢ ₣ ₤ ₥ ₦ ₧ ₨ ₩ ₪ ₫ ₭ ₮ ₯ ₰ ₱ ₲ ₳ ₵ ₶ ₷ ₸ ₹ ₺ ₻ ₼ ₾ ₿"
LIST_CURRENCY = split_chars(_CURRENCY)
CURRENCY = merge_chars(_CURRENCY)

HYPHENS = merge_chars(r"- – — -- --- —— ~")
LIST_HYPHENS = split_chars(r"- – — -- --- —— ~")

LIST_ELLIPSES = [r"\.\.+", "…"]

# Units that may be glued to a number ("10km", "5kg", "3GB"). Longer first so that
# alternation does not stop at a shorter unit that is a prefix of a longer one.
_UNITS = (
    "km² km³ km/h kmh km m² m³ m/s mph mm² mm³ mm cm² cm³ cm dm² dm³ dm nm µm µg "
    "ha yd in ft kg mg lbs lb oz hPa Pa mbar mb MB kb KB gb GB tb TB GHz MHz kHz Hz "
    "hrs hr mins min secs sec "
    "g t m T G M K %"
)
UNITS = merge_chars(_UNITS)

# Symbols, emoji and pictographs: split off like punctuation ("great👍" -> "great" "👍").
ICONS = (
    "\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff"
    "\U0001f000-\U0001faff"
)
LIST_ICONS = [f"[{ICONS}]"]

__all__ = [
    "ALPHA", "ALPHA_LOWER", "ALPHA_UPPER", "QUOTES", "LIST_QUOTES", "CONCAT_QUOTES",
    "PUNCT", "LIST_PUNCT", "CURRENCY", "LIST_CURRENCY", "HYPHENS", "LIST_HYPHENS",
    "LIST_ELLIPSES", "UNITS", "ICONS", "LIST_ICONS", "split_chars", "merge_chars",
]
