"""The transformer parts of `heron init config --transformer NAME`.

    heron init config config.cfg -p tagger,ner --transformer roberta-base [-o accuracy]

writes a `transformer` component first in the pipeline (heron.TransformerModel.v1 with
strided wordpiece windows), heads that listen to it through heron.TransformerListener.v1
with mean pooling over each token's wordpieces, and a [training] section tuned for
fine-tuning: AdamW, warm-up then linear decay, the transformer at 1/20 of the heads'
rate (component_learn_rates), batches bounded by padded size, gradients accumulated
over 3 sub-batches. The values follow spacy-transformers' quickstart except the
separate, higher rate for the heads, which lets them learn fast while the pretrained
weights move gently.

An uncased transformer (its tokenizer lowercases: all-MiniLM-L6-v2, bert-base-uncased)
never sees capitals, yet "Apple" -> PROPN, lemma "Apple" and "Laughter" -> NOUN, lemma
"laughter" hang on them. With such a model, the heads in CASE_HEADS read the transformer
and a small CNN trunk over the characters (`tok2vec`, the CNN pipelines' trunk)
side by side through heron.ConcatTok2Vec.v1 (bench/lemma_ewt.py: EWT test lemma and
UPOS with and without it, in bench/results/lemma_ewt.md). The parser stays on the
transformer alone: with the CNN beside it, EWT dev LAS was lower at equal steps
(bench/results/experiments/parser_trf_chars.md).
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict, Optional

from ..errors import ConfigError, Errors

TRF = "transformer"

# Wordpiece windows: `efficiency` keeps attention cheap (128-piece windows); `accuracy`
# gives each wordpiece more context (256) at about twice the cost. Overlaps (window -
# stride) are averaged per wordpiece, so no token sits at a window edge without context.
SPANS = {"efficiency": {"window": 128, "stride": 96}, "accuracy": {"window": 256, "stride": 192}}

HEADS_RATE = 0.001       # new, randomly initialised heads learn fast ...
TRANSFORMER_RATE = 5e-5  # ... pretrained weights move gently (as in spacy-transformers)
WARMUP_STEPS = 250
TOTAL_STEPS = 20000      # = [training] max_steps below; lower both together
# Heads whose labels hang on capitals, and the name of the CNN trunk they also read when the
# transformer is uncased.
CASE_HEADS = ("tagger", "morphologizer", "trainable_lemmatizer")
CHARS_TRUNK = "tok2vec"


def check_transformer_options(opts: Any) -> Any:
    """`opts` without a "transformer" entry in its pipeline (--transformer adds it first);
    E854 for a NAME or pipeline that can't make a transformer config."""
    name = opts.transformer
    if not name or not str(name).strip():
        raise ConfigError(Errors.E854.format(
            name=name, detail="the model name is empty",
            fix="pass a local model folder or a hub id, e.g. --transformer roberta-base"))
    if "tok2vec" in opts.pipeline:
        raise ConfigError(Errors.E854.format(
            name=name, detail="the pipeline also has a tok2vec component, and both would be trunks",
            fix="drop tok2vec from --pipeline (the heads listen to the transformer), or drop --transformer"))
    refuse_unloadable_model(str(name))
    return dataclasses.replace(opts, pipeline=[p for p in opts.pipeline if p != TRF])


def refuse_unloadable_model(name: str) -> None:
    """E768 if the model NAME (a folder, or a hub id in the HF cache) needs code shipped with
    it (auto_map, a model_type or tokenizer class transformers doesn't have); E769 if its
    weights are pickles only. Said now, not after a config was written and training started.
    A NAME that isn't here can't be checked: loading it checks it (E750/E767/E769)."""
    from ..transformer.safe_loading import check_safetensors_weights, local_model_folder, model_folder_problems

    folder = local_model_folder(name)
    if folder is None:
        return
    problems = model_folder_problems(folder, written_by_heron=False)
    if problems:
        raise ConfigError(Errors.E768.format(name=name, reason="; ".join(problems)))
    check_safetensors_weights(folder, name)


def transformer_listener() -> Dict[str, Any]:
    """A head's tok2vec: the transformer's wordpiece states mean-pooled per token."""
    return {
        "@architectures": "heron.TransformerListener.v1", "grad_factor": 1.0, "upstream": TRF,
        "pooling": {"@layers": "heron.reduce_mean.v1"},
    }


def transformer_block(opts: Any) -> Dict[str, Any]:
    """[components.transformer]: the model NAME, strided spans, mixed precision on GPU."""
    return {
        "factory": TRF,
        "max_batch_items": 4096,
        "set_extra_annotations": {"@annotation_setters": "heron.null_annotation_setter.v1"},
        "model": {
            "@architectures": "heron.TransformerModel.v1",
            "name": str(opts.transformer),
            "mixed_precision": bool(opts.gpu),
            "tokenizer_config": {"use_fast": True},
            "transformer_config": {},
            "grad_scaler_config": {},
            "get_spans": {"@span_getters": "heron.strided_spans.v1", **SPANS[_goal(opts)]},
        },
    }


def training_overrides() -> Dict[str, Any]:
    """[training] settings for fine-tuning (merged over the CNN defaults)."""

    def schedule(rate: float) -> Dict[str, Any]:
        return {"@schedules": "heron.warmup_linear.v1", "initial_rate": rate,
                "warmup_steps": WARMUP_STEPS, "total_steps": TOTAL_STEPS}

    return {
        "accumulate_gradient": 3, "dropout": 0.1, "max_steps": TOTAL_STEPS, "patience": 1600,
        "eval_frequency": 200,
        "batcher": {"@batchers": "heron.batch_by_padded.v1", "size": 2000, "buffer": 256,
                    "discard_oversize": True},
        "optimizer": {
            "@optimizers": "heron.AdamW.v1", "learn_rate": schedule(HEADS_RATE), "beta1": 0.9,
            "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01, "grad_clip": 1.0, "use_averages": False,
            "component_learn_rates": {TRF: schedule(TRANSFORMER_RATE)},
        },
    }


def lowercases_input(name: str) -> bool:
    """Whether the tokenizer of the local model NAME lowercases text (False when NAME is
    not here to read, or says nothing)."""
    from ..transformer.safe_loading import local_model_folder

    folder = local_model_folder(name)
    if folder is None:
        return False
    try:
        normalizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf8")).get("normalizer")
        if isinstance(normalizer, dict) and "lowercase" in normalizer:
            return bool(normalizer["lowercase"])
    except (OSError, ValueError, AttributeError):
        pass
    try:
        settings = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf8"))
        return bool(settings.get("do_lower_case", False)) if isinstance(settings, dict) else False
    except (OSError, ValueError):
        return False


def _with_characters(listener: Dict[str, Any]) -> Dict[str, Any]:
    """A head's tok2vec: the transformer listener and the CNN trunk, concatenated."""
    return {"@architectures": "heron.ConcatTok2Vec.v1", "*": {
        "transformer": listener,
        "characters": {"@architectures": "heron.Tok2VecListener.v1", "grad_factor": 1.0,
                       "upstream": CHARS_TRUNK, "width": f"${{components.{CHARS_TRUNK}.model.encode.width}}"}}}


def add_transformer(config: Dict[str, Any], opts: Any, cnn_trunk: Optional[Dict[str, Any]] = None) -> None:
    """Put the transformer first in `config` (built for `opts`) and tune [training]. With an
    uncased transformer, heads in CASE_HEADS also read `cnn_trunk` (a tok2vec model block)."""
    case_heads = [name for name, block in config["components"].items()
                  if block.get("factory") in CASE_HEADS and "tok2vec" in (block.get("model") or {})]
    trunks = {TRF: transformer_block(opts)}
    if cnn_trunk is not None and case_heads and lowercases_input(str(opts.transformer)):
        # Before the transformer: a tok2vec writes doc.tensor, and a transformer told to
        # (heron.trf_tensor_setter.v1) must have the last word.
        trunks = {CHARS_TRUNK: {"factory": "tok2vec", "model": cnn_trunk}, **trunks}
        for name in case_heads:
            model = config["components"][name]["model"]
            model["tok2vec"] = _with_characters(model["tok2vec"])
    config["nlp"]["pipeline"] = [*trunks, *config["nlp"]["pipeline"]]
    config["nlp"]["batch_size"] = 64  # transformer inference: fewer docs per batch than a CNN
    config["components"] = {**trunks, **config["components"]}
    for name, block in config["components"].items():
        model = block.get("model") if isinstance(block, dict) else None
        if name != TRF and isinstance(model, dict) and model.get("@architectures") == "heron.TransitionBasedParser.v1":
            model["use_upper"] = False  # the transformer's states are rich: no hidden layer (spaCy trf)
    config["training"].update(training_overrides())


def _goal(opts: Any) -> str:
    return getattr(opts.optimize, "value", str(opts.optimize))


__all__ = ["check_transformer_options", "refuse_unloadable_model", "transformer_listener", "lowercases_input",
           "transformer_block", "add_transformer", "training_overrides"]
