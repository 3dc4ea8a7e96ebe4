import pytest

from heron.tokenizer import create_tokenizer


@pytest.fixture(scope="session")
def en_tokenizer():
    return create_tokenizer("en")


@pytest.fixture(scope="session")
def xx_tokenizer():
    return create_tokenizer("xx")


def orths(tokenizer, text):
    return [t.text for t in tokenizer(text)]
