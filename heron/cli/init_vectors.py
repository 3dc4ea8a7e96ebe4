"""`heron init vectors`: import word vectors into a blank pipeline folder.

    heron init vectors en cc.en.300.vec.gz vectors_en --prune 50000
    heron init vectors en cc.en.300.bin vectors_en_sub --mode floret   # fastText OOV vectors
    heron init vectors en vectors.floret vectors_en_floret --mode floret   # a floret table
    heron init vectors en en_core_web_lg vectors_en_lg     # a spaCy pipeline's vectors

The output folder is `heron.blank(LANG)` with `vocab.vectors` set, saved with
`nlp.to_disk` (atomic: a failed import leaves no folder). Use it as
`[initialize] vectors = "vectors_en"` or `heron.load("vectors_en").vocab.vectors`.

Inputs (`--format`, detected when "auto"): text (word2vec/GloVe/fastText .txt/.vec,
header optional, also .gz/.bz2/.zip), word2vec_bin, fasttext_bin (parsed directly, no
fasttext package), gensim (KeyedVectors.save files; needs gensim, explicit only),
floret (the `.floret` text table of floret's `model.save_floret_vectors`), spacy (a
spaCy v3 pipeline folder, its vocab/ folder or an installed pipeline package's name,
read without importing it, default or floret mode as the pipeline has it; see
vectors/io_spacy.py).
`--mode floret` keeps subword rows so every word, even one never seen, gets a vector:
a fastText .bin model's buckets with fastText's hashing, or a .floret table with
floret's (the vectors spaCy's `init vectors --mode floret` gives). Word lists have no
subword rows and are refused (E615); a .floret table needs --mode floret (E620).
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any, Dict, Optional

import typer

from ..errors import Errors, HeronError, HeronWarning
from ._app import init_cli
from ._util import good, info, warn


@init_cli.command("vectors")
def init_vectors_cli(
    # fmt: off
    lang: str = typer.Argument(..., help="Language code of the blank pipeline (en, de, xx, ...)."),
    vectors_loc: Path = typer.Argument(..., metavar="VECTORS_FILE", help="Vectors file: .txt/.vec (optionally .gz/.bz2/.zip), word2vec or fastText .bin, a floret .floret table, a gensim KeyedVectors file, or a spaCy pipeline folder / vocab folder / installed package name (e.g. en_core_web_lg)."),
    output_dir: Path = typer.Argument(..., help="Pipeline folder to write (replaced atomically if it exists)."),
    fmt: str = typer.Option("auto", "--format", "-f", help="auto, text, word2vec_bin, fasttext_bin, floret, spacy or gensim (gensim unpickles the file: only for files you trust)."),
    prune: int = typer.Option(-1, "--prune", "-p", help="Keep this many rows (the first = most frequent); other words map to their most similar kept row. -1: keep all."),
    truncate: int = typer.Option(0, "--truncate", "-t", help="Read only the first N rows (0: all)."),
    mode: str = typer.Option("default", "--mode", "-m", help="default (word -> row) or floret (subword buckets; needs a fastText .bin or a .floret table). A spaCy pipeline's table keeps its own mode."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Vectors name stored in meta.json and cfg.json (default: LANG_FILESTEM)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr."),
    # fmt: on
) -> None:
    """Import word vectors into a blank pipeline usable as [initialize] vectors."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HeronWarning)
        try:
            stats = init_vectors(lang, vectors_loc, output_dir, fmt=fmt, prune=prune, truncate=truncate,
                                 mode=mode, name=name, progress=progress)
        finally:
            for w in caught:
                if issubclass(w.category, HeronWarning):
                    warn(str(w.message))
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    info(f"Read {stats['read']} rows in {stats['read_s']:.1f}s ({stats['words_per_s']:,.0f} words/sec), format {stats['format']}")
    if stats.get("pruned"):
        info(f"Pruned to {stats['rows']} rows: {stats['pruned']} words remapped, mean similarity to their new row {stats['mean_similarity']:.3f}")
    good(f"Saved {stats['mode']} vectors {stats['name']!r}: {stats['rows']} rows, dim {stats['dim']}, "
         f"{stats['keys']} keys to {output_dir} ({stats['total_s']:.1f}s)")


def default_name(lang: str, path: Path) -> str:
    """`{lang}_{stem}` with compression/format suffixes removed: en + cc.en.300.vec.gz -> en_cc_en_300."""
    stem = path.name
    for suffix in (".gz", ".bz2", ".zip", ".txt", ".vec", ".bin", ".floret", ".kv", ".model"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    safe = "".join(c if c.isalnum() else "_" for c in stem).strip("_") or "vectors"
    return f"{lang}_{safe}"


def init_vectors(lang: str, vectors_loc: Path, output_dir: Path, *, fmt: str = "auto", prune: int = -1,
                 truncate: int = 0, mode: str = "default", name: Optional[str] = None,
                 progress: bool = False) -> dict:
    """Read, optionally prune, and save; returns the statistics the CLI prints."""
    import numpy as np

    from .. import blank
    from ..vectors.io import read_vectors
    from ..vectors.io_spacy import find_spacy_vocab, spacy_vectors_name
    from ..vectors.prune import prune_table
    from ..vectors.table import Vectors

    if mode not in ("default", "floret"):
        raise HeronError(Errors.E616.format(option="--mode", value=mode, detail="unknown mode", fix="pass --mode default or --mode floret."))
    if truncate < 0 or prune == 0 or prune < -1:
        option, value = ("--truncate", truncate) if truncate < 0 else ("--prune", prune)
        raise HeronError(Errors.E616.format(option=option, value=value, detail="must be a positive number of rows",
                                            fix=f"pass {option} N with N >= 1 (or leave it out)."))
    if mode != "default" and (prune > 0 or truncate):
        option, value = ("--prune", prune) if prune > 0 else ("--truncate", truncate)
        raise HeronError(Errors.E616.format(option=option, value=value, detail="--mode floret keeps every row (n-gram buckets are shared by all words)",
                                            fix=f"leave out {option}, or use --mode default."))
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise HeronError(Errors.E618.format(path=output_dir))
    nlp = blank(lang)  # checks LANG before the (possibly long) read
    start = time.perf_counter()
    spacy_vocab = find_spacy_vocab(vectors_loc, where="VECTORS_FILE") if fmt in ("auto", "spacy") else None
    if spacy_vocab is not None:
        vectors, n_read, read_fmt = _read_spacy(nlp, spacy_vocab, vectors_loc, mode=mode, prune=prune,
                                                truncate=truncate, name=name or spacy_vectors_name(spacy_vocab)
                                                or default_name(lang, spacy_vocab.parent))
    elif fmt == "spacy":
        raise HeronError(Errors.E562.format(path=vectors_loc, detail="no spaCy vocab here (no `vectors` or `vectors.cfg` file, nor a vocab/ folder holding one)"))
    else:
        result = read_vectors(Path(vectors_loc), fmt=fmt, truncate=truncate or None, mode=mode, progress=progress)
        cfg: Dict[str, Any] = dict(result.cfg)
        table_mode = cfg.pop("mode", "default")
        vectors = Vectors(strings=nlp.vocab.strings, data=result.data, keys=result.words,
                          name=name or default_name(lang, Path(vectors_loc)), mode=table_mode, **cfg)
        # A floret table has rows but no words: count its rows.
        n_read, read_fmt = len(result.words) + result.n_duplicates or len(result.data), result.fmt
    read_s = time.perf_counter() - start
    name = vectors.name
    stats = {"read": n_read, "read_s": read_s, "format": read_fmt, "words_per_s": n_read / max(read_s, 1e-9)}
    if prune > 0:
        removed, _, scores = prune_table(vectors, prune)
        stats["pruned"] = len(removed)
        stats["mean_similarity"] = float(np.mean(scores)) if len(scores) else 1.0
    nlp.vocab.vectors = vectors
    nlp.meta = {**nlp._meta, "vectors": {"name": name, "mode": vectors.mode, "width": vectors.dim,
                                         "vectors": vectors.shape[0], "keys": vectors.n_keys}}
    nlp.to_disk(output_dir)
    stats.update(name=name, mode=vectors.mode, rows=vectors.shape[0], dim=vectors.dim, keys=vectors.n_keys,
                 total_s=time.perf_counter() - start)
    return stats


def _read_spacy(nlp, vocab_dir: Path, source: Path, *, mode: str, prune: int, truncate: int,
                name: str) -> tuple:
    """(table, rows read, format) of a spaCy vocab folder; the table keeps spaCy's mode."""
    from ..vectors.io_spacy import read_spacy_vectors

    vectors = read_spacy_vectors(vocab_dir, strings=nlp.vocab.strings, name=name)
    if vectors.mode != "default" and (prune > 0 or truncate):
        option, value = ("--prune", prune) if prune > 0 else ("--truncate", truncate)
        raise HeronError(Errors.E616.format(option=option, value=value, detail=f"{source} holds a floret table (n-gram buckets shared by all words)",
                                            fix=f"leave out {option}: a floret table keeps every row."))
    if mode == "floret" and vectors.mode == "default":
        raise HeronError(Errors.E616.format(option="--mode", value=mode, detail=f"{source} holds a default-mode table (words -> rows), which has no n-gram rows",
                                            fix="leave out --mode: a spaCy table keeps its own mode."))
    if truncate and truncate < len(vectors):
        vectors.resize((truncate, vectors.dim))  # drops the rows past N and the keys that use them
    return vectors, len(vectors), "spacy"
