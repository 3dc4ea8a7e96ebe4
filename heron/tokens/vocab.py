"""Vocab: the shared StringStore plus lexical attributes computed once per string.

A Vocab is shared by every Doc of a pipeline. Lexical attributes (`lower`, `shape`,
`like_num`, ...) depend only on the word text, so they are computed on first use and
cached per string; `vocab["apple"]` returns a `Lexeme` view of them.
"""
from __future__ import annotations

import contextlib
from itertools import islice
from typing import Callable, Iterable, Iterator, Optional, Union

from ..errors import Errors, HeronKeyError, HeronValueError
from ..util import PathLike, atomic_write_bytes, ensure_path
from .lex_attrs import (  # noqa: F401  (re-exported: "vocab.py holds the lexical functions")
    BASE_LEX_ATTRS,
    FLAG_ATTR_NAMES,
    STRING_ATTR_NAMES,
    get_lex_attr_getters,
    like_email,
    like_num,
    like_url,
    shape,
)
from .morphology import Morphology
from .noun_chunks import SYNTAX_ITERATORS
from .strings import StringStore, json_from_bytes, json_to_bytes

_MISSING = object()


class Vocab:
    """Strings and lexical attributes shared by the Docs of one pipeline.

    strings (StringStore | Iterable[str] | None): the string table to share, or strings to add.
    lang (str): language code ("en", "xx", ...); picks language-specific lexical functions
        such as English number words for `like_num` and English stop words for `is_stop`.
    lex_attr_getters (dict | None): overrides, name ("like_num") or attrs ID -> fn(text).
    get_noun_chunks (callable | None): the rules behind doc.noun_chunks, fn(doc) yielding
        (start, end, label hash); None = the language's own (see tokens/noun_chunks.py).
    """

    def __init__(self, strings: Union[StringStore, Iterable[str], None] = None, lang: str = "xx",
                 *, lex_attr_getters: dict | None = None, get_noun_chunks: Optional[Callable] = None):
        self.strings = strings if isinstance(strings, StringStore) else StringStore(strings)
        self.lang = lang
        self._get_noun_chunks = get_noun_chunks
        self.lex_attr_getters = get_lex_attr_getters(lang, lex_attr_getters)
        # attribute name -> {text: value}; one dict per attribute keeps lookups flat.
        self._lex_cache: dict[str, dict] = {name: {} for name in self.lex_attr_getters}
        # Values set by the user (lexeme.is_stop = True); they survive to_disk/from_disk.
        self._lex_overrides: dict[str, dict] = {}
        self.vectors = None  # set by heron.vectors; serialised through its own to_disk

    @property
    def lang_(self) -> str:
        return self.lang

    @property
    def morphology(self) -> Morphology:
        """spaCy's morphology table (tokens/morphology.py), a view over `self.strings`."""
        table = self.__dict__.get("_morphology")
        if table is None or table.strings is not self.strings:  # strings may be replaced on load
            table = self.__dict__["_morphology"] = Morphology(self.strings)
        return table

    @property
    def get_noun_chunks(self) -> Optional[Callable]:
        """fn(doc) -> (start, end, label) noun chunks, or None if the language has no rules."""
        if self._get_noun_chunks is not None:
            return self._get_noun_chunks
        return SYNTAX_ITERATORS.get(self.lang)

    @get_noun_chunks.setter
    def get_noun_chunks(self, func: Optional[Callable]) -> None:
        self._get_noun_chunks = func

    def get_lex_attr(self, text: str, name: str):
        """Return lexical attribute `name` of `text`, computing and caching it on first use."""
        cache = self._lex_cache.get(name)
        if cache is None:
            raise HeronKeyError(Errors.E037.format(name=name, allowed=", ".join(self._lex_cache)))
        value = cache.get(text, _MISSING)
        if value is _MISSING:
            value = cache[text] = self.lex_attr_getters[name](text)
        return value

    def set_lex_attr(self, text: str, name: str, value) -> None:
        """Override lexical attribute `name` for `text` (e.g. mark a word as a stop word)."""
        if name not in self._lex_cache:
            raise HeronKeyError(Errors.E037.format(name=name, allowed=", ".join(self._lex_cache)))
        if name in STRING_ATTR_NAMES:
            value = self.strings.as_string(value)
            self.strings.add(value, allow_transient=False)  # a setting: outlives memory zones
        else:
            value = bool(value)
        self._lex_cache[name][text] = value
        self._lex_overrides.setdefault(name, {})[text] = value

    @property
    def in_memory_zone(self) -> bool:
        return self.strings.in_memory_zone

    @contextlib.contextmanager
    def memory_zone(self) -> Iterator[None]:
        """Strings, and lexical attributes cached, inside the block are dropped at its end.

        For services that process texts forever: the vocab then stays the size it had
        before the zone. Docs and Spans made inside must not be used after it (their
        hashes no longer resolve: E002). Strings added with
        `strings.add(s, allow_transient=False)` and lexeme settings (`lex.is_stop = True`)
        are kept. `nlp.memory_zone()` also clears what the tokenizer cached in the zone.
        """
        if self.strings.in_memory_zone:  # nested: the outer zone clears everything
            yield
            return
        sizes = {name: len(cache) for name, cache in self._lex_cache.items()}
        with self.strings.memory_zone():
            try:
                yield
            finally:
                self._forget_lex_cache_since(sizes)

    def _forget_lex_cache_since(self, sizes: dict) -> None:
        # The caches are insertion-ordered dicts: entries past the zone's start are new.
        for name, cache in self._lex_cache.items():
            start = sizes.get(name, 0)
            if len(cache) > start:
                for text in list(islice(cache, start, None)):
                    del cache[text]
                cache.update(self._lex_overrides.get(name, {}))

    def __getitem__(self, key: Union[str, int]) -> "Lexeme":
        """`vocab["word"]` or `vocab[hash]` -> Lexeme (the word is added to the strings)."""
        text = self.strings[key] if isinstance(key, int) else key
        if not isinstance(text, str):
            raise HeronKeyError(Errors.E001.format(value=repr(key)[:80], type=type(key).__name__))
        return Lexeme(self, self.strings.add(text), text)

    def __contains__(self, key: Union[str, int]) -> bool:
        return key in self.strings

    def __len__(self) -> int:
        return len(self.strings)

    def __iter__(self) -> Iterator["Lexeme"]:
        for text in list(self.strings):
            yield self[text]

    # ---- serialisation --------------------------------------------------
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """JSON of the strings and lexeme overrides; with a vectors table (unless excluded),
        msgpack {"vocab": that JSON, "vectors": the table's bytes} so that a pipeline
        rebuilt from bytes (nlp.pipe workers, from_bytes) keeps its vectors."""
        data = json_to_bytes({"lang": self.lang, "strings": sorted(self.strings),
                              "lex_overrides": self._lex_overrides})
        if "vectors" in exclude or self.vectors is None or not hasattr(self.vectors, "to_bytes"):
            return data
        import msgpack

        return msgpack.packb({"vocab": data, "vectors": self.vectors.to_bytes()}, use_bin_type=True)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Vocab":
        vectors = None
        if data[:1] != b"{":  # msgpack: strings JSON + a vectors table
            import msgpack

            try:
                msg = msgpack.unpackb(data, raw=False)
                data, vectors = msg["vocab"], msg.get("vectors")
            except (ValueError, KeyError, TypeError, msgpack.UnpackException) as e:
                raise HeronValueError(Errors.E004.format(source="Vocab bytes", err=e)) from None
        try:
            msg = json_from_bytes(data)
            self.strings.from_bytes(json_to_bytes(msg["strings"]))
            self._load_overrides(msg.get("lex_overrides", {}))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise HeronValueError(Errors.E004.format(source="Vocab bytes", err=e)) from None
        if vectors is not None and "vectors" not in exclude:
            from ..vectors.table import Vectors  # lazy: tokens must not import vectors at load

            if self.vectors is None:
                self.vectors = Vectors(strings=self.strings)
            self.vectors.from_bytes(vectors)
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Write a vocab folder: strings.json, lexemes.json (user overrides), vectors/ if any."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        if "strings" not in exclude:
            self.strings.to_disk(path / "strings.json")
        atomic_write_bytes(path / "lexemes.json", json_to_bytes(self._lex_overrides))
        if "vectors" not in exclude and self.vectors is not None and hasattr(self.vectors, "to_disk"):
            self.vectors.to_disk(path / "vectors")

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "Vocab":
        path = ensure_path(path)
        if "strings" not in exclude and (path / "strings.json").exists():
            self.strings.from_disk(path / "strings.json")
        if (path / "lexemes.json").exists():
            try:
                self._load_overrides(json_from_bytes((path / "lexemes.json").read_bytes()))
            except (ValueError, AttributeError) as e:
                raise HeronValueError(Errors.E004.format(source=str(path / "lexemes.json"), err=e)) from None
        vec_path = path / "vectors"
        if "vectors" not in exclude and self.vectors is None and (vec_path / "cfg.json").exists():
            from ..vectors.table import Vectors  # lazy: tokens must not import vectors at load

            self.vectors = Vectors(strings=self.strings)
        if "vectors" not in exclude and vec_path.exists() and hasattr(self.vectors, "from_disk"):
            self.vectors.from_disk(vec_path)
        return self

    def _load_overrides(self, overrides: dict) -> None:
        for name, values in overrides.items():
            for text, value in values.items():
                self.set_lex_attr(text, name, value)


def _lex_property(name: str, as_hash: bool):
    if as_hash:
        def fget(self):
            return self.vocab.strings.add(self.vocab.get_lex_attr(self.orth_, name))
    else:
        def fget(self):
            return self.vocab.get_lex_attr(self.orth_, name)

    def fset(self, value):
        self.vocab.set_lex_attr(self.orth_, name, value)

    return property(fget, fset, doc=f"Lexical attribute `{name}` (cached per string in the Vocab).")


class Lexeme:
    """A word type in the vocabulary: its text and lexical attributes, no context.

    String attributes come in pairs like spaCy: `lower` (hash) and `lower_` (text).
    Setting an attribute (`vocab["ok"].is_stop = True`) changes it for every token.
    """

    __slots__ = ("vocab", "orth", "orth_")

    def __init__(self, vocab: Vocab, orth: int, text: str | None = None):
        self.vocab = vocab
        self.orth = orth
        self.orth_ = text if text is not None else vocab.strings[orth]

    @property
    def text(self) -> str:
        return self.orth_

    @property
    def lang_(self) -> str:
        return self.vocab.lang

    def __len__(self) -> int:
        return len(self.orth_)

    def __eq__(self, other) -> bool:
        return isinstance(other, Lexeme) and other.vocab is self.vocab and other.orth == self.orth

    def __hash__(self) -> int:
        return self.orth

    def __repr__(self) -> str:
        return f"Lexeme({self.orth_!r})"

    def __str__(self) -> str:
        return self.orth_


for _name in STRING_ATTR_NAMES:
    setattr(Lexeme, _name, _lex_property(_name, True))
    setattr(Lexeme, _name + "_", _lex_property(_name, False))
for _name in FLAG_ATTR_NAMES:
    setattr(Lexeme, _name, _lex_property(_name, False))
del _name
__all__ = ["Vocab", "Lexeme", "StringStore", "BASE_LEX_ATTRS", "get_lex_attr_getters", "like_num", "like_url",
           "like_email", "shape"]
