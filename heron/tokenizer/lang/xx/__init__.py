"""Language-neutral ("xx") tokenizer rules: Unicode punctuation, URLs and emoticons.

Use for languages without their own rules: splits brackets, quotes, sentence
punctuation and glued units ("10km"), keeps URLs, emails and emoticons whole, and has
no word-level exceptions.
"""
from __future__ import annotations

from ...rules import TokenizerRules
from ..exceptions import base_exceptions
from ..punctuation import INFIXES, PREFIXES, SUFFIXES, URL_PATTERN


def get_rules() -> TokenizerRules:
    """Fresh language-neutral rules (lists are copies: safe to modify)."""
    return TokenizerRules(
        prefixes=list(PREFIXES), suffixes=list(SUFFIXES), infixes=list(INFIXES),
        exceptions=base_exceptions(), token_match=None, url_match=URL_PATTERN,
    )
