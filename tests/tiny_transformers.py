"""Tiny, randomly initialised Hugging Face transformers with tokenizers trained on sentences
written here (DESIGN.md house style 12: tiny fakes for speed).

A plain module, not a conftest: `tests/conftest.py` puts `tests/` on sys.path, so any test
folder can `from tiny_transformers import ...`. The session-scoped fixtures that call these
builders are `tiny_bert_dir` (tests/conftest.py: the contract tests use it too) and
`tiny_roberta_dir`, `tiny_sentencepiece_dir`, `tiny_trf_dir` (tests/transformer/conftest.py).

- `build_tiny_bert`: BertModel + uncased WordPiece (lowercases and strips accents, so the
  offsets map normalised pieces back onto the original text).
- `build_tiny_roberta`: RobertaModel + GPT-2 style byte-level BPE ("Ġ" marks a leading space).
- `build_tiny_sentencepiece`: XLMRobertaModel + Unigram/Metaspace ("▁") tokenizer.

Each saves a folder that loads with `AutoTokenizer.from_pretrained(path, local_files_only=True)`
and `AutoModel.from_pretrained(path, local_files_only=True)`. All models: hidden 32, 2 layers,
2 heads, intermediate 37, max length 64 wordpieces (so the long-document tests exercise
windowing with small texts). Seeds are fixed, so the weights are the same in every session,
but the WordPiece (BERT) and Unigram (XLM-R) vocabularies are not quite: the `tokenizers`
trainers break ties between equally frequent merges in an order that changes from process
to process (the byte-level BPE is stable). A test must therefore hold for any of these
variants, not for the one a session happens to build. Nothing touches the network.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest


def require_hf() -> None:
    """Skip (not fail) a test that needs a model when the optional extra is absent; called
    lazily so collecting tests never pays for importing transformers."""
    pytest.importorskip("transformers")
    pytest.importorskip("tokenizers")


# Written for these tests (never copied from a corpus): a mix of casing, accents, digits,
# punctuation, emoji and non-Latin script so every tokenizer has a varied vocabulary.
TRAIN_SENTENCES: List[str] = [
    "The quick brown fox jumps over the lazy dog.",
    "Heron parses sentences into tokens, tags and entities.",
    "A café in Zürich serves crème brûlée and naïve coffee.",
    "She paid $12.50 for 3 tickets on 2024-05-17!",
    "Emoji like 😀 and 👍🏽 appear in social media posts.",
    "Tokenization splits unbelievably longwords into wordpieces.",
    "Москва и Київ are written in Cyrillic script.",
    "東京 and 北京 are capital cities.",
    "The transformer reads every wordpiece and its offset.",
    "Alignment maps each token to the pieces that cover it.",
    "Running, runner, runs: the model learns morphology.",
    "Mr. O'Neil didn't say \"hello\" (or goodbye).",
    "Internationalization and localization are long words.",
    "New York City is larger than San Francisco.",
    "Dr. Smith's e-mail is smith@example.com, call +1-555-0100.",
    "Whitespace   and\ttabs\nand newlines separate words.",
    "Überraschung: Äpfel, Öl und Straße sind deutsch.",
    "Señor Muñoz visitó la ciudad de México ayer.",
]

_SMALL = dict(
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=37,
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
)
MAX_LENGTH = 64
_SPECIALS_ROBERTA = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def _corpus() -> List[str]:
    # Repeat so the trainers see each word often enough to keep it whole.
    return TRAIN_SENTENCES * 3


def build_tiny_bert(path: Path) -> Path:
    """Train an uncased WordPiece vocabulary and save a random BertModel beside it."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, BertTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials, min_frequency=1)
    tok.train_from_iterator(_corpus(), trainer=trainer)
    hf_tok = BertTokenizerFast(vocab=tok.get_vocab(), do_lower_case=True, model_max_length=MAX_LENGTH)
    hf_tok.save_pretrained(str(path))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(hf_tok), max_position_embeddings=MAX_LENGTH,
                        pad_token_id=hf_tok.pad_token_id, **_SMALL)
    BertModel(config).eval().save_pretrained(str(path))
    return path


def build_tiny_roberta(path: Path) -> Path:
    """Train a byte-level BPE (GPT-2 style) and save a random RobertaModel beside it."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=500, special_tokens=_SPECIALS_ROBERTA, min_frequency=1,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(_corpus(), trainer=trainer)
    vocab = tok.get_vocab()
    merges = _bpe_merges(tok)
    hf_tok = RobertaTokenizerFast(vocab=vocab, merges=merges, model_max_length=MAX_LENGTH)
    hf_tok.save_pretrained(str(path))
    torch.manual_seed(0)
    # RoBERTa's positions start after padding_idx, hence the + 2.
    config = RobertaConfig(vocab_size=len(hf_tok), max_position_embeddings=MAX_LENGTH + 2,
                           pad_token_id=hf_tok.pad_token_id, bos_token_id=hf_tok.bos_token_id,
                           eos_token_id=hf_tok.eos_token_id, type_vocab_size=1, **_SMALL)
    RobertaModel(config).eval().save_pretrained(str(path))
    return path


def _bpe_merges(tok) -> List[tuple]:
    """The trained BPE merges, read back from the tokenizer's JSON (no public getter)."""
    merges = json.loads(tok.to_str())["model"]["merges"]
    return [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in merges]


def build_tiny_sentencepiece(path: Path) -> Path:
    """Train a Unigram/Metaspace ("▁") tokenizer and save a random XLMRobertaModel beside it."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁")]
    )
    trainer = trainers.UnigramTrainer(vocab_size=400, special_tokens=_SPECIALS_ROBERTA,
                                      unk_token="<unk>", shrinking_factor=0.75)
    tok.train_from_iterator(_corpus(), trainer=trainer)
    vocab = [tuple(x) for x in json.loads(tok.to_str())["model"]["vocab"]]
    hf_tok = XLMRobertaTokenizerFast(vocab=vocab, model_max_length=MAX_LENGTH)
    assert hf_tok.unk_token_id == 3, "XLM-R tokenizers hard-code <unk> = 3"
    hf_tok.save_pretrained(str(path))
    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=len(hf_tok), max_position_embeddings=MAX_LENGTH + 2,
                              pad_token_id=hf_tok.pad_token_id, bos_token_id=hf_tok.bos_token_id,
                              eos_token_id=hf_tok.eos_token_id, type_vocab_size=1, **_SMALL)
    XLMRobertaModel(config).eval().save_pretrained(str(path))
    return path
