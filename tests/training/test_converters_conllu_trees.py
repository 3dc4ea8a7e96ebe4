"""CoNLL-U heads and labels through multi-word tokens, empty nodes, roots and grouping.

Every expectation here (but the missing HEAD '_') was also what spaCy 3.8's conllu
converter gives for the same lines, apart from the trailing space spaCy leaves on a
Doc's last token.
"""
from typer.testing import CliRunner

import heron.cli.convert  # noqa: F401  (registers the command)
from heron.cli._app import app
from heron.tokens import DocBin, Vocab
from heron.training.converters import conllu_to_docs


def line(i, form, head="_", dep="_", misc="_"):
    return "\t".join([str(i), form, form.lower(), "X", "_", "_", str(head), dep, "_", misc])


# 1: an MWT holding the root ("Vámonos" = Vamos + nos) and one whose words both attach
#    to a later word ("al" = a + el)
SENT_1 = [line("1-2", "Vámonos"), line(1, "Vamos", 0, "root"), line(2, "nos", 1, "obj"),
          line("3-4", "al"), line(3, "a", 5, "case"), line(4, "el", 5, "det"),
          line(5, "mar", 1, "obl", "SpaceAfter=No"), line(6, ".", 1, "punct")]
# 2: a word attached to the second piece of an MWT ("w" -> "y"), and an empty node (2.1)
#    between the pieces, with its enhanced head in DEPS
SENT_2 = [line(1, "p", 4, "dep"), line("2-3", "xy"), line(2, "x", 4, "dep"),
          "\t".join(["2.1", "e", "e", "X", "_", "_", "_", "_", "2:dep", "_"]),
          line(3, "y", 2, "dep"), line(4, "z", 0, "root"), line(5, "w", 3, "dep")]
# 3: one word
SENT_3 = [line(1, "Hi", 0, "root")]
TEXT = "\n\n".join("\n".join(s) for s in (SENT_1, SENT_2, SENT_3)) + "\n"


def trees(doc):
    return [t.text for t in doc], [t.head.i for t in doc], [t.dep_ for t in doc]


def test_words_keep_their_heads_and_the_empty_node_is_skipped():
    doc1, doc2, doc3 = conllu_to_docs(TEXT, n_sents=1)
    assert trees(doc1) == (["Vamos", "nos", "a", "el", "mar", "."], [0, 0, 4, 4, 0, 0],
                           ["ROOT", "obj", "case", "det", "obl", "punct"])
    assert trees(doc2) == (["p", "x", "y", "z", "w"], [3, 3, 1, 3, 2], ["dep"] * 3 + ["ROOT", "dep"])
    assert trees(doc3) == (["Hi"], [0], ["ROOT"])


def test_root_is_its_own_head_labelled_ROOT_like_spacy():
    for doc in conllu_to_docs(TEXT, n_sents=1):
        roots = [t.i for t in doc if t.head.i == t.i]
        assert len(roots) == 1 and doc[roots[0]].dep_ == "ROOT"
    other_label = "\n".join([line(1, "a", 0, "ROOT"), line(2, "b", 1, "dep")]) + "\n"
    assert trees(next(conllu_to_docs(other_label)))[2] == ["ROOT", "dep"]


def test_merge_subtokens_reindexes_heads():
    doc1, doc2, _ = conllu_to_docs(TEXT, n_sents=1, merge_subtokens=True)
    # the merged token takes the head and label of its word whose head lies outside it
    assert trees(doc1) == (["Vámonos", "al", "mar", "."], [0, 2, 0, 0], ["ROOT", "case", "obl", "punct"])
    assert doc1.text == "Vámonos al mar."
    # "w" pointed at "y", the second piece of "xy": it now points at "xy"
    assert trees(doc2) == (["p", "xy", "z", "w"], [2, 2, 2, 1], ["dep", "dep", "ROOT", "dep"])


def test_grouped_sentences_keep_heads_inside_their_sentence():
    for merge, lengths in ((False, [6, 5]), (True, [4, 4])):
        doc, last = conllu_to_docs(TEXT, n_sents=2, merge_subtokens=merge)
        sents = list(doc.sents)
        assert [len(s) for s in sents] == lengths and len(last) == 1
        for sent in sents:
            assert all(sent.start <= t.head.i < sent.end for t in sent)
            assert sum(t.head.i == t.i for t in sent) == 1
        alone = list(conllu_to_docs(TEXT, n_sents=1, merge_subtokens=merge))[1]
        assert [t.head.i - lengths[0] for t in sents[1]] == [t.head.i for t in alone]


def test_missing_head_has_no_label():
    # HEAD '_': unknown, so training treats it as missing (spaCy gives it no label either)
    doc = next(conllu_to_docs("\n".join([line(1, "a", 0, "root"), line(2, "b")]) + "\n"))
    assert doc[1].dep_ == "" and doc[0].dep_ == "ROOT"


def test_convert_cli_keeps_trees(tmp_path):
    src = tmp_path / "trees.conllu"
    src.write_text(TEXT, encoding="utf8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["convert", str(src), str(out), "--n-sents", "2", "--merge-subtokens"])
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(out / "trees.heron").get_docs(Vocab()))
    assert [trees(d)[1] for d in docs] == [[0, 2, 0, 0, 6, 6, 6, 5], [0]]
    assert [t.dep_ for t in docs[0]] == ["ROOT", "case", "obl", "punct", "dep", "dep", "ROOT", "dep"]
