"""spaCy v3's DocBin bytes (`.spacy`): the layout, and the checks that make reading one safe.

    zlib(msgpack {
        "version": "0.1",
        "attrs": [spaCy attribute IDs, sorted; ORTH (65) first],
        "tokens": uint64 (n_tokens, n_attrs) C-order bytes: string IDs, relative heads, ...,
        "spaces": bool (n_tokens,) bytes,
        "lengths": int32 (n_docs,) bytes,
        "strings": sorted list of the strings behind the IDs (symbols need none),
        "cats": [dict per doc], "flags": [{"has_unknown_spaces": bool} per doc],
        "span_groups": [doc.spans.to_bytes() per doc],
        "user_data": [msgpack(doc.user_data) per doc]     (only with store_user_data)
    })

(spacy/tokens/_serialize.py; "flags", "span_groups" and "user_data" are missing in
files of early v3 releases, and read as defaults.)

A spaCy file has no size header, so inflation is bounded as for heron's own DocBins
(_docbin_format.size_limit: 64 MiB, or 300 times the compressed size, at most 4 GiB,
unless the caller passes max_size for a file it trusts) and the body must match its
own counts before anything is built. Only plain msgpack is read: extension types stay
inert `ExtType`/`Timestamp` objects that the user_data reader skips (W520), and no
hook ever turns bytes into Python objects, so nothing from the file can run code.
"""
from __future__ import annotations

import zlib
from typing import Any, Dict, List, Optional

import msgpack
import numpy as np

from ..errors import Errors, HeronValueError
from ._docbin_format import size_limit
from .strings import MSGPACK_PACK, MSGPACK_UNPACK

VERSION = "0.1"  # spaCy's DocBin.version, written and ignored on read as spaCy does
# user_data is unpacked with tuples for arrays, as spaCy does, so tuple keys
# ("._.", name, start, end) stay hashable.
USER_DATA_UNPACK = dict(MSGPACK_UNPACK, use_list=False)


def encode(msg: Dict[str, Any]) -> bytes:
    """zlib(msgpack(msg)), as spaCy's `DocBin.to_bytes` (same keys, order and zlib level)."""
    return zlib.compress(msgpack.packb(msg, **MSGPACK_PACK))


def decode(data: bytes, source: str, max_size: Optional[int]) -> Dict[str, Any]:
    """The checked body: attrs (list of int), tokens (n_tokens, n_attrs) uint64, spaces (bool),
    lengths (int64), strings, cats, flags, span_groups, user_data (one entry per doc each).
    Raises E520 (not a spaCy DocBin, or inconsistent), E521 (bad zlib data), E522 (too large)."""
    limit = size_limit(len(data), max_size)
    body = _inflate(memoryview(data), limit, source)
    try:
        msg = msgpack.unpackb(body, **MSGPACK_UNPACK)  # every length is bounded by len(body)
    except Exception as e:  # noqa: BLE001  (msgpack raises many unrelated types on foreign bytes)
        raise invalid(source, f"the inflated data is not msgpack ({type(e).__name__})") from None
    if not isinstance(msg, dict):
        raise invalid(source, "the inflated data is not a msgpack map")
    return _check_body(msg, source)


def invalid(source: str, problem: str) -> HeronValueError:
    return HeronValueError(Errors.E520.format(source=source, problem=problem))


def _inflate(compressed: memoryview, limit: int, source: str) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(compressed, limit + 1)
    except zlib.error as e:
        raise HeronValueError(Errors.E521.format(source=source, problem=f"is not valid zlib data ({e})")) from None
    if len(out) > limit:
        raise HeronValueError(Errors.E522.format(
            source=source, what=f"the data inflates to more than {limit} bytes from {len(compressed)} compressed bytes",
            limit=limit))
    if not inflater.eof:
        raise HeronValueError(Errors.E521.format(source=source, problem=f"is truncated (ends after {len(out)} bytes)"))
    if inflater.unused_data:
        raise HeronValueError(Errors.E521.format(
            source=source, problem=f"is followed by {len(inflater.unused_data)} unexpected bytes"))
    return out


def _per_doc(msg: dict, key: str, n_docs: int, default: Any, types: tuple, what: str, source: str) -> List[Any]:
    """msg[key], one entry per doc of one of `types` (default for each doc when the key is missing)."""
    values = msg.get(key)
    if values is None:
        return [default] * n_docs
    if not (isinstance(values, list) and len(values) == n_docs and all(isinstance(v, types) for v in values)):
        raise invalid(source, f"{key!r} must hold one {what} per doc ({n_docs} docs)")
    return values


def _check_body(msg: dict, source: str) -> Dict[str, Any]:
    try:
        attrs = msg["attrs"]
        lengths = np.frombuffer(msg["lengths"], dtype="<i4").astype(np.int64)
        tokens = np.frombuffer(msg["tokens"], dtype="<u8")
        spaces = np.frombuffer(msg["spaces"], dtype=np.uint8)
        strings = msg["strings"]
    except Exception as e:  # noqa: BLE001  (missing keys, wrong types, odd buffer sizes)
        raise invalid(source, f"{type(e).__name__}: {e}") from None
    n_docs, n_tokens = len(lengths), int(lengths.sum())
    ints = isinstance(attrs, list) and all(isinstance(a, int) and not isinstance(a, bool) for a in attrs)
    problem = ("'attrs' must be a list of spaCy attribute IDs" if not ints
               else "'attrs' lacks ORTH (65), so the words are missing" if 65 not in attrs
               else "'attrs' names an attribute twice" if len(set(attrs)) != len(attrs)
               else "a document has a negative length" if (lengths < 0).any()
               else f"'tokens' holds {len(tokens)} values, not {n_tokens} tokens x {len(attrs)} attrs"
               if len(tokens) != n_tokens * len(attrs)
               else f"'spaces' holds {len(spaces)} values for {n_tokens} tokens" if len(spaces) != n_tokens
               else "'strings' must be a list of str" if not (isinstance(strings, list)
                                                               and all(isinstance(s, str) for s in strings))
               else None)
    if problem:
        raise invalid(source, problem)
    if "cats" not in msg:
        raise invalid(source, "'cats' is missing")
    return {"attrs": attrs, "tokens": tokens.reshape(n_tokens, len(attrs)), "spaces": spaces,
            "lengths": lengths, "strings": strings,
            "cats": _per_doc(msg, "cats", n_docs, {}, (dict,), "dict", source),
            "flags": _per_doc(msg, "flags", n_docs, {}, (dict,), "dict", source),
            "span_groups": _per_doc(msg, "span_groups", n_docs, b"", (bytes,), "bytes entry", source),
            "user_data": _user_data(msg, n_docs, source),
            "store_user_data": "user_data" in msg}


def _user_data(msg: dict, n_docs: int, source: str) -> List[Optional[bytes]]:
    """One entry per doc; spaCy reads a shorter list as None for the docs after it, and so does this."""
    values = msg.get("user_data")
    if isinstance(values, list) and len(values) < n_docs:
        values = values + [None] * (n_docs - len(values))
        msg = {"user_data": values}
    return _per_doc(msg, "user_data", n_docs, None, (bytes, type(None)), "bytes entry (or null)", source)


def unpack_user_data(data: Optional[bytes]) -> Any:
    """msgpack(doc.user_data) as spaCy writes it (srsly.msgpack_dumps), read with plain msgpack only."""
    if not data:
        return {}
    return msgpack.unpackb(data, **USER_DATA_UNPACK)


def is_plain(value: Any) -> bool:
    """Whether a value read from msgpack is plain data (no extension types, no srsly numpy/complex maps)."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return True
    if type(value) in (list, tuple):  # not isinstance: msgpack.ExtType is a namedtuple
        return all(is_plain(v) for v in value)
    if type(value) is dict:
        if b"nd" in value or b"complex" in value:  # srsly's numpy / complex encodings: not read
            return False
        return all(is_plain(k) and is_plain(v) for k, v in value.items())
    return False  # msgpack.ExtType, msgpack.Timestamp


__all__ = ["encode", "decode", "invalid", "unpack_user_data", "is_plain", "VERSION"]
