"""Every converter on hostile files: non-UTF-8, binary garbage, line endings, lone surrogates.

A file that is not UTF-8 is a coded DataError (E440) naming file:line and the byte
offset, never a UnicodeDecodeError traceback; valid UTF-8 garbage is a format error
(E410/E421/E430) naming file:line; JSONL escapes of lone surrogates are kept exactly.
"""
import random

import pytest

from heron.errors import DataError
from heron.tokens import DocBin, Vocab
from heron.training.converters import conll_ner_to_docs, conllu_to_docs, iob_to_docs, jsonl_to_docs
from heron.training.converters._common import read_lines

CONLLU_LINE = "1\tCafé\tcafé\tNOUN\t_\t_\t0\troot\t_\t_\n"
CONVERTERS = {
    "conllu": (conllu_to_docs, CONLLU_LINE + "\n" + CONLLU_LINE),
    "ner": (conll_ner_to_docs, "Ada B-PER\nCafé O\n\nAda B-PER\n"),
    "iob": (iob_to_docs, "Ada|B-PER lives|O\nCafé|O\n"),
    "jsonl": (jsonl_to_docs, '{"text": "Ada"}\n{"text": "Café"}\n'),
}


@pytest.mark.parametrize("name", list(CONVERTERS))
def test_latin1_file_names_file_line_and_byte_offset(name, tmp_path):
    func, text = CONVERTERS[name]
    path = tmp_path / f"latin1.{name}"
    data = text.encode("latin-1")  # "é" becomes the lone byte 0xe9
    path.write_bytes(data)
    line_no = text[:text.index("é")].count("\n") + 1
    with pytest.raises(DataError) as e:
        list(func(path))
    message = str(e.value)
    assert message.startswith(f"[E440] {path}:{line_no}:")
    offset = data.index(b"\xe9")
    assert f"byte {offset}" in message and "0xe9" in message and "Fix:" in message
    assert (e.value.path, e.value.line) == (str(path), line_no)


@pytest.mark.parametrize("name", list(CONVERTERS))
def test_random_bytes_are_a_coded_error(name, tmp_path):
    func, _ = CONVERTERS[name]
    path = tmp_path / f"garbage.{name}"
    path.write_bytes(bytes(random.Random(0).randrange(256) for _ in range(4000)))
    with pytest.raises(DataError, match=r"^\[E440\]"):
        list(func(path))


@pytest.mark.parametrize("name,code", [("conllu", "E410"), ("ner", "E4"), ("iob", "E4"), ("jsonl", "E430")])
def test_utf8_garbage_is_a_format_error_with_file_and_line(name, code, tmp_path):
    func, _ = CONVERTERS[name]
    path = tmp_path / f"nul.{name}"
    path.write_bytes(b"\x00\x01\x02 a|b c|d|e \x7f\n")
    with pytest.raises(DataError) as e:
        list(func(path))
    assert str(e.value).startswith(f"[{code}") and f"{path}:1" in str(e.value)


@pytest.mark.parametrize("name", list(CONVERTERS))
def test_empty_file_yields_no_docs(name, tmp_path):
    func, _ = CONVERTERS[name]
    (tmp_path / "empty").write_bytes(b"")
    assert list(func(tmp_path / "empty")) == []


def test_line_endings_and_bom(tmp_path):
    path = tmp_path / "mixed.conll"
    path.write_bytes(b"\xef\xbb\xbfAda B-PER\r\nlives O\rin O\nParis B-LOC\r\n")
    name, lines = read_lines(path)
    assert list(lines) == ["Ada B-PER", "lives O", "in O", "Paris B-LOC"]
    (doc,) = conll_ner_to_docs(path)
    assert doc.text == "Ada lives in Paris"


def test_non_utf8_line_number_counts_lone_cr(tmp_path):
    path = tmp_path / "cr.conll"
    path.write_bytes(b"Ada B-PER\rlives O\r\n\xff O\n")
    with pytest.raises(DataError, match=r"^\[E440\] .*cr.conll:3: .*byte 19"):
        list(conll_ner_to_docs(path))


def test_jsonl_lone_surrogates_convert_and_roundtrip(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "a \\ud800 b", "entities": [[2, 3, "X"]]}\n'
                    '{"text": "x \\udcff"}\n'
                    '{"text": "pair \\ud83d\\ude00 ok"}\n', encoding="utf8")
    docs = list(jsonl_to_docs(path))
    assert [d.text for d in docs] == ["a \ud800 b", "x \udcff", "pair \U0001F600 ok"]
    assert [(e.text, e.label_) for e in docs[0].ents] == [("\ud800", "X")]
    DocBin(docs=docs).to_disk(tmp_path / "s.heron")
    again = list(DocBin().from_disk(tmp_path / "s.heron").get_docs(Vocab()))
    assert [d.text for d in again] == [d.text for d in docs]
    assert [(e.text, e.label_) for e in again[0].ents] == [("\ud800", "X")]


def test_non_utf8_line_number_after_blank_cr_lines(tmp_path):
    path = tmp_path / "crcr.conll"
    path.write_bytes(b"\xef\xbb\xbfAda B-PER\r\r\nlives O\n\nx \xc3(\n")
    with pytest.raises(DataError) as e:
        list(conll_ner_to_docs(path))
    # text mode sees: "Ada B-PER", "", "lives O", "", "x ..." -> line 5, column 3
    assert str(e.value).startswith(f"[E440] {path}:5: the file is not UTF-8 text: byte 26 (0xc3, column 3")
