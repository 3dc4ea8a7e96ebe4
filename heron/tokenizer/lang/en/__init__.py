"""English tokenizer rules (tuned to the UD English-EWT conventions).

`get_rules()` returns a fresh `TokenizerRules`: contractions, abbreviations, emoticons,
URLs/emails, numbers with units, hyphen and slash handling (see punctuation.py and
exceptions.py for the conventions).
"""
from __future__ import annotations

from ...rules import TokenizerRules
from ..exceptions import base_exceptions
from ..punctuation import URL_PATTERN
from .exceptions import english_exceptions
from .punctuation import INFIXES, PREFIXES, SUFFIXES, TOKEN_MATCH


def get_rules() -> TokenizerRules:
    """Fresh English rules (lists and dicts are copies: safe to modify)."""
    exceptions = base_exceptions()
    exceptions.update(english_exceptions())
    return TokenizerRules(
        prefixes=list(PREFIXES), suffixes=list(SUFFIXES), infixes=list(INFIXES),
        exceptions=exceptions, token_match=TOKEN_MATCH, url_match=URL_PATTERN,
    )
