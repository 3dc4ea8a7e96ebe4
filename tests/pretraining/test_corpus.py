"""heron.JsonlCorpus.v1: JSONL and plain text, streamed, filtered, with coded errors."""
import json
from itertools import islice

import pytest

from heron.errors import DataError, HeronValueError, HeronWarning
from heron.pretraining.corpus import JsonlCorpus, looks_wrapped, read_plain_texts
from heron.registry import registry


def _write(path, text, encoding="utf8"):
    path.write_bytes(text.encode(encoding))
    return path


def _texts(corpus, nlp):
    return [eg.predicted.text for eg in corpus(nlp)]


def test_jsonl_reads_text_fields(tmp_path, nlp):
    path = _write(tmp_path / "raw.jsonl", "\n".join(json.dumps({"text": t, "meta": 1}) for t in
                                                       ["First one here.", "Second text.", ""]) + "\n\n")
    corpus = registry.resolve({"c": {"@readers": "heron.JsonlCorpus.v1", "path": str(path)}})["c"]
    egs = list(corpus(nlp))
    assert [eg.predicted.text for eg in egs] == ["First one here.", "Second text."]  # empty doc skipped
    assert egs[0].predicted is egs[0].reference and len(egs[0]) == 4


def test_jsonl_bad_json_names_file_and_line(tmp_path, nlp):
    path = _write(tmp_path / "bad.jsonl", '{"text": "ok"}\n\n{"text": "broken\n')
    with pytest.raises(DataError, match=r"E800.*bad\.jsonl:3") as info:
        list(JsonlCorpus(path)(nlp))
    assert info.value.line == 3


@pytest.mark.parametrize("line,detail", [('{"txt": "x"}', "no \"text\" field"),
                                          ('["x"]', "no \"text\" field"),
                                          ('{"text": 3}', "not a string")])
def test_jsonl_missing_or_bad_text_field(tmp_path, nlp, line, detail):
    path = _write(tmp_path / "raw.jsonl", '{"text": "fine"}\n' + line + "\n")
    with pytest.raises(DataError, match="E801") as info:
        list(JsonlCorpus(path)(nlp))
    assert f"{path}:2" in str(info.value) and detail in str(info.value)


def test_reading_is_streamed(tmp_path, nlp):
    # The bad line is never reached when only the first documents are taken.
    path = _write(tmp_path / "raw.jsonl", '{"text": "a b"}\n{"text": "c d"}\nnot json\n')
    assert [eg.predicted.text for eg in islice(JsonlCorpus(path)(nlp), 2)] == ["a b", "c d"]


def test_plain_text_one_doc_per_line_with_bom_and_crlf(tmp_path, nlp):
    path = _write(tmp_path / "raw.txt", "\ufeffFirst line here.\r\nSecond line.\r\n\r\nThird.\r\n")
    assert _texts(JsonlCorpus(path), nlp) == ["First line here.", "Second line.", "Third."]


def test_plain_text_paragraphs_join_wrapped_lines(tmp_path, nlp):
    text = "A wrapped\nparagraph here.\n\nAnother\nwrapped one\ntoo.\n"
    path = _write(tmp_path / "wrapped.txt", text)
    assert looks_wrapped(path)
    expected = ["A wrapped paragraph here.", "Another wrapped one too."]
    assert _texts(JsonlCorpus(path), nlp) == expected  # auto
    assert _texts(JsonlCorpus(path, paragraphs=True), nlp) == expected
    assert len(_texts(JsonlCorpus(path, paragraphs=False), nlp)) == 5


def test_auto_keeps_lines_when_not_wrapped(tmp_path):
    path = _write(tmp_path / "lines.txt", "One doc.\nTwo doc.\n\nThree doc.\nFour doc.\n")
    assert not looks_wrapped(path)  # every line ends a sentence: one text per line
    assert list(read_plain_texts(path)) == ["One doc.", "Two doc.", "Three doc.", "Four doc."]


def test_length_filters_and_limit(tmp_path, nlp):
    lines = ["one", "two words", "now three words", "this has four words", "five words are in this"]
    path = _write(tmp_path / "raw.txt", "\n".join(lines))
    with pytest.warns(HeronWarning, match="W802"):  # the two long documents are skipped, and said so
        assert _texts(JsonlCorpus(path, min_length=2, max_length=3), nlp) == lines[1:3]
    assert _texts(JsonlCorpus(path, min_length=2, limit=2), nlp) == lines[1:3]
    assert _texts(JsonlCorpus(path, limit=0), nlp) == lines


def test_folder_reads_jsonl_and_txt_sorted(tmp_path, nlp):
    _write(tmp_path / "b.txt", "From the text file.\n")
    _write(tmp_path / "a.jsonl", '{"text": "From the jsonl file."}\n')
    _write(tmp_path / "skip.md", "Not read.\n")
    assert _texts(JsonlCorpus(tmp_path), nlp) == ["From the jsonl file.", "From the text file."]


def test_missing_paths_and_bad_options(tmp_path):
    with pytest.raises(HeronValueError, match=r"E802.*does not exist"):
        JsonlCorpus(tmp_path / "nope.jsonl")
    with pytest.raises(HeronValueError, match=r"E802.*is not set"):
        JsonlCorpus(None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(HeronValueError, match=r"E802.*no \.jsonl"):
        JsonlCorpus(tmp_path / "empty")
    path = _write(tmp_path / "raw.txt", "x\n")
    with pytest.raises(HeronValueError, match=r"E803.*paragraphs"):
        JsonlCorpus(path, paragraphs="sometimes")
    with pytest.raises(HeronValueError, match=r"E803.*min_length"):
        JsonlCorpus(path, min_length=-1)
