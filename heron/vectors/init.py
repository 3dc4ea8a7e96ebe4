"""`[initialize] vectors = PATH`: put an imported vectors table into a pipeline's vocab.

    [paths]
    vectors = "vectors_en"          # written by `heron init vectors en vectors.txt vectors_en`

    [initialize]
    vectors = ${paths.vectors}
    # or a spaCy pipeline's vectors: its folder, its vocab/ folder or an installed
    # package's name, e.g. vectors = "en_core_web_lg" (read by io_spacy.py, never imported)

`load_vectors_into(nlp, path)` runs before the components' `initialize`, so layers that
read the vectors (heron.StaticVectors.v1, MultiHashEmbed include_static_vectors,
HashEmbedCNN pretrained_vectors) are sized from them before the optimizer exists, and
the tok2vec component records the table's name and shape.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from ..errors import Errors, HeronError, HeronValueError
from ..util import PathLike, ensure_path
from .io_spacy import find_spacy_vocab, read_spacy_vectors
from .table import load_vectors_table


def load_vectors_into(nlp: Any, path: Optional[PathLike]) -> Any:
    """Set `nlp.vocab.vectors` to the table saved at `path` and return it.

    path (str | Path | LexemeVectorsRequest | None): what [initialize] vectors resolved to:
        heron.lexeme_vectors.v1's request (the table is built here), or a pipeline folder
        from `heron init vectors` (or any saved pipeline with vectors: PATH/vocab/vectors), a bare folder written by
        Vectors.to_disk, or a spaCy v3 pipeline's vectors: its folder, its vocab/ folder,
        or the name of an installed spaCy pipeline package (a folder of that name wins).
        None or "" does nothing (returns None).
    The table's strings are merged into nlp.vocab.strings and the table shares that
    StringStore (subword modes turn hashes back into text through it). Every unsized
    static-vectors layer in the pipeline is sized from the table. A folder without a
    (non-empty) vectors table raises E655 naming the path and the config key; a spaCy
    source that can't be found or read raises E560-E564 naming the file.
    """
    if path is None or str(path) == "":
        return None
    build = getattr(path, "build", None)  # heron.lexeme_vectors.v1: a table made, not read
    if callable(build):
        vectors = build(nlp.vocab.strings)
        nlp.vocab.vectors = vectors
        _size_layers(nlp, int(vectors.shape[1]))
        return vectors
    spacy_vocab = find_spacy_vocab(path, where="[initialize] vectors")
    path = ensure_path(path)
    if spacy_vocab is not None:
        vectors = read_spacy_vectors(spacy_vocab, strings=nlp.vocab.strings)
    elif not Path(path).exists():
        raise HeronValueError(Errors.E655.format(path=str(path), detail="the folder does not exist"))
    else:
        try:
            vectors = load_vectors_table(path, strings=nlp.vocab.strings)
        except HeronError as e:
            raise HeronValueError(Errors.E655.format(
                path=str(path), detail=f"it holds no vectors table ({e})")) from None
    n_rows, dim = (int(n) for n in vectors.shape)
    if not n_rows or not dim:
        raise HeronValueError(Errors.E655.format(
            path=str(path), detail=f"its vectors table is empty (shape {(n_rows, dim)})"))
    nlp.vocab.vectors = vectors
    _size_layers(nlp, dim)
    return vectors


def load_initialize_vectors(nlp: Any) -> Any:
    """What `nlp.initialize()` does with `[initialize] vectors` (as spaCy's does): a vocab
    without vectors gets the table the config names (a path, a package or a function block
    such as heron.lexeme_vectors.v1); returns it, or None when nothing was loaded. `heron
    train` loads them itself before (init_nlp), so this then finds them there."""
    current = nlp.vocab.vectors
    if current is not None and current.shape[0]:
        return None
    config = getattr(nlp, "config", None) or {}
    value = (config.get("initialize") or {}).get("vectors")
    if not value:
        return None
    if "${" in json.dumps(value, default=str):
        from confection import Config

        value = (Config(config).interpolate().get("initialize") or {}).get("vectors")
    value = resolve_vectors_setting(value)
    return load_vectors_into(nlp, value) if value else None


def resolve_vectors_setting(value: Any) -> Any:
    """An interpolated `[initialize] vectors` made loadable: a function block (such as
    heron.lexeme_vectors.v1) is resolved; a path or None is returned as it is."""
    if isinstance(value, dict):
        from ..registry import registry

        return registry.resolve({"vectors": value})["vectors"]
    return value


def _size_layers(nlp: Any, dim: int) -> None:
    # Only unsized layers: a trained layer keeps its size, and a mismatch is reported by
    # the tok2vec component's initialize (E654) instead of silently re-initialised here.
    from torch import nn

    from ..nn.static_vectors import StaticVectors

    for _, proc in nlp.components:
        model = getattr(proc, "model", None)
        if isinstance(model, nn.Module):
            for module in model.modules():
                if isinstance(module, StaticVectors) and not module.is_sized:
                    module.set_vectors_dim(dim)


__all__ = ["load_vectors_into", "load_initialize_vectors", "resolve_vectors_setting"]
