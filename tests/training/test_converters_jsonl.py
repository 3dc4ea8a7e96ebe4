"""JSONL converter: spaCy/Prodigy/doccano entity styles, alignment, errors."""
import os
import re
from pathlib import Path

import pytest

from heron.errors import DataError, HeronWarning
from heron.tokens import Doc, Vocab
from heron.training.converters import jsonl_to_docs

FIXTURES = Path(os.environ["HERON_TEST_CONVERTER_FIXTURES"])  # see tests/conftest.py
VOCAB = Vocab()


def simple_tokenizer(text: str) -> Doc:
    """Words and single punctuation marks; enough to test alignment without heron.blank."""
    matches = list(re.finditer(r"\w+|[^\w\s]", text))
    words = [m.group() for m in matches]
    spaces = [m.end() < len(text) and text[m.end()] == " " for m in matches]
    return Doc(VOCAB, words=words, spaces=spaces)


def convert(source, **kwargs):
    return list(jsonl_to_docs(source, tokenizer=simple_tokenizer, **kwargs))


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_fixture_styles():
    with pytest.warns(HeronWarning, match=r"\[W403\].*1 line"):
        docs = convert(FIXTURES / "sample.jsonl")
    assert [d.text for d in docs] == ["Ada met Bo in Rome.", "Nothing to see here", "Visit New York now",
                                      "No entity key here", "Pre tokenized!"]
    assert ents(docs[0]) == [("Ada", "PER"), ("Bo", "PER"), ("Rome", "GPE")]
    assert docs[0][1].ent_iob_ == "O"
    assert ents(docs[1]) == [] and {t.ent_iob_ for t in docs[1]} == {"O"}
    assert ents(docs[2]) == [("New York", "GPE")]
    assert {t.ent_iob_ for t in docs[3]} == {""}  # no entity key: NER missing, not "O"
    assert [t.text for t in docs[4]] == ["Pre", "tokenized", "!"]  # given tokens are kept
    assert ents(docs[4]) == [("Pre", "X")]


def test_doccano_label_key():
    doc = convert('{"text": "Hi Lu", "label": [[3, 5, "PER"]]}')[0]
    assert ents(doc) == [("Lu", "PER")]


def test_misaligned_entity_strict_gives_hint():
    line = '{"text": "Ada met Bo", "entities": [[0, 2, "PER"]]}'
    with pytest.raises(DataError) as info:
        convert("\n" + line, path="x.jsonl")
    msg = str(info.value)
    assert "[E433] x.jsonl:2" in msg and "'Ad'" in msg and "--alignment-mode expand" in msg
    assert ents(convert(line, alignment_mode="expand")[0]) == [("Ada", "PER")]


def test_contract_mode():
    doc = convert('{"text": "Ada met Bo", "entities": [[0, 6, "PER"]]}', alignment_mode="contract")[0]
    assert ents(doc) == [("Ada", "PER")]


@pytest.mark.parametrize("line,code", [
    ('{"text": "Hi", ', "E430"),
    ('["Hi"]', "E431"),
    ('{"txt": "Hi"}', "E431"),
    ('{"text": 3}', "E431"),
    ('{"text": "Hi", "entities": "PER"}', "E431"),
    ('{"text": "Hi", "entities": [[0, 9, "PER"]]}', "E432"),
    ('{"text": "Hi", "entities": [[1, 0, "PER"]]}', "E432"),
    ('{"text": "Hi", "entities": [["0", 2, "PER"]]}', "E432"),
    ('{"text": "Hi", "entities": [[0, 2, ""]]}', "E432"),
    ('{"text": "Hi", "entities": [[0, 2]]}', "E432"),
    ('{"text": "Ada Lu", "entities": [[0, 6, "PER"], [4, 6, "PER"]]}', "E434"),
    ('{"text": "Hi there", "tokens": [{"text": "Hi", "ws": true}, {"text": "thar"}]}', "E435"),
])
def test_malformed_lines(line, code):
    with pytest.raises(DataError) as info:
        convert('{"text": "fine"}\n' + line, path="bad.jsonl")
    assert f"[{code}] bad.jsonl:2" in str(info.value)
    assert info.value.line == 2


def test_duplicate_entities_are_merged():
    doc = convert('{"text": "Ada Lu", "entities": [[0, 3, "PER"], [0, 3, "PER"]]}')[0]
    assert ents(doc) == [("Ada", "PER")]


def test_bad_alignment_mode():
    with pytest.raises(DataError, match=r"\[E409\]"):
        convert('{"text": "Hi"}', alignment_mode="loose")


def test_default_tokenizer_from_heron_blank():
    pytest.importorskip("heron.language")
    docs = list(jsonl_to_docs('{"text": "Ada lives in Paris.", "entities": [[13, 18, "LOC"]]}', lang="en"))
    assert ents(docs[0]) == [("Paris", "LOC")]
