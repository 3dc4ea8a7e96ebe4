"""Rule-based, non-destructive tokenizer: text -> Doc with `doc.text == text`.

    from heron.tokenizer import Tokenizer, create_tokenizer, get_lang_defaults
    tokenizer = create_tokenizer("en")
    doc = tokenizer("I don't like U.S. politics :)")

Rules (prefix/suffix/infix regex lists, special cases, token_match/url_match) are plain
data (`TokenizerRules`) so they can be modified, saved as JSON and loaded without
running code.
"""
from __future__ import annotations

from ..registry import registry
from .lang import available_langs, get_lang_defaults, register_lang
from .rules import (
    TokenizerRules,
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
)
from .tokenizer import Tokenizer


def create_tokenizer(lang: str = "en", vocab=None) -> Tokenizer:
    """A Tokenizer with the default rules of `lang`; a new `Vocab(lang=lang)` if none given."""
    rules = get_lang_defaults(lang)
    if vocab is None:
        from ..tokens.vocab import Vocab

        vocab = Vocab(lang=lang)
    return Tokenizer(vocab, rules)


@registry.tokenizers("heron.Tokenizer.v1")
def make_tokenizer_factory():
    """The default tokenizer: returns `nlp -> Tokenizer` using `nlp.lang`'s rules and `nlp.vocab`."""

    def tokenizer_factory(nlp) -> Tokenizer:
        return Tokenizer(nlp.vocab, get_lang_defaults(nlp.lang))

    return tokenizer_factory


__all__ = [
    "Tokenizer", "TokenizerRules", "create_tokenizer", "get_lang_defaults", "register_lang",
    "available_langs", "compile_prefix_regex", "compile_suffix_regex", "compile_infix_regex",
]
