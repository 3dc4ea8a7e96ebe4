"""Lexeme vectors: what a large web corpus knows about each word type, as a vectors table.

    [initialize.vectors]
    @misc = "heron.lexeme_vectors.v1"
    lang = ${nlp.lang}
    rows = 200000
    path = ${paths.vectors}

spacy-lookups-data (the data package of the rule lemmatizer) ships, for 1M cased English
words, a log frequency (`en_lexeme_prob`) and for ~190k of them a Brown cluster
(`en_lexeme_cluster`; spaCy v2's `Lexeme.prob` and `Lexeme.cluster`). They answer what a
tagger trained on 200k words can't learn alone: is "Perlingiere" a word at all, is
"Laughter" usually written "laughter" (a noun at a sentence or headline start) while
"Apple" is as often capitalised (a name), which words behave alike. On UD English-EWT
they add +0.7 UPOS and +0.3 lemma accuracy to the CNN pipeline (bench/lemma_ewt.py,
bench/results/lemma_ewt.md), so `heron init config` writes this block for English.

Each of the `rows` most frequent words gets 24 columns (0 where unknown):
- 18 Brown-cluster path bits (+1/-1; spaCy stores the path reversed, bit i = branch i) and
  a has-cluster flag;
- an in-table flag and the scaled log frequency;
- the word's case profile: how much more frequent it is lowercased, title-cased and
  upper-cased than as written (log-probability differences, clipped to +-8, / 4).

The table is built once, at `heron train`'s initialize, saved with the pipeline like any
vectors table (nlp.vocab.vectors), and never needed again: loading a trained pipeline
doesn't read spacy-lookups-data. `path` (your own vectors, e.g. ${paths.vectors}) takes
their place when set: then nothing is built.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

import numpy as np

from ..errors import Errors, HeronValueError
from ..registry import registry

N_BITS = 18
DIM = N_BITS + 6
CASE_CLIP = 8.0


def lookups_table(lang: str, name: str) -> Dict[str, Any]:
    """spacy-lookups-data's table `name` for `lang`, read the way the rule lemmatizer reads
    its tables (E659 when the package or the table is missing)."""
    from ..pipeline.lemmatizer import load_lookups

    try:
        found = load_lookups(lang, [name], strict=False)
        if name in found:
            return found[name]
        import spacy_lookups_data  # noqa: F401
    except ImportError:  # not installed (or its entry point can't import it)
        raise HeronValueError(Errors.E659.format(
            lang=lang, detail="the package spacy-lookups-data is not installed",
            fix="pip install 'heron[lookups]' (or spacy-lookups-data)")) from None
    raise HeronValueError(Errors.E659.format(
        lang=lang, detail=f"spacy-lookups-data has no table {lang}_{name}",
        fix="remove the [initialize.vectors] block (or set vectors = null) for this language"))


def lexeme_rows(clusters: Dict[str, int], probs: Dict[str, float], oov_prob: float,
                n_rows: int) -> Tuple[list, np.ndarray]:
    """(words, (len(words), DIM) float32) for the `n_rows` most frequent words of `probs`
    (0: all); words with whitespace (which no token has) are left out."""
    words = [w for w in probs if w and not any(ch.isspace() for ch in w)]
    words.sort(key=lambda w: -probs[w])
    if n_rows:
        words = words[:n_rows]
    data = np.zeros((len(words), DIM), dtype=np.float32)
    cluster = np.array([int(clusters.get(w, 0)) for w in words], dtype=np.int64)
    bits = (cluster[:, None] >> np.arange(N_BITS)[None, :]) & 1
    has_cluster = cluster > 0
    data[:, :N_BITS] = np.where(has_cluster[:, None], bits * 2.0 - 1.0, 0.0)
    data[:, N_BITS] = has_cluster
    data[:, N_BITS + 1] = 1.0
    logp = np.array([probs[w] for w in words], dtype=np.float32)
    data[:, N_BITS + 2] = (logp + 12.0) / 6.0
    for j, variant in enumerate((str.lower, lambda w: w[:1].upper() + w[1:].lower(), str.upper)):
        other = np.array([probs.get(variant(w), oov_prob) for w in words], dtype=np.float32)
        data[:, N_BITS + 3 + j] = np.clip(other - logp, -CASE_CLIP, CASE_CLIP) / 4.0
    return words, data


@lru_cache(maxsize=2)
def _cached_rows(lang: str, n_rows: int) -> Tuple[tuple, np.ndarray]:
    # One build per process: a test suite or a notebook initializing several pipelines
    # reads the 1M-entry tables once.
    probs = lookups_table(lang, "lexeme_prob")
    clusters = lookups_table(lang, "lexeme_cluster")
    settings = lookups_table(lang, "lexeme_settings")
    words, data = lexeme_rows(clusters, probs, float(settings.get("oov_prob", -20.0)), n_rows)
    data.setflags(write=False)
    return tuple(words), data


def build_lexeme_vectors(lang: str, rows: int = 200_000, strings: Any = None) -> Any:
    """The lexeme vectors table for `lang` (a `Vectors`, keyed by the cased word)."""
    from .table import Vectors

    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise HeronValueError(Errors.E659.format(
            lang=lang, detail=f"rows = {rows!r} is not an int >= 0",
            fix="set rows to the number of most frequent words to keep, e.g. 200000 (0: all)"))
    words, data = _cached_rows(str(lang), rows)
    return Vectors(strings=strings, data=data.copy(), keys=list(words), name=f"{lang}_lexemes_{rows}")


@registry.misc("heron.lexeme_vectors.v1")
def lexeme_vectors(lang: str, rows: int = 200_000, path: Optional[str] = None) -> Any:
    """[initialize.vectors]: `path` (a vectors folder or spaCy pipeline) when set, else the
    lexeme vectors of `lang` (built when the pipeline is initialized)."""
    if path:
        return str(path)
    return LexemeVectorsRequest(str(lang), int(rows))


class LexemeVectorsRequest:
    """What `heron.lexeme_vectors.v1` resolves to: built by load_vectors_into, into the
    pipeline's own StringStore."""

    def __init__(self, lang: str, rows: int):
        self.lang, self.rows = lang, rows

    def build(self, strings: Any) -> Any:
        return build_lexeme_vectors(self.lang, self.rows, strings=strings)

    def __repr__(self) -> str:
        return f"heron.lexeme_vectors.v1(lang={self.lang!r}, rows={self.rows})"


__all__ = ["build_lexeme_vectors", "lexeme_vectors", "lexeme_rows", "LexemeVectorsRequest", "DIM"]
