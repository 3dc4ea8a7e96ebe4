"""English: `English()` is `heron.blank("en")` as a class (spaCy's `spacy.lang.en.English`).

    from heron.lang.en import English
    nlp = English()
    nlp.add_pipe("sentencizer")

Its tokenizer rules are heron/tokenizer/lang/en/, its lexical attributes (`like_num`,
`is_stop` with `stop_words.STOP_WORDS`) are in heron/tokens/lex_attrs.py.
"""
from __future__ import annotations

from .._blank import BlankLanguage
from .stop_words import STOP_WORDS


class English(BlankLanguage):
    """A blank English pipeline; takes the arguments of `Language` (lang is "en")."""

    lang = "en"


__all__ = ["English", "STOP_WORDS"]
