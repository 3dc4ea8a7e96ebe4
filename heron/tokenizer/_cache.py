"""The tokenizer's chunk cache, which also puts token texts into the vocab's strings.

spaCy adds every token's text to `vocab.strings` when a Doc is made, so
`strings[token.orth]` gives the text back. Adding each word of each text would cost
~45% of a tokenization that hits the cache (measured on EWT), so heron adds them once,
when a chunk is first tokenized and cached: a cache hit's words are in the strings
already. Two things can take them out again:

- a memory zone (`StringStore.memory_zone`) removes strings added inside it. The
  tokenizer's own zone (`Tokenizer.memory_zone`, entered by `nlp.memory_zone`) drops the
  cache entries added inside it as well; after any other zone that removed strings the
  whole cache is dropped (the store's `n_zones_cleared` changed);
- another StringStore (a replaced `tokenizer.vocab`): the cache is dropped too.
"""
from __future__ import annotations

import contextlib
from itertools import islice
from typing import Any, Iterator, Optional

# Entries beyond this are dropped (cache cleared) so long-running services stay bounded.
MAX_ENTRIES = 500_000


class ChunkCache(dict):
    """chunk -> (words, spaces, norms); a dict, so the tokenizer's lookups stay C calls."""

    def __init__(self) -> None:
        super().__init__()
        self.strings: Any = None  # the StringStore the cached words were added to
        self.zones_seen = 0
        self.n_clears = 0

    def clear(self) -> None:
        self.n_clears += 1
        super().clear()

    def check(self, strings: Any) -> None:
        """Drop everything if the cached words may be missing from `strings`."""
        if strings is not self.strings or (strings is not None and strings.n_zones_cleared != self.zones_seen):
            self.clear()
            self.strings = strings
            self.zones_seen = strings.n_zones_cleared if strings is not None else 0

    def store(self, chunk: str, entry: tuple) -> tuple:
        if len(self) >= MAX_ENTRIES:
            self.clear()
        if self.strings is not None:
            add = self.strings.add
            for word in entry[0]:
                add(word)
        self[chunk] = entry
        return entry

    @contextlib.contextmanager
    def memory_zone(self, vocab: Any) -> Iterator[None]:
        """`vocab.memory_zone()`, then forget the chunks first cached inside it."""
        start, clears = len(self), self.n_clears
        strings: Optional[Any] = getattr(vocab, "strings", None)
        try:
            with vocab.memory_zone():
                yield
        finally:
            if self.n_clears != clears:  # cleared inside the zone: every entry is new
                self.clear()
            else:  # insertion order: the entries past `start` came in the zone
                for chunk in list(islice(self, start, None)):
                    del self[chunk]
            if strings is not None and strings is self.strings:
                self.zones_seen = strings.n_zones_cleared  # what the zone removed is gone from here too


__all__ = ["ChunkCache", "MAX_ENTRIES"]
