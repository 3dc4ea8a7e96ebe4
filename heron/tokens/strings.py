"""StringStore: a two-way map between strings and stable 64-bit hashes.

Every string annotation (words, tags, labels, lemmas, ...) is stored on the Doc as a
uint64 hash; the StringStore turns hashes back into text. Hashes are the first 8 bytes
of a blake2b digest of the UTF-8 text (little endian), so they are identical across
processes, runs and machines (Python's `hash()` is salted per process and would not
be). The empty string always maps to 0, which the Doc columns use for "unset".

Lone surrogates ("\\ud800") are legal in a Python str and the tokenizer keeps them, so
every encoding of text in heron passes them through (`surrogatepass`) instead of
failing: hashes, the JSON files and msgpack round-trip any str exactly. Files stay
strict UTF-8 unless a string holds a surrogate. (JSON escapes would keep files strict
UTF-8 always, but a decoder merges two escaped halves "\\ud83d\\ude00" into one astral
character, which changes the string and its hash.)
"""
from __future__ import annotations

import contextlib
import json
from hashlib import blake2b
from typing import Iterable, Iterator, Optional, Set, Union

from ..errors import Errors, HeronKeyError, HeronTypeError, HeronValueError
from ..util import PathLike, atomic_write_bytes, ensure_path

# Memo of text -> hash shared by every store: hashing costs ~0.5us, a dict hit ~30ns.
# Bounded so a long-running process fed unique strings does not grow without limit.
_HASH_MEMO: dict[str, int] = {}
_HASH_MEMO_MAX = 1_000_000
SURROGATES = "surrogatepass"  # the codec error handler used for all text in heron
# msgpack options for every Doc/DocBin payload, so surrogates survive pack and unpack.
MSGPACK_PACK = {"use_bin_type": True, "unicode_errors": SURROGATES}
MSGPACK_UNPACK = {"raw": False, "strict_map_key": False, "unicode_errors": SURROGATES}


def text_to_bytes(text: str) -> bytes:
    """UTF-8 bytes of `text`; lone surrogates are encoded as their 3-byte forms."""
    return text.encode("utf8", SURROGATES)


def json_to_bytes(value) -> bytes:
    """`value` as readable JSON (non-ASCII kept as UTF-8) that `json_from_bytes` reads back exactly."""
    return json.dumps(value, ensure_ascii=False).encode("utf8", SURROGATES)


def json_from_bytes(data: bytes):
    """Inverse of `json_to_bytes`; also reads plain UTF-8 JSON. Raises ValueError if invalid."""
    return json.loads(data.decode("utf8", SURROGATES))


def get_string_id(string: str) -> int:
    """Return the 64-bit hash of `string` without storing it (0 for "")."""
    try:
        key = _HASH_MEMO.get(string)
    except TypeError:  # unhashable input: fall through to the coded error below
        key = None
    if key is not None:
        return key
    if not isinstance(string, str):
        raise HeronTypeError(Errors.E001.format(value=repr(string)[:80], type=type(string).__name__))
    key = int.from_bytes(blake2b(string.encode("utf8", SURROGATES), digest_size=8).digest(), "little") if string else 0
    if len(_HASH_MEMO) >= _HASH_MEMO_MAX:
        _HASH_MEMO.clear()
    _HASH_MEMO[string] = key
    return key


class StringStore:
    """Look up strings by 64-bit hash and hashes by string.

    `store.add("NOUN")` returns the hash and remembers the string; `store[hash]` gives it
    back, `store["NOUN"]` gives the hash. Only strings that were added (or loaded) can be
    looked up by hash: an unknown hash raises a coded KeyError.

    Inside `memory_zone()` new strings are transient: they are removed when the zone
    ends (see there), so a long-running service's table does not grow with every text.
    """

    __slots__ = ("_map", "_transient", "n_zones_cleared")

    def __init__(self, strings: Iterable[str] | None = None):
        self._map: dict[int, str] = {0: ""}
        self._transient: Optional[Set[int]] = None  # keys added in the open memory zone
        # How many memory zones have removed strings (read-only): a cache built from this
        # table (the tokenizer's) is stale when it changes. A plain slot: read per text.
        self.n_zones_cleared = 0
        if strings is not None:
            for string in strings:
                self.add(string)

    def add(self, string: str, *, allow_transient: Optional[bool] = None) -> int:
        """Store `string` and return its hash. Adding twice is harmless.

        allow_transient (bool | None): inside a memory zone, False keeps the string
            after the zone ends (labels, vocabulary a component learns); None/True let
            it go with the zone. Outside a zone every string is kept.
        """
        key = get_string_id(string)
        if key not in self._map:
            self._map[key] = string
            if self._transient is not None and allow_transient is not False:
                self._transient.add(key)
        elif allow_transient is False and self._transient:
            self._transient.discard(key)
        return key

    @property
    def in_memory_zone(self) -> bool:
        return self._transient is not None

    @contextlib.contextmanager
    def memory_zone(self) -> Iterator[None]:
        """Strings added inside the block are removed when it ends (spaCy's memory zones).

        Hashes of removed strings stay valid numbers but `store[hash]` raises E002, so
        objects made inside the zone (Docs, Spans) must not be used after it. A zone
        opened inside another is part of the outer one: the outer zone's end clears both.
        """
        if self._transient is not None:
            yield
            return
        self._transient = set()
        try:
            yield
        finally:
            transient, self._transient = self._transient, None
            for key in transient:
                self._map.pop(key, None)
            if transient:
                self.n_zones_cleared += 1

    def as_int(self, key: Union[str, int]) -> int:
        return key if isinstance(key, int) else get_string_id(key)

    def as_string(self, key: Union[str, int]) -> str:
        return key if isinstance(key, str) else self[key]

    def __getitem__(self, key: Union[str, int]) -> Union[str, int]:
        if isinstance(key, str):
            return get_string_id(key)
        try:
            return self._map[key]
        except KeyError:
            raise HeronKeyError(Errors.E002.format(key=key)) from None
        except TypeError:
            raise HeronTypeError(Errors.E001.format(value=repr(key)[:80], type=type(key).__name__)) from None

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return get_string_id(key) in self._map
        try:
            return key in self._map
        except TypeError:
            return False

    def __len__(self) -> int:
        return len(self._map) - 1  # the empty string is built in, not counted

    def __iter__(self) -> Iterator[str]:
        return (s for k, s in self._map.items() if k != 0)

    def _update_keys(self, items: Iterable[tuple[int, str]]) -> None:
        self._map.update(items)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """Serialise as a sorted JSON list of strings (hashes are recomputed on load)."""
        return json_to_bytes(sorted(self))

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "StringStore":
        try:
            strings = json_from_bytes(data)
        except (UnicodeDecodeError, ValueError) as e:
            raise HeronValueError(Errors.E004.format(source="bytes", err=e)) from None
        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
            raise HeronValueError(Errors.E004.format(source="bytes", err="expected a JSON list of strings"))
        for string in strings:
            self.add(string)
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Write the strings to a JSON file atomically (`path` is the file, e.g. strings.json)."""
        atomic_write_bytes(path, self.to_bytes())

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "StringStore":
        path = ensure_path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise HeronValueError(Errors.E004.format(source=str(path), err=e)) from None
        try:
            return self.from_bytes(data)
        except HeronValueError as e:
            raise HeronValueError(str(e).replace("from bytes", f"from {path}")) from None
