"""The counts every per-task scorer keeps: PRFScore, and the values that mean "missing".

`PRFScore` adds up true/false positives and false negatives and gives precision, recall
and F over them (a zero denominator gives 0.0); `MISSING_VALUES` are the gold attribute
values (None, 0 = no hash, "") that mean "not annotated", so a scorer skips the token
instead of counting it wrong.
"""
from __future__ import annotations

from typing import Dict

MISSING_VALUES = frozenset([None, 0, ""])


class PRFScore:
    """Counts of true/false positives and false negatives, with P/R/F over them."""

    def __init__(self, *, tp: int = 0, fp: int = 0, fn: int = 0):
        self.tp, self.fp, self.fn = tp, fp, fn

    def __len__(self) -> int:
        return self.tp + self.fp + self.fn

    def __iadd__(self, other: "PRFScore") -> "PRFScore":
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    def __add__(self, other: "PRFScore") -> "PRFScore":
        return PRFScore(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    def score_set(self, cand: set, gold: set) -> None:
        self.tp += len(cand & gold)
        self.fp += len(cand - gold)
        self.fn += len(gold - cand)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp + 1e-100)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn + 1e-100)

    @property
    def fscore(self) -> float:
        p, r = self.precision, self.recall
        return 2 * (p * r) / (p + r + 1e-100)

    def to_dict(self) -> Dict[str, float]:
        return {"p": self.precision, "r": self.recall, "f": self.fscore}

    def __repr__(self) -> str:
        return f"PRFScore(tp={self.tp}, fp={self.fp}, fn={self.fn})"
