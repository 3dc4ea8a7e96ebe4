"""`heron convert --to conllu`: CoNLL-U and .heron DocBins -> CoNLL-U text, in process.

The CoNLL-U here is made up in this file.
"""
from typer.testing import CliRunner

import heron.cli.convert  # noqa: F401  (registers the command)
from heron.cli._app import app

runner = CliRunner()

ROWS = [
    "# newdoc id = d1",
    "# sent_id = s1",
    "# text = We don't mind.",
    "1\tWe\twe\tPRON\tPRP\tCase=Nom|Number=Plur|Person=1|PronType=Prs\t4\tnsubj\t4:nsubj\t_",
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
    "2\tdo\tdo\tAUX\tVBP\tFoo=Bar|Mood=Ind|Typo=Yes\t4\taux\t4:aux\t_",
    "3\tn't\tnot\tPART\tRB\tPolarity=Neg\t4\tadvmod\t4:advmod\t_",
    "4\tmind\tmind\tVERB\tVB\tVerbForm=Inf\t0\troot\t0:root\tSpaceAfter=No",
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_",
    "",
    "# sent_id = s2",
    "# text = gonna go",
    "1-2\tgonna\t_\t_\t_\t_\t_\t_\t_\t_",
    "1\tgon\tgo\tVERB\tVBG\tVerbForm=Ger\t0\troot\t0:root\t_",
    "2\tna\tto\tPART\tTO\t_\t3\tmark\t3:mark\t_",
    "3\tgo\tgo\tVERB\tVB\tVerbForm=Inf\t1\txcomp\t1:xcomp\t_",
    "",
]
TEXT = "\n".join(ROWS) + "\n"


def run(*args):
    return runner.invoke(app, ["convert", *map(str, args)])


def columns(text):
    """ID to DEPREL of every word and multi-word token line."""
    return [line.split("\t")[:8] for line in text.splitlines() if line and not line.startswith("#")]


def write_input(tmp_path, name="ewtish.conllu"):
    path = tmp_path / name
    path.write_text(TEXT, encoding="utf8")
    return path


def test_help_names_the_to_option():
    result = run("--help")
    assert result.exit_code == 0 and "--to" in result.stdout and "conllu" in result.stdout


def test_conllu_to_conllu_file_and_stdout(tmp_path):
    src = write_input(tmp_path)
    result = run(src, tmp_path / "out", "--to", "conllu")
    assert result.exit_code == 0, result.output
    assert "1 docs, 8 words" in result.stderr
    written = (tmp_path / "out" / "ewtish.conllu").read_text(encoding="utf8")
    assert columns(written) == columns(TEXT)
    assert written.startswith("# newdoc\n# sent_id = 1\n# text = We don't mind.\n")
    result = run(src, "-", "--to", "conllu")
    assert result.exit_code == 0, result.output
    assert result.stdout == written


def test_conllu_to_heron_to_conllu_keeps_multiword_tokens(tmp_path):
    src = write_input(tmp_path)
    assert run(src, tmp_path / "bin").exit_code == 0
    result = run(tmp_path / "bin" / "ewtish.heron", tmp_path / "text", "-t", "conllu")
    assert result.exit_code == 0, result.output
    written = (tmp_path / "text" / "ewtish.conllu").read_text(encoding="utf8")
    assert columns(written) == columns(TEXT)  # the default -n 10 kept both sentences in one Doc
    # A folder of DocBins: every .heron file is converted, sub-folders kept.
    result = run(tmp_path / "bin", tmp_path / "folder", "--to", "conllu")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "folder" / "ewtish.conllu").read_text(encoding="utf8") == written


def test_bad_combinations_are_coded_errors(tmp_path):
    src = write_input(tmp_path)
    assert run(src, tmp_path / "bin").exit_code == 0
    docbin = tmp_path / "bin" / "ewtish.heron"
    cases = [
        ((docbin, tmp_path / "x"), "already a .heron DocBin"),
        ((docbin, tmp_path / "x", "--to", "conllu", "-n", "1"), "--n-sents"),
        ((docbin, tmp_path / "x", "--to", "conllu", "-c", "conllu"), "needs no converter"),
        ((src, tmp_path / "x", "--to", "conllu", "--morphology"), "XPOS__FEATS"),
        ((src, tmp_path, "--to", "conllu"), "would overwrite its input file"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 1, args
        assert "[E426]" in result.stderr and message in result.stderr and "Fix:" in result.stderr
    assert not (tmp_path / "x").exists()
    assert src.read_text(encoding="utf8") == TEXT
