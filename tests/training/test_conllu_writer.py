"""CoNLL-U writer (heron/training/converters/conllu_writer.py): CoNLL-U -> Doc -> CoNLL-U
keeps ID, FORM, LEMMA, UPOS, XPOS, FEATS, HEAD, DEPREL and the multi-word token lines.

All CoNLL-U here is made up in this file.
"""
import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import heron
from heron.errors import HeronValueError, HeronWarning
from heron.tokens import Doc, DocBin, Vocab
from heron.training.converters import conllu_to_docs
from heron.training.converters.conllu_writer import ConlluWriter, docs_to_conllu, ud_feats


def conllu(*docs):
    """CoNLL-U text in the writer's own layout from docs = [sentences], sentence =
    (text, [row]), row = (ID, FORM, LEMMA, UPOS, XPOS, FEATS, HEAD, DEPREL, MISC)."""
    out, n = [], 0
    for sents in docs:
        out.append("# newdoc")
        for text, rows in sents:
            n += 1
            out += [f"# sent_id = {n}", f"# text = {text}"]
            out += ["\t".join([*map(str, row[:8]), "_", row[8]]) for row in row_list(rows)]
            out.append("")
    return "\n".join(out) + "\n"


def row_list(rows):
    return [row if len(row) == 9 else (*row, "_") for row in rows]


# "I don't know this." / "We're gonna win!" (multi-word tokens, features UD doesn't
# define, SpaceAfter=No) and a non-projective tree with a layered feature.
DONT = ("I don't know this.", [
    (1, "I", "I", "PRON", "PRP", "Case=Nom|Number=Sing|Person=1|PronType=Prs", 3, "nsubj"),
    ("2-3", "don't", "_", "_", "_", "_", "_", "_"),
    (2, "do", "do", "AUX", "VBP", "Foo=Bar|Mood=Ind|Tense=Pres|Typo=Yes", 4, "aux"),
    (3, "n't", "not", "PART", "RB", "Polarity=Neg", 4, "advmod"),
    (4, "know", "know", "VERB", "VB", "VerbForm=Inf", 0, "root"),
    (5, "this", "this", "PRON", "DT", "Number=Sing|PronType=Dem", 4, "obj", "SpaceAfter=No"),
    (6, ".", ".", "PUNCT", ".", "_", 4, "punct"),
])
GONNA = ("We're gonna win!", [
    ("1-2", "We're", "_", "_", "_", "_", "_", "_"),
    (1, "We", "we", "PRON", "PRP", "Case=Nom|Number=Plur|Person=1|PronType=Prs", 4, "nsubj"),
    (2, "'re", "be", "AUX", "VBP", "Mood=Ind|Number=Plur|Person=1|Tense=Pres|VerbForm=Fin", 4, "aux"),
    ("3-4", "gonna", "_", "_", "_", "_", "_", "_"),
    (3, "gon", "go", "VERB", "VBG", "Tense=Pres|VerbForm=Part", 0, "root"),
    (4, "na", "to", "PART", "TO", "_", 5, "mark"),
    (5, "win", "win", "VERB", "VB", "VerbForm=Inf", 3, "xcomp", "SpaceAfter=No"),
    (6, "!", "!", "PUNCT", ".", "_", 3, "punct"),
])
# "issue" attaches to "hearing" across "is scheduled": crossing arcs.
NONPROJ = ("A hearing is scheduled on the issue today.", [
    (1, "A", "a", "DET", "DT", "Definite=Ind|PronType=Art", 2, "det"),
    (2, "hearing", "hearing", "NOUN", "NN", "Number=Sing", 4, "nsubj:pass"),
    (3, "is", "be", "AUX", "VBZ", "Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin", 4, "aux:pass"),
    (4, "scheduled", "schedule", "VERB", "VBN", "Tense=Past|VerbForm=Part|Voice=Pass", 0, "root"),
    (5, "on", "on", "ADP", "IN", "_", 7, "case"),
    (6, "the", "the", "DET", "DT", "Definite=Def|PronType=Art", 7, "det"),
    (7, "issue", "issue", "NOUN", "NN", "Number=Sing|Number[psor]=Sing|NumType=Card", 2, "nmod"),
    (8, "today", "today", "NOUN", "NN", "Number=Sing", 4, "obl:tmod", "SpaceAfter=No"),
    (9, ".", ".", "PUNCT", ".", "_", 4, "punct"),
])
SAMPLE = conllu([DONT, GONNA], [NONPROJ])


def read(text, **kwargs):
    return list(conllu_to_docs(text, n_sents=0, **kwargs))


def token_columns(text, n=8):
    """(ID .. column n) of every word and range line, empty nodes left out."""
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return [tuple(row[:n]) for row in rows if "." not in row[0]]


def test_round_trip_is_identical():
    docs = read(SAMPLE)
    assert len(docs) == 2
    assert docs_to_conllu(docs) == SAMPLE


def test_multiword_tokens_are_recorded_and_written_back():
    doc = read(SAMPLE)[0]
    assert [t.text for t in doc][:4] == ["I", "do", "n't", "know"]
    assert doc.user_data["conllu_mwt"] == [[1, 3, "don't"], [6, 8, "We're"], [8, 10, "gonna"]]
    assert doc.text == "I don't know this. We're gonna win!"
    written = docs_to_conllu([doc])
    assert "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_" in written.splitlines()
    assert "3-4\tgonna\t_\t_\t_\t_\t_\t_\t_\t_" in written.splitlines()


def test_mwt_form_other_than_its_words_and_space_after_on_range_line():
    # French-style "du" = "de" + "le": the surface form is not the words joined.
    text = conllu([("Il parle du chat", [
        (1, "Il", "il", "PRON", "_", "_", 2, "nsubj"),
        (2, "parle", "parler", "VERB", "_", "_", 0, "root"),
        ("3-4", "du", "_", "_", "_", "_", "_", "_", "SpaceAfter=No"),
        (3, "de", "de", "ADP", "_", "_", 5, "case"),
        (4, "le", "le", "DET", "_", "_", 5, "det"),
        (5, "chat", "chat", "NOUN", "_", "_", 2, "obl"),
    ])])
    # the range line's SpaceAfter=No is not the last token's, so the sentence text is
    # written from the words' spaces: "du" is followed by no space.
    text = text.replace("# text = Il parle du chat", "# text = Il parle duchat")
    assert docs_to_conllu(read(text)) == text


def test_unknown_features_kept_in_ud_order():
    text = conllu([("x y", [
        (1, "x", "x", "X", "_", "Typo=Yes|Foo=Bar|NumType=Card|Number=Plur", 0, "root"),
        (2, "y", "y", "X", "_", "zeta=1|Alpha=b,A", 1, "dep"),
    ])])
    written = token_columns(docs_to_conllu(read(text)))
    assert written[0][5] == "Foo=Bar|Number=Plur|NumType=Card|Typo=Yes"
    assert written[1][5] == "Alpha=A,b|zeta=1"
    assert ud_feats("NumType=Card|Number=Plur") == "Number=Plur|NumType=Card"
    assert ud_feats("") == ud_feats("_") == "_"


def test_xpos_underscore_and_tags_equal_to_pos():
    # A file without XPOS: the reader puts UPOS in tag_; the writer writes "_" back.
    no_xpos = conllu([("Go home", [(1, "Go", "go", "VERB", "_", "_", 0, "root"),
                                   (2, "home", "home", "ADV", "_", "_", 1, "advmod")])])
    doc = read(no_xpos)[0]
    assert doc[0].tag_ == "VERB"
    assert docs_to_conllu([doc]) == no_xpos
    # A Doc with XPOS elsewhere keeps an XPOS equal to its UPOS ("SYM").
    sym = conllu([("1 + 1", [(1, "1", "1", "NUM", "CD", "NumType=Card", 0, "root"),
                             (2, "+", "+", "SYM", "SYM", "_", 3, "cc"),
                             (3, "1", "1", "NUM", "CD", "NumType=Card", 1, "conj")])])
    assert docs_to_conllu(read(sym)) == sym


def test_missing_values_stay_missing():
    text = conllu([("a b c", [
        (1, "a", "_", "_", "_", "_", "_", "_"),
        (2, "b", "b", "NOUN", "NN", "_", 0, "root"),
        (3, "c", "_", "_", "NN", "_", 2, "_"),
    ])])
    assert docs_to_conllu(read(text)) == text


def test_unlabelled_tree_keeps_its_roots():
    text = conllu([("a b", [(1, "a", "_", "_", "_", "_", 2, "_"), (2, "b", "_", "_", "_", "_", 0, "_")])])
    assert docs_to_conllu(read(text)) == text


def test_entities_in_misc_round_trip():
    text = conllu([("Ada Lovelace wrote.", [
        (1, "Ada", "_", "PROPN", "_", "_", 3, "nsubj", "NER=B-PER"),
        (2, "Lovelace", "_", "PROPN", "_", "_", 1, "flat", "NER=I-PER"),
        (3, "wrote", "_", "VERB", "_", "_", 0, "root", "NER=O|SpaceAfter=No"),
        (4, ".", "_", "PUNCT", "_", "_", 3, "punct", "NER=O"),
    ]), ("Hi", [(1, "Hi", "_", "INTJ", "_", "_", 0, "root")])])
    docs = read(text)
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Ada Lovelace", "PER")]
    assert docs[0][4].ent_iob_ == ""  # the second sentence has no NER annotation
    assert docs_to_conllu(docs) == text


def test_ud_file_columns_1_to_8_round_trip():
    """A UD-style file (ids, DEPS, other MISC, an empty node, no newdoc): columns 1-8 are kept."""
    text = "\n".join([
        "# sent_id = weblog-1", "# text = I don't know.",
        "1\tI\tI\tPRON\tPRP\tCase=Nom\t3\tnsubj\t3:nsubj\t_",
        "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
        "2\tdo\tdo\tAUX\tVBP\tMood=Ind\t4\taux\t4:aux\t_",
        "3\tn't\tnot\tPART\tRB\tPolarity=Neg\t4\tadvmod\t4:advmod\t_",
        "4\tknow\tknow\tVERB\tVB\tVerbForm=Inf\t0\troot\t0:root\tSpaceAfter=No",
        "4.1\tknow\tknow\tVERB\tVB\t_\t_\t_\t4:conj\tCopyOf=4",
        "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\tGloss=dot",
        "",
    ]) + "\n"
    written = docs_to_conllu(read(text))
    assert token_columns(written) == token_columns(text)
    assert "4.1" not in written  # empty nodes are not read, so not written
    assert written.startswith("# newdoc\n# sent_id = 1\n# text = I don't know.\n")


def test_merged_subtokens_are_single_words():
    doc = read(SAMPLE, merge_subtokens=True)[0]
    written = docs_to_conllu([doc])
    assert "2\tdon't\tdo not\tAUX\tVBP_RB\t" in written
    assert not any("-" in row[0] for row in token_columns(written))


def test_docbin_keeps_multiword_tokens():
    vocab = Vocab()
    docbin = DocBin(store_user_data=True, docs=read(SAMPLE))
    docs = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(vocab))
    assert docs_to_conllu(docs) == SAMPLE


def test_doc_round_trip_from_python():
    nlp = heron.blank("en")
    doc = nlp.make_doc("Hello, world. Bye now")
    for t in doc[1:]:
        t.is_sent_start = t.i == 4
    doc[0].lemma_ = "hello"
    again = read(docs_to_conllu([doc]))[0]
    assert [t.text for t in again] == [t.text for t in doc]
    assert again.text == doc.text
    assert [s.text for s in again.sents] == ["Hello, world.", "Bye now"]
    assert again[0].lemma_ == "hello"


def test_doc_without_sentence_boundaries_is_one_sentence():
    doc = Doc(Vocab(), ["One", "two", ".", "Three"], spaces=[True, False, True, False])
    text = docs_to_conllu([doc])
    assert text.count("# sent_id") == 1 and "# text = One two. Three" in text
    assert "2\ttwo\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No" in text.splitlines()


def test_writer_accumulates_and_skips_empty_docs():
    docs = read(SAMPLE)
    writer = ConlluWriter()
    writer.add(Doc(docs[0].vocab, []))
    for doc in docs:
        writer.add(doc)
    assert len(writer) == 2 and writer.n_sents == 3
    assert writer.to_bytes() == SAMPLE.encode("utf8")


def test_head_outside_its_sentence_is_an_error():
    vocab = Vocab()
    doc = Doc(vocab, ["a", "b", "c"], heads=[1, 1, 1], deps=["dep", "ROOT", "dep"],
              sent_starts=[True, False, True])
    with pytest.raises(HeronValueError, match=r"\[E427\].*Doc 0, token 2"):
        docs_to_conllu([doc])


def test_tab_or_newline_in_a_value_is_an_error():
    doc = Doc(Vocab(), ["a", "b"], lemmas=["a", "x\ty"])
    with pytest.raises(HeronValueError, match=r"\[E428\].*LEMMA of Doc 0, token 1"):
        docs_to_conllu([doc])


def test_stale_multiword_records_are_skipped_with_a_warning():
    doc = read(SAMPLE)[0]
    doc.user_data["conllu_mwt"] = [[1, 3, "don't"], [9, 99, "gonna"], "junk"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HeronWarning)
        written = docs_to_conllu([doc])
    assert any("[W404] CoNLL-U writer: 2 multi-word" in str(w.message) for w in caught)
    assert "2-3\tdon't" in written and "gonna\t" not in written


# ---- property: any CoNLL-U in the writer's layout reads and writes back identically ----
UPOS = ["NOUN", "VERB", "ADP", "PUNCT", "SYM", "PROPN", "X"]
XPOS = ["NN", "VB", "IN", ".", "SYM", "NNP", "ADD"]
DEPRELS = ["nsubj", "obj", "dep", "root", "nmod:poss", "acl:relcl"]
form_chars = st.characters(blacklist_characters="\t\n\r", blacklist_categories=("Cs",))
forms = st.text(form_chars, min_size=1, max_size=6).filter(lambda s: s.strip() == s and s != "")
feature_names = st.sampled_from(["Case", "Number", "NumType", "Number[psor]", "Foo", "typo", "Abbr"])
feature_values = st.lists(st.sampled_from(["Yes", "Nom", "b", "Card", "Plur", "Sing"]), min_size=1,
                          max_size=2, unique=True)


def ud_order(values):
    return sorted(values, key=lambda s: (s.lower(), s))


@st.composite
def sentence(draw, xpos: bool, last_in_doc: bool):
    n = draw(st.integers(1, 7))
    words = draw(st.lists(forms, min_size=n, max_size=n))
    heads = draw(st.one_of(st.none(), st.lists(st.integers(0, n), min_size=n, max_size=n)))
    space_after = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    if last_in_doc:
        space_after[-1] = True  # the reader ends a Doc without a space; no SpaceAfter=No there
    ner = None
    if draw(st.booleans()):
        ner, prev = [], None
        for _ in range(n):
            tag = draw(st.sampled_from(["O", "B-PER", "B-LOC"] + ([f"I-{prev}"] if prev else [])))
            prev = None if tag == "O" else tag[2:]
            ner.append(tag)
    # multi-word tokens: non-overlapping ranges of 2-3 words
    mwts, i = {}, 0
    while i < n - 1:
        if draw(st.booleans()):
            end = min(n, i + draw(st.integers(2, 3)))
            mwts[i] = (end, draw(forms))
            i = end
        else:
            i += 1
    rows, text, inside_end = [], [], 0
    for i in range(n):
        if i in mwts:
            end, form = mwts[i]
            inside_end = end
            rows.append((f"{i + 1}-{end}", form, "_", "_", "_", "_", "_", "_",
                         "_" if space_after[end - 1] else "SpaceAfter=No"))
            text.append(form + (" " if space_after[end - 1] else ""))
        elif i >= inside_end:
            text.append(words[i] + (" " if space_after[i] else ""))
        k = draw(st.integers(0, len(UPOS) - 1))
        feats = draw(st.dictionaries(feature_names, feature_values, max_size=3))
        feats_str = "|".join(ud_order(f"{k}={','.join(ud_order(v))}" for k, v in feats.items())) or "_"
        if heads is None:
            head, deprel = "_", "_"
        else:
            head = heads[i] if heads[i] != i + 1 else 0
            deprel = "root" if head == 0 else draw(st.sampled_from(DEPRELS))
        misc = [f"NER={ner[i]}"] if ner else []
        if i >= inside_end and not space_after[i]:
            misc.append("SpaceAfter=No")
        rows.append((i + 1, words[i], draw(st.sampled_from(["_", words[i].lower()])), UPOS[k],
                     XPOS[k] if xpos else "_", feats_str, head, deprel, "|".join(misc) or "_"))
    return "".join(text).rstrip(), rows


@st.composite
def corpus(draw):
    docs = []
    for _ in range(draw(st.integers(1, 3))):
        xpos = draw(st.booleans())
        n = draw(st.integers(1, 3))
        sents = [draw(sentence(xpos, last_in_doc=j == n - 1)) for j in range(n)]
        # XPOS equal to UPOS everywhere in a Doc reads as "no XPOS" (see the writer's docstring)
        assume(not xpos or any(row[3] != row[4] for _, rows in sents for row in rows if row[3] != "_"))
        docs.append(sents)
    return conllu(*docs)


@settings(max_examples=60, deadline=None)
@given(text=corpus())
def test_any_conllu_round_trips(text):
    assert docs_to_conllu(read(text)) == text
