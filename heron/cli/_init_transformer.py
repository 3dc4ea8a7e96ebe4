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
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict

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


def add_transformer(config: Dict[str, Any], opts: Any) -> None:
    """Put the transformer first in `config` (built for `opts`) and tune [training]."""
    config["nlp"]["pipeline"] = [TRF, *config["nlp"]["pipeline"]]
    config["nlp"]["batch_size"] = 64  # transformer inference: fewer docs per batch than a CNN
    config["components"] = {TRF: transformer_block(opts), **config["components"]}
    for name, block in config["components"].items():
        model = block.get("model") if isinstance(block, dict) else None
        if name != TRF and isinstance(model, dict) and model.get("@architectures") == "heron.TransitionBasedParser.v1":
            model["use_upper"] = False  # the transformer's states are rich: no hidden layer (spaCy trf)
    config["training"].update(training_overrides())


def _goal(opts: Any) -> str:
    return getattr(opts.optimize, "value", str(opts.optimize))


__all__ = ["check_transformer_options", "refuse_unloadable_model", "transformer_listener",
           "transformer_block", "add_transformer", "training_overrides"]
