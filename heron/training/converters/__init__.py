"""Corpus converters: CoNLL-U, IOB/CoNLL NER, JSONL and text classification files -> Docs.

Each converter is a function `source -> Iterator[Doc]` taking keyword-only options
(`n_sents`, `vocab`, ...); `source` is a path (streamed), a str holding the input,
or an iterable of lines. `heron convert` writes their Docs to `.heron` DocBin files;
corpus readers can call them directly.

`CONVERTERS` maps converter names (the values of `heron convert --converter`) to the
functions; `EXTENSIONS` maps file extensions to converter names for `--converter auto`.
"""
from typing import Callable, Dict, Iterator

from .conllu import conllu_to_docs
from .iob import conll_ner_to_docs, detect_ner_format, iob_to_docs
from .jsonl import jsonl_to_docs
from .textcat import textcat_to_docs

CONVERTERS: Dict[str, Callable[..., Iterator]] = {
    "conllu": conllu_to_docs,
    "conllubio": conllu_to_docs,
    "ner": conll_ner_to_docs,
    "conll": conll_ner_to_docs,
    "iob": iob_to_docs,
    "jsonl": jsonl_to_docs,
    "textcat": textcat_to_docs,
}

# For "ner"/"iob" the layout is then checked from the file's first lines
# (`detect_ner_format`): token per line is "ner", "word|TAG" sentences are "iob".
EXTENSIONS: Dict[str, str] = {
    ".conllu": "conllu",
    ".conllubio": "conllu",
    ".conll": "ner",
    ".ner": "ner",
    ".iob": "iob",
    ".iob2": "ner",
    ".bio": "ner",
    ".jsonl": "jsonl",
    ".tsv": "textcat",
    ".csv": "textcat",
}

__all__ = ["CONVERTERS", "EXTENSIONS", "conllu_to_docs", "conll_ner_to_docs", "iob_to_docs",
           "jsonl_to_docs", "textcat_to_docs", "detect_ner_format"]
