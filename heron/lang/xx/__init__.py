"""Multi-language: `MultiLanguage()` is `heron.blank("xx")` as a class (spaCy's
`spacy.lang.xx.MultiLanguage`): language-neutral tokenizer rules, no stop words."""
from __future__ import annotations

from .._blank import BlankLanguage


class MultiLanguage(BlankLanguage):
    """A blank language-neutral pipeline; takes the arguments of `Language` (lang is "xx")."""

    lang = "xx"


__all__ = ["MultiLanguage"]
