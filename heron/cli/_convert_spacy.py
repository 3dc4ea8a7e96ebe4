"""`heron convert` and spaCy's DocBins: `.spacy` inputs, and `--to spacy` outputs.

    heron convert corpus/train.spacy out/              # -> out/train.heron
    heron convert train.conllu out/ --to spacy         # -> out/train.spacy (spaCy trains on it)
    heron convert corpus/train.heron out/ --to spacy   # -> out/train.spacy

The files are read and written by heron.tokens.spacy_docbin (no spaCy import). A
`.spacy` Doc made from words alone carries spaCy's has_unknown_spaces flag, which
neither a `.heron` file nor CoNLL-U can hold: converting it to `.heron` warns (W521).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

from ..errors import Warnings, warn
from ..tokens.docbin import DocBin
from ..tokens.spacy_docbin import FILE_SUFFIX as SUFFIX
from ..tokens.spacy_docbin import SpacyDocBin


def new_sink() -> SpacyDocBin:
    """The output of `--to spacy`: user_data is kept, as in `.heron` outputs (CoNLL-U multi-word tokens)."""
    return SpacyDocBin(store_user_data=True)


def spacy_docs(file: Path, vocab: Any, progress: bool, sink: Any) -> Iterator:
    """The Docs of a .spacy file, with a tqdm bar on stderr (terminals only); W521 for a .heron
    `sink` when some have unknown spaces."""
    from tqdm import tqdm

    docbin = SpacyDocBin().from_disk(file)  # E520-E523 name the file
    unknown = sum(bool(flags.get("has_unknown_spaces")) for flags in docbin.flags)
    if unknown and isinstance(sink, DocBin):
        warn(Warnings.W521.format(source=file, n=unknown, target="a .heron DocBin"))
    with tqdm(total=len(docbin), unit="doc", desc=file.name, file=sys.stderr,
              disable=None if progress else True, leave=False) as bar:
        for doc in docbin.get_docs(vocab):
            yield doc
            bar.update(1)


__all__ = ["SUFFIX", "new_sink", "spacy_docs"]
