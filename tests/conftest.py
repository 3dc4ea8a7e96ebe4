"""Shared fixtures. Keep this small: area-specific fixtures live next to their tests.

Shared helpers are plain modules in tests/ (`fakes.py`: tiny CNN pipelines, hand-written
training data, a training loop; `tiny_transformers.py`: tiny Hugging Face models), imported
as `from fakes import ...` from any test folder. That works because `tests/` is put on
sys.path below, explicitly: pytest's default import mode would also insert it (this file's
folder has no __init__.py), but not under `--import-mode=importlib`.
"""
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

import heron

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


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


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> Path:
    """A tiny random BertModel + WordPiece tokenizer folder (see tiny_transformers.py), built
    once per session: the transformer tests and the pipeline contract tests share it."""
    from tiny_transformers import build_tiny_bert, require_hf  # here: TESTS_DIR is on sys.path now

    require_hf()
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))
