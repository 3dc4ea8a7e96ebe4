"""Morphological features: CoNLL-U FEATS strings like "Case=Nom|Number=Sing".

Features are normalised (fields sorted, multiple values sorted and comma-joined) before
hashing, so "Number=Sing|Case=Nom" and "Case=Nom|Number=Sing" are the same analysis.
An annotated token with no features stores the hash of "_" (so `has_annotation("MORPH")`
can tell "no features" from "not annotated"); both print as "".
"""
from __future__ import annotations

from typing import Iterator, Union

from ..errors import Errors, HeronValueError

EMPTY_MORPH = "_"


def normalize_features(features: Union[str, dict, None], where: str = "") -> str:
    """Return the canonical FEATS string ("_" when there are no features).

    Accepts "Case=Nom|Number=Sing", "" / "_" (no features) or a dict {"Case": "Nom"}
    (values may be lists or comma-joined strings). Raises E027 on malformed input.
    """
    if features is None or features == "" or features == EMPTY_MORPH:
        return EMPTY_MORPH
    if isinstance(features, MorphAnalysis):
        return features.key_str
    if isinstance(features, str):
        fields: dict[str, str] = {}
        for part in features.split("|"):
            field, sep, value = part.partition("=")
            if not sep or not field or not value:
                raise HeronValueError(Errors.E027.format(value=features, where=where,
                                                         problem=f"{part!r} is not Field=Value"))
            fields[field] = value if field not in fields else fields[field] + "," + value
    elif isinstance(features, dict):
        fields = {}
        for field, value in features.items():
            if isinstance(value, (list, tuple, set)):
                value = ",".join(str(v) for v in value)
            if not isinstance(field, str) or not field or not str(value):
                raise HeronValueError(Errors.E027.format(value=features, where=where, problem=f"bad field {field!r}"))
            fields[field] = str(value)
    else:
        raise HeronValueError(Errors.E027.format(value=features, where=where, problem=f"got {type(features).__name__}"))
    if not fields:
        return EMPTY_MORPH
    return "|".join(f"{f}={','.join(sorted(set(v.split(','))))}" for f, v in sorted(fields.items()))


class MorphAnalysis:
    """The morphological features of one token (immutable; set token.morph to change).

    str(morph) -> "Case=Nom|Number=Sing"; morph.to_dict() -> {"Case": "Nom", ...};
    "Case=Nom" in morph; morph.get("Case") -> ["Nom"]; iterating yields "Field=Value".
    """

    __slots__ = ("vocab", "key", "key_str")

    def __init__(self, vocab, features: Union[str, dict, int, None] = None):
        self.vocab = vocab
        if isinstance(features, int):
            self.key_str = vocab.strings[features] if features else ""
            self.key = features
        else:
            self.key_str = normalize_features(features)
            self.key = vocab.strings.add(self.key_str)
        if self.key_str == EMPTY_MORPH:
            self.key_str = ""

    @classmethod
    def from_id(cls, vocab, key: int) -> "MorphAnalysis":
        return cls(vocab, key)

    def to_dict(self) -> dict[str, str]:
        if not self.key_str:
            return {}
        return dict(part.split("=", 1) for part in self.key_str.split("|"))

    def to_json(self) -> str:
        return self.key_str

    def get(self, field: str, default=None) -> list[str]:
        value = self.to_dict().get(field)
        if value is None:
            return [] if default is None else default
        return value.split(",")

    def __iter__(self) -> Iterator[str]:
        for field, values in self.to_dict().items():
            for value in values.split(","):
                yield f"{field}={value}"

    def __contains__(self, feature: str) -> bool:
        return feature in set(self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __str__(self) -> str:
        return self.key_str

    def __repr__(self) -> str:
        return f"MorphAnalysis({self.key_str!r})"

    def __eq__(self, other) -> bool:
        if isinstance(other, MorphAnalysis):
            return self.key_str == other.key_str
        if isinstance(other, str):
            return self.key_str == (normalize_features(other) if other not in ("", "_") else "")
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.key_str)
