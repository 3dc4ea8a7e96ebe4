"""doc.spans bytes between heron's string hashes (blake2b) and spaCy's (MurmurHash / symbols).

heron's `doc.spans.to_bytes()` already has spaCy's layout (span_groups.py,
span_group.py): msgpack {group bytes: [keys]} (a list of group bytes before spaCy 3.4,
msgpack [] for none), each group msgpack {"name", "attrs", "spans"}, each span a struct
">QQQllll" (id, kb_id, label, start, end, start_char, end_char). Only the three string
IDs differ between the two libraries, so translating rewrites them and keeps the rest,
and the layout, as it is.
"""
from __future__ import annotations

from typing import Callable

import msgpack

from ..errors import Errors, HeronValueError
from .span_group import SPAN_STRUCT, unpack
from .strings import MSGPACK_PACK

EMPTY_BYTES = msgpack.packb([])  # spaCy's SpanGroups._EMPTY_BYTES: a Doc without groups


def translate_span_groups(data: bytes, translate: Callable[[int, str], int], source: str) -> bytes:
    """`data` with every span's id, kb_id and label passed through `translate(value, what)`.

    `what` is "id", "kb_id" or "label" (for the caller's error messages). RAISES E077
    (naming `source`) when `data` is not span group bytes.
    """
    if not data or data == EMPTY_BYTES:
        return EMPTY_BYTES
    msg = unpack(data, source)
    if isinstance(msg, list):  # spaCy < 3.4: a list of group bytes
        return msgpack.packb([_translate_group(g, translate, source) for g in msg], **MSGPACK_PACK)
    if isinstance(msg, dict):
        return msgpack.packb({_translate_group(g, translate, source): keys for g, keys in msg.items()},
                             **MSGPACK_PACK)
    raise HeronValueError(Errors.E077.format(source=source, problem="expected a msgpack list or map of groups"))


def _translate_group(data: object, translate: Callable[[int, str], int], source: str) -> bytes:
    group = unpack(data, source)
    spans = group.get("spans") if isinstance(group, dict) else None
    if not isinstance(spans, list):
        raise HeronValueError(Errors.E077.format(source=source, problem="a group is not a map with a 'spans' list"))
    out = []
    for i, item in enumerate(spans):
        if not isinstance(item, bytes) or len(item) != SPAN_STRUCT.size:
            problem = f"span {i} of group {group.get('name')!r} is not {SPAN_STRUCT.size} packed bytes"
            raise HeronValueError(Errors.E077.format(source=source, problem=problem))
        id_, kb_id, label, *bounds = SPAN_STRUCT.unpack(item)
        out.append(SPAN_STRUCT.pack(translate(id_, "id"), translate(kb_id, "kb_id"), translate(label, "label"),
                                    *bounds))
    group["spans"] = out  # the other keys keep their order, so the bytes keep spaCy's layout
    return msgpack.packb(group, **MSGPACK_PACK)


__all__ = ["translate_span_groups", "EMPTY_BYTES"]
