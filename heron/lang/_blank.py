"""The base of the per-language classes: `English()` builds what `heron.blank("en")` builds."""
from __future__ import annotations

from typing import Any, Optional

from confection import Config

from ..config import fill_config
from ..language import Language


class BlankLanguage(Language):
    """A blank pipeline of the class's `lang`; takes the arguments of `Language`."""

    lang = "xx"

    def __init__(self, vocab: Any = True, *, lang: Optional[str] = None, **kwargs: Any):
        super().__init__(vocab, lang=lang or type(self).lang, **kwargs)
        # Language() keeps the shipped default config unfilled; heron.blank() fills it.
        # Filled here too (~2 ms), so English().config == heron.blank("en").config.
        self._config = Config(fill_config(self._config, validate=False), is_interpolated=False)


__all__ = ["BlankLanguage"]
