"""spaCy's `.spacy` DocBins in the CLI: `heron convert` both ways, `heron train` and
`heron evaluate` on `.spacy` files and folders, and the corpus reader's handling of
spaCy's has_unknown_spaces flag. All data is made up here.
"""
import json

import pytest
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers the commands)
from heron.cli._app import app
from heron.tokens import Doc, DocBin, Span
from heron.tokens.spacy_docbin import SpacyDocBin
from heron.training.corpus import Corpus

from fakes import TINY_TAGGER_TRAIN_CONFIG

runner = CliRunner()

CONLLU = "\n".join([
    "# text = We don't mind.",
    "1\tWe\twe\tPRON\tPRP\tCase=Nom|Number=Plur\t4\tnsubj\t_\t_",
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
    "2\tdo\tdo\tAUX\tVBP\tMood=Ind\t4\taux\t_\t_",
    "3\tn't\tnot\tPART\tRB\tPolarity=Neg\t4\tadvmod\t_\t_",
    "4\tmind\tmind\tVERB\tVB\tVerbForm=Inf\t0\troot\t_\tSpaceAfter=No",
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_",
    "",
    "# text = Birds sing",
    "1\tBirds\tbird\tNOUN\tNNS\tNumber=Plur\t2\tnsubj\t_\t_",
    "2\tsing\tsing\tVERB\tVBP\t_\t0\troot\t_\tSpaceAfter=No",
    "",
]) + "\n"


def run(*args):
    return runner.invoke(app, [*map(str, args)])


def view(doc):
    return (doc.text, [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.head.i, t.dep_, t.ent_iob_,
                        t.ent_type_, t.is_sent_start) for t in doc], doc.cats, doc.user_data,
            {k: [(s.start, s.end, s.label_) for s in g] for k, g in doc.spans.items()})


def heron_docs(path):
    return list(DocBin().from_disk(path).get_docs(heron.blank("en").vocab))


def spacy_docs(path):
    return list(SpacyDocBin().from_disk(path).get_docs(heron.blank("en").vocab))


def test_conllu_to_spacy_and_heron_hold_the_same_docs(tmp_path):
    source = tmp_path / "ud.conllu"
    source.write_text(CONLLU, encoding="utf8")
    assert run("convert", source, tmp_path / "h").exit_code == 0
    result = run("convert", source, tmp_path / "s", "--to", "spacy")
    assert result.exit_code == 0, result.output
    assert "s/ud.spacy (1 docs, 7 words)" in result.output
    from_spacy, from_heron = spacy_docs(tmp_path / "s" / "ud.spacy"), heron_docs(tmp_path / "h" / "ud.heron")
    assert [view(d) for d in from_spacy] == [view(d) for d in from_heron]
    assert from_spacy[0].user_data["conllu_mwt"]  # multi-word tokens travel in user_data, as in .heron


def test_spacy_to_heron_and_back(tmp_path):
    vocab = heron.blank("en").vocab
    doc = Doc(vocab, words=["Ada", "codes", "."], tags=["NNP", "VBZ", "."], ents=["U-PER", "O", "O"])
    doc.cats = {"TECH": 1.0}
    doc.spans["sc"] = [Span(doc, 0, 2, "CLAIM")]
    SpacyDocBin(docs=[doc]).to_disk(tmp_path / "in" / "train.spacy")
    result = run("convert", tmp_path / "in", tmp_path / "out")  # a folder: its .spacy files are the inputs
    assert result.exit_code == 0, result.output
    converted = heron_docs(tmp_path / "out" / "train.heron")
    assert [view(d) for d in converted] == [view(doc)]
    result = run("convert", tmp_path / "out" / "train.heron", tmp_path / "back", "--to", "spacy")
    assert result.exit_code == 0, result.output
    assert [view(d) for d in spacy_docs(tmp_path / "back" / "train.spacy")] == [view(doc)]
    result = run("convert", tmp_path / "in" / "train.spacy", tmp_path / "x", "--to", "spacy")
    assert result.exit_code == 1 and "E426" in result.output and "already a .spacy DocBin" in result.output


def test_unknown_spaces_warn_when_converted_to_heron(tmp_path):
    vocab = heron.blank("en").vocab
    docbin = SpacyDocBin()
    docbin.add(Doc(vocab, words=["Visit", "Lima", "!"], ents=["O", "U-LOC", "O"]), has_unknown_spaces=True)
    docbin.to_disk(tmp_path / "ner.spacy")
    result = run("convert", tmp_path / "ner.spacy", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "W521" in result.output and "1 doc(s)" in result.output


def test_corpus_predicts_unknown_space_docs_on_gold_tokens(tmp_path):
    nlp = heron.blank("en")
    docbin = SpacyDocBin()
    words = ["Don't", "stop", "!"]  # heron's tokenizer would split "Don't"
    docbin.add(Doc(nlp.vocab, words=words, tags=["VB", "VB", "."]), has_unknown_spaces=True)
    docbin.add(Doc(nlp.vocab, words=words, tags=["VB", "VB", "."]))
    docbin.to_disk(tmp_path / "mixed.spacy")
    DocBin(docs=[Doc(nlp.vocab, words=["Hi", "."], spaces=[False, False])]).to_disk(tmp_path / "more.heron")
    corpus = Corpus(tmp_path)  # a folder holding both formats
    assert [p.name for p in corpus.files] == ["mixed.spacy", "more.heron"]
    examples = list(corpus(nlp))
    assert [eg.predicted.words for eg in examples] == [words, ["Do", "n't", "stop", "!"], ["Hi", "."]]
    assert examples[0].reference.text == "Don't stop ! "


CONFIG = TINY_TAGGER_TRAIN_CONFIG + """
[training]
max_steps = 4
eval_frequency = 2

[training.optimizer]
@optimizers = "heron.Adam.v1"
learn_rate = 0.01
"""


@pytest.fixture(scope="module")
def spacy_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spacy_train")
    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=["Ada", "codes", "."], tags=["NNP", "VBZ", "."]),
            Doc(vocab, words=["Bob", "sleeps", "."], tags=["NNP", "VBZ", "."])]
    SpacyDocBin(docs=docs).to_disk(folder / "corpus" / "train.spacy")
    (folder / "config.cfg").write_text(CONFIG)
    return folder


def test_train_and_evaluate_on_spacy_files(spacy_corpus):
    folder = spacy_corpus
    train = folder / "corpus" / "train.spacy"
    result = run("train", folder / "config.cfg", "-o", folder / "out", "--paths.train", train,
                 "--paths.dev", folder / "corpus")
    assert result.exit_code == 0, result.output
    assert "TAG_ACC" in result.output and (folder / "out" / "model-best" / "config.cfg").exists()
    result = run("evaluate", folder / "out" / "model-best", train, "--output", folder / "scores.json")
    assert result.exit_code == 0, result.output
    scores = json.loads((folder / "scores.json").read_text())
    assert scores["token_acc"] == 1.0 and 0.0 <= scores["tag_acc"] <= 1.0
