"""Build spaCy v3 vocab folders by hand (no spaCy needed), as spacy/vocab.pyx writes them.

    vocab/vectors       .npy matrix without suffix      vocab/key2row   msgpack {spaCy ID: row}
    vocab/vectors.cfg   JSON settings                   vocab/strings.json  JSON list
    meta.json / config.cfg next to vocab/ for a pipeline folder.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Optional, Sequence

import msgpack
import numpy as np

from heron.tokens._spacy_hash import spacy_string_ids

# spaCy 3.8's get_string_id of these words (computed once with spaCy; "root" is a symbol).
SPACY_IDS = {"apple": 8566208034543834098, "Paris": 10427160276079242800, "é": 16256712947286012828,
             "日本語": 1998301522555383300, "12345678": 9871996032675327904, "root": 449, "NOUN": 92}


def write_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as f:  # np.save(path) would add a .npy suffix
        np.save(f, array, allow_pickle=False)


def spacy_pipeline(folder: Path, *, data: np.ndarray, words: Sequence[str] = (), rows: Optional[Sequence[int]] = None,
                   cfg: Optional[Dict] = None, name: Optional[str] = "spacy_test_vectors",
                   extra_strings: Sequence[str] = ("hello", "NOUN"), key2row: Optional[Dict] = None) -> Path:
    """A spaCy pipeline folder: config.cfg, meta.json and vocab/. Returns the folder."""
    vocab = folder / "vocab"
    vocab.mkdir(parents=True)
    write_npy(vocab / "vectors", np.asarray(data))
    if key2row is None:
        ids = spacy_string_ids(list(words)).tolist()
        key2row = dict(zip(ids, rows if rows is not None else range(len(words))))
    (vocab / "key2row").write_bytes(msgpack.packb(key2row, use_bin_type=True))
    (vocab / "vectors.cfg").write_text(json.dumps(cfg or {"mode": "default"}), encoding="utf8")
    # spaCy never stores symbols ("root", "NOUN") in strings.json; keep that true here.
    strings = sorted({*words, *extra_strings} - {"root", "NOUN", ""})
    (vocab / "strings.json").write_text(json.dumps(strings), encoding="utf8")
    (folder / "config.cfg").write_text("[nlp]\nlang = \"en\"\npipeline = []\n", encoding="utf8")
    vectors_meta = {"width": int(np.shape(data)[1]), "vectors": int(np.shape(data)[0]), "keys": len(key2row)}
    if name:
        vectors_meta["name"] = name
    (folder / "meta.json").write_text(json.dumps({"lang": "en", "name": "test", "version": "0.0.0",
                                                  "vectors": vectors_meta}), encoding="utf8")
    return folder


FLORET_CFG = {"mode": "floret", "minn": 2, "maxn": 4, "hash_count": 2, "hash_seed": 7, "bow": "<",
              "eow": ">", "attr": 65}


def floret_file(path: Path, data: np.ndarray, cfg: Dict = FLORET_CFG) -> Path:
    """The same table as a `.floret` text export (heron's other, already spaCy-checked reader)."""
    settings = [cfg[k] for k in ("minn", "maxn", "hash_count", "hash_seed", "bow", "eow")]
    header = " ".join(str(v) for v in [len(data), data.shape[1], *settings])
    lines = [f"{i} " + " ".join(repr(float(x)) for x in row) for i, row in enumerate(data)]
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf8")
    return path
