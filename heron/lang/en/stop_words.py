"""spaCy's English stop words (326, spacy/lang/en/stop_words.py, MIT licence).

`STOP_WORDS` is the set `Token.is_stop` / `Lexeme.is_stop` read for English (the list
itself is in heron/tokens/lex_attrs.py, which must not import this package). Adding a
word changes `is_stop` for words not looked up yet; for words already seen, set
`nlp.vocab["word"].is_stop = True`.
"""
from ...tokens.lex_attrs import EN_STOP_WORDS as STOP_WORDS

__all__ = ["STOP_WORDS"]
