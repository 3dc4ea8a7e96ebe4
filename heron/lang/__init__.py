"""Language classes by code, as in spaCy: `heron.lang.en.English`, `heron.lang.xx.MultiLanguage`.

Each `heron/lang/<code>/__init__.py` defines a `Language` subclass whose `lang` is its
code and lists it first in `__all__` (how `heron.util.get_lang_class` finds it). The
tokenizer rules of each language live in `heron/tokenizer/lang/<code>/` (data, loaded
by code when a pipeline is built); this package only gives them spaCy's class names.
"""
