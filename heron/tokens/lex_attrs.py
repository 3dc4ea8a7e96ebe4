"""Lexical attribute functions: properties of a word string, independent of context.

Each function takes the word text and returns a bool or a str. `Vocab` calls them on
demand and caches the result per string, so each distinct word pays once. Languages
override entries (e.g. English `like_num` knows "ten", "million", "3rd") through
`LANG_LEX_ATTRS[lang]` or `Vocab(lex_attr_getters={"like_num": fn})`.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable

_BRACKETS = frozenset("()[]{}<>")
_QUOTES = frozenset(("'", '"', "`", "‘", "´", "’", "‚", ",", "„", "»", "«", "「", "」",
                     "『", "』", "（", "）", "〔", "〕", "【", "】", "《", "》", "〈", "〉",
                     "''", "``", "〈", "〉", "“", "”", "«", "»"))
_LEFT_PUNCT = frozenset(("(", "[", "{", "<", '"', "'", "«", "‘", "‚", "‛", "“", "„", "‟",
                         "‹", "❮", "``", "「", "『", "（", "〔", "【", "《", "〈"))
_RIGHT_PUNCT = frozenset((")", "]", "}", ">", '"', "'", "»", "’", "”", "›", "❯", "''",
                          "」", "』", "）", "〕", "】", "》", "〉"))
_EMAIL_RE = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
    re.IGNORECASE,
)
# Common top-level domains; enough for "example.com"-style tokens without a scheme.
_TLDS = frozenset(
    "com org net edu gov mil int info biz io co ai app dev uk us de fr es it nl be ch at se no "
    "dk fi pl cz ru cn jp kr in au ca br mx ar za eu tv me ly gl gg to fm nz ie pt gr hu ro tr "
    "il sg hk tw online site store tech blog news xyz".split()
)


def lower(text: str) -> str:
    return text.lower()


def norm(text: str) -> str:
    return text.lower()


def prefix(text: str) -> str:
    return text[:1]


def suffix(text: str) -> str:
    return text[-3:]


def shape(text: str) -> str:
    """spaCy's word shape: letters -> X/x, digits -> d, other chars kept; runs cut at 4.

    "Apple" -> "Xxxxx", "2024" -> "dddd", "C3-PO" -> "Xd-XX"; words of 100+ chars -> "LONG".
    """
    if len(text) >= 100:
        return "LONG"
    out = []
    last = ""
    seq = 0
    for char in text:
        if char.isalpha():
            char = "X" if char.isupper() else "x"
        elif char.isdigit():
            char = "d"
        if char == last:
            seq += 1
        else:
            seq = 0
            last = char
        if seq < 4:
            out.append(char)
    return "".join(out)


def is_alpha(text: str) -> bool:
    return text.isalpha()


def is_digit(text: str) -> bool:
    return text.isdigit()


def is_lower(text: str) -> bool:
    return text.islower()


def is_upper(text: str) -> bool:
    return text.isupper()


def is_title(text: str) -> bool:
    return text.istitle()


def is_space(text: str) -> bool:
    return text.isspace()


def is_ascii(text: str) -> bool:
    return text.isascii()


def is_punct(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c).startswith("P") for c in text)


def is_currency(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c) == "Sc" for c in text)


def is_bracket(text: str) -> bool:
    return text in _BRACKETS


def is_quote(text: str) -> bool:
    return text in _QUOTES


def is_left_punct(text: str) -> bool:
    return text in _LEFT_PUNCT


def is_right_punct(text: str) -> bool:
    return text in _RIGHT_PUNCT


def like_num(text: str) -> bool:
    """Digits with optional sign and separators, or a simple fraction: "10,000", "-3.5", "1/2"."""
    if text[:1] in ("+", "-", "±", "~"):
        text = text[1:]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        return num.isdigit() and denom.isdigit()
    return False


def like_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text))


def like_url(text: str) -> bool:
    """True for "http://x.y", "www.x.y", "example.com", "example.com/path", "1.2.3.4"-free text."""
    if len(text) < 4:
        return False
    low = text.lower()
    if low.startswith(("http://", "https://", "ftp://", "www.", "file://", "mailto:")):
        return True
    if text[0] == "." or text[-1] == "." or "." not in text or "@" in text:
        return False
    host = low.split("/", 1)[0].split(":", 1)[0]
    if "." not in host:
        return False
    tld = host.rsplit(".", 1)[1]
    return tld in _TLDS


def is_stop(text: str, stop_words: frozenset = frozenset()) -> bool:
    return text.lower() in stop_words


# ---- English ----------------------------------------------------------------

_EN_NUM_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion trillion quadrillion gajillion bazillion "
    "dozen".split()
)
_EN_ORDINAL_WORDS = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth hundredth "
    "thousandth millionth billionth trillionth".split()
)
# spaCy's English stop words, exactly (spacy/lang/en/stop_words.py, MIT licence): 326
# words with the contractions in straight and curly forms. A set, as in spaCy: adding
# a word changes `is_stop` for words not looked up yet (`lex.is_stop = True` for any).
# `heron.lang.en.stop_words.STOP_WORDS` is this same set.
EN_STOP_WORDS = set(
    """
a about above across after afterwards again against all almost alone along
already also although always am among amongst amount an and another any anyhow
anyone anything anyway anywhere are around as at

back be became because become becomes becoming been before beforehand behind
being below beside besides between beyond both bottom but by

call can cannot ca could

did do does doing done down due during

each eight either eleven else elsewhere empty enough even ever every
everyone everything everywhere except

few fifteen fifty first five for former formerly forty four from front full
further

get give go

had has have he hence her here hereafter hereby herein hereupon hers herself
him himself his how however hundred

i if in indeed into is it its itself

keep

last latter latterly least less

just

made make many may me meanwhile might mine more moreover most mostly move much
must my myself

name namely neither never nevertheless next nine no nobody none noone nor not
nothing now nowhere

of off often on once one only onto or other others otherwise our ours ourselves
out over own

part per perhaps please put

quite

rather re really regarding

same say see seem seemed seeming seems serious several she should show side
since six sixty so some somehow someone something sometime sometimes somewhere
still such

take ten than that the their them themselves then thence there thereafter
thereby therefore therein thereupon these they third this those though three
through throughout thru thus to together too top toward towards twelve twenty
two

under until up unless upon us used using

various very very via was we well were what whatever when whence whenever where
whereafter whereas whereby wherein whereupon wherever whether which while
whither who whoever whole whom whose why will with within without would

yet you your yours yourself yourselves
""".split()
)
_EN_CONTRACTIONS = ["n't", "'d", "'ll", "'m", "'re", "'s", "'ve"]
EN_STOP_WORDS.update(_EN_CONTRACTIONS)
EN_STOP_WORDS.update(c.replace("'", apostrophe) for apostrophe in "‘’" for c in _EN_CONTRACTIONS)


def en_like_num(text: str) -> bool:
    """Base `like_num` plus English number words and ordinals: "ten", "million", "3rd", "first"."""
    if like_num(text):
        return True
    low = text.lower()
    if low.startswith(("+", "-", "±", "~")):
        low = low[1:]
    if low in _EN_NUM_WORDS or low in _EN_ORDINAL_WORDS:
        return True
    if low.endswith(("st", "nd", "rd", "th")) and low[:-2].isdigit():
        return True
    return False


def en_is_stop(text: str) -> bool:
    return text.lower() in EN_STOP_WORDS


LexAttrFunc = Callable[[str], object]

# Name -> function; the keys are the Lexeme/Token attribute names.
BASE_LEX_ATTRS: dict[str, LexAttrFunc] = {
    "lower": lower, "norm": norm, "shape": shape, "prefix": prefix, "suffix": suffix,
    "is_alpha": is_alpha, "is_digit": is_digit, "is_lower": is_lower, "is_upper": is_upper,
    "is_title": is_title, "is_space": is_space, "is_ascii": is_ascii, "is_punct": is_punct,
    "is_currency": is_currency, "is_bracket": is_bracket, "is_quote": is_quote,
    "is_left_punct": is_left_punct, "is_right_punct": is_right_punct, "like_num": like_num,
    "like_url": like_url, "like_email": like_email, "is_stop": is_stop,
}
STRING_ATTR_NAMES = ("lower", "norm", "shape", "prefix", "suffix")
FLAG_ATTR_NAMES = tuple(name for name in BASE_LEX_ATTRS if name not in STRING_ATTR_NAMES)

# Per-language overrides, merged over BASE_LEX_ATTRS by `get_lex_attr_getters`.
LANG_LEX_ATTRS: dict[str, dict[str, LexAttrFunc]] = {
    "en": {"like_num": en_like_num, "is_stop": en_is_stop},
}


def get_lex_attr_getters(lang: str, overrides: dict | None = None) -> dict[str, LexAttrFunc]:
    """Return name -> function for `lang`, with `overrides` (keys: names or attrs IDs) on top."""
    getters = dict(BASE_LEX_ATTRS)
    getters.update(LANG_LEX_ATTRS.get(lang, {}))
    if overrides:
        from .attrs import NAMES, intify_attr

        for key, func in overrides.items():
            name = NAMES[intify_attr(key)].lower()
            if name not in BASE_LEX_ATTRS or not callable(func):
                from ..errors import Errors, HeronValueError

                raise HeronValueError(Errors.E037.format(name=f"{key} (lex_attr_getters)",
                                                         allowed=", ".join(BASE_LEX_ATTRS)))
            getters[name] = func
    return getters
