"""heron.explain: spaCy's glossary terms, None (with W900) for unknown ones."""
import warnings

import pytest

import heron
from heron.glossary import GLOSSARY


@pytest.mark.parametrize("term,meaning", [
    ("NNP", "noun, proper singular"), ("nsubj", "nominal subject"), ("PROPN", "proper noun"),
    ("VERB", "verb"), ("GPE", "Countries, cities, states"), ("VBZ", "verb, 3rd person singular present"),
    ("amod", "adjectival modifier"), ("ROOT", "root"), ('""', "closing quotation mark"),
])
def test_explain_known_terms(term, meaning):
    assert heron.explain(term) == meaning


def test_unknown_term_is_none_with_a_warning():
    with pytest.warns(Warning, match=r"\[W900\].*'NOPE'"):
        assert heron.explain("NOPE") is None
    with pytest.warns(Warning, match=r"\[W900\]"):
        assert heron.explain("propn") is None  # case matters, as in spaCy


def test_table_covers_every_ud_tag_and_the_ud_relations():
    from heron.tokens.attrs import UNIVERSAL_POS

    assert [pos for pos in UNIVERSAL_POS if pos not in GLOSSARY] == []
    ud_relations = ["acl", "advcl", "advmod", "amod", "appos", "aux", "case", "cc", "ccomp", "compound",
                    "conj", "cop", "csubj", "dep", "det", "discourse", "expl", "fixed", "flat", "iobj",
                    "mark", "nmod", "nsubj", "nummod", "obj", "obl", "parataxis", "punct", "xcomp"]
    assert [rel for rel in ud_relations if rel not in GLOSSARY] == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all(isinstance(heron.explain(k), str) for k in GLOSSARY)
