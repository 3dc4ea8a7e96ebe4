"""Pipeline components and the component protocol.

    from heron.pipeline import Pipe, Sentencizer, EntityRuler

`Pipe` (component.py) is the base class; `sentencizer` and `entity_ruler` are the
rule-based components; `TrainablePipe` (trainable.py) is the base of the torch
components; `Trunk` (trunk.py) is the base of the shared trunks (`tok2vec`, the
transformer), which heads (`tagger`, `senter`, `ner`) read through listeners
(listener.py); `Language.update` is in update.py. Each component module registers its
factory with `@registry.factory` (no import of `heron.language`); importing
`heron.language` imports the built-in ones. The classes are loaded lazily here so that
`import heron.pipeline` stays light (no torch).
"""
from __future__ import annotations

from typing import Any

from .component import Pipe, minibatch

_LAZY = {
    "Sentencizer": "sentencizer",
    "EntityRuler": "entity_ruler",
    # Trainable components (torch): loaded on first use so `import heron` stays light.
    "TrainablePipe": "trainable",
    "Trunk": "trunk",
    "Tok2Vec": "tok2vec",
    "Tagger": "tagger",
    "SentenceRecognizer": "senter",
    "SpanCategorizer": "spancat",
    "SpanRuler": "span_ruler",
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


__all__ = ["Pipe", "minibatch", "Sentencizer", "EntityRuler", "TrainablePipe", "Trunk", "Tok2Vec", "Tagger",
           "SentenceRecognizer", "SpanCategorizer", "SpanRuler", "Tok2VecListener", "embed_docs",
           "trainable_parameters"]
