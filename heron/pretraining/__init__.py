"""Pretraining the tok2vec trunk on raw text (`heron pretrain`), and loading the result.

    heron pretrain config.cfg pretrain/ --paths.raw_text texts.jsonl
    heron train config.cfg -o training/ --paths.init_tok2vec pretrain/model-last.safetensors

objectives.py: what the trunk learns to predict (heron.PretrainCharacters.v1,
heron.PretrainVectors.v1); corpus.py: the raw text reader (heron.JsonlCorpus.v1);
loop.py: the loop and its saving; init_tok2vec.py: weights files and `init_tok2vec`.
"""
from .corpus import JsonlCorpus, create_jsonl_reader
from .init_tok2vec import get_trunk, init_tok2vec, init_tok2vec_from_config, read_pretrained, trunk_settings
from .loop import PretrainingInterrupted, pretrain, pretrain_steps, setup_pretraining
from .objectives import PretrainCharacters, PretrainVectors, character_targets

__all__ = ["pretrain", "pretrain_steps", "setup_pretraining", "init_tok2vec", "init_tok2vec_from_config",
           "get_trunk", "trunk_settings", "read_pretrained", "JsonlCorpus", "create_jsonl_reader",
           "PretrainCharacters", "PretrainVectors", "character_targets", "PretrainingInterrupted"]
