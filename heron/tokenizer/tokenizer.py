"""The rule-based tokenizer engine (spaCy's algorithm, in pure Python).

Text is cut into whitespace-delimited chunks. Each chunk is looked up in a cache; on a
miss it is tokenized by the rules and the result cached, so the regexes run once per
distinct chunk (a few thousand per megabyte of English), not once per token.

Per chunk, in order (the same as spaCy v3):
1. the whole chunk is a special case (exception) -> its pieces;
2. repeatedly: stop if token_match matches or the rest is a special case; split off one
   prefix and/or one suffix (stopping early when what remains is a special case);
3. the core: special case, else token_match/url_match keep it whole, else split on infixes
   (what follows an infix and matches url_match stays whole: heron's addition).

Whitespace is never lost: one space after a token is its `spaces` flag; any other run of
whitespace (two spaces, "\\n", a leading space) becomes its own token, so
`"".join(w + " " * s for w, s in zip(words, spaces)) == text` always.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Iterable, Iterator, List, Optional, Tuple

from ..errors import Errors, HeronTypeError, HeronValueError, Warnings, warn
from ..regex_safety import check_regex
from ..util import atomic_write_bytes, ensure_path
from ._cache import ChunkCache
from .rules import SpecialCases, TokenizerRules, pattern_of, validate_special_case

_WS_SPLIT = re.compile(r"(\s+)").split
_FUNCS = ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match")

Piece = Tuple[str, str, Optional[str]]  # (label, text, norm) as reported by explain()


class Tokenizer:
    """Split text into a Doc with prefix/suffix/infix regexes and special cases.

    vocab: the Vocab the Docs are made with.
    rules (TokenizerRules | dict | None): language rules (see `get_lang_defaults`), or a
        spaCy-style special-cases dict {string: [{"ORTH": ...}, ...]}.
    prefixes / suffixes / infixes (list[str] | None): regex lists; override `rules`.
    exceptions (dict | None): special cases; override those of `rules`.
    token_match / url_match (str | callable | None): regex source or a `.match` method.
    prefix_search / suffix_search / infix_finditer (callable | None): compiled functions
        as in spaCy (e.g. `compile_prefix_regex(list).search`); override the lists.
    """

    def __init__(self, vocab, rules=None, *, prefixes=None, suffixes=None, infixes=None,
                 exceptions=None, token_match=None, url_match=None, prefix_search=None,
                 suffix_search=None, infix_finditer=None):
        if isinstance(rules, dict):
            rules = TokenizerRules(exceptions=rules)
        rules = (rules or TokenizerRules()).copy()
        for name, value in (("prefixes", prefixes), ("suffixes", suffixes), ("infixes", infixes),
                            ("exceptions", exceptions)):
            if isinstance(value, (str, bytes)) or (value is not None and not hasattr(value, "__iter__")):
                raise HeronTypeError(Errors.E105.format(name=name, got=repr(value)[:100]))
            if value is not None:
                setattr(rules, name, list(value) if name != "exceptions" else dict(value))
        rules.validate()
        self.vocab = vocab
        self._cache = ChunkCache()  # also adds the words to vocab.strings (see _cache.py)
        self._prefix_search = prefix_search or rules.prefix_search()
        self._suffix_search = suffix_search or rules.suffix_search()
        self._infix_finditer = infix_finditer or rules.infix_finditer()
        self._token_match = _as_match(token_match) or rules.token_match_fn()
        self._url_match = _as_match(url_match) or rules.url_match_fn()
        self._specials: dict = {}
        self._rules: SpecialCases = {}
        for string, substrings in rules.exceptions.items():
            self._add_special(string, substrings)
        self._doc_class = None

    # ---- configuration (setting any of these flushes the cache) ---------------------
    def _get(name):  # noqa: N805 -- property factory used in the class body only
        return property(lambda self: getattr(self, "_" + name), lambda self, v: self._set(name, v))

    prefix_search = _get("prefix_search")
    suffix_search = _get("suffix_search")
    infix_finditer = _get("infix_finditer")
    token_match = _get("token_match")
    url_match = _get("url_match")
    del _get

    def _set(self, name: str, value) -> None:
        if name in ("token_match", "url_match"):
            value = _as_match(value)
        setattr(self, "_" + name, value)
        self._cache.clear()

    @property
    def rules(self) -> SpecialCases:
        """The special cases, {string: [{"ORTH": ..., "NORM": ...}, ...]} (a copy)."""
        return {k: [dict(a) for a in v] for k, v in self._rules.items()}

    @rules.setter
    def rules(self, rules: SpecialCases) -> None:
        for string, substrings in rules.items():
            validate_special_case(string, substrings)
        self._rules, self._specials = {}, {}
        for string, substrings in rules.items():
            self._add_special(string, substrings)
        self._cache.clear()

    def add_special_case(self, string: str, substrings: List[dict]) -> None:
        """Always split `string` into `substrings`, e.g. ("gimme", [{"ORTH": "gim"}, {"ORTH": "me"}]).

        The ORTH values must concatenate to `string` exactly (else E100); "NORM" may be set
        too. Applies to the whole chunk and to what remains after prefixes/suffixes, so
        "(gimme)" -> "(" "gim" "me" ")".
        """
        validate_special_case(string, substrings)
        self._add_special(string, substrings)
        self._cache.clear()

    def _add_special(self, string: str, substrings: List[dict]) -> None:
        self._rules[string] = [dict(a) for a in substrings]
        self._specials[string] = [(a["ORTH"], a.get("NORM")) for a in substrings]

    # ---- tokenization ---------------------------------------------------------------
    def __call__(self, text: str):
        """Tokenize `text` into a Doc whose `doc.text == text`."""
        words, spaces, norms = self._tokenize(text)
        doc = self._make_doc(words, spaces)
        if norms:
            _set_norms(doc, norms)
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator:
        """Tokenize a stream of texts lazily; `batch_size` is accepted for spaCy parity."""
        for text in texts:
            yield self(text)

    def words_and_spaces(self, text: str) -> Tuple[List[str], List[bool]]:
        """The tokenization without building a Doc: (words, spaces) as `Doc` takes them."""
        words, spaces, _ = self._tokenize(text)
        return words, spaces

    def _make_doc(self, words: List[str], spaces: List[bool]):
        if self._doc_class is None:
            from ..tokens.doc import Doc  # lazy: tokens may import the tokenizer's package

            # The tokenizer's lists are fresh and valid, so skip the constructor's checks.
            self._doc_class = getattr(Doc, "_from_words_fast", None) or Doc
        return self._doc_class(self.vocab, words, spaces)

    def _tokenize(self, text: str):
        if not isinstance(text, str):
            raise HeronTypeError(Errors.E109.format(type=type(text).__name__))
        words: List[str] = []
        spaces: List[bool] = []
        norms: list = []
        cache = self._cache
        strings = self.vocab.strings if self.vocab is not None else None
        if strings is not cache.strings or (strings is not None and strings.n_zones_cleared != cache.zones_seen):
            cache.check(strings)
        parts = _WS_SPLIT(text)  # [chunk, ws, chunk, ws, ..., chunk]
        chunks = parts[::2]
        wss = parts[1::2]
        wss.append("")
        for chunk, ws in zip(chunks, wss):
            if chunk:
                entry = cache.get(chunk)
                if entry is None:
                    entry = self._fill_cache(chunk)
                if entry[2] is not None:
                    norms.extend((len(words) + i, norm) for i, norm in entry[2])
                words += entry[0]
                spaces += entry[1]
            if ws:
                if ws == " " and words:
                    spaces[-1] = True
                elif ws[0] == " " and words:
                    spaces[-1] = True
                    words.append(ws[1:])
                    spaces.append(False)
                else:
                    words.append(ws)
                    spaces.append(False)
        return words, spaces, norms

    def _fill_cache(self, chunk: str):
        pieces = self._split_chunk(chunk)
        norms = tuple((i, p[2]) for i, p in enumerate(pieces) if p[2] is not None) or None
        entry = (tuple(p[1] for p in pieces), (False,) * len(pieces), norms)
        return self._cache.store(chunk, entry)

    def memory_zone(self) -> Iterator[None]:
        """`vocab.memory_zone()` that also forgets the chunks first tokenized inside it,
        so neither the strings nor this cache grow with the texts of the zone."""
        return self._cache.memory_zone(self.vocab)

    def _split_chunk(self, chunk: str) -> List[Piece]:
        """Tokenize one whitespace-free chunk into labelled pieces (see module docstring)."""
        special = self._specials.get(chunk)
        if special is not None:
            return _special_pieces(special)
        prefixes: List[Piece] = []
        suffixes: List[Piece] = []
        core = self._split_affixes(chunk, prefixes, suffixes)
        suffixes.reverse()
        return prefixes + self._split_core(core) + suffixes

    def _split_affixes(self, string: str, prefixes: list, suffixes: list) -> str:
        specials = self._specials
        token_match = self._token_match
        last_len = -1
        while string and len(string) != last_len:
            if token_match is not None and token_match(string):
                break
            if string in specials:
                break
            last_len = len(string)
            pre_len = self._find_prefix(string)
            if pre_len and string[pre_len:] in specials:
                prefixes.append(("PREFIX", string[:pre_len], None))
                return string[pre_len:]
            suf_len = self._find_suffix(string[pre_len:])
            if suf_len and string[:-suf_len] in specials:
                suffixes.append(("SUFFIX", string[-suf_len:], None))
                return string[:-suf_len]
            # A multi-character suffix (".!") may have swallowed the end of a special
            # case: "Dr.!" -> "Dr." "!" (spaCy's one-character suffixes never do).
            given_back = self._give_back(string[pre_len:], suf_len) if 1 < suf_len < len(string) - pre_len else 0
            if given_back:
                if pre_len:
                    prefixes.append(("PREFIX", string[:pre_len], None))
                suffixes.append(("SUFFIX", string[-given_back:], None))
                return string[pre_len:-given_back]
            if pre_len and suf_len and pre_len + suf_len <= len(string):
                prefixes.append(("PREFIX", string[:pre_len], None))
                suffixes.append(("SUFFIX", string[-suf_len:], None))
                string = string[pre_len:-suf_len]
            elif pre_len:
                prefixes.append(("PREFIX", string[:pre_len], None))
                string = string[pre_len:]
            elif suf_len:
                suffixes.append(("SUFFIX", string[-suf_len:], None))
                string = string[:-suf_len]
        return string

    def _give_back(self, string: str, suf_len: int) -> int:
        """The length of a shorter suffix that leaves a special case before it, else 0."""
        for shorter in range(suf_len - 1, 0, -1):
            if string[:-shorter] in self._specials and self._find_suffix(string[-shorter:]) == shorter:
                return shorter
        return 0

    def _find_prefix(self, string: str) -> int:
        match = self._prefix_search(string) if self._prefix_search is not None else None
        return match.end() - match.start() if match is not None else 0

    def _find_suffix(self, string: str) -> int:
        match = self._suffix_search(string) if self._suffix_search is not None and string else None
        return match.end() - match.start() if match is not None else 0

    def _split_core(self, string: str) -> List[Piece]:
        if not string:
            return []
        special = self._specials.get(string)
        if special is not None:
            return _special_pieces(special)
        if self._token_match is not None and self._token_match(string):
            return [("TOKEN_MATCH", string, None)]
        if self._url_match is not None and self._url_match(string):
            return [("URL_MATCH", string, None)]
        if self._infix_finditer is None:
            return [("TOKEN", string, None)]
        pieces: List[Piece] = []
        start = 0
        for match in self._infix_finditer(string):
            i, j = match.start(), match.end()
            if i == 0:  # an infix at the very start is not a split point (spaCy)
                continue
            if i != start:
                pieces.append(("TOKEN", string[start:i], None))
            if i != j:
                pieces.append(("INFIX", string[i:j], None))
            start = j
            # What follows an infix and is a URL stays whole ("see:http://x.org/a/b"):
            # the infixes inside it ("/" between words) would cut it apart.
            if self._url_match is not None and start < len(string) and self._url_match(string[start:]):
                pieces.append(("URL_MATCH", string[start:], None))
                return pieces
        if start < len(string):
            pieces.append(("TOKEN", string[start:], None))
        return pieces

    def explain(self, text: str) -> List[Tuple[str, str]]:
        """Which rule produced each token: [("PREFIX", "("), ("SPECIAL-1", "do"), ...].

        Labels: PREFIX, SUFFIX, INFIX, SPECIAL-<n>, TOKEN_MATCH, URL_MATCH, TOKEN.
        Whitespace is skipped, as in spaCy.
        """
        return [(label, piece) for chunk in text.split() for label, piece, _ in self._split_chunk(chunk)]

    # ---- serialisation (JSON of pattern strings + special cases; never code) ----------
    def to_rules_dict(self, exclude: Iterable[str] = ()) -> dict:
        """{"prefix_search": regex source | None, ..., "exceptions": {...}} (spaCy's keys).

        A custom (non-regex) function is left out with warning W100; loading then keeps
        the loading tokenizer's own function for that key.
        """
        data: dict = {}
        for name in _FUNCS:
            if name in exclude:
                continue
            try:
                data[name] = pattern_of(getattr(self, "_" + name))
            except HeronValueError:
                warn(Warnings.W100.format(what=name))
        if "exceptions" not in exclude:
            data["exceptions"] = self.rules
        return data

    def from_rules_dict(self, data: dict, exclude: Iterable[str] = (), source: str = "dict") -> "Tokenizer":
        """Load what `to_rules_dict` wrote; keys absent from `data` keep their value."""
        _check_data(data, source)
        compiled = {}
        for name in _FUNCS:
            if name in data and name not in exclude:
                pattern = data[name]
                method = "finditer" if name == "infix_finditer" else ("match" if name.endswith("match") else "search")
                if pattern is not None and pattern != self._current_pattern(name):
                    # Loaded rules are data from someone else: refuse patterns that can
                    # backtrack exponentially (heron/regex_safety.py). A pattern equal to
                    # the one this tokenizer already uses (its language's built-in rules,
                    # set by code) is not new and skips the check.
                    check_regex(pattern, where=f"tokenizer data from {source}, key {name!r}")
                compiled[name] = getattr(re.compile(pattern), method) if pattern is not None else None
        for name, func in compiled.items():  # all checked before anything changes
            self._set(name, func)
        if "exceptions" in data and "exceptions" not in exclude:
            self.rules = data["exceptions"]
        return self

    def _current_pattern(self, name: str) -> Optional[str]:
        try:
            return pattern_of(getattr(self, "_" + name))
        except HeronValueError:  # a custom function set from code: nothing to compare
            return None

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self.to_rules_dict(exclude), ensure_ascii=False, sort_keys=True).encode("utf8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Tokenizer":
        return self._load(data, exclude, "bytes")

    def to_disk(self, path, *, exclude: Iterable[str] = ()) -> None:
        """Write the rules as one JSON file at `path` (atomic: readers never see half)."""
        atomic_write_bytes(path, self.to_bytes(exclude=exclude))

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> "Tokenizer":
        path = ensure_path(path)
        return self._load(path.read_bytes(), exclude, str(path))

    def _load(self, data: bytes, exclude: Iterable[str], source: str) -> "Tokenizer":
        try:
            parsed = json.loads(data.decode("utf8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise HeronValueError(Errors.E107.format(source=source, err=err)) from None
        return self.from_rules_dict(parsed, exclude, source=source)


def _special_pieces(special) -> List[Piece]:
    return [(f"SPECIAL-{i + 1}", orth, norm) for i, (orth, norm) in enumerate(special)]


def _as_match(value) -> Optional[Callable]:
    if value is None or callable(value):
        return value
    if isinstance(value, str):
        return re.compile(value).match
    raise HeronTypeError(Errors.E105.format(name="token_match/url_match", got=repr(value)[:100]))


def _set_norms(doc, norms) -> None:
    """Write special-case NORMs ("n't" -> "not") where the Token type has a norm_ setter."""
    prop = getattr(type(doc[0]), "norm_", None) if len(doc) else None
    if not isinstance(prop, property) or prop.fset is None:
        return  # this Doc cannot store norms; the tokenization itself is unaffected
    for i, norm in norms:
        doc[i].norm_ = norm


def _check_data(data, source: str) -> None:
    if not isinstance(data, dict):
        raise HeronValueError(Errors.E107.format(source=source, err="expected a JSON object"))
    for name in _FUNCS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise HeronValueError(Errors.E107.format(source=source, err=f"{name!r} must be a regex string or null"))
        if isinstance(data.get(name), str):
            try:
                re.compile(data[name])
            except re.error as err:
                raise HeronValueError(Errors.E107.format(source=source, err=f"{name!r}: {err}")) from None
    exceptions = data.get("exceptions", {})
    if not isinstance(exceptions, dict):
        raise HeronValueError(Errors.E107.format(source=source, err="'exceptions' must be an object"))
    for string, substrings in exceptions.items():
        validate_special_case(string, substrings)


__all__ = ["Tokenizer"]
