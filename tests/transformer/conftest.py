"""Fixtures of the transformer tests: tiny, randomly initialised transformers (built by
tests/tiny_transformers.py) and their tokenizers.

Session-scoped, each returning a folder that loads offline:

- `tiny_bert_dir`: in tests/conftest.py (the pipeline contract tests use it too).
- `tiny_roberta_dir`, `tiny_sentencepiece_dir`: here (only these tests use them).
- `tiny_trf_dir`: each of the three in turn, for tests that must hold for all of them.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tiny_transformers import build_tiny_roberta, build_tiny_sentencepiece, require_hf


@pytest.fixture(scope="session")
def tiny_roberta_dir(tmp_path_factory) -> Path:
    require_hf()
    return build_tiny_roberta(tmp_path_factory.mktemp("tiny-roberta"))


@pytest.fixture(scope="session")
def tiny_sentencepiece_dir(tmp_path_factory) -> Path:
    require_hf()
    return build_tiny_sentencepiece(tmp_path_factory.mktemp("tiny-sentencepiece"))


@pytest.fixture(scope="session", params=["bert", "roberta", "sentencepiece"])
def tiny_trf_dir(request) -> Path:
    """Each tiny model folder in turn (parametrised): for tests that must hold for all three."""
    return request.getfixturevalue(f"tiny_{request.param}_dir")


@pytest.fixture(scope="session")
def load_hf_tokenizer():
    """`load(path)` -> the fast tokenizer saved in a tiny model folder, loaded offline."""
    require_hf()
    from transformers import AutoTokenizer

    cache = {}

    def load(path):
        key = str(path)
        if key not in cache:
            cache[key] = AutoTokenizer.from_pretrained(key, local_files_only=True)
        return cache[key]

    return load


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Tiny models on a shared machine: extra threads only add contention.
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
