"""CoNLL-U (Universal Dependencies) -> Docs.

Each sentence keeps words (syntactic words: a multi-word token "3-4 don't" becomes
its words "do" + "n't"), spaces (from `SpaceAfter=No` in MISC; inside a multi-word
token there are none, after it the range line's MISC decides), XPOS as `tag_` (UPOS
when XPOS is "_", like spaCy), UPOS as `pos_`, lemmas, FEATS as `morph`, heads
(absolute token indices; HEAD 0 makes a token its own head), deprels (`root` is
written `ROOT`, like spaCy) and sentence starts. Empty nodes ("8.1") are skipped.
Multi-word tokens are recorded in `doc.user_data["conllu_mwt"]` as [start, end, form]
(token indices, end exclusive), so `docs_to_conllu` (conllu_writer.py) writes their
range lines back; with `merge_subtokens` they are single tokens and nothing is recorded.
Named entities are read from MISC items `NER=B-PER`, `NE=B-PER`, `name=B-PER` or a
bare `B-PER`/`O`; a sentence without any such item has no NER annotation (missing,
not "O"), and in a sentence with some, words without one are "O".

The reader streams: memory use is one document, whatever the file size.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

from ...errors import DataError, Errors, HeronError, Warnings, warn
from ...tokens.attrs import UNIVERSAL_POS
from ...tokens.morphology import normalize_features
from ._common import Sentence, Source, get_vocab, group_sentences, is_tag, read_lines, sentences_to_doc, tags_to_iob2

_NER_KEYS = ("NER", "NE", "name")
_UPOS = frozenset(UNIVERSAL_POS)


def conllu_to_docs(source: Source, *, n_sents: int = 10, vocab=None,
                   merge_subtokens: bool = False, append_morphology: bool = False,
                   path: Optional[str] = None) -> Iterator["Doc"]:  # noqa: F821
    """Read CoNLL-U and yield one Doc per `n_sents` sentences.

    source: a path (streamed), a str with the file's content, or an iterable of lines.
    n_sents (int): sentences per Doc. Default 10 (spaCy's conllu converter default);
        a `# newdoc` comment always starts a new Doc; 0 keeps whole `# newdoc`
        documents (the whole file if it marks none). 1 gives sentence-level Docs,
        which train parsers/taggers less well: the model never sees cross-sentence context.
    vocab: the Vocab for the Docs (a new one by default).
    merge_subtokens (bool): keep multi-word tokens as one token (surface form, tags
        joined with "_", lemmas with " ", head/deprel of the piece whose head is outside).
    append_morphology (bool): tag_ becomes "XPOS__FEATS" (for languages whose XPOS is poor).
    path (str): the file name used in error messages when `source` is not a path.
    RAISES DataError: E410-E413 with path:line for a malformed line; nothing is yielded
        for the document being read when it happens.
    """
    vocab = get_vocab(vocab)
    name, lines = read_lines(source, path)
    stats: Dict[str, int] = {}
    sents = read_conllu_sentences(lines, name, stats=stats, merge_subtokens=merge_subtokens,
                                  append_morphology=append_morphology)
    for group in group_sentences(sents, n_sents):
        yield sentences_to_doc(vocab, group)
    if stats.get("type_o"):
        warn(Warnings.W401.format(path=name, n=stats["type_o"]))


def read_conllu_sentences(lines: Iterator[str], path: str, *, stats: Optional[dict] = None,
                          merge_subtokens: bool = False,
                          append_morphology: bool = False) -> Iterator[Sentence]:
    """Parse CoNLL-U lines into `Sentence` records (see module docstring for the mapping)."""
    reader = _SentenceReader(path, stats, merge_subtokens, append_morphology)
    doc_start = False
    for line_no, line in enumerate(lines, start=1):
        if not line or line.isspace():
            if reader.has_words:
                yield reader.finish(doc_start)
                doc_start = False
            reader.reset()
        elif line[0] == "#":
            if line.startswith("# newdoc"):
                doc_start = True
        else:
            reader.add(line, line_no)
    if reader.has_words:
        yield reader.finish(doc_start)


class _SentenceReader:
    """Accumulates the token lines of one sentence; `finish()` validates and builds it."""

    def __init__(self, path: str, stats: Optional[dict], merge_subtokens: bool,
                 append_morphology: bool):
        self.path = path
        self.stats = stats
        self.merge_subtokens = merge_subtokens
        self.append_morphology = append_morphology
        self.feats_ok = {"_"}  # FEATS strings already validated (few distinct values)
        self.reset()

    def reset(self) -> None:
        self.first_line = 0
        self.words: List[str] = []
        self.spaces: List[bool] = []
        self.lemmas: List[str] = []
        self.pos: List[str] = []
        self.tags: List[str] = []
        self.morphs: List[str] = []
        self.heads: List[Optional[int]] = []
        self.deps: List[Optional[str]] = []
        self.ner: List[Optional[str]] = []
        self.lines: List[int] = []
        # multi-word tokens: (first word index, end index exclusive, form, space after)
        self.mwts: List[Tuple[int, int, str, bool]] = []
        self.mwt_end = 0  # 1-based id of the last word of the open MWT (0: none)

    @property
    def has_words(self) -> bool:
        return bool(self.words)

    def _error(self, template: str, line_no: int, **kwargs) -> DataError:
        return DataError(template.format(path=self.path, line=line_no, **kwargs),
                         path=self.path, line=line_no)

    def add(self, line: str, line_no: int) -> None:
        parts = line.split("\t")
        if len(parts) != 10:
            raise self._error(Errors.E410, line_no, n=len(parts), found=line[:200])
        if not self.first_line:
            self.first_line = line_no
        id_, form, lemma, upos, xpos, feats, head, deprel, _deps, misc = parts
        if not id_.isdigit():
            self._add_special(id_, form, misc, line_no)
            return
        n = len(self.words) + 1
        if int(id_) != n:
            raise self._error(Errors.E411, line_no, found=id_, expected=f"word ID {n}")
        self.words.append(form)
        self.lines.append(line_no)
        space = "SpaceAfter=No" not in misc if misc != "_" else True
        if self.mwt_end:
            space = self.mwts[-1][3] if n == self.mwt_end else False
            if n == self.mwt_end:
                self.mwt_end = 0
        self.spaces.append(space)
        self.lemmas.append("" if lemma == "_" and form != "_" else lemma)
        self.pos.append("" if upos == "_" else upos)
        if upos != "_" and upos not in _UPOS:
            raise self._error(Errors.E415, line_no, column="UPOS", found=upos,
                              detail=f"expected a Universal POS tag ({', '.join(_UPOS)})")
        tag = upos if xpos == "_" else xpos
        tag = "" if tag == "_" else tag
        # FEATS "_" means "annotated, no features" (distinct from missing), so it is kept.
        if feats not in self.feats_ok:
            self._check_feats(feats, line_no)
        if self.append_morphology and feats != "_":
            tag = f"{tag}__{feats}"
        self.tags.append(tag)
        self.morphs.append(feats)
        self.heads.append(self._parse_head(head, line_no))
        self.deps.append(None if deprel == "_" else ("ROOT" if deprel == "root" else deprel))
        self.ner.append(_misc_ner(misc) if misc != "_" else None)

    def _check_feats(self, feats: str, line_no: int) -> None:
        try:
            normalize_features(feats)
        except HeronError as err:
            raise self._error(Errors.E415, line_no, column="FEATS", found=feats,
                              detail=str(err).split("] ", 1)[-1].split(" Fix:")[0]) from None
        self.feats_ok.add(feats)

    def _parse_head(self, head: str, line_no: int) -> Optional[int]:
        if head == "_":
            return None
        if not head.isdigit():
            raise self._error(Errors.E412, line_no, found=head, n="the number of words")
        value = int(head)
        # 0 = root: the token is its own head (spaCy). Range is checked in finish().
        return len(self.words) - 1 if value == 0 else value - 1

    def _add_special(self, id_: str, form: str, misc: str, line_no: int) -> None:
        if "." in id_:  # empty node of enhanced dependencies: not a surface word
            main, _, sub = id_.partition(".")
            if not (main.isdigit() and sub.isdigit()):
                raise self._error(Errors.E411, line_no, found=id_, expected="an empty node 'N.M'")
            return
        start, sep, end = id_.partition("-")
        if not (sep and start.isdigit() and end.isdigit()):
            raise self._error(Errors.E411, line_no, found=id_,
                              expected="an integer, a range 'N-M' or an empty node 'N.M'")
        a, b = int(start), int(end)
        n = len(self.words) + 1
        if a != n or b <= a or self.mwt_end:
            detail = (f"it must start at the next word ID {n}" if a != n else
                      "the end must be greater than the start" if b <= a else
                      "it overlaps the previous multi-word token")
            raise self._error(Errors.E413, line_no, found=id_, detail=detail)
        if not self.first_line:
            self.first_line = line_no
        space = "SpaceAfter=No" not in misc if misc != "_" else True
        self.mwts.append((a - 1, b, form, space))
        self.mwt_end = b

    def finish(self, doc_start: bool) -> Sentence:
        n = len(self.words)
        if self.mwt_end:
            raise self._error(Errors.E413, self.lines[-1], found=f"{self.mwts[-1][0] + 1}-{self.mwt_end}",
                              detail=f"the sentence ends after word {n}")
        for i, head in enumerate(self.heads):
            if head is not None and head >= n:
                raise self._error(Errors.E412, self.lines[i], found=str(head + 1), n=n)
        ents = None
        if any(t is not None for t in self.ner):
            tags = [t or "O" for t in self.ner]
            ents = tags_to_iob2(tags, self.lines, self.path, "MISC (NER=...)", self.stats)
        sent = Sentence(words=self.words, spaces=self.spaces, line=self.first_line,
                        end_line=self.lines[-1], path=self.path,
                        doc_start=doc_start, tags=self.tags, pos=self.pos, lemmas=self.lemmas,
                        morphs=self.morphs, heads=self.heads, deps=self.deps, ents=ents,
                        mwts=[(a, b, form) for a, b, form, _ in self.mwts] or None)
        if self.merge_subtokens and self.mwts:
            sent = merge_mwts(sent, self.mwts)
        return sent


def _misc_ner(misc: str) -> Optional[str]:
    for item in misc.split("|"):
        key, eq, value = item.partition("=")
        if eq and key in _NER_KEYS:
            return value
        if not eq and is_tag(item):
            return item
    return None


def merge_mwts(sent: Sentence, mwts: List[Tuple[int, int, str, bool]]) -> Sentence:
    """Merge each multi-word token's words into one token (spaCy's --merge-subtokens).

    The merged token takes the surface form, the head and deprel of its "root" (the
    first word whose head lies outside the range), tags joined with "_", lemmas joined
    with " ", and the union of the words' features.
    """
    n = len(sent.words)
    new_index = list(range(n))
    keep = [True] * n
    root_of: Dict[int, int] = {}
    k = 0
    span_at = {a: (a, b) for a, b, _, _ in mwts}
    i = 0
    while i < n:
        if i in span_at:
            a, b = span_at[i]
            for j in range(a, b):
                new_index[j] = k
                keep[j] = j == a
            root_of[a] = next((j for j in range(a, b) if sent.heads[j] is None
                               or not a <= sent.heads[j] < b or sent.heads[j] == j), a)
            i = b
        else:
            new_index[i] = k
            i += 1
        k += 1
    out = Sentence(words=[], spaces=[], line=sent.line, end_line=sent.end_line, path=sent.path,
                   doc_start=sent.doc_start,
                   tags=[], pos=[], lemmas=[], morphs=[], heads=[], deps=[],
                   ents=[] if sent.ents is not None else None)
    forms = {a: (b, form, space) for a, b, form, space in mwts}
    for i in range(n):
        if not keep[i]:
            continue
        if i in forms:
            b, form, space = forms[i]
            r = root_of[i]
            out.words.append(form)
            out.spaces.append(space)
            out.tags.append("_".join(sent.tags[i:b]))
            out.lemmas.append(" ".join(sent.lemmas[i:b]))
            out.morphs.append(_merge_feats(sent.morphs[i:b]))
        else:
            r = i
            out.words.append(sent.words[i])
            out.spaces.append(sent.spaces[i])
            out.tags.append(sent.tags[i])
            out.lemmas.append(sent.lemmas[i])
            out.morphs.append(sent.morphs[i])
        head = sent.heads[r]
        out.heads.append(None if head is None else new_index[head])
        out.pos.append(sent.pos[r])
        out.deps.append(sent.deps[r])
        if out.ents is not None:
            out.ents.append(sent.ents[i])
    return out


def _merge_feats(feats: List[str]) -> str:
    merged: Dict[str, set] = {}
    for f in feats:
        for feat in f.split("|"):
            field, _, values = feat.partition("=")
            if values:  # skips "_" (no features)
                merged.setdefault(field, set()).update(values.split(","))
    return "|".join(f"{k}={','.join(sorted(v))}" for k, v in sorted(merged.items())) or "_"
