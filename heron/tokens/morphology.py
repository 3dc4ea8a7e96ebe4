"""Morphological features: CoNLL-U FEATS strings like "Case=Nom|Number=Sing".

Features are normalised (fields sorted, multiple values sorted and comma-joined) before
hashing, so "Number=Sing|Case=Nom" and "Case=Nom|Number=Sing" are the same analysis.
An annotated token with no features stores the hash of "_" (so `has_annotation("MORPH")`
can tell "no features" from "not annotated"); both print as "".

`Morphology` (as `vocab.morphology`) is spaCy's interning table: `add(features)` -> the
hash of the normalised FEATS string, `get(hash)` -> the string, and the static helpers
`feats_to_dict` / `dict_to_feats`. heron keeps no separate feature structs: a FEATS
string in the StringStore is the whole analysis, so the table is a thin view over
`vocab.strings`. Unlike spaCy, malformed features raise E027 instead of being dropped
with a warning (W100), so a typo in training data can't silently vanish.
"""
from __future__ import annotations

from typing import Iterator, Union

from ..errors import Errors, HeronValueError

EMPTY_MORPH = "_"


def normalize_features(features: Union[str, dict, "MorphAnalysis", None], where: str = "") -> str:
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
        return self.key_str  # spaCy's repr is the FEATS string too

    def __eq__(self, other) -> bool:
        if isinstance(other, MorphAnalysis):
            return self.key_str == other.key_str
        if isinstance(other, str):
            return self.key_str == (normalize_features(other) if other not in ("", "_") else "")
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.key_str)


class Morphology:
    """spaCy's `vocab.morphology`: interns FEATS strings in the vocab's StringStore.

    morphology.add("Number=Sing|Case=Nom") == strings["Case=Nom|Number=Sing"];
    morphology.get(key) -> "Case=Nom|Number=Sing" ("" for 0, "_" for "no features").
    """

    EMPTY_MORPH = EMPTY_MORPH
    FEATURE_SEP = "|"
    FIELD_SEP = "="
    VALUE_SEP = ","

    def __init__(self, strings):
        self.strings = strings

    def add(self, features: Union[str, dict, "MorphAnalysis", None]) -> int:
        """Hash of the normalised analysis ("" and {} give the hash of "_")."""
        return self.strings.add(normalize_features(features))

    def get(self, morph: int) -> str:
        return self.strings[morph] if morph else ""

    def normalize_features(self, features: Union[str, dict, None]) -> str:
        return normalize_features(features)

    @staticmethod
    def feats_to_dict(feats: str, *, sort_values: bool = True) -> dict[str, str]:
        """"Case=Nom|PronType=Prs,Int" -> {"Case": "Nom", "PronType": "Int,Prs"}."""
        if not feats or feats == EMPTY_MORPH:
            return {}
        out = {}
        for feat in feats.split(Morphology.FEATURE_SEP):
            field, values = feat.split(Morphology.FIELD_SEP, 1)
            if sort_values:
                values = Morphology.VALUE_SEP.join(sorted(values.split(Morphology.VALUE_SEP)))
            out[field] = values
        return out

    @staticmethod
    def dict_to_feats(feats_dict: dict) -> str:
        """{"Number": "Sing", "Case": "Nom"} -> "Case=Nom|Number=Sing" ("" for {})."""
        return "|".join(sorted(
            f"{field}={','.join(sorted(str(values).split(',')))}" for field, values in feats_dict.items()))
