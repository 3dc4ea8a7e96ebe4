"""Corpus readers (registry.readers): DocBin files -> Examples for training and evaluation.

    [corpora.train]
    @readers = "heron.Corpus.v1"
    path = ${paths.train}
    max_length = 0

A reader resolves to a callable `corpus(nlp) -> Iterator[Example]`, called once per
pass over the data; files are read one at a time, so memory holds one file's Docs,
not the corpus. The gold Doc becomes the Example's reference; the predicted Doc is
`nlp.make_doc(reference.text)` (heron's own tokens, so training sees what inference
sees), or a copy of the gold tokens with `gold_preproc = true`.

Files are heron DocBins (`.heron`) or spaCy v3 DocBins (`.spacy`, read by
tokens/spacy_docbin.py without spaCy), told apart by suffix; a folder may hold both.
As in spaCy, a `.spacy` Doc flagged has_unknown_spaces (made from words alone) is
predicted on its gold tokens, since its text is not the real one.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Optional, Tuple, Union

from ..errors import Errors, HeronError, HeronValueError, Warnings, warn
from ..registry import registry
from ..tokens import Doc, DocBin
from ..tokens.spacy_docbin import FILE_SUFFIX as SPACY_SUFFIX
from ..tokens.spacy_docbin import SpacyDocBin
from .example import Example

FILE_SUFFIX = ".heron"
CORPUS_SUFFIXES = (FILE_SUFFIX, SPACY_SUFFIX)


def walk_corpus(path: Union[str, Path], suffix: Union[str, Tuple[str, ...]] = CORPUS_SUFFIXES) -> List[Path]:
    """`path` itself if it is a file, else every `*{suffix}` file below it (any of several), sorted.

    Raises E506 if the path is missing and E507 if a folder holds no such files.
    """
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.exists():
        raise HeronValueError(Errors.E506.format(path=path, cwd=Path.cwd()))
    suffixes = (suffix,) if isinstance(suffix, str) else suffix
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                   and p.name.endswith(suffixes))
    if not files:
        raise HeronValueError(Errors.E507.format(path=path, suffix=" or *".join(suffixes)))
    return files


def read_docbin(path: Path, vocab) -> Iterator[Tuple[Doc, bool]]:
    """(Doc, whether its spaces are unknown) for each Doc of a `.spacy` or (any other suffix) heron DocBin."""
    if path.suffix.lower() == SPACY_SUFFIX:
        docbin = SpacyDocBin().from_disk(path)
        flags = [bool(f.get("has_unknown_spaces")) for f in docbin.flags]
        yield from zip(docbin.get_docs(vocab), flags)
    else:
        for doc in DocBin().from_disk(path).get_docs(vocab):
            yield doc, False


class Corpus:
    """Examples from DocBin files (see `create_docbin_reader` for the settings)."""

    def __init__(self, path: Union[str, Path], *, gold_preproc: bool = False, max_length: int = 0,
                 limit: int = 0, shuffle: bool = False):
        if path is None:
            raise HeronValueError(Errors.E508)
        for name, value in (("max_length", max_length), ("limit", limit)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise HeronValueError(Errors.E516.format(name=name, value=value, expected="an int >= 0"))
        self.path = Path(path)
        self.files = walk_corpus(self.path)  # fail at config time, not hours later
        self.gold_preproc = gold_preproc
        self.max_length = max_length
        self.limit = limit
        self.shuffle = shuffle
        self.n_skipped = 0
        self._warned = False

    def __call__(self, nlp) -> Iterator[Example]:
        self.n_skipped = 0
        docs: Iterable[Tuple[Doc, bool]] = self._read(nlp.vocab)
        if self.shuffle:
            shuffled = list(docs)
            random.shuffle(shuffled)
            docs = shuffled
        if self.gold_preproc:
            yield from self._gold_preproc_examples(doc for doc, _ in docs)
        else:
            yield from self._examples(nlp, docs)
        if self.n_skipped and not self._warned:
            self._warned = True
            warn(Warnings.W501.format(n=self.n_skipped, path=self.path, max_length=self.max_length))

    def read_docs(self, vocab) -> Iterator[Doc]:
        """The gold Docs, file by file, up to `limit` (0 = all)."""
        return (doc for doc, _ in self._read(vocab))

    def _read(self, vocab) -> Iterator[Tuple[Doc, bool]]:
        """(gold Doc, spaces unknown) pairs, file by file, up to `limit` (0 = all)."""
        n = 0
        for file in self.files:
            for pair in read_docbin(file, vocab):
                if self.limit and n >= self.limit:
                    return
                n += 1
                yield pair

    def _pieces(self, reference: Doc) -> Iterable[Doc]:
        """The Doc, or its sentences if it is longer than max_length (others skipped)."""
        if not len(reference):
            return []
        if not self.max_length or len(reference) <= self.max_length:
            return [reference]
        if not reference.has_annotation("SENT_START"):
            self.n_skipped += 1
            return []
        out = []
        for sent in reference.sents:
            if len(sent) <= self.max_length:
                out.append(sent.as_doc())
            else:
                self.n_skipped += 1
        return out

    def _examples(self, nlp, docs: Iterable[Tuple[Doc, bool]]) -> Iterator[Example]:
        for reference, unknown_spaces in docs:
            for piece in self._pieces(reference):
                if unknown_spaces:  # the text is made up: predict on the gold tokens (spaCy does)
                    yield Example(Doc._from_words_fast(piece.vocab, piece.words, piece.spaces), piece)
                else:
                    yield Example(nlp.make_doc(piece.text), piece)

    def _gold_preproc_examples(self, docs: Iterable[Doc]) -> Iterator[Example]:
        for reference in docs:
            sents = [s.as_doc() for s in reference.sents] if reference.has_annotation("SENT_START") else [reference]
            for sent in sents:
                for piece in self._pieces(sent):
                    predicted = Doc._from_words_fast(piece.vocab, piece.words, piece.spaces)
                    yield Example(predicted, piece)

    def __repr__(self) -> str:
        return f"<heron Corpus {self.path} ({len(self.files)} file(s))>"


def read_examples(corpus: Callable[[Any], Iterable[Example]], nlp: Any, *, key: str, role: str,
                  keep: bool = True) -> List[Example]:
    """Every Example of `corpus`, read now, so that a broken or empty corpus stops a run
    before it writes anything (not at the first evaluation, hours in).

    key: the config block, e.g. "corpora.dev", named in the errors. role: what an empty
    corpus prevents ("there is nothing to train on"). keep=False reads the corpus once to
    check it and returns [] (a streamed training corpus that needn't fit in memory).
    """
    examples: List[Example] = []
    for eg in checked_examples(corpus, nlp, key=key, role=role):
        if keep:
            examples.append(eg)
    return examples


def checked_examples(corpus: Callable[[Any], Iterable[Example]], nlp: Any, *, key: str, role: str
                     ) -> Iterator[Example]:
    """`corpus(nlp)`, raising E517 if it ends without an Example and E518 if reading
    fails with a non-heron error (heron's own, e.g. a DocBin's, name the file already)."""
    n = 0
    try:
        for eg in corpus(nlp):
            n += 1
            yield eg
    except HeronError:
        raise
    except Exception as e:  # a custom reader or the file system failed: name the corpus
        detail = f"{type(e).__name__}: {e}"
        raise HeronValueError(Errors.E518.format(key=key, corpus=corpus, detail=detail)) from e
    if not n:
        raise HeronValueError(Errors.E517.format(key=key, corpus=corpus, role=role))


@registry.readers("heron.Corpus.v1")
def create_docbin_reader(*, path: Optional[str], gold_preproc: bool = False, max_length: int = 0,
                         limit: int = 0, shuffle: bool = False) -> Corpus:
    """Read Examples from a DocBin file (`.heron`, written by `heron convert`, or spaCy's `.spacy`) or a folder.

    gold_preproc: predict on the gold tokens (split into gold sentences) instead of
        heron's tokenizer; scores then ignore tokenization errors (not what users
        will see), so keep False unless comparing with gold-tokenized results.
    max_length: Docs with more tokens are split into their sentences, and sentences
        still longer are skipped (a warning says how many); 0 = no limit. 100-500
        keeps memory per batch in check on long documents.
    limit: read at most this many Docs (0 = all); handy for quick experiments.
    shuffle: shuffle the Docs on every pass (the training loop shuffles anyway).
    """
    return Corpus(path, gold_preproc=gold_preproc, max_length=max_length, limit=limit, shuffle=shuffle)


__all__ = ["Corpus", "create_docbin_reader", "walk_corpus", "read_docbin", "read_examples", "checked_examples",
           "FILE_SUFFIX", "CORPUS_SUFFIXES"]
