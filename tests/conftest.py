"""Shared fixtures. Keep this small: area-specific fixtures live next to their tests."""
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import heron


def _materialise_converter_fixtures() -> Path:
    """Copies of tests/fixtures/converters/NAME.EXT.txt as NAME.EXT in a temp folder.

    The converter fixtures are hand-written; they are stored with a .txt suffix so that no
    corpus-like file (.conllu, .iob2, ...) sits in the repo, where it could be mistaken for
    a copy of ../shared/data. Tests need the real extensions (auto-detection reads them).
    """
    out = Path(tempfile.mkdtemp(prefix="heron-converter-fixtures-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    for path in (Path(__file__).parent / "fixtures" / "converters").glob("*.txt"):
        shutil.copy(path, out / path.name[: -len(".txt")])
    return out


# Set before the test modules are imported: they read it at module level.
os.environ["HERON_TEST_CONVERTER_FIXTURES"] = str(_materialise_converter_fixtures())


@pytest.fixture
def nlp():
    """A fresh blank English pipeline (tokenizer only)."""
    return heron.blank("en")


@pytest.fixture
def en_vocab(nlp):
    return nlp.vocab
