"""`heron apply` (heron/apply, cli/apply.py): every input kind, output equal to nlp.pipe,
partition planning, bad inputs reported while good documents are kept, n_process, and
.spacy outputs (spaCy's DocBin, heron.tokens.spacy_docbin) equal to the .heron output.

The pipeline is a tok2vec + tagger + ner initialised (not trained) on the fakes' data:
its predictions are arbitrary but deterministic, which is all "equal to nlp.pipe" needs.
Resuming and mismatched reruns are in test_apply_resume.py.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, List

import pytest
from typer.testing import CliRunner

import heron
from heron.apply import apply
from heron.apply.inputs import find_inputs
from heron.apply.plan import make_plan, settings_of
from heron.apply.readers import SegmentReader
from heron.cli import app
from heron.errors import HeronError
from heron.registry import registry
from heron.tokens import Doc, DocBin
from heron.tokens.spacy_docbin import SpacyDocBin

from fakes import trained_tagger_ner

TEXTS = ["Alice Smith flew to Paris on Monday.", "A dog barked loudly at night.",
         "Bob works for Acme Corp in New York City.", "She reads old books.", "We walked home quickly."]


@registry.component("apply_test_fails_on_boom")
def fails_on_boom(doc: Doc) -> Doc:
    if "BOOM" in doc.text:
        raise ValueError("this component refuses BOOM")
    return doc


def build_nlp(extra: tuple = ()) -> Any:
    return trained_tagger_ner(steps=0, extra=extra)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("apply") / "model"
    build_nlp().to_disk(path)
    return path


@pytest.fixture(scope="module")
def ref_nlp(model_dir):
    return heron.load(model_dir)


def annotations(doc: Doc) -> tuple:
    return (doc.text, [t.tag_ for t in doc], [(e.start, e.end, e.label_) for e in doc.ents])


def read_folder(out: Path, nlp: Any) -> List[Doc]:
    docs: List[Doc] = []
    for path in sorted(out.glob("part-*.heron")):
        docs.extend(DocBin().from_disk(path).get_docs(nlp.vocab))
    return docs


def write_jsonl(path: Path, rows: List[Any]) -> None:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf8")


# ---- each input kind ------------------------------------------------------------------
def test_txt_folder_equals_nlp_pipe(model_dir, ref_nlp, tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    names = ["b.txt", "a.txt", "sub/c.txt"]
    for name, text in zip(names, TEXTS):
        (data / name).write_text(text, encoding="utf8")
    (data / ".hidden.txt").write_text("never read", encoding="utf8")
    result = apply(model_dir, data, tmp_path / "out", partition_size=2, progress=False)
    assert (result.n_docs, result.n_partitions, result.n_resumed, result.bad) == (3, 2, 0, [])
    order = sorted(names)  # sorted relative paths: a.txt, b.txt, sub/c.txt
    texts = [(data / name).read_text(encoding="utf8") for name in order]
    got = read_folder(tmp_path / "out", ref_nlp)
    assert [annotations(d) for d in got] == [annotations(d) for d in ref_nlp.pipe(texts)]
    assert [d.user_data["meta"] for d in got] == [{"source": name} for name in order]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "done", "manifest.json", "part-00000.heron", "part-00001.heron"]


def test_txt_lines_one_doc_per_non_blank_line(model_dir, ref_nlp, tmp_path):
    (tmp_path / "book.txt").write_text(f"{TEXTS[0]}\n\n   \n{TEXTS[1]}\r\n{TEXTS[2]}", encoding="utf8")
    out = tmp_path / "out.heron"
    result = apply(model_dir, tmp_path / "book.txt", out, txt_lines=True, partition_size=2, progress=False)
    assert result.n_docs == 3 and out.is_file() and not (tmp_path / "out.heron.parts").exists()
    got = list(DocBin().from_disk(out).get_docs(ref_nlp.vocab))
    assert [annotations(d) for d in got] == [annotations(d) for d in ref_nlp.pipe(TEXTS[:3])]
    assert [d.user_data["meta"]["line"] for d in got] == [1, 4, 5]


def test_jsonl_to_jsonl_keeps_other_keys_as_meta(model_dir, ref_nlp, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"body": t, "id": i} for i, t in enumerate(TEXTS)])
    out = tmp_path / "out.jsonl"
    result = apply(model_dir, tmp_path / "in.jsonl", out, text_key="body", partition_size=2, progress=False)
    assert result.n_docs == 5 and result.n_partitions == 3
    rows = [json.loads(line) for line in out.read_text(encoding="utf8").splitlines()]
    expected = [doc.to_json() for doc in ref_nlp.pipe(TEXTS)]
    assert [{k: v for k, v in row.items() if k != "meta"} for row in rows] == expected
    assert [row["meta"] for row in rows] == [{"id": i} for i in range(5)]


def test_heron_docbin_input_keeps_user_data(model_dir, ref_nlp, tmp_path):
    tokenizer = heron.blank("en")
    docs = [tokenizer(t) for t in TEXTS[:3]]
    for i, doc in enumerate(docs):
        doc.user_data["id"] = i
    DocBin(store_user_data=True, docs=docs).to_disk(tmp_path / "in.heron")
    result = apply(model_dir, tmp_path / "in.heron", tmp_path / "out", progress=False)
    assert result.n_docs == 3
    got = read_folder(tmp_path / "out", ref_nlp)
    assert [annotations(d) for d in got] == [annotations(d) for d in ref_nlp.pipe(TEXTS[:3])]
    assert [d.user_data["id"] for d in got] == [0, 1, 2]


def test_folder_output_as_jsonl(model_dir, ref_nlp, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    apply(model_dir, tmp_path / "in.jsonl", tmp_path / "out", file_type="jsonl", partition_size=3, progress=False)
    parts = sorted((tmp_path / "out").glob("part-*.jsonl"))
    assert [p.name for p in parts] == ["part-00000.jsonl", "part-00001.jsonl"]
    rows = [json.loads(line) for p in parts for line in p.read_text(encoding="utf8").splitlines()]
    assert rows == [doc.to_json() for doc in ref_nlp.pipe(TEXTS)]


# ---- planning -----------------------------------------------------------------------
def test_partitions_span_small_files_and_split_large_ones(tmp_path):
    (tmp_path / "a.txt").write_text("one document", encoding="utf8")
    write_jsonl(tmp_path / "b.jsonl", [{"text": f"doc {i}"} for i in range(5)] + [""])  # a blank line is no record
    write_jsonl(tmp_path / "c.jsonl", ["", {"text": "x"}, {"text": "y"}])
    rels, skipped = find_inputs(tmp_path)
    assert (rels, skipped) == (["a.txt", "b.jsonl", "c.jsonl"], [])
    settings = settings_of(text_key="text", txt_lines=False, partition_size=3, file_type="heron")
    plan = make_plan(tmp_path, tmp_path, rels, settings=settings, pipeline={})
    assert [inp.n_docs for inp in plan.inputs] == [1, 5, 2]
    assert [[(s.input, s.start, s.stop) for s in p.segments] for p in plan.partitions] == [
        [(0, 0, 1), (1, 0, 2)], [(1, 2, 5)], [(2, 0, 2)]]
    # A segment starting inside a file seeks to its first line: reading it gives records 2..4.
    reader = SegmentReader(tmp_path, heron.blank("en").vocab)
    seg = plan.partitions[1].segments[0]
    records = list(reader.read(plan.inputs[1], seg.start, seg.stop, seg.offset, seg.line))
    assert [(r.item, r.where) for r in records] == [(f"doc {i}", f"{tmp_path.as_posix()}/b.jsonl:{i + 1}")
                                                    for i in (2, 3, 4)]
    seg = plan.partitions[2].segments[0]
    assert (seg.offset, seg.line) == (1, 2)  # past the blank first line
    assert [r.where.rsplit(":", 1)[1] for r in reader.read(plan.inputs[2], 0, 2)] == ["2", "3"]
    # The same inputs and settings always give the same plan.
    assert make_plan(tmp_path, tmp_path, rels, settings=settings, pipeline={}).to_json() == plan.to_json()


# ---- bad inputs -------------------------------------------------------------------------
def test_bad_records_are_listed_and_good_docs_kept(model_dir, ref_nlp, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "a.jsonl", [{"text": TEXTS[0]}, "{not json", "[1, 2]", {"txt": "no text key"},
                                   {"text": TEXTS[1]}])
    with (data / "a.jsonl").open("ab") as f:
        f.write(b'{"text": "caf\xe9"}\n' + json.dumps({"text": TEXTS[2]}).encode() + b"\n")
    (data / "b.txt").write_bytes(b"first line\nbad \xff byte")
    (data / "c.heron").write_bytes(b"not a DocBin at all")
    (data / "d.txt").write_text(TEXTS[3], encoding="utf8")
    result = apply(model_dir, data, tmp_path / "out.heron", partition_size=2, progress=False)
    where = [w for w, _ in result.bad]
    shown = data.as_posix()
    # Unreadable files first, then bad documents in input order.
    assert where == [f"{shown}/c.heron", f"{shown}/a.jsonl:2", f"{shown}/a.jsonl:3", f"{shown}/a.jsonl:4",
                     f"{shown}/a.jsonl:6", f"{shown}/b.txt:2"]
    reasons = dict(result.bad)
    assert "invalid JSON" in reasons[f"{shown}/a.jsonl:2"]
    assert "expected a JSON object" in reasons[f"{shown}/a.jsonl:3"]
    assert "'text' is missing" in reasons[f"{shown}/a.jsonl:4"]
    assert "not UTF-8: byte 0xff at column 5" in reasons[f"{shown}/b.txt:2"]
    assert "E028" in reasons[f"{shown}/c.heron"]
    got = list(DocBin().from_disk(tmp_path / "out.heron").get_docs(ref_nlp.vocab))
    good = [TEXTS[0], TEXTS[1], TEXTS[2], TEXTS[3]]
    assert [annotations(d) for d in got] == [annotations(d) for d in ref_nlp.pipe(good)]
    with pytest.raises(HeronError, match=r"E596.*6 document\(s\).*other 4") as info:
        result.check()
    assert f"{shown}/a.jsonl:6: not UTF-8" in str(info.value)


@pytest.mark.parametrize("n_process", [1, 2])
def test_failing_component_is_reported_and_stream_goes_on(tmp_path, n_process):
    nlp = build_nlp(extra=("apply_test_fails_on_boom",))
    nlp.to_disk(tmp_path / "model")
    texts = [TEXTS[0], "this one goes BOOM", TEXTS[1]]
    write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts])
    result = apply(tmp_path / "model", tmp_path / "in.jsonl", tmp_path / "out", batch_size=3, n_process=n_process,
                   progress=False)
    assert result.n_docs == 2
    assert len(result.bad) == 1 and result.bad[0][0].endswith("in.jsonl:2")
    assert "component 'apply_test_fails_on_boom' failed: ValueError: this component refuses BOOM" in result.bad[0][1]
    got = read_folder(tmp_path / "out", nlp)
    assert [d.text for d in got] == [TEXTS[0], TEXTS[1]]
    assert getattr(nlp, "default_error_handler", None) is None


@pytest.mark.parametrize("suffix", ["jsonl", "spacy"])
def test_n_process_2_equals_1(model_dir, tmp_path, suffix):
    write_jsonl(tmp_path / "in.jsonl", [{"text": t, "n": i} for i, t in enumerate(TEXTS * 3)])
    for n in (1, 2):
        apply(model_dir, tmp_path / "in.jsonl", tmp_path / f"out{n}.{suffix}", n_process=n, batch_size=2,
              partition_size=4, progress=False)
    assert (tmp_path / f"out2.{suffix}").read_bytes() == (tmp_path / f"out1.{suffix}").read_bytes()
    if suffix == "jsonl":
        assert len((tmp_path / "out1.jsonl").read_text(encoding="utf8").splitlines()) == 15
    else:
        assert len(SpacyDocBin().from_disk(tmp_path / "out1.spacy")) == 15


# ---- paths and options ----------------------------------------------------------------
def test_empty_folder_writes_empty_output(model_dir, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.md").write_text("skipped", encoding="utf8")
    with pytest.warns(UserWarning) as caught:
        result = apply(model_dir, tmp_path / "data", tmp_path / "out.heron", progress=False)
    assert {str(w.message)[:6] for w in caught} == {"[W591]", "[W592]"}
    assert result.n_docs == 0 and len(DocBin().from_disk(tmp_path / "out.heron")) == 0


def test_path_and_option_errors(model_dir, tmp_path):
    (tmp_path / "a.txt").write_text("text", encoding="utf8")
    (tmp_path / "a.csv").write_text("text", encoding="utf8")
    cases = [
        ((tmp_path / "missing", tmp_path / "o"), {}, "E590"),
        ((tmp_path / "a.csv", tmp_path / "o"), {}, "E591"),
        ((tmp_path / "a.txt", tmp_path / "o"), {"partition_size": 0}, "E597"),
        ((tmp_path / "a.txt", tmp_path / "o"), {"batch_size": 0}, "E597"),
        ((tmp_path / "a.txt", tmp_path / "o.heron"), {"file_type": "jsonl"}, "E597"),
        ((tmp_path / "a.txt", tmp_path / "o.spacy"), {"file_type": "heron"}, "E597"),
        ((tmp_path / "a.txt", tmp_path / "o"), {"file_type": "conllu"}, "E597"),
        ((tmp_path / "a.txt", tmp_path / "a.csv"), {}, "E597"),  # an existing file that is no output type
    ]
    for (data, out), kwargs, code in cases:
        with pytest.raises(HeronError, match=code):
            apply(model_dir, data, out, progress=False, **kwargs)
    with pytest.raises(HeronError, match=r"E597.*'conllu'.*heron, spacy, jsonl.*Fix: pass --file-type"):
        apply(model_dir, tmp_path / "a.txt", tmp_path / "o", file_type="conllu", progress=False)
    result = CliRunner().invoke(app, ["apply", str(model_dir), str(tmp_path / "a.txt"), str(tmp_path / "o"),
                                      "--file-type", "spacyy", "--no-progress"])
    assert result.exit_code == 1 and "E597" in result.output and "spacy" in result.output
    assert not (tmp_path / "o").exists()  # refused before anything is written
    DocBin().to_disk(tmp_path / "same.heron")
    with pytest.raises(HeronError, match="E598"):
        apply(model_dir, tmp_path / "same.heron", tmp_path / "same.heron", force=True, progress=False)
    with pytest.raises(HeronError, match="E598"):
        apply(model_dir, tmp_path, tmp_path, progress=False)


def test_cli_writes_output_and_exits_1_on_bad_lines(model_dir, ref_nlp, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"text": TEXTS[0]}, "{broken", {"text": TEXTS[1]}])
    out = tmp_path / "out.heron"
    result = CliRunner().invoke(app, ["apply", str(model_dir), str(tmp_path / "in.jsonl"), str(out), "-P", "1",
                                      "--no-progress"])
    assert result.exit_code == 1, result.output
    assert "E596" in result.output and "in.jsonl:2: invalid JSON" in result.output
    assert len(DocBin().from_disk(out)) == 2
    again = CliRunner().invoke(app, ["apply", str(model_dir), str(tmp_path / "in.jsonl"), str(out)])
    assert again.exit_code == 1 and "E592" in again.output
    forced = CliRunner().invoke(app, ["apply", str(model_dir), str(tmp_path / "in.jsonl"), str(out), "--force",
                                      "--text-key", "text", "-b", "2", "-n", "1"])
    assert forced.exit_code == 1 and "E596" in forced.output


# ---- .spacy inputs (heron.tokens.spacy_docbin) ------------------------------------------
def test_spacy_docbin_input_split_across_partitions(model_dir, ref_nlp, tmp_path):
    spacy_docbin = pytest.importorskip("heron.tokens.spacy_docbin")
    tokenizer = heron.blank("en")
    spacy_docbin.SpacyDocBin(docs=[tokenizer(t) for t in TEXTS]).to_disk(tmp_path / "in.spacy")
    result = apply(model_dir, tmp_path / "in.spacy", tmp_path / "out", partition_size=2, progress=False)
    assert (result.n_docs, result.n_partitions, result.bad) == (5, 3, [])
    got = read_folder(tmp_path / "out", ref_nlp)
    assert [annotations(d) for d in got] == [annotations(d) for d in ref_nlp.pipe(TEXTS)]


PEERS_PYTHON = Path(__file__).resolve().parent.parent / ".venv-peers" / "bin" / "python"


@pytest.mark.slow
def test_spacy_file_written_by_spacy(model_dir, ref_nlp, tmp_path):
    """A .spacy file made by spaCy itself (the peer venv), annotated by heron apply."""
    pytest.importorskip("heron.tokens.spacy_docbin")
    if not PEERS_PYTHON.exists():
        pytest.skip("needs spaCy in .venv-peers (make bench-peers)")
    script = ("import spacy, sys\nfrom spacy.tokens import DocBin\nnlp = spacy.blank('en')\n"
              "DocBin(docs=[nlp(t) for t in sys.argv[2:]], store_user_data=True).to_disk(sys.argv[1])\n")
    subprocess.run([str(PEERS_PYTHON), "-c", script, str(tmp_path / "in.spacy"), *TEXTS], check=True)
    result = apply(model_dir, tmp_path / "in.spacy", tmp_path / "out.jsonl", partition_size=2, progress=False)
    assert (result.n_docs, result.bad) == (5, [])
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf8").splitlines()]
    assert rows == [doc.to_json() for doc in ref_nlp.pipe(TEXTS)]


# ---- .spacy outputs (spaCy's DocBin written by heron.tokens.spacy_docbin) ------------------
@pytest.fixture(scope="module")
def ruler_model_dir(tmp_path_factory) -> Path:
    """The tagger + ner pipeline with an entity_ruler after them: the initialised ner predicts
    no entities, and the .spacy output must carry some."""
    nlp = build_nlp(extra=("entity_ruler",))
    nlp.get_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Paris"},
                                               {"label": "ORG", "pattern": [{"LOWER": "acme"}, {"LOWER": "corp"}]}])
    path = tmp_path_factory.mktemp("apply_spacy") / "model"
    nlp.to_disk(path)
    return path


def annotated_input(path: Path) -> None:
    """A .heron DocBin of TEXTS' words with annotations the pipeline doesn't set (heads, deps,
    lemmas, morphs, cats, span groups, user_data): apply keeps them, so both outputs carry them."""
    vocab = heron.blank("en").vocab
    docs = []
    for i, text in enumerate(TEXTS):
        words = text.split()
        doc = Doc(vocab, words=words, heads=[0] + [i - 1 for i in range(1, len(words))],
                  deps=["ROOT"] + ["dep"] * (len(words) - 1), lemmas=[w.lower() for w in words],
                  morphs=["Number=Sing" if w.istitle() else "" for w in words])
        doc.cats = {"LONG": float(len(words) > 6)}
        doc.spans["sc"] = [doc[0:2]]
        doc.user_data["id"] = i
        docs.append(doc)
    DocBin(store_user_data=True, docs=docs).to_disk(path)


def everything(doc: Doc) -> tuple:
    """What both DocBin formats keep: Doc.to_json() (words, spaces, tags, POS, morphs, lemmas,
    heads, deps, ents, sents, cats, span groups) and user_data."""
    return (doc.to_json(), [str(t.morph) for t in doc], doc.user_data)


def test_spacy_output_equals_heron_output(ruler_model_dir, tmp_path):
    annotated_input(tmp_path / "in.heron")
    for suffix in ("heron", "spacy"):
        result = apply(ruler_model_dir, tmp_path / "in.heron", tmp_path / f"out.{suffix}", partition_size=2,
                       progress=False)
        assert (result.n_docs, result.n_partitions, result.bad) == (5, 3, [])
        assert not (tmp_path / f"out.{suffix}.parts").exists()
    vocab = heron.blank("en").vocab
    heron_docs = list(DocBin().from_disk(tmp_path / "out.heron").get_docs(vocab))
    spacy_docs = list(SpacyDocBin().from_disk(tmp_path / "out.spacy").get_docs(heron.blank("en").vocab))
    assert [everything(d) for d in spacy_docs] == [everything(d) for d in heron_docs]
    # The comparison covers real annotations: entities from the ruler, and the input's parse.
    assert {e.label_ for d in heron_docs for e in d.ents} == {"GPE", "ORG"}
    assert [d.user_data["id"] for d in spacy_docs] == list(range(5))
    assert all(t.dep_ and t.tag_ for d in spacy_docs for t in d)


def test_spacy_output_through_the_cli_keeps_meta(model_dir, ref_nlp, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"text": t, "id": i} for i, t in enumerate(TEXTS)])
    out = tmp_path / "out.spacy"
    result = CliRunner().invoke(app, ["apply", str(model_dir), str(tmp_path / "in.jsonl"), str(out), "-P", "2",
                                      "--no-progress"])
    assert result.exit_code == 0, result.output
    got = list(SpacyDocBin().from_disk(out).get_docs(ref_nlp.vocab))
    assert [annotations(d) for d in got] == [annotations(d) for d in ref_nlp.pipe(TEXTS)]
    assert [d.user_data["meta"] for d in got] == [{"id": i} for i in range(5)]
    again = CliRunner().invoke(app, ["apply", str(model_dir), str(tmp_path / "in.jsonl"), str(out)])
    assert again.exit_code == 1 and "E592" in again.output


def test_folder_output_as_spacy(model_dir, ref_nlp, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    apply(model_dir, tmp_path / "in.jsonl", tmp_path / "out", file_type="spacy", partition_size=3, progress=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "done", "manifest.json", "part-00000.spacy", "part-00001.spacy"]
    docs = [d for p in sorted((tmp_path / "out").glob("part-*.spacy"))
            for d in SpacyDocBin().from_disk(p).get_docs(ref_nlp.vocab)]
    assert [annotations(d) for d in docs] == [annotations(d) for d in ref_nlp.pipe(TEXTS)]


def test_empty_input_writes_empty_spacy_file(model_dir, tmp_path):
    (tmp_path / "data").mkdir()
    with pytest.warns(UserWarning, match="W591"):
        result = apply(model_dir, tmp_path / "data", tmp_path / "out.spacy", progress=False)
    assert result.n_docs == 0 and len(SpacyDocBin().from_disk(tmp_path / "out.spacy")) == 0


@pytest.mark.slow
def test_spacy_reads_the_spacy_output(ruler_model_dir, tmp_path):
    """spaCy itself (the peer venv) reads the merged .spacy output: the same words, tags,
    entities, heads, deps, lemmas, cats, span groups and user_data as heron reads."""
    if not PEERS_PYTHON.exists():
        pytest.skip("needs spaCy in .venv-peers (make bench-peers)")
    annotated_input(tmp_path / "in.heron")
    apply(ruler_model_dir, tmp_path / "in.heron", tmp_path / "out.spacy", partition_size=2, progress=False)
    script = ("import json, spacy, sys\nfrom spacy.tokens import DocBin\nnlp = spacy.blank('en')\n"
              "docs = DocBin().from_disk(sys.argv[1]).get_docs(nlp.vocab)\n"
              "print(json.dumps([[d.to_json(), [str(t.morph) for t in d], d.user_data] for d in docs]))\n")
    shown = subprocess.run([str(PEERS_PYTHON), "-c", script, str(tmp_path / "out.spacy")], check=True,
                           capture_output=True, text=True).stdout
    docs = SpacyDocBin().from_disk(tmp_path / "out.spacy").get_docs(heron.blank("en").vocab)
    expected = json.loads(json.dumps([list(everything(d)) for d in docs]))
    for doc_json, _, _ in expected:  # spaCy's Doc.to_json leaves out a span's id (all "" here)
        for group in doc_json.get("spans", {}).values():
            for span in group:
                assert span.pop("id") == ""
    assert json.loads(shown) == expected
