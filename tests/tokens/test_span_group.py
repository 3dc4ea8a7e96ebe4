"""doc.spans and SpanGroup: the list and dict protocols, spaCy's semantics, and every way a
Doc is copied, cut, joined, retokenized or serialised keeping its span groups."""
import copy
import gc
import warnings
import weakref

import msgpack
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, DocBin, Span, SpanGroup, SpanGroups, Vocab
from heron.tokens.span_group import SPAN_STRUCT

WORDS = ["Ann", "Lee", "met", "Bob", "in", "New", "York", "City"]


@pytest.fixture
def doc():
    doc = Doc(Vocab(), WORDS)
    doc.spans["sc"] = [Span(doc, 0, 2, label="PER"), Span(doc, 1, 3, label="X"),
                       Span(doc, 5, 8, label="LOC", kb_id="Q60", span_id="nyc"), Span(doc, 5, 7, label="LOC")]
    return doc


def rows(group):
    """A group as plain values, comparable across Docs."""
    return [(s.start, s.end, s.label_, s.kb_id_, s.id_, s.text) for s in group]


def all_rows(doc):
    return {key: (group.name, group.attrs, rows(group)) for key, group in doc.spans.items()}


# ---- SpanGroup: construction and the list protocol -------------------------------------
def test_assigning_spans_makes_a_group_named_by_the_key(doc):
    group = doc.spans["sc"]
    assert isinstance(group, SpanGroup) and isinstance(doc.spans, SpanGroups)
    assert group.name == "sc" and group.doc is doc and group.attrs == {}
    assert len(group) == 4 and group.has_overlap
    assert rows(group)[2] == (5, 8, "LOC", "Q60", "nyc", "New York City")
    assert "sc" in doc.spans and list(doc.spans) == ["sc"] and len(doc.spans) == 1


def test_a_doc_without_groups_carries_nothing():
    doc = Doc(Vocab(), WORDS)
    assert doc._spans is None
    assert len(doc.spans) == 0 and not doc.spans


def test_constructor_name_attrs_and_overlap():
    doc = Doc(Vocab(), WORDS)
    group = SpanGroup(doc, name="errors", attrs={"annotator": "ann"}, spans=[doc[0:1], doc[2:3]])
    assert not group.has_overlap and group.attrs == {"annotator": "ann"}
    doc.spans["other_key"] = group
    assert doc.spans["other_key"] == group and group.name == "errors"  # spaCy keeps the group's own name
    assert not SpanGroup(doc).has_overlap
    assert not SpanGroup(doc, spans=[doc[0:2], doc[2:2], doc[2:3]]).has_overlap  # empty spans hold no token
    assert SpanGroup(doc, spans=[doc[0:5], doc[1:2], doc[6:7]]).has_overlap


def test_getitem_returns_copies_and_slices_are_groups(doc):
    group = doc.spans["sc"]
    span = group[0]
    span.label_ = "CHANGED"
    assert group[0].label_ == "PER"  # a copy, as in spaCy: assign it back to change the group
    group[0] = span
    assert group[0].label_ == "CHANGED" and group[-1].text == "New York"
    part = group[1:3]
    assert isinstance(part, SpanGroup) and part.name == "sc" and [s.text for s in part] == ["Lee met", "New York City"]
    part.append(doc[7:8])
    assert len(group) == 4  # slicing copies
    with pytest.raises(IndexError, match=r"\[E074\].*index 4"):
        group[4]
    with pytest.raises(IndexError, match=r"\[E074\]"):
        del group[-5]


def test_setitem_delitem_append_extend(doc):
    group = doc.spans["sc"]
    del group[1]
    assert [s.text for s in group] == ["Ann Lee", "New York City", "New York"]
    del group[1:]
    group.append(doc[3:4])
    group.extend([doc[4:5], doc[6:8]])
    group[1:2] = [doc[7:8], doc[0:1]]
    assert [s.text for s in group] == ["Ann Lee", "City", "Ann", "in", "York City"]
    assert doc[0:1] in group and doc[1:2] not in group


def test_add_and_iadd_merge_attrs_like_spacy():
    doc = Doc(Vocab(), WORDS)
    a = SpanGroup(doc, name="a", attrs={"x": 1}, spans=[doc[0:1]])
    b = SpanGroup(doc, name="b", attrs={"x": 2, "y": [3]}, spans=[doc[1:2]])
    c = a + b
    assert c.name == "a" and c.attrs == {"x": 1, "y": [3]} and [s.text for s in c] == ["Ann", "Lee"]
    assert len(a) == 1 and a.attrs == {"x": 1}
    c.attrs["y"].append(4)
    assert b.attrs["y"] == [3]  # attrs are deep-copied
    a += b
    assert len(a) == 2 and a.attrs == {"x": 1, "y": [3]}
    a += [doc[2:3]]
    assert len(a) == 3
    with pytest.raises(TypeError):
        a + [doc[0:1]]  # noqa: B018  (+ takes a group, as in spaCy; += and extend take Spans too)


def test_spans_of_another_doc_are_refused(doc):
    other = Doc(doc.vocab, WORDS)
    group = doc.spans["sc"]
    for action in (lambda: group.append(other[0:1]), lambda: group.extend([other[0:1]]),
                   lambda: group.__setitem__(0, other[0:1]), lambda: SpanGroup(doc, spans=[other[0:1]]),
                   lambda: group + SpanGroup(other), lambda: doc.spans.__setitem__("k", SpanGroup(other)),
                   lambda: doc.spans.__setitem__("k", [doc[0:1], other[0:1]])):
        with pytest.raises(HeronError, match=r"\[E072\].*another Doc.*Fix:"):
            action()
    assert len(group) == 4 and "k" not in doc.spans


def test_non_spans_and_bad_keys_are_refused(doc):
    with pytest.raises(HeronError, match=r"\[E075\].*NoneType.*char_span returns None"):
        doc.spans["x"] = [doc.char_span(0, 2)]  # not on token boundaries
    with pytest.raises(HeronError, match=r"\[E075\].*str"):
        doc.spans["sc"].append("Ann")
    with pytest.raises(HeronError, match=r"\[E076\].*int"):
        doc.spans[3] = []
    assert "x" not in doc.spans


def test_equality_and_repr(doc):
    group = doc.spans["sc"]
    assert group == group.copy() and group != group[0:2] and group != SpanGroup(doc, name="sc")
    assert repr(group).startswith("SpanGroup(name='sc', spans=[0:2 PER 'Ann Lee', 1:3 X 'Lee met'")
    assert group != [1, 2]


def make_doc_with_spans():
    doc = Doc(Vocab(), WORDS)
    doc.spans["sc"] = [doc[0:2]]
    return doc


def test_a_group_keeps_its_doc_alive_and_a_doc_makes_no_cycle():
    group = make_doc_with_spans().spans["sc"]  # spaCy's weak reference would fail here (its E865)
    assert [s.text for s in group] == ["Ann Lee"]
    doc = make_doc_with_spans()
    ref = weakref.ref(doc)
    gc.disable()
    try:
        del doc
        assert ref() is None  # freed by reference counting alone: no Doc -> groups -> Doc cycle
    finally:
        gc.enable()


def test_views_share_the_docs_groups(doc):
    view = doc.spans["sc"]
    view.append(doc[0:1])
    view.attrs["k"] = 1
    view.name = "renamed"
    assert len(doc.spans["sc"]) == 5 and doc.spans["sc"].attrs == {"k": 1} and doc.spans["sc"].name == "renamed"
    assert doc.spans["sc"] == view and doc.spans == doc.spans
    standalone = SpanGroup(doc, name="free")
    doc.spans["free"] = standalone
    standalone.append(doc[3:4])  # assigned groups are shared, as in spaCy
    assert [s.text for s in doc.spans["free"]] == ["Bob"]


def test_setdefault_and_deletion(doc):
    assert doc.spans.setdefault("sc") == doc.spans["sc"]
    new = doc.spans.setdefault("new", [doc[0:1]])
    assert isinstance(new, SpanGroup) and new.name == "new" and len(new) == 1
    assert len(doc.spans.setdefault("empty")) == 0
    del doc.spans["new"]
    assert list(doc.spans) == ["sc", "empty"]


# ---- copies -------------------------------------------------------------------------------
def test_doc_copy_and_deepcopy_keep_independent_groups(doc):
    doc.spans["sc"].attrs["source"] = {"who": "ann"}
    for clone in (doc.copy(), copy.deepcopy(doc)):
        assert all_rows(clone) == all_rows(doc)
        assert clone.spans["sc"].doc is clone
        clone.spans["sc"].append(clone[0:1])
        clone.spans["sc"].attrs["source"]["who"] = "bob"
        assert len(doc.spans["sc"]) == 4 and doc.spans["sc"].attrs["source"] == {"who": "ann"}


def test_group_copy_to_another_doc_by_characters(doc):
    other = Doc(Vocab(), ["Ann", "Lee", "met", "Bob", "in", "New", "York", "City"])
    moved = doc.spans["sc"].copy(other)
    assert moved.doc is other and rows(moved) == rows(doc.spans["sc"])
    assert other.vocab.strings["Q60"] == doc.vocab.strings["Q60"]  # strings moved to the other vocab
    retok = Doc(doc.vocab, ["Ann", "Lee", "met", "Bob", "in", "New", "York", "Ci", "ty"])
    with pytest.raises(HeronError, match=r"\[E078\].*span 2 \('New York City'"):
        doc.spans["sc"].copy(retok)
    whole = Doc(doc.vocab, ["Ann", "Lee", "met", "Bob", "in", "New York City"], [True] * 5 + [True])
    assert [s.text for s in SpanGroup(doc, spans=[doc[0:2], doc[5:8]]).copy(whole)] == ["Ann Lee", "New York City"]


# ---- bytes --------------------------------------------------------------------------------
def test_group_bytes_round_trip_in_spacys_layout(doc):
    group = doc.spans["sc"]
    group.attrs = {"threshold": 0.5, "labels": ["PER", "LOC"]}
    data = group.to_bytes()
    msg = msgpack.unpackb(data, raw=False)
    assert set(msg) == {"name", "attrs", "spans"} and len(msg["spans"][2]) == 40
    assert SPAN_STRUCT.unpack(msg["spans"][2]) == (doc.vocab.strings["nyc"], doc.vocab.strings["Q60"],
                                                   doc.vocab.strings["LOC"], 5, 8, 19, 32)
    loaded = SpanGroup(doc).from_bytes(data)
    assert loaded == group


def test_doc_spans_bytes_keep_keys_sharing_one_group(doc):
    doc.spans["alias"] = doc.spans["sc"]
    doc.spans["empty"] = []
    data = doc.spans.to_bytes()
    assert len(msgpack.unpackb(data, raw=False, strict_map_key=False)) == 2  # the shared group is written once
    fresh = Doc(doc.vocab, WORDS)
    fresh.spans.from_bytes(data)
    assert all_rows(fresh) == all_rows(doc)
    fresh.spans["alias"].append(fresh[0:1])
    assert len(fresh.spans["sc"]) == 4  # keys sharing a group load as copies (spaCy)
    assert len(SpanGroups(fresh).from_bytes(b"")) == 0 and len(SpanGroups(fresh).from_bytes(msgpack.packb([]))) == 0


def test_spacy_list_layout_loads_with_a_warning_on_duplicate_names(doc):
    a, b = SpanGroup(doc, name="n", spans=[doc[0:1]]), SpanGroup(doc, name="n", spans=[doc[1:2]])
    fresh = Doc(doc.vocab, WORDS)
    with pytest.warns(UserWarning, match=r"\[W002\].*'n'"):
        fresh.spans.from_bytes(msgpack.packb([a.to_bytes(), b.to_bytes()]))
    assert [s.text for s in fresh.spans["n"]] == ["Lee"]


def _group_bytes(*spans, name="g", attrs=None):
    return msgpack.packb({"name": name, "attrs": attrs or {}, "spans": [SPAN_STRUCT.pack(*s) for s in spans]})


def _groups(group_bytes):
    return msgpack.packb({group_bytes: ["g"]})


@pytest.mark.parametrize("data, problem", [
    (b"\xc1", "not msgpack"),
    (msgpack.packb([1, 2]), "expected bytes"),
    (_groups(msgpack.packb({"name": 3, "attrs": {}, "spans": []})), "expected a map"),
    (_groups(msgpack.packb(["name", "attrs"])), "a group is not a msgpack map"),
    (_groups(msgpack.packb({"name": "g", "attrs": {}, "spans": [b"short"]})), "40 packed bytes"),
    (_groups(_group_bytes((0, 0, 0, 0, 9, 0, 3))), "outside a Doc of 8 tokens"),
    (_groups(_group_bytes((0, 0, 0, 3, 1, 0, 3))), "outside"),
    (_groups(_group_bytes((0, 0, 0, 0, 1, 0, 2))), "characters 0-2, but its tokens 0-1 cover 0-3"),
    (_groups(_group_bytes((0, 0, 12345, 0, 1, 0, 3))), "label hash 12345 missing"),
    (msgpack.packb({"g": "notalist"}), "keys must be a list of str"),
    (msgpack.packb(7), "list or map"),
])
def test_malformed_span_data_is_a_coded_error(doc, data, problem):
    fresh = Doc(doc.vocab, WORDS)
    fresh.spans["keep"] = [fresh[0:1]]
    with pytest.raises(HeronError, match=r"\[E077\] here: .*" + problem + ".*Fix:"):
        fresh.spans.from_bytes(data, source="here")
    assert list(fresh.spans) == ["keep"]  # unchanged


def test_doc_to_bytes_round_trip(doc):
    doc.spans["empty"] = []
    loaded = Doc(Vocab()).from_bytes(doc.to_bytes())  # a fresh vocab: the strings travel with the Doc
    assert all_rows(loaded) == all_rows(doc)
    no_spans = Doc(Vocab()).from_bytes(doc.to_bytes(exclude=["span_groups"]))
    assert len(no_spans.spans) == 0
    target = Doc(doc.vocab, ["x"])
    target.spans["old"] = [target[0:1]]
    target.from_bytes(Doc(doc.vocab, WORDS).to_bytes())
    assert len(target.spans) == 0  # replaced with the (empty) groups of the bytes


def test_bad_span_groups_in_doc_bytes_leave_the_doc_intact(doc):
    msg = msgpack.unpackb(doc.to_bytes(), raw=False, strict_map_key=False)
    msg["span_groups"] = msgpack.packb({_group_bytes((0, 0, 0, 0, 99, 0, 3)): ["bad"]})
    target = Doc(doc.vocab, ["untouched"])
    with pytest.raises(HeronError, match=r"\[E035\].*E077.*outside"):
        target.from_bytes(msgpack.packb(msg, use_bin_type=True))
    assert target.text == "untouched "


def test_unsaveable_attrs_are_a_coded_error(doc):
    doc.spans["sc"].attrs["fn"] = print
    with pytest.raises(HeronError, match=r"\[E079\].*'sc'.*'fn'"):
        doc.to_bytes()


# ---- DocBin ---------------------------------------------------------------------------------
def test_docbin_round_trip_with_and_without_groups(doc):
    plain = Doc(doc.vocab, ["no", "groups"])
    docbin = DocBin(docs=[doc, plain])
    loaded = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(Vocab()))
    assert all_rows(loaded[0]) == all_rows(doc) and loaded[1]._spans is None
    merged = DocBin(docs=[plain])
    merged.merge(docbin)
    assert [len(d.spans) for d in merged.get_docs(Vocab())] == [0, 1, 0]


def test_docbin_layout_has_one_span_groups_entry_per_doc(doc):
    from heron.tokens import _docbin_format

    body = _docbin_format.decode(DocBin(docs=[doc, Doc(doc.vocab, ["x"])]).to_bytes(), "mem", None)
    assert len(body["span_groups"]) == 2 and body["span_groups"][1] == b""
    assert body["span_groups"][0] == doc.spans.to_bytes()


def test_docbin_without_span_groups_key_still_loads(doc):
    from heron.tokens import _docbin_format

    docbin = DocBin(docs=[doc])
    body = {"attrs": ["ORTH"], "tokens": docbin.tokens[0][:, :1].astype("<u8").tobytes(),
            "spaces": docbin.spaces[0].tobytes(), "lengths": (len(doc)).to_bytes(8, "little"),
            "strings": sorted(docbin.strings), "cats": [{}], "store_user_data": False, "user_data": None}
    data = _docbin_format.encode(body, n_docs=1, n_tokens=len(doc), n_attrs=1)
    loaded = next(DocBin().from_bytes(data).get_docs(Vocab()))
    assert loaded.text == doc.text and len(loaded.spans) == 0


def test_malformed_span_groups_in_a_docbin_name_the_file_and_doc(doc, tmp_path):
    docbin = DocBin(docs=[Doc(doc.vocab, ["a"]), doc])
    docbin.span_groups[1] = msgpack.packb({_group_bytes((0, 0, 0, 0, 99, 0, 3)): ["sc"]})
    path = tmp_path / "bad.heron"
    docbin.to_disk(path)
    with pytest.raises(HeronError, match=r"\[E043\] .*bad.heron: doc 1 .*E077.*outside a Doc"):
        list(DocBin().from_disk(path).get_docs(Vocab()))
    docbin.span_groups = [b"", 3]
    with pytest.raises(HeronError, match=r"\[E028\].*span_groups must hold one bytes entry per doc"):
        DocBin().from_bytes(docbin.to_bytes())
    docbin.span_groups = [b""]
    with pytest.raises(HeronError, match=r"\[E028\].*span_groups"):
        DocBin().from_bytes(docbin.to_bytes())


# ---- JSON -----------------------------------------------------------------------------------
def test_to_json_uses_spacys_keys_and_round_trips(doc):
    doc.spans["empty"] = []
    data = doc.to_json()
    assert data["spans"]["sc"][2] == {"start": 19, "end": 32, "label": "LOC", "kb_id": "Q60", "id": "nyc"}
    assert data["spans"]["empty"] == []
    loaded = Doc.from_json(Vocab(), data)
    assert {k: rows(g) for k, g in loaded.spans.items()} == {k: rows(g) for k, g in doc.spans.items()}
    assert "spans" not in Doc(doc.vocab, WORDS).to_json()


def test_from_json_accepts_spacys_minimal_spans_and_refuses_misaligned(doc):
    data = Doc(doc.vocab, WORDS).to_json()
    data["spans"] = {"sc": [{"start": 0, "end": 7, "label": "PER"}]}
    loaded = Doc.from_json(doc.vocab, data)
    assert rows(loaded.spans["sc"]) == [(0, 2, "PER", "", "", "Ann Lee")]
    data["spans"] = {"sc": [{"start": 0, "end": 5, "label": "PER"}]}
    with pytest.raises(HeronError, match=r"\[E026\].*spans\['sc'\]\[0\].*not aligned"):
        Doc.from_json(doc.vocab, data)
    data["spans"] = {"sc": "nope"}
    with pytest.raises(HeronError, match=r"\[E026\].*must be a list"):
        Doc.from_json(doc.vocab, data)


# ---- from_docs, as_doc ------------------------------------------------------------------------
def test_from_docs_merges_groups_per_key_with_shifted_offsets(doc):
    second = Doc(doc.vocab, ["Bob", "sang", "."])
    second.spans["sc"] = SpanGroup(second, name="sc", attrs={"extra": 1}, spans=[Span(second, 0, 1, label="PER")])
    second.spans["only2"] = [second[1:3]]
    third = Doc(doc.vocab, ["Hi"])
    joined = Doc.from_docs([doc, third, second])
    sc = joined.spans["sc"]
    assert sc.attrs == {"extra": 1}
    assert rows(sc)[-1] == (9, 10, "PER", "", "", "Bob") and rows(sc)[:4] == rows(doc.spans["sc"])
    assert [s.text for s in joined.spans["only2"]] == ["sang ."]
    assert list(joined.spans) == ["sc", "only2"]


def test_as_doc_keeps_the_spans_inside(doc):
    doc.spans["empty"] = []
    sub = doc[1:7].as_doc()
    assert rows(sub.spans["sc"]) == [(0, 2, "X", "", "", "Lee met"), (4, 6, "LOC", "", "", "New York")]
    assert list(sub.spans) == ["sc", "empty"] and sub.spans["sc"].doc is sub
    assert Doc(doc.vocab, WORDS)[0:2].as_doc()._spans is None


# ---- retokenize --------------------------------------------------------------------------------
def test_merge_remaps_overlapping_spans(doc):
    doc.spans["alias"] = doc.spans["sc"]
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[5:7])  # "New York": cuts the span "New York City" and is the span "New York"
        retokenizer.merge(doc[0:2])
    assert [t.text for t in doc] == ["Ann Lee", "met", "Bob", "in", "New York", "City"]
    assert [(s.start, s.end, s.text) for s in doc.spans["sc"]] == [
        (0, 1, "Ann Lee"), (0, 2, "Ann Lee met"), (4, 6, "New York City"), (4, 5, "New York")]
    assert doc.spans["alias"] == doc.spans["sc"]  # a shared group is moved once


def test_merge_grows_a_span_that_ends_inside_the_merged_token():
    doc = Doc(Vocab(), WORDS)
    doc.spans["sc"] = [doc[6:8], doc[3:4], doc[7:7]]
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[5:7])
    assert [(s.start, s.end, s.text) for s in doc.spans["sc"]] == [(5, 7, "New York City"), (3, 4, "Bob"), (6, 6, "")]


def test_split_keeps_every_piece_in_the_span(doc):
    with doc.retokenize() as retokenizer:
        retokenizer.split(doc[7], ["Ci", "ty"], heads=[(doc[7], 1), doc[6]])
        retokenizer.split(doc[0], ["A", "nn"], heads=[(doc[0], 1), doc[1]])
    assert [(s.start, s.end, s.text) for s in doc.spans["sc"]] == [
        (0, 3, "Ann Lee"), (2, 4, "Lee met"), (6, 10, "New York City"), (6, 8, "New York")]
    Doc(Vocab()).from_bytes(doc.to_bytes())  # still consistent: the checks on load pass


def test_retokenize_then_serialise_round_trips(doc):
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:4])
    loaded = next(DocBin(docs=[doc]).get_docs(Vocab()))
    assert all_rows(loaded) == all_rows(doc)


def test_no_warnings_for_plain_docs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = Doc(Vocab(), WORDS)
        Doc(doc.vocab).from_bytes(doc.to_bytes())
        list(DocBin(docs=[doc]).get_docs(doc.vocab))
