"""Trees through to_json/from_json, from_docs, Span.as_doc and DocBin."""
from heron.tokens import Doc, DocBin, Vocab

# Two sentences; the first is non-projective (hearing -> on crosses scheduled -> is).
WORDS = "A hearing is scheduled on the issue . It is late".split()
HEADS = [1, 3, 3, 3, 1, 6, 4, 3, 9, 9, 9]
DEPS = ["det", "nsubjpass", "auxpass", "ROOT", "prep", "det", "pobj", "punct", "nsubj", "ROOT", "acomp"]


def _tree(doc):
    return [(t.text, t.head.i, t.dep_) for t in doc], [s.text for s in doc.sents]


def test_json_has_spacys_head_and_dep_keys_and_round_trips():
    doc = Doc(Vocab(), WORDS, heads=HEADS, deps=DEPS)
    data = doc.to_json()
    assert [(t["head"], t["dep"]) for t in data["tokens"]] == list(zip(HEADS, DEPS))
    assert data["sents"] == [{"start": 0, "end": 37}, {"start": 38, "end": 48}]
    new = Doc.from_json(Vocab(), data)
    assert _tree(new) == _tree(doc) and [t.i for t in new[3].subtree] == [0, 1, 4, 5, 6, 2, 3, 7]
    del data["sents"]  # without sentences, they come from the trees
    sents = [s.text for s in Doc.from_json(Vocab(), data).sents]
    assert sents == ["A hearing is scheduled on the issue .", "It is late"]


def test_from_docs_keeps_trees():
    vocab = Vocab()
    first = Doc(vocab, WORDS[:8], heads=HEADS[:8], deps=DEPS[:8])
    second = Doc(vocab, WORDS[8:], heads=[h - 8 for h in HEADS[8:]], deps=DEPS[8:])
    unparsed = Doc(vocab, ["Yes", "."])
    doc = Doc.from_docs([first, second, unparsed])
    assert [t.head.i for t in doc] == HEADS + [11, 12] and [t.dep_ for t in doc] == DEPS + ["", ""]
    assert [s.text for s in doc.sents] == ["A hearing is scheduled on the issue .", "It is late", "Yes ."]
    assert doc[9].left_edge.i == 8 and doc[3].right_edge.i == 7 and [t.i for t in doc[9].children] == [8, 10]


def test_span_as_doc_and_docbin_keep_trees():
    doc = Doc(Vocab(), WORDS, heads=HEADS, deps=DEPS)
    second = doc[8:11].as_doc()
    assert [(t.head.i, t.dep_) for t in second] == [(1, "nsubj"), (1, "ROOT"), (1, "acomp")]
    part = doc[4:7].as_doc()  # "on" hung outside the span: it becomes the root
    assert [t.head.i for t in part] == [0, 2, 0] and part[0].right_edge.i == 2
    (new,) = DocBin(docs=[doc]).get_docs(Vocab())
    assert _tree(new) == _tree(doc) and new.has_annotation("DEP")
