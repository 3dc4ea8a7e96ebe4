"""Shared fixtures. Keep this small: area-specific fixtures live next to their tests."""
import pytest

import heron


@pytest.fixture
def nlp():
    """A fresh blank English pipeline (tokenizer only)."""
    return heron.blank("en")


@pytest.fixture
def en_vocab(nlp):
    return nlp.vocab
