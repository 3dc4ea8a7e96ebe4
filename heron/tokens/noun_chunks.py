"""Noun chunks (base noun phrases) from a dependency parse: spaCy's English rules.

`doc.noun_chunks` calls `doc.vocab.get_noun_chunks`, which defaults to the iterator that
`SYNTAX_ITERATORS` holds for the vocab's language (set `vocab.get_noun_chunks = fn` for
another language; fn(doc) yields (start, end, label hash)).

The English rule (spaCy's `spacy/lang/en/syntax_iterators.py`): every NOUN, PROPN or PRON
whose arc label marks a noun phrase (subject, object, prepositional object, ..., or root),
or that is a conjunct of one, ends a chunk that starts at its left edge; a chunk is skipped
when it would overlap the previous one, so chunks never nest.

spaCy writes that rule for ClearNLP labels (nsubj, dobj, pobj, ...: its English models').
Universal Dependencies trees (UD English-EWT: nsubj, obj, obl, ...) attach function words
to the content word instead: a preposition is the noun's `case` child, a copula and the
subject hang off a predicate nominal, `New York` is `New` plus a `flat` child. Read with
the ClearNLP rule those trees would give "in the house" or "He is a doctor" as chunks. So
a Doc whose trees are UD (a UD-only label: obj, obl, cop, nsubj:pass, ...; or UD's
attachment of `case`, `cc` and separating commas to the word after them) gets the same
rule with UD's labels, a left edge that stops at clause-level and function children
(case, cc, punct, cop, nsubj, ...) and a right end that takes in flat/fixed children: the
chunks the ClearNLP tree of the same sentence gives. On UD English-EWT dev (1,500
sentences, gold UD trees) these agree with spaCy 3.8's en_core_web_sm chunks from its own
parse at F 0.91 (the unadapted rule: 0.46); most of the rest are parse differences.
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from ..errors import Errors, HeronValueError
from . import _tree
from .attrs import DEP, POS
from .strings import get_string_id

NounChunksIterator = Callable[..., Iterator[tuple[int, int, int]]]

CLEARNLP_NP_LABELS = ("oprd", "nsubj", "dobj", "nsubjpass", "pcomp", "pobj", "dative", "appos", "attr", "ROOT")
# The UD counterpart of each ClearNLP label above: dobj -> obj, nsubjpass -> nsubj:pass,
# dative -> iobj, pobj/pcomp -> obl/nmod (and obl's argument subtypes), oprd/attr -> xcomp
# (attr of "be" is the root itself in UD). Temporal/adverbial nominals (obl:tmod,
# obl:npmod, nmod:tmod, ...) are ClearNLP's npadvmod, which is no chunk label either.
UD_NP_LABELS = ("nsubj", "nsubj:pass", "obj", "iobj", "obl", "obl:agent", "obl:arg", "nmod", "xcomp",
                "appos", "root", "ROOT")
# Labels ClearNLP never uses: one of them in a Doc means its trees are UD.
UD_ONLY_LABELS = ("obj", "iobj", "obl", "cop", "flat", "fixed", "goeswith", "orphan", "reparandum", "list",
                  "dislocated", "vocative", "clf", "root")
# Left children of a UD noun that belong to the clause or to a function word, not to the
# noun phrase: the chunk starts right of the nearest one.
UD_OUTSIDE_CHUNK = ("case", "cc", "punct", "mark", "cop", "aux", "aux:pass", "nsubj", "nsubj:pass", "csubj",
                    "csubj:pass", "expl", "obl", "obl:tmod", "obl:npmod", "advcl", "discourse", "vocative",
                    "dislocated", "parataxis", "iobj", "obj", "ccomp", "xcomp")
# Right children that UD uses for the rest of a name or fixed expression ("New" -> "York").
UD_NAME_TAIL = ("flat", "flat:name", "flat:foreign", "fixed", "goeswith")
_NOMINAL_POS = ("NOUN", "PROPN", "PRON")


def _hashes(labels) -> np.ndarray:
    return np.array([get_string_id(label) for label in labels], dtype=np.uint64)


_CLEARNLP_NP, _UD_NP, _UD_ONLY = _hashes(CLEARNLP_NP_LABELS), _hashes(UD_NP_LABELS), _hashes(UD_ONLY_LABELS)
_NOMINAL = _hashes(_NOMINAL_POS)
_UD_OUTSIDE, _UD_TAIL = frozenset(_hashes(UD_OUTSIDE_CHUNK).tolist()), frozenset(_hashes(UD_NAME_TAIL).tolist())
_CONJ, _CC, _CASE, _PUNCT = (get_string_id(label) for label in ("conj", "cc", "case", "punct"))
_JOINED = _hashes(("conj", "appos"))
_SEPARATORS = frozenset((",", ";", ":", "-", "--", "–", "—"))


def _is_ud(doc, deps: np.ndarray, heads: np.ndarray) -> bool:
    """Whether the trees are UD's: a UD-only or subtyped label ("nsubj:pass"), or a UD
    attachment: a `case` word before its head (ClearNLP's case is a possessive 's after
    it), a `cc` or separating comma before the conjunct or apposition it hangs from
    (ClearNLP hangs them from the word before)."""
    labels = np.unique(deps)
    if np.isin(labels, _UD_ONLY).any():
        return True
    strings = doc.vocab.strings
    if any(":" in strings[key] for key in labels.tolist() if key and key in strings):
        return True
    ahead = heads > np.arange(len(heads))
    if (ahead & (deps == _CASE)).any():
        return True
    joined = ahead & np.isin(deps[heads], _JOINED)
    if (joined & (deps == _CC)).any():
        return True
    separators = [i for i in np.flatnonzero(joined & (deps == _PUNCT)).tolist() if doc._words[i] in _SEPARATORS]
    return bool(separators)


def english_noun_chunks(doclike) -> Iterator[tuple[int, int, int]]:
    """(start, end, label) of each noun chunk of a Doc or Span; E060 without a parse."""
    doc = getattr(doclike, "doc", doclike)
    start, end = (doclike.start, doclike.end) if doc is not doclike else (0, len(doc))
    if not doc.has_annotation("DEP"):
        raise HeronValueError(Errors.E060)
    deps = doc._cols[DEP]
    pos = doc._cols.get(POS)
    if pos is None or start == end:
        return
    tree = _tree.tree_of(doc)
    ud = _is_ud(doc, deps, tree.heads)
    np_deps = _UD_NP if ud else _CLEARNLP_NP
    span_deps, span_pos = deps[start:end], pos[start:end]
    candidates = np.isin(span_pos, _NOMINAL) & (np.isin(span_deps, np_deps) | (span_deps == _CONJ))
    heads = tree.heads_list()
    dep_list = deps.tolist()
    np_set = set(np_deps.tolist())
    label = doc.vocab.strings.add("NP")
    prev_end = -1
    for i in (start + np.flatnonzero(candidates)).tolist():
        left = _ud_left(tree, dep_list, i) if ud else int(tree.l_edge[i])
        if left <= prev_end:  # chunks never nest or overlap
            continue
        if dep_list[i] not in np_set:  # a conjunct: a chunk if its first conjunct is one
            head = heads[i]
            while dep_list[head] == _CONJ and heads[head] < head:
                head = heads[head]
            if dep_list[head] not in np_set:
                continue
        last = _ud_right(tree, dep_list, i) if ud else i
        prev_end = last
        yield left, last + 1, label


def _ud_left(tree, deps: list, i: int) -> int:
    """Left end of a UD noun's chunk: its subtree up to the nearest clause/function child."""
    lefts = tree.children(i)[:tree.n_lefts[i]].tolist()
    left = i
    for child in reversed(lefts):  # nearest first
        if deps[child] in _UD_OUTSIDE:
            break
        left = min(left, int(tree.l_edge[child]))
    return left


def _ud_right(tree, deps: list, i: int) -> int:
    """Right end of a UD noun's chunk: the noun, plus the flat/fixed children right after it."""
    last = i
    for child in tree.children(i)[tree.n_lefts[i]:].tolist():
        if deps[child] not in _UD_TAIL:
            break
        last = max(last, int(tree.r_edge[child]))
    return last


SYNTAX_ITERATORS: dict[str, NounChunksIterator] = {"en": english_noun_chunks}
