"""JSONL "spans" into doc.spans[KEY] (`heron convert --spans-key`, `jsonl_to_docs(spans_key=...)`)."""
import json

import pytest
from typer.testing import CliRunner

import heron.cli.convert  # noqa: F401  (registers the command)
from heron.cli._app import app
from heron.errors import HeronError
from heron.tokens import DocBin, Vocab
from heron.training.converters import jsonl_to_docs

runner = CliRunner()

TEXT = "Ada Lovelace visited New York City in 1842."
SPANS = [{"start": 0, "end": 12, "label": "PER"}, {"start": 4, "end": 12, "label": "NAME"},
         {"start": 21, "end": 34, "label": "GPE"}, {"start": 21, "end": 29, "label": "CITY"}]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf8")
    return path


def rows(group):
    return [(s.text, s.label_) for s in group]


def test_spans_key_makes_an_overlapping_group(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [
        {"text": TEXT, "spans": SPANS},
        {"text": "Nothing here.", "spans": []},
        {"text": "No annotation."},
        {"text": "Bob met Ann.", "spans": [{"start": 8, "end": 11, "label": "PER"}],
         "entities": [[0, 3, "PER"]]},
    ])
    docs = list(jsonl_to_docs(path, spans_key="sc"))
    assert rows(docs[0].spans["sc"]) == [("Ada Lovelace", "PER"), ("Lovelace", "NAME"),
                                         ("New York City", "GPE"), ("New York", "CITY")]
    assert docs[0].spans["sc"].has_overlap and docs[0].spans["sc"].name == "sc"
    assert not docs[0].has_annotation("ENT_IOB")  # the spans are not entities
    assert len(docs[1].spans["sc"]) == 0 and "sc" not in docs[2].spans
    assert rows(docs[3].spans["sc"]) == [("Ann", "PER")] and [e.text for e in docs[3].ents] == ["Bob"]


def test_without_spans_key_spans_stay_entities(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": TEXT, "spans": [SPANS[0], SPANS[2]]}])
    doc = next(jsonl_to_docs(path))
    assert [(e.text, e.label_) for e in doc.ents] == [("Ada Lovelace", "PER"), ("New York City", "GPE")]
    assert len(doc.spans) == 0


def test_token_indices_with_prodigy_tokens(tmp_path):
    tokens = [{"text": w, "ws": True} for w in "New York City".split()]
    tokens[-1]["ws"] = False
    good = {"text": "New York City", "tokens": tokens,
            "spans": [{"start": 0, "end": 8, "label": "CITY", "token_start": 0, "token_end": 1}]}
    doc = next(jsonl_to_docs(write_jsonl(tmp_path / "a.jsonl", [good]), spans_key="sc"))
    assert rows(doc.spans["sc"]) == [("New York", "CITY")]
    bad = dict(good, spans=[{"start": 0, "end": 8, "label": "CITY", "token_start": 0, "token_end": 2}])
    with pytest.raises(HeronError, match=r"\[E443\] .*b.jsonl:2: .*tokens 0..2 \('New York City'\) "
                                         r"cover characters 0-13, not 0-8"):
        list(jsonl_to_docs(write_jsonl(tmp_path / "b.jsonl", [good, bad]), spans_key="sc"))
    out_of_range = dict(good, spans=[{"start": 0, "end": 8, "label": "CITY", "token_start": 0, "token_end": 9}])
    with pytest.raises(HeronError, match=r"\[E443\].*not within the line's 3 tokens"):
        list(jsonl_to_docs(write_jsonl(tmp_path / "c.jsonl", [out_of_range]), spans_key="sc"))


def test_misaligned_span_names_file_line_and_key(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": TEXT, "spans": SPANS},
                                                {"text": TEXT, "spans": [{"start": 0, "end": 5, "label": "PER"}]}])
    with pytest.raises(HeronError, match=r"\[E442\] .*in.jsonl:2: span \[0, 5, 'PER'\] with text 'Ada L' "
                                         r"for doc.spans\['sc'\].*'Lovelace'@4-12.*Fix:"):
        list(jsonl_to_docs(path, spans_key="sc"))
    doc = next(jsonl_to_docs(write_jsonl(tmp_path / "x.jsonl", [{"text": TEXT, "spans": [
        {"start": 0, "end": 5, "label": "PER"}]}]), spans_key="sc", alignment_mode="expand"))
    assert rows(doc.spans["sc"]) == [("Ada Lovelace", "PER")]


@pytest.mark.parametrize("span, match", [
    ({"start": 0, "end": 99, "label": "X"}, r"\[E432\].*out of range"),
    ({"start": 0, "end": 3}, r"\[E432\].*label must be a non-empty string"),
    ({"start": "0", "end": 3, "label": "X"}, r"\[E432\].*must be integers"),
])
def test_malformed_spans_are_coded_errors(tmp_path, span, match):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": TEXT, "spans": [span]}])
    with pytest.raises(HeronError, match=match):
        list(jsonl_to_docs(path, spans_key="sc"))


def test_empty_spans_key_is_refused(tmp_path):
    with pytest.raises(HeronError, match=r"\[E409\].*spans_key"):
        list(jsonl_to_docs(write_jsonl(tmp_path / "in.jsonl", [{"text": TEXT}]), spans_key=" "))


def test_cli_writes_span_groups(tmp_path):
    path = write_jsonl(tmp_path / "train.jsonl", [{"text": TEXT, "spans": SPANS}])
    result = runner.invoke(app, ["convert", str(path), str(tmp_path / "out"), "--spans-key", "sc"])
    assert result.exit_code == 0, result.output
    doc = next(DocBin().from_disk(tmp_path / "out" / "train.heron").get_docs(Vocab()))
    assert rows(doc.spans["sc"])[3] == ("New York", "CITY") and len(doc.ents) == 0
    assert "--spans-key" in runner.invoke(app, ["convert", "--help"]).stdout


def test_cli_refuses_spans_key_where_it_cannot_apply(tmp_path):
    conll = tmp_path / "ner.iob2"
    conll.write_text("Ada\tB-PER\n\n", encoding="utf8")
    result = runner.invoke(app, ["convert", str(conll), str(tmp_path / "out"), "--spans-key", "sc"])
    assert result.exit_code == 1 and "E426" in result.output and "is not JSONL" in result.output
    path = write_jsonl(tmp_path / "train.jsonl", [{"text": TEXT, "spans": SPANS}])
    result = runner.invoke(app, ["convert", str(path), str(tmp_path / "out"), "--spans-key", "sc", "--to", "conllu"])
    assert result.exit_code == 1 and "CoNLL-U has no span groups" in result.output
    assert not (tmp_path / "out").exists()
