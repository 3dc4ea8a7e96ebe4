"""`heron convert --converter textcat`: TSV/CSV/JSONL text classification data -> doc.cats."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from typer.testing import CliRunner

import heron.cli.convert  # noqa: F401  (registers the command)
from heron.cli._app import app
from heron.errors import DataError, HeronWarning
from heron.tokens import DocBin, Vocab
from heron.training.converters import CONVERTERS, textcat_to_docs

runner = CliRunner()
LABELS = "anger\ndisgust\nfear\njoy\n"
# GoEmotions' layout: text, label ids, an id column; CSV-style quotes; a quoted line break.
TSV = ('I am so happy today\t3\tid1\n'
       '"He said ""no"", twice"\t0,1\tid2\n'
       '"first line\nsecond line"\t2\tid3\n'
       '😀😀\t3\tid4\n')


def run(*args: object):
    return runner.invoke(app, ["convert", *map(str, args)])


def load(path: Path) -> List:
    return list(DocBin().from_disk(path).get_docs(Vocab()))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf8")
    return path


def test_tsv_with_label_ids_and_a_labels_file(tmp_path):
    data, labels = write(tmp_path, "train.tsv", TSV), write(tmp_path, "labels.txt", LABELS)
    result = run(data, tmp_path / "out", "--converter", "textcat", "--labels", labels)
    assert result.exit_code == 0, result.output
    docs = load(tmp_path / "out" / "train.heron")
    assert [d.text for d in docs] == ["I am so happy today", 'He said "no", twice', "first line\nsecond line",
                                      "😀😀"]
    assert docs[1].cats == {"anger": 1.0, "disgust": 1.0, "fear": 0.0, "joy": 0.0}
    assert all(sorted(d.cats) == ["anger", "disgust", "fear", "joy"] for d in docs)  # every label, always
    # .tsv is recognised without --converter.
    assert run(data, tmp_path / "auto", "--labels", labels).exit_code == 0
    assert [d.cats for d in load(tmp_path / "auto" / "train.heron")] == [d.cats for d in docs]


def test_exclusive_keeps_single_label_rows(tmp_path):
    data, labels = write(tmp_path, "train.tsv", TSV), write(tmp_path, "labels.txt", LABELS)
    result = run(data, tmp_path / "out", "--labels", labels, "--exclusive")
    assert result.exit_code == 0, result.output
    assert "W960" in result.stderr and "skipped 1 of 4" in result.stderr
    docs = load(tmp_path / "out" / "train.heron")
    assert len(docs) == 3 and all(sum(d.cats.values()) == 1.0 for d in docs)


def test_csv_with_header_and_label_names(tmp_path):
    data = write(tmp_path, "reviews.csv", 'id,labels,text\n1,POS,"Great, really great"\n2,"NEG,RUDE",awful\n3,,meh\n')
    result = run(data, tmp_path / "out")
    assert result.exit_code == 0, result.output
    docs = load(tmp_path / "out" / "reviews.heron")
    assert [d.text for d in docs] == ["Great, really great", "awful", "meh"]
    assert [d.cats for d in docs] == [{"NEG": 0.0, "POS": 1.0, "RUDE": 0.0}, {"NEG": 1.0, "POS": 0.0, "RUDE": 1.0},
                                      {"NEG": 0.0, "POS": 0.0, "RUDE": 0.0}]


def test_jsonl_cats_and_labels(tmp_path):
    data = write(tmp_path, "data.jsonl", '{"text": "so happy", "cats": {"joy": 1, "anger": 0}}\n\n'
                                         '{"text": "grr", "labels": ["anger"]}\n'
                                         '{"text": "skip me", "labels": ["joy"], "answer": "reject"}\n')
    result = run(data, tmp_path / "out", "-c", "textcat")
    assert result.exit_code == 0, result.output
    assert [(d.text, d.cats) for d in load(tmp_path / "out" / "data.heron")] == [
        ("so happy", {"anger": 0.0, "joy": 1.0}), ("grr", {"anger": 1.0, "joy": 0.0})]
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.jsonl", '{"text": "x", "labels": ["joy"]}\n')
    write(folder, "b.tsv", "y\tjoy\n")
    assert run(folder, tmp_path / "out2", "-c", "textcat").exit_code == 0  # reads both files
    assert sorted(p.name for p in (tmp_path / "out2").iterdir()) == ["a.heron", "b.heron"]


@pytest.mark.parametrize("name, text, code, where", [
    ("bad.tsv", "fine\tjoy\nno labels column\n", "E458", "bad.tsv:2"),
    ("bad.tsv", "fine\t0\nwrong id\t7\n", "E459", "bad.tsv:2"),
    ("bad.tsv", "fine\tjoy\nunknown\tlove\n", "E459", "bad.tsv:2"),
    ("bad.jsonl", '{"text": "a", "cats": {"joy": 1}}\n{"text": "b", "cats": {"joy": "yes"}}\n', "E460", "bad.jsonl:2"),
    ("bad.jsonl", '{"text": "a", "cats": {"joy": 1}}\n{"cats": {"joy": 1}}\n', "E461", "bad.jsonl:2"),
    ("bad.jsonl", '{"text": "a"\n', "E461", "bad.jsonl:1"),
])
def test_bad_rows_name_file_and_line_and_write_nothing(tmp_path, name, text, code, where):
    labels = write(tmp_path, "labels.txt", LABELS)
    result = run(write(tmp_path, name, text), tmp_path / "out", "-c", "textcat", "--labels", labels)
    assert result.exit_code == 1
    assert code in result.stderr and where in result.stderr and "Fix:" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bad_labels_files_and_option_misuse(tmp_path):
    data = write(tmp_path, "train.tsv", "a\t0\n")
    for labels, detail in (("joy\nanger\njoy\n", "also on line 1"), ("\n\n", "holds no labels")):
        result = run(data, tmp_path / "out", "--labels", write(tmp_path, "labels.txt", labels))
        assert result.exit_code == 1 and "E462" in result.stderr and detail in result.stderr
    result = run(data, tmp_path / "out", "--labels", tmp_path / "missing.txt")
    assert result.exit_code == 1 and "E462" in result.stderr
    conllu = write(tmp_path, "x.conllu", "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n\n")
    result = run(conllu, tmp_path / "out", "--exclusive")
    assert result.exit_code == 1 and "E426" in result.stderr
    result = run(data, tmp_path / "out", "--to", "conllu")
    assert result.exit_code == 1 and "E426" in result.stderr and "doc.cats" in result.stderr


def test_the_converter_function_on_strings():
    assert CONVERTERS["textcat"] is textcat_to_docs
    docs = list(textcat_to_docs("good\tPOS\nbad\tNEG\n", labels=["NEG", "POS"]))
    assert [d.cats for d in docs] == [{"NEG": 0.0, "POS": 1.0}, {"NEG": 1.0, "POS": 0.0}]
    docs = list(textcat_to_docs('{"text": "ok", "labels": "A,B"}\n'))
    assert docs[0].cats == {"A": 1.0, "B": 1.0}
    with pytest.warns(HeronWarning, match="W960"):
        assert len(list(textcat_to_docs("a\tX,Y\nb\tX\n", exclusive=True))) == 1
    with pytest.raises(DataError, match="E458") as err:
        list(textcat_to_docs("only one column\n"))
    assert err.value.line == 1
