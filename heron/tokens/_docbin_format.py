"""DocBin bytes: the format, and the checks that make reading a file from someone else safe.

    format 2:  msgpack header {"format": "heron.DocBin", "version": 2, "n_docs", "n_tokens",
               "n_attrs", "size"}  (uncompressed, a few dozen bytes)
               + zlib(msgpack body {"attrs", "tokens", "spaces", "lengths", "strings", "cats",
               "store_user_data", "user_data", "span_groups"})   (`size` = the body's length once inflated)
               "span_groups": one bytes entry per Doc (spaCy's layout: `doc.spans.to_bytes()`,
               b"" for none); files written before it existed have no such key and still load.
    format 1:  zlib(msgpack {"format", "version": 1, and the body's keys})   (read only)

A zlib stream can inflate 1000-fold, so reading must not trust it: the header is read
first and a `size` over the limit is refused (E042) before anything is inflated; the
counts must fit in `size`; inflation stops at `size + 1` bytes (E044 if the stream holds
more, or less); the body must match every count the header declares (E028).

The limit: with `max_size=None` (the default, for files of any origin) a body may be
64 MiB, or more if it stays under 300 times the compressed size (real DocBins inflate
~40-fold, ~150-fold for very repetitive text; zlib bombs ~1000-fold), and never over
4 GiB. So memory stays in proportion to the bytes a sender must really deliver. A
caller who trusts the file passes `max_size` explicitly: exactly that cap, no ratio.
Format 1 files have no header; they are inflated up to the same limit.
"""
from __future__ import annotations

import zlib
from typing import Any, Dict, Optional

import msgpack
import numpy as np

from ..errors import Errors, HeronValueError
from .attrs import IDS
from .strings import MSGPACK_PACK, MSGPACK_UNPACK

FORMAT = "heron.DocBin"
FORMAT_VERSION = 2
# The largest inflated body read by default (4 GiB, ~40M tokens with every attribute):
# larger corpora belong in several files, which corpus readers take as a folder.
MAX_SIZE = 4 << 30
_HEADER_MAX = 1024  # a real header is < 100 bytes; never buffer more looking for one
MAX_RATIO = 300
_ALWAYS_OK = 64 << 20  # bodies this small are read whatever their compression ratio


def encode(body: Dict[str, Any], *, n_docs: int, n_tokens: int, n_attrs: int) -> bytes:
    """Header + zlib body (format 2)."""
    packed = msgpack.packb(body, **MSGPACK_PACK)
    header = {"format": FORMAT, "version": FORMAT_VERSION, "n_docs": n_docs, "n_tokens": n_tokens,
              "n_attrs": n_attrs, "size": len(packed)}
    return msgpack.packb(header, **MSGPACK_PACK) + zlib.compress(packed)


def size_limit(n_compressed: int, max_size: Optional[int]) -> int:
    """The most bytes a body of `n_compressed` compressed bytes may inflate to (see above)."""
    if max_size is not None:
        return max_size
    return min(MAX_SIZE, max(_ALWAYS_OK, MAX_RATIO * n_compressed))


def decode(data: bytes, source: str, max_size: Optional[int]) -> Dict[str, Any]:
    """The checked body of a DocBin: attrs as IDs, tokens (n_tokens, n_attrs) uint64, spaces,
    lengths, strings, cats, store_user_data, user_data, span_groups. Raises E028, E042 or E044 naming `source`."""
    data = memoryview(data)
    if data[:1] == b"\x78":  # a zlib stream: format 1 (the header of format 2 is a msgpack map)
        limit = size_limit(len(data), max_size)
        body = _unpack_body(_inflate(data, limit, source, declared=False), source)
        _check_format(body, 1, source)
        return _check_body(body, None, source)
    header, start = _read_header(data, source)
    size, limit = header["size"], size_limit(len(data) - start, max_size)
    if size > limit:
        ratio = f" from {len(data) - start} compressed bytes" if max_size is None else ""
        raise HeronValueError(Errors.E042.format(source=source, what=f"a body of {size} bytes{ratio}", limit=limit))
    n_docs, n_tokens, n_attrs = header["n_docs"], header["n_tokens"], header["n_attrs"]
    if n_tokens * n_attrs * 8 + n_tokens + n_docs * 8 > size:
        raise _invalid(source, f"the header declares {n_docs} docs, {n_tokens} tokens and {n_attrs} attrs, "
                               f"which a body of {size} bytes cannot hold")
    body = _unpack_body(_inflate(data[start:], size, source, declared=True), source)
    return _check_body(body, header, source)


def _invalid(source: str, err: str) -> HeronValueError:
    return HeronValueError(Errors.E028.format(source=source, err=err, version=FORMAT_VERSION))


def _read_header(data: memoryview, source: str):
    unpacker = msgpack.Unpacker(max_buffer_size=_HEADER_MAX, **MSGPACK_UNPACK)
    unpacker.feed(bytes(data[:_HEADER_MAX]))
    try:
        header = unpacker.unpack()
    except Exception as e:  # noqa: BLE001  (msgpack raises many types on foreign bytes)
        raise _invalid(source, f"no DocBin header ({type(e).__name__})") from None
    if not isinstance(header, dict):
        raise _invalid(source, "no DocBin header")
    _check_format(header, FORMAT_VERSION, source)
    for key in ("n_docs", "n_tokens", "n_attrs", "size"):
        value = header.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _invalid(source, f"header field {key!r} must be an integer >= 0, found {value!r}")
    return header, unpacker.tell()


def _check_format(msg: dict, version: int, source: str) -> None:
    if msg.get("format") != FORMAT:
        raise _invalid(source, "no heron DocBin header")
    if msg.get("version") != version:
        raise _invalid(source, f"unsupported format version {msg.get('version')!r}")


def _inflate(compressed: memoryview, limit: int, source: str, *, declared: bool) -> bytes:
    """Inflate at most `limit + 1` bytes; the stream must end exactly at `limit` if `declared`."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(compressed, limit + 1)
    except zlib.error as e:
        raise HeronValueError(Errors.E044.format(source=source, problem=f"is not valid zlib data ({e})")) from None
    if len(out) > limit:
        if not declared:
            raise HeronValueError(Errors.E042.format(
                source=source, what=f"no size header (format 1) and a body of more than {limit} bytes",
                limit=limit))
        raise HeronValueError(Errors.E044.format(
            source=source, problem=f"inflates to more than the {limit} bytes its header declares"))
    if not inflater.eof:
        raise HeronValueError(Errors.E044.format(source=source, problem=f"is truncated (ends after {len(out)} bytes)"))
    if declared and len(out) != limit:
        raise HeronValueError(Errors.E044.format(
            source=source, problem=f"inflates to {len(out)} bytes, not the {limit} its header declares"))
    if inflater.unused_data:
        raise HeronValueError(Errors.E044.format(
            source=source, problem=f"is followed by {len(inflater.unused_data)} unexpected bytes"))
    return out


def _unpack_body(body: bytes, source: str) -> dict:
    try:
        msg = msgpack.unpackb(body, **MSGPACK_UNPACK)  # unpackb bounds every length by len(body)
    except Exception as e:  # noqa: BLE001
        raise _invalid(source, f"{type(e).__name__}: {e}") from None
    if not isinstance(msg, dict):
        raise _invalid(source, "the body is not a msgpack map")
    return msg


def _check_body(msg: dict, header: dict | None, source: str) -> Dict[str, Any]:
    try:
        attrs = [IDS[name] for name in msg["attrs"]]
        lengths = np.frombuffer(msg["lengths"], dtype="<i8")
        tokens = np.frombuffer(msg["tokens"], dtype="<u8")
        spaces = np.frombuffer(msg["spaces"], dtype=np.uint8)
        strings, cats, user_data = msg["strings"], msg["cats"], msg.get("user_data")
        span_groups = msg.get("span_groups")
    except Exception as e:  # noqa: BLE001  (missing keys, wrong types, unknown attrs, odd buffer sizes)
        raise _invalid(source, f"{type(e).__name__}: {e}") from None
    n_docs, n_tokens = len(lengths), int(lengths.sum())
    if header is not None:
        for what, declared, found in (("docs", header["n_docs"], n_docs), ("tokens", header["n_tokens"], n_tokens),
                                      ("attrs", header["n_attrs"], len(attrs))):
            if declared != found:
                raise _invalid(source, f"the header declares {declared} {what} but the body holds {found}")
    problem = ("the first attr must be ORTH" if not attrs or attrs[0] != IDS["ORTH"]
               else "a document has a negative length" if (lengths < 0).any()
               else "the token array does not match the lengths" if len(tokens) != n_tokens * len(attrs)
               else "the spaces do not match the lengths" if len(spaces) != n_tokens
               else "strings must be a list of str" if not (isinstance(strings, list)
                                                             and all(isinstance(s, str) for s in strings))
               else "cats must hold one dict per doc" if not (isinstance(cats, list) and len(cats) == n_docs
                                                              and all(isinstance(c, dict) for c in cats))
               else "user_data must hold one entry per doc" if user_data and (
                   not isinstance(user_data, list) or len(user_data) != n_docs)
               else "span_groups must hold one bytes entry per doc" if span_groups is not None and not (
                   isinstance(span_groups, list) and len(span_groups) == n_docs
                   and all(isinstance(g, bytes) for g in span_groups))
               else None)
    if problem:
        raise _invalid(source, problem)
    return {"attrs": attrs, "tokens": tokens.reshape(n_tokens, len(attrs)),
            "spaces": spaces, "lengths": lengths, "strings": strings, "cats": cats,
            "store_user_data": bool(msg.get("store_user_data")), "user_data": user_data,
            "span_groups": [b""] * n_docs if span_groups is None else span_groups}
