"""`heron convert`: outputs, folder inputs, exit codes, and no output on malformed input."""
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import heron.cli.convert  # noqa: F401  (registers the command)
from heron.cli._app import app
from heron.tokens import DocBin, Vocab

FIXTURES = Path(os.environ["HERON_TEST_CONVERTER_FIXTURES"])  # see tests/conftest.py
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["convert", *map(str, args)])


def load(path: Path):
    return list(DocBin().from_disk(path).get_docs(Vocab()))


def files_in(folder: Path):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_help_lists_spacy_style_options():
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--converter", "--n-sents", "--file-type", "--seg-sents", "--merge-subtokens",
                   "--lang", "--alignment-mode", "--concatenate"):
        assert option in result.stdout


def test_conllu_file(tmp_path):
    result = run(FIXTURES / "sample.conllu", tmp_path / "out")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "sample.heron"
    assert files_in(tmp_path / "out") == ["sample.heron"]
    assert "2 docs, 13 words" in result.stderr
    docs = load(out)
    assert [d.text for d in docs] == ["Mara didn't call Oslo. Rain fell, then stopped", "Hello there"]
    assert docs[0][3].dep_ == "ROOT" and docs[0][0].head.i == 3


def test_n_sents_and_merge_subtokens(tmp_path):
    assert run(FIXTURES / "sample.conllu", tmp_path, "-n", "1", "--merge-subtokens").exit_code == 0
    docs = load(tmp_path / "sample.heron")
    assert len(docs) == 3 and docs[0][1].text == "didn't"


def test_ner_files_and_converter_detection(tmp_path):
    result = run(FIXTURES / "four_col.conll", tmp_path)
    assert result.exit_code == 0, result.output
    assert [len(d.ents) for d in load(tmp_path / "four_col.heron")] == [3, 1]
    # -c iob on a token-per-line file: the layout is detected and "ner" is used.
    result = run(FIXTURES / "two_col.conll", tmp_path, "-c", "iob")
    assert result.exit_code == 0, result.output
    assert "token-per-line" in result.stderr
    assert len(load(tmp_path / "two_col.heron")[0].ents) == 3


def test_folder_input_keeps_subfolders_and_skips_other_files(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    shutil.copy(FIXTURES / "two_col.conll", src / "a.conll")
    shutil.copy(FIXTURES / "indexed.iob2", src / "sub" / "b.iob2")
    (src / "README.md").write_text("not data")
    result = run(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert files_in(tmp_path / "out") == ["a.heron", "sub/b.heron"]
    result = run(src, tmp_path / "cat", "--concatenate")
    assert result.exit_code == 0, result.output
    assert files_in(tmp_path / "cat") == ["src.heron"]
    assert len(load(tmp_path / "cat" / "src.heron")) == 2


def test_mixed_folder_needs_a_converter(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "sample.conllu", src)
    shutil.copy(FIXTURES / "two_col.conll", src)
    result = run(src, tmp_path / "out")
    assert result.exit_code == 1 and "[E406]" in result.stderr
    result = run(src, tmp_path / "out", "-c", "conllu")
    assert result.exit_code == 0, result.output
    assert files_in(tmp_path / "out") == ["sample.heron"]


def test_jsonl_with_given_tokens(tmp_path):
    src = tmp_path / "t.jsonl"
    src.write_text('{"text": "Hi Lu", "tokens": [{"text": "Hi", "ws": true}, {"text": "Lu", "ws": false}],'
                   ' "entities": [[3, 5, "PER"]]}\n')
    result = run(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    doc = load(tmp_path / "out" / "t.heron")[0]
    assert [(e.text, e.label_) for e in doc.ents] == [("Lu", "PER")]


def test_malformed_line_exits_1_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.conllu"
    bad.write_text((FIXTURES / "sample.conllu").read_text() + "1\tOops\n")
    out = tmp_path / "out"
    result = run(bad, out)
    assert result.exit_code == 1
    n_lines = len(bad.read_text().splitlines())
    assert f"[E410] {bad}:{n_lines}" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() or files_in(out) == []


def test_bad_file_in_folder_writes_no_file_at_all(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "two_col.conll", src / "a_good.conll")
    (src / "b_bad.conll").write_text("Ada B-PER\nmet X-FOO\n")
    result = run(src, tmp_path / "out")
    assert result.exit_code == 1
    assert f"[E420] {src / 'b_bad.conll'}:2" in result.stderr
    assert not (tmp_path / "out").exists() or files_in(tmp_path / "out") == []


def test_existing_output_is_kept_on_failure(tmp_path):
    assert run(FIXTURES / "two_col.conll", tmp_path).exit_code == 0
    before = (tmp_path / "two_col.heron").read_bytes()
    bad = tmp_path / "bad" / "two_col.conll"
    bad.parent.mkdir()
    bad.write_text("Ada B-PER\nlonely\n")
    assert run(bad, tmp_path).exit_code == 1
    assert (tmp_path / "two_col.heron").read_bytes() == before
    assert files_in(tmp_path) == ["bad/two_col.conll", "two_col.heron"]  # no temp files left


@pytest.mark.parametrize("args,code", [
    (["missing.conllu", "out"], "E401"),
    ([FIXTURES / "sample.conllu", "out", "-c", "xml"], "E403"),
])
def test_user_errors_exit_1(tmp_path, args, code):
    result = runner.invoke(app, ["convert", *[str(tmp_path / a) if a == "out" else str(a) for a in args]])
    assert result.exit_code == 1
    assert f"[{code}]" in result.stderr


def test_unknown_extension_and_output_is_a_file(tmp_path):
    src = tmp_path / "data.txt"
    src.write_text("Ada B-PER\n")
    result = run(src, tmp_path / "out")
    assert result.exit_code == 1 and "[E404]" in result.stderr and "--converter" in result.stderr
    assert run(src, tmp_path / "out", "-c", "ner").exit_code == 0
    result = run(FIXTURES / "sample.conllu", src)
    assert result.exit_code == 1 and "[E402]" in result.stderr


def test_invalid_option_values_exit_2(tmp_path):
    assert run(FIXTURES / "sample.conllu", tmp_path, "--file-type", "json").exit_code == 2
    assert run(FIXTURES / "sample.conllu", tmp_path, "-n", "-1").exit_code == 2


def test_stdout_output(tmp_path):
    result = run(FIXTURES / "sample.conllu", "-")
    assert result.exit_code == 0, result.stderr
    docs = list(DocBin().from_bytes(result.stdout_bytes).get_docs(Vocab()))
    assert len(docs) == 2
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "two_col.conll", src / "a.conll")
    shutil.copy(FIXTURES / "four_col.conll", src / "b.conll")
    result = run(src, "-")
    assert result.exit_code == 1 and "[E407]" in result.stderr


def test_conllu_saved_as_conll_is_detected(tmp_path):
    src = tmp_path / "trees.conll"
    shutil.copy(FIXTURES / "sample.conllu", src)
    result = run(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "CoNLL-U" in result.stderr
    assert len(load(tmp_path / "out" / "trees.heron")) == 2


def test_warnings_are_cli_messages(tmp_path):
    result = run(FIXTURES / "indexed.iob2", tmp_path / "out")
    assert result.exit_code == 0 and "⚠ [W401]" in result.stderr


def test_console_entry_point_exit_codes(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tA\n")
    proc = subprocess.run([sys.executable, "-m", "heron", "convert", str(bad), str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert f"[E410] {bad}:1" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "heron", "convert", str(FIXTURES / "pipes.iob"),
                           str(tmp_path / "out")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "pipes.heron").is_file()


def test_two_inputs_with_one_output_name_is_an_error(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "two_col.conll", src / "a.conll")
    shutil.copy(FIXTURES / "indexed.iob2", src / "a.iob2")
    result = run(src, tmp_path / "out")
    assert result.exit_code == 1 and "[E400]" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name,content,detail", [
    ("empty.conllu", b"", "the file is empty"),
    ("comments.conllu", b"# just a comment\n\n", "only blank lines or comments"),
    ("empty.jsonl", b"\n\n", "only blank lines or comments"),
    ("empty.iob", b"", "the file is empty"),
    ("empty.conll", b"", "the file is empty"),
])
def test_input_without_documents_is_an_error_and_writes_nothing(tmp_path, name, content, detail):
    src = tmp_path / name
    src.write_bytes(content)
    result = run(src, tmp_path / "out")
    assert result.exit_code == 1
    assert f"[E441] {src}: no documents found ({detail})" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or files_in(tmp_path / "out") == []


def test_empty_file_in_folder_writes_no_file_at_all(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "sample.conllu", src / "a.conllu")
    (src / "b.conllu").write_text("")
    for extra in ([], ["--concatenate"]):
        result = run(src, tmp_path / "out", *extra)
        assert result.exit_code == 1 and f"[E441] {src / 'b.conllu'}" in result.stderr
        assert not (tmp_path / "out").exists() or files_in(tmp_path / "out") == []


@pytest.mark.parametrize("name", ["latin1.conllu", "latin1.conll", "latin1.iob", "latin1.jsonl"])
def test_non_utf8_input_is_a_coded_error(tmp_path, name):
    lines = {"conllu": "1\tCafé\tcafé\tNOUN\t_\t_\t0\troot\t_\t_\n", "conll": "Ada B-PER\nCafé O\n",
             "iob": "Ada|B-PER Café|O\n", "jsonl": '{"text": "Café"}\n'}[name.split(".")[1]]
    src = tmp_path / name
    data = lines.encode("latin-1")
    src.write_bytes(data)
    result = run(src, tmp_path / "out")
    assert result.exit_code == 1, result.output
    line = lines[:lines.index("é")].count("\n") + 1
    assert f"[E440] {src}:{line}: the file is not UTF-8 text: byte {data.index(0xe9)} (0xe9" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_binary_file_is_a_coded_error(tmp_path):
    src = tmp_path / "garbage.conllu"
    src.write_bytes(bytes(range(255, -1, -1)) * 8)
    result = run(src, tmp_path / "out")
    assert result.exit_code == 1 and "[E440]" in result.stderr and "Traceback" not in result.output


def test_jsonl_with_lone_surrogates(tmp_path):
    src = tmp_path / "s.jsonl"
    src.write_text('{"text": "a \\ud800 b", "entities": [[2, 3, "X"]]}\n{"text": "\\udcff"}\n')
    result = run(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    docs = load(tmp_path / "out" / "s.heron")
    assert [d.text for d in docs] == ["a \ud800 b", "\udcff"]
    assert [(e.text, e.label_) for e in docs[0].ents] == [("\ud800", "X")]
