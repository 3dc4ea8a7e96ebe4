"""Docs -> CoNLL-U text: the inverse of the CoNLL-U reader (conllu.py).

    text = docs_to_conllu(docs)            # or ConlluWriter() + .add(doc) per Doc

Each Doc starts with `# newdoc`; each sentence (`doc.sents` when the Doc has sentence
boundaries, else the whole Doc) gets `# sent_id = N` (numbered from 1 across the
output) and `# text = ...`, then one line per word:

    ID     1, 2, ... per sentence; a multi-word token recorded by the reader in
           doc.user_data["conllu_mwt"] gets its range line "3-4 don't" back
    FORM   token.text
    LEMMA  token.lemma_                   UPOS  token.pos_
    XPOS   token.tag_, or "_" in a Doc where every tag equals the POS (the reader
           puts UPOS in tag_ when XPOS is "_", so that is what such a Doc came from)
    FEATS  token.morph, in UD's order: features sorted by name, case-insensitively
           ("Number=Sing|NumType=Card"), values too; names UD doesn't know are kept
    HEAD   the head's ID, 0 for a sentence root; "_" for a token with neither a head
           nor a label (so "0" with DEPREL "_" comes back as "_", except in a sentence
           without any label: an unlabelled tree keeps its roots)
    DEPREL token.dep_, "ROOT" written as UD's "root"
    DEPS   "_" (enhanced dependencies are not kept by the reader)
    MISC   SpaceAfter=No when no whitespace follows the token (not after a Doc's last
           token: the text ends there), NER=B-PER / NER=O per word in a sentence with
           entity annotation (the reader's NER= items)

"_" marks every missing value. Reading the output back gives the same Doc (words,
spaces, tags, POS, lemmas, features, heads, labels, sentences, entities, multi-word
tokens), and CoNLL-U -> Doc -> CoNLL-U keeps the columns ID to DEPREL and the
multi-word token lines of a UD file. Not kept: other comments (sent_id is renumbered),
DEPS, MISC items other than SpaceAfter/NER, and empty nodes ("8.1"), which the reader
skips. A `# newdoc` is written per Doc, so read CoNLL-U with n_sents=0 to keep its
documents.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, List, Sequence, Tuple

from ...errors import Errors, HeronValueError, Warnings, warn
from ._common import MWT_KEY

if TYPE_CHECKING:  # pragma: no cover
    from ...tokens import Doc

_FORBIDDEN = ("\t", "\n", "\r")


def docs_to_conllu(docs: Iterable["Doc"]) -> str:
    """CoNLL-U text for `docs` (see the module docstring for the columns).

    RAISES HeronValueError: E427 for a head outside its token's sentence, E428 for a
        value holding a tab or a line break.
    """
    return ConlluWriter(docs).to_text()


class ConlluWriter:
    """Collects CoNLL-U text Doc by Doc, like DocBin collects binary Docs.

    docs (Iterable[Doc]): Docs to add straight away. An empty Doc is skipped (CoNLL-U
        has no empty sentences).
    """

    def __init__(self, docs: Iterable["Doc"] = ()):
        self.chunks: List[str] = []
        self.n_docs = 0  # Docs added, empty ones included (named in errors)
        self.n_sents = 0
        for doc in docs:
            self.add(doc)

    def __len__(self) -> int:
        return len(self.chunks)

    def add(self, doc: "Doc") -> None:
        """Append `doc` (E427/E428, naming the Doc's index among those added, if it can't be written)."""
        self.n_docs += 1
        if len(doc) == 0:
            return
        lines = ["# newdoc"]
        mwts = _mwts_of(doc)
        # XPOS: the reader puts UPOS in tag_ when XPOS is "_"; a Doc whose tags all
        # equal its POS came from such a file (or has no tags), so writes "_".
        xpos = any(t.tag_ and t.tag_ != t.pos_ for t in doc)
        for start, end in _sentence_bounds(doc):
            self.n_sents += 1
            lines.extend(_sentence_lines(doc, self.n_docs - 1, start, end, self.n_sents, mwts, xpos))
            lines.append("")  # a blank line ends each sentence
        self.chunks.append("\n".join(lines) + "\n")

    def to_text(self) -> str:
        return "".join(self.chunks)

    def to_bytes(self) -> bytes:
        return self.to_text().encode("utf8")


def _sentence_bounds(doc: "Doc") -> List[Tuple[int, int]]:
    if not doc.has_annotation("SENT_START"):
        return [(0, len(doc))]
    return [(sent.start, sent.end) for sent in doc.sents]


def _mwts_of(doc: "Doc") -> dict:
    """{start: (end, form)} of the recorded multi-word tokens that still fit the Doc."""
    records = doc.user_data.get(MWT_KEY) if doc.user_data else None
    if not records:
        return {}
    out: dict = {}
    last_end = 0
    bad = 0
    for record in records:
        ok = (isinstance(record, (list, tuple)) and len(record) == 3
              and all(isinstance(v, int) and not isinstance(v, bool) for v in record[:2])
              and isinstance(record[2], str) and record[2] and not any(c in record[2] for c in _FORBIDDEN))
        if ok:
            start, end, form = record
            ok = last_end <= start < end <= len(doc) and not any(doc[j].is_sent_start for j in range(start + 1, end))
        if not ok:
            bad += 1
            continue
        out[start] = (end, form)
        last_end = end
    if bad:
        warn(Warnings.W404.format(n=bad, key=MWT_KEY, n_tokens=len(doc)))
    return out


def _sentence_lines(doc: "Doc", doc_no: int, start: int, end: int, sent_id: int, mwts: dict,
                    xpos: bool) -> List[str]:
    tokens = [doc[i] for i in range(start, end)]
    # Roots without a label are written 0 only in an unlabelled tree (no labels, some arcs).
    unlabelled_tree = not any(t.dep_ for t in tokens) and any(t.head.i != t.i for t in tokens)
    has_ner = any(t.ent_iob_ for t in tokens)
    last = len(doc) - 1
    text: List[str] = []
    i = start
    while i < end:  # the text comment: surface tokens (multi-word tokens as one)
        if i in mwts:
            mwt_end, form = mwts[i]
            text.append(form + doc[mwt_end - 1].whitespace_)
            i = mwt_end
        else:
            text.append(doc[i].text + doc[i].whitespace_)
            i += 1
    lines = [f"# sent_id = {sent_id}", "# text = " + _clean("".join(text).rstrip(), doc_no, start, "text")]
    mwt_end = 0
    for token in tokens:
        i = token.i
        n = i - start + 1
        if i in mwts:
            mwt_end, form = mwts[i]
            space = "SpaceAfter=No" if not doc[mwt_end - 1].whitespace_ and mwt_end - 1 != last else "_"
            lines.append(f"{n}-{mwt_end - start}\t{form}\t_\t_\t_\t_\t_\t_\t_\t{space}")
        misc = []
        if has_ner and token.ent_iob_:
            misc.append("NER=" + (token.ent_iob_ if token.ent_iob_ == "O" else f"{token.ent_iob_}-{token.ent_type_}"))
        if not token.whitespace_ and i != last and i >= mwt_end:
            misc.append("SpaceAfter=No")
        lines.append("\t".join([
            str(n), _clean(token.text, doc_no, i, "FORM"), _value(token.lemma_, doc_no, i, "LEMMA"),
            _value(token.pos_, doc_no, i, "UPOS"), _value(token.tag_ if xpos else "", doc_no, i, "XPOS"),
            _clean(ud_feats(str(token.morph)), doc_no, i, "FEATS"), _head(token, doc_no, start, end, unlabelled_tree),
            "root" if token.dep_ == "ROOT" else _value(token.dep_, doc_no, i, "DEPREL"),
            "_", "|".join(misc) or "_",
        ]))
    return lines


def _head(token, doc_no: int, start: int, end: int, unlabelled_tree: bool) -> str:
    head = token.head.i
    if head == token.i:  # a root, or no head annotated
        return "0" if token.dep_ or unlabelled_tree else "_"
    if not start <= head < end:
        raise HeronValueError(Errors.E427.format(doc=doc_no, i=token.i, text=token.text, head=head,
                                                 start=start, end=end))
    return str(head - start + 1)


def _value(value: str, doc_no: int, i: int, column: str) -> str:
    return _clean(value, doc_no, i, column) if value else "_"


def _clean(value: str, doc_no: int, i: int, column: str) -> str:
    if any(c in value for c in _FORBIDDEN):
        raise HeronValueError(Errors.E428.format(column=column, doc=doc_no, i=i, value=value))
    return value


def ud_feats(feats: str) -> str:
    """A FEATS string in UD's canonical order: features (and the values of each) sorted
    case-insensitively, e.g. "NumType=Card|Number=Plur" -> "Number=Plur|NumType=Card".
    "" or "_" give "_"."""
    if not feats or feats == "_":
        return "_"
    parts = []
    for feat in feats.split("|"):
        name, _, values = feat.partition("=")
        parts.append(f"{name}={','.join(_sorted_ci(values.split(',')))}")
    return "|".join(_sorted_ci(parts))


def _sorted_ci(items: Sequence[str]) -> List[str]:
    return sorted(items, key=lambda s: (s.lower(), s))


__all__ = ["ConlluWriter", "docs_to_conllu", "ud_feats"]
