"""Pipeline components and the component protocol.

    from heron.pipeline import Pipe, Sentencizer, EntityRuler

`Pipe` (component.py) is the base class; `sentencizer` and `entity_ruler` are the
rule-based components; `TrainablePipe` (trainable.py) is the base of the torch
components: `tok2vec` (the shared trunk), `tagger`, `senter`, with heads reading the
trunk through listeners (listener.py) and `Language.update` in update.py. The built-in factories are registered when `heron.language`
is imported (it imports their modules), so the component classes are loaded lazily
here to avoid an import cycle (their modules import `Language`).
"""
from __future__ import annotations

from typing import Any

from .component import Pipe, minibatch

_LAZY = {
    "Sentencizer": "sentencizer",
    "EntityRuler": "entity_ruler",
    # Trainable components (torch): loaded on first use so `import heron` stays light.
    "TrainablePipe": "trainable",
    "Tok2Vec": "tok2vec",
    "Tagger": "tagger",
    "SentenceRecognizer": "senter",
    "Tok2VecListener": "listener",
    "embed_docs": "listener",
    "trainable_parameters": "update",
    # Error handlers for nlp.set_error_handler (spaCy's names).
    "raise_error": "_pipe_errors",
    "ignore_error": "_pipe_errors",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Pipe", "minibatch", "Sentencizer", "EntityRuler", "TrainablePipe", "Tok2Vec", "Tagger",
           "SentenceRecognizer", "Tok2VecListener", "embed_docs", "trainable_parameters"]
