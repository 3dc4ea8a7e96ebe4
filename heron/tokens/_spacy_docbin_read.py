"""SpacyDocBin.get_docs: heron Docs from a `.spacy` file's spaCy IDs (see spacy_docbin.py).

Every string ID is looked up in the file's strings list (hashed with spaCy's
MurmurHash64A to pair each string with its ID) or, below 457, in spaCy's symbol table,
then added to the heron vocab, whose own hash goes into the Doc's column. Numbers that
are not strings (relative heads, IOB codes, sentence starts) are copied, after a range
check. A Doc that can't be rebuilt raises E523 naming the file and the Doc's index.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator

import numpy as np

from ..errors import Errors, HeronError, HeronValueError, Warnings, warn
from . import _spacy_docbin_format as fmt
from ._spacy_hash import spacy_string_ids
from ._spacy_span_groups import translate_span_groups
from ._spacy_symbols import SYMBOL_IDS, SYMBOLS
from .attrs import IDS
from .doc import Doc
from .vocab import Vocab

if TYPE_CHECKING:
    from .spacy_docbin import SpacyDocBin

# Columns heron keeps (and how): string IDs are translated, the others copied.
_STRINGS = ("NORM", "LEMMA", "POS", "TAG", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID", "MORPH")
_NUMBERS = ("HEAD", "ENT_IOB", "SENT_START")
_ORTH = SYMBOL_IDS["ORTH"]


class DocReader:
    """Turns the stored spaCy IDs of one SpacyDocBin into heron Docs of `vocab`."""

    def __init__(self, docbin: "SpacyDocBin", vocab: Vocab):
        self.docbin = docbin
        self.vocab = vocab
        self.source = docbin._source
        strings = sorted(docbin.strings)
        self.by_id: Dict[int, str] = dict(zip(spacy_string_ids(strings).tolist(), strings))
        for string in strings:
            vocab.strings.add(string)
        self.memo: Dict[int, int] = {0: 0}  # spaCy ID -> heron hash
        names = [SYMBOLS[a] if 0 <= a < len(SYMBOLS) else "" for a in docbin.attrs]
        self.orth = docbin.attrs.index(_ORTH)
        self.columns = [(j, name) for j, name in enumerate(names) if name in _STRINGS or name in _NUMBERS]
        self.warned = False

    def docs(self) -> Iterator[Doc]:
        b = self.docbin
        for i, (tokens, spaces, cats, flags, groups, user_data) in enumerate(zip(
                b.tokens, b.spaces, b.cats, b.flags, b.span_groups, b.user_data)):
            try:
                doc = self._doc(tokens, spaces, flags, groups, f"{self.source}, doc {i}")
                doc.cats = dict(cats)
            except (HeronError, TypeError, ValueError) as e:  # a corrupt, hand-edited or foreign file
                raise HeronValueError(Errors.E523.format(source=self.source, i=i, err=e)) from None
            if user_data:
                doc.user_data = self._user_data(user_data, i)
            yield doc

    def _doc(self, tokens: np.ndarray, spaces: np.ndarray, flags: dict, groups: bytes, where: str) -> Doc:
        words = [self._text(key, "ORTH") for key in tokens[:, self.orth].tolist()]
        if not all(words):
            raise HeronValueError(f"token {words.index('')} has no text (ORTH = 0)")
        # spaCy's Doc(words, spaces=None): a space after every token
        space_list = [True] * len(words) if flags.get("has_unknown_spaces") else spaces.astype(bool).tolist()
        doc = Doc._from_words_fast(self.vocab, words, space_list)
        if self.columns:
            values = np.zeros((len(words), len(self.columns)), dtype=np.uint64)
            for k, (j, name) in enumerate(self.columns):
                values[:, k] = self._column(tokens[:, j], name)
            doc.from_array([IDS[name] for _, name in self.columns], values)
        if groups:
            data = translate_span_groups(groups, self._span_key, where)
            doc.spans.from_bytes(data, source=where)
        return doc

    def _column(self, column: np.ndarray, name: str) -> np.ndarray:
        if name in _STRINGS:
            uniques, inverse = np.unique(column, return_inverse=True)
            hashes = np.array([self._hash(key, name) for key in uniques.tolist()], dtype=np.uint64)
            return hashes[inverse.reshape(-1)]
        signed = column.view(np.int64)
        bad = (signed < 0) | (signed > 3) if name == "ENT_IOB" else \
            (signed < -1) | (signed > 1) if name == "SENT_START" else \
            (signed < -(1 << 31)) | (signed >= 1 << 31)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise HeronValueError(f"token {i} has {name} = {int(signed[i])}, outside spaCy's range for {name}")
        return column

    def _text(self, key: int, what: str) -> str:
        if key < len(SYMBOLS):
            return SYMBOLS[key]
        text = self.by_id.get(key)
        if text is None:
            raise HeronValueError(f"the {what} ID {key} is neither a spaCy symbol nor the hash of a string "
                                  "in the file's strings list")
        return text

    def _hash(self, key: int, what: str) -> int:
        value = self.memo.get(key)
        if value is None:
            value = self.memo[key] = self.vocab.strings.add(self._text(key, what))
        return value

    def _span_key(self, key: int, what: str) -> int:
        return self._hash(key, f"span {what}")

    def _user_data(self, data: bytes, i: int) -> dict:
        """Plain msgpack entries of doc.user_data; anything else skipped with W520 (once per read)."""
        try:
            msg = fmt.unpack_user_data(data)
        except Exception as e:  # noqa: BLE001  (msgpack raises many types on foreign bytes)
            self._skip(i, "(all)", f"not msgpack: {type(e).__name__}")
            return {}
        if not isinstance(msg, dict):
            self._skip(i, "(all)", f"a {type(msg).__name__}, not a map")
            return {}
        out = {}
        for key, value in msg.items():
            if fmt.is_plain(key) and fmt.is_plain(value):
                out[key] = _lists(value)
            else:
                self._skip(i, key, f"a {type(value).__name__} value or key, not plain msgpack data")
        return out

    def _skip(self, i: int, key: object, why: str) -> None:
        if not self.warned:
            self.warned = True
            warn(Warnings.W520.format(source=self.source, i=i, key=key, why=why))


def _lists(value: Any) -> Any:
    """Arrays read as tuples (so map keys are hashable) become lists again inside values."""
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


__all__ = ["DocReader"]
