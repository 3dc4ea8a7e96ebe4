"""Generated treebanks and tree checks for the parser's tests (tests/pipeline/test_parser*.py,
test_arc_eager*.py, test_nonproj.py).

A plain module like fakes.py (tests/ is on sys.path). The grammar is written here, never
taken from a corpus:

    S   -> NP V_t NP [PP] "."          (transitive: nsubj, obj)
         | NP V_i "who" V_r "."        (extraposed relative clause: NON-PROJECTIVE,
                                        relcl from the subject noun across the verb)
    NP  -> DET N [PP_n]                ("in"/"near" attach to the noun: nmod)
    PP  -> "with" DET N                (attaches to the verb: obl)

Every word class has its own words, so a small CNN learns the grammar from a few dozen
sentences; a Doc holds one or two sentences, so sentence breaks are learned too.
"""
from __future__ import annotations

import random
from typing import List, Optional, Sequence, Tuple

from heron.tokens import Doc

DETS = ["the", "a", "every", "this"]
NOUNS = ["dog", "cat", "man", "woman", "bird", "house", "girl", "tree"]
TRANSITIVE = ["saw", "liked", "chased", "found"]
INTRANSITIVE = ["arrived", "left", "slept", "stayed"]
RELATIVE = ["smiled", "laughed", "waited"]
NOUN_PREPS = ["in", "near"]

Sentence = Tuple[List[str], List[int], List[str]]  # words, absolute heads, labels


def _np(rng: random.Random, offset: int, attach_pp: bool) -> Tuple[List[str], List[int], List[str], int]:
    """DET N [in/near DET N]: (words, heads, labels, index of the noun) with heads of the
    noun left as -1 for the caller."""
    words = [rng.choice(DETS), rng.choice(NOUNS)]
    noun = offset + 1
    heads, labels = [noun, -1], ["det", ""]
    if attach_pp:
        p = offset + 2
        words += [rng.choice(NOUN_PREPS), rng.choice(DETS), rng.choice(NOUNS)]
        heads += [p + 2, p + 2, noun]
        labels += ["case", "det", "nmod"]
    return words, heads, labels, noun


def sentence(rng: random.Random, nonproj: Optional[bool] = None) -> Sentence:
    """One sentence of the grammar (heads relative to the sentence's first token)."""
    if nonproj is None:
        nonproj = rng.random() < 0.3
    words, heads, labels, subj = _np(rng, 0, rng.random() < 0.3)
    verb = len(words)
    heads[subj], labels[subj] = verb, "nsubj"
    if nonproj:
        words += [rng.choice(INTRANSITIVE), "who", rng.choice(RELATIVE)]
        heads += [verb, verb + 2, subj]
        labels += ["ROOT", "nsubj", "relcl"]
    else:
        words.append(rng.choice(TRANSITIVE))
        heads.append(verb)
        labels.append("ROOT")
        obj_words, obj_heads, obj_labels, obj = _np(rng, len(words), rng.random() < 0.3)
        obj_heads[obj - len(words)] = verb
        obj_labels[obj - len(words)] = "obj"
        words += obj_words
        heads += obj_heads
        labels += obj_labels
        if rng.random() < 0.4:
            p = len(words)
            words += ["with", rng.choice(DETS), rng.choice(NOUNS)]
            heads += [p + 2, p + 2, verb]
            labels += ["case", "det", "obl"]
    words.append(".")
    heads.append(verb)
    labels.append("punct")
    return words, heads, labels


def treebank(n_docs: int, seed: int, vocab, *, max_sents: int = 2,
             nonproj: Optional[bool] = None) -> List[Doc]:
    """`n_docs` reference Docs of 1..max_sents generated sentences each."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n_docs):
        words: List[str] = []
        heads: List[int] = []
        labels: List[str] = []
        for _ in range(rng.randint(1, max_sents)):
            w, h, d = sentence(rng, nonproj)
            heads += [len(words) + x for x in h]
            words += w
            labels += d
        docs.append(Doc(vocab, words=words, heads=heads, deps=labels))
    return docs


# ---- checks ---------------------------------------------------------------------------
def assert_well_formed(doc: Doc, preset: Optional[Sequence[Optional[bool]]] = None) -> None:
    """Every token has exactly one head inside its sentence, no cycles, one root per
    sentence (labelled ROOT), sentences cover the Doc, deps are non-empty, DEP is
    annotated, is_sent_start agrees with the trees, and `preset` sentence starts
    (True / False per token, None = free) are kept."""
    n = len(doc)
    if not n:
        return
    heads = [t.head.i for t in doc]
    assert doc.has_annotation("DEP")
    assert all(t.dep_ for t in doc), [t.dep_ for t in doc]
    assert not any("||" in t.dep_ for t in doc), [t.dep_ for t in doc]
    sents = list(doc.sents)
    assert [i for s in sents for i in range(s.start, s.end)] == list(range(n))
    starts = {s.start for s in sents}
    assert [bool(t.is_sent_start) for t in doc] == [i in starts for i in range(n)]
    for sent in sents:
        roots = [i for i in range(sent.start, sent.end) if heads[i] == i]
        assert len(roots) == 1, (sent.start, sent.end, heads)
        assert doc[roots[0]].dep_ == "ROOT"
        for i in range(sent.start, sent.end):
            assert sent.start <= heads[i] < sent.end, (i, heads[i], sent.start, sent.end)
            if heads[i] != i:
                assert doc[i].dep_ != "ROOT"
            node, steps = i, 0
            while heads[node] != node:  # no cycles: every chain reaches the root
                node, steps = heads[node], steps + 1
                assert steps <= n, ("cycle", i, heads)
    if preset is not None:
        for i, want in enumerate(preset):
            if want is not None and i > 0:
                assert bool(doc[i].is_sent_start) == want, (i, want, heads)


def uas_las(pred: Sequence[Doc], gold: Sequence[Doc]) -> Tuple[float, float]:
    total = uas = las = 0
    for p, g in zip(pred, gold):
        for tp, tg in zip(p, g):
            total += 1
            if tp.head.i == tg.head.i:
                uas += 1
                las += tp.dep_.lower() == tg.dep_.lower()
    return uas / total, las / total


def parsed_examples(nlp) -> list:
    """5 Examples with trees (the contract test's parser row: tests/pipeline/test_contract.py)."""
    from heron.training.example import Example

    return [Example(nlp.make_doc(d.text), d) for d in treebank(5, seed=11, vocab=nlp.vocab, max_sents=1)]


def parse_of(doc: Doc) -> list:
    return [(t.head.i, t.dep_) for t in doc]
