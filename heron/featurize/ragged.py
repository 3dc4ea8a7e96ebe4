"""`Ragged`: the token -> wordpiece alignment of one Doc (a flat index array cut into runs).

Built by `alignment.align_doc`, stored in `doc._.trf_data.align`, read by the pooling layers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Sequence

import numpy as np

from ..errors import Errors, HeronValueError


@dataclass
class Ragged:
    """Token -> wordpiece alignment: a flat index array cut into one run per token.

    Token i owns `data[starts[i] : starts[i] + lengths[i]]`: indices into the doc's flat
    wordpiece list (`TransformerData.wordpieces`), ascending. A token with length 0 (whitespace
    only, or made of characters the transformer's tokenizer drops) aligns to nothing and pools to
    zeros. A wordpiece may belong to two tokens when it straddles a token boundary.
    """

    data: np.ndarray  # int32 (total,)
    lengths: np.ndarray  # int32 (n_tokens,)

    def __post_init__(self) -> None:
        self.data = np.ascontiguousarray(self.data, dtype=np.int32).reshape(-1)
        self.lengths = np.ascontiguousarray(self.lengths, dtype=np.int32).reshape(-1)
        if (self.lengths < 0).any():
            raise HeronValueError(Errors.E704.format(detail="negative length"))
        if int(self.lengths.sum()) != self.data.size:
            raise HeronValueError(Errors.E704.format(
                detail=f"lengths sum to {int(self.lengths.sum())} but data has {self.data.size} items"))
        self._starts = np.zeros(self.lengths.size, dtype=np.int64)
        np.cumsum(self.lengths[:-1], out=self._starts[1:])

    @classmethod
    def from_lists(cls, lists: Sequence[Sequence[int]]) -> "Ragged":
        """Build from one list of wordpiece indices per token."""
        lengths = np.asarray([len(x) for x in lists], dtype=np.int32)
        data = np.fromiter((i for x in lists for i in x), dtype=np.int32, count=int(lengths.sum()))
        return cls(data, lengths)

    @property
    def starts(self) -> np.ndarray:
        """Offset of each token's run in `data` (int64 (n_tokens,))."""
        return self._starts.copy()

    def __len__(self) -> int:
        return int(self.lengths.size)

    def __getitem__(self, i: int) -> np.ndarray:
        """Wordpiece indices of token `i` (negative indices count from the end)."""
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        start = int(self._starts[i])
        return self.data[start:start + int(self.lengths[i])]

    def tolist(self) -> List[List[int]]:
        return [x.tolist() for x in np.split(self.data, np.cumsum(self.lengths)[:-1])] if len(self) else []

    def token_index(self) -> np.ndarray:
        """For each item of `data`, the token it belongs to (int64 (total,)): for scatter/pooling."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)

    def to_dict(self) -> Dict[str, Any]:
        """msgpack/JSON-friendly form (lists of ints)."""
        return {"data": self.data.tolist(), "lengths": self.lengths.tolist()}

    @classmethod
    def from_dict(cls, msg: Dict[str, Any]) -> "Ragged":
        return cls(np.asarray(msg["data"], dtype=np.int32), np.asarray(msg["lengths"], dtype=np.int32))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Ragged) and np.array_equal(self.data, other.data)
                and np.array_equal(self.lengths, other.lengths))


__all__ = ["Ragged"]
