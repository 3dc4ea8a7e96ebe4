"""transformer: a Hugging Face transformer as the shared trunk (spaCy's `transformer`).

    [components.transformer]
    factory = "transformer"
    max_batch_items = 4096
    drop_trf_data = false

    [components.transformer.model]
    @architectures = "heron.TransformerModel.v1"
    name = "roberta-base"
    ...

    [components.tagger.model.tok2vec]
    @architectures = "heron.TransformerListener.v1"
    grad_factor = 1.0

Same trunk protocol as the tok2vec component: `forward_batch(docs)` runs the transformer
ONCE per batch (memoised on the Docs' identities and lengths) and returns a
`FullTransformerBatch`; every listening head pools it, their losses are summed and one
backward() fine-tunes the transformer. At inference it sets `doc._.trf_data`
(`TransformerData`: wordpieces, ids, last hidden states as float32 numpy on the CPU,
token alignment) and calls `set_extra_annotations(docs, batch)` (spacy-transformers'
name; `annotation_setter`, the name spaCy's usage guide uses, is a deprecated alias in
configs and in Python, W772, and always takes effect).

The model is heron.TransformerModel.v1 or any torch module that follows
`protocol.WordpieceEncoder` (a custom architecture, no subclassing needed). Saving a
TransformerModel writes the Hugging Face weights (model.safetensors), config and
tokenizer into the component's folder (`save_pretrained`), and loading reads them from
there with no hub and no network, whatever `name` in config.cfg points at. Any other
model's state_dict goes into the folder's model.safetensors (TrainablePipe's format,
checked at load) and the module is rebuilt from config.cfg. Nothing is pickled.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, cast

import msgpack
import torch
from torch import nn

from ..errors import Errors, HeronValueError, Warnings, warn
from ..pipeline.component import Nlp, read_json
from ..pipeline.trunk import Trunk
from ..registry import registry
from ..tokens import Doc
from ..util import PathLike, atomic_output_dir, atomic_write_text, ensure_path
from .batch import transformer_batch
from .data import FullTransformerBatch
from .model import TransformerModel
from .protocol import REQUIRED, WordpieceEncoder, encoder_device, encoder_name, ensure_loaded, missing_attributes
from .setters import AnnotationSetter, null_setter

MODEL_DIR = "model"
CFG_FILE = "cfg.json"
# What a transformer folder may hold: JSON/text configs and vocabularies, safetensors
# weights, sentencepiece (protobuf) models. Pickle-based formats are refused.
_UNSAFE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".h5", ".msgpack")

DEFAULT_TRANSFORMER_MODEL: Dict[str, Any] = {
    "@architectures": "heron.TransformerModel.v1",
    "name": "roberta-base",
    "get_spans": {"@span_getters": "heron.strided_spans.v1", "window": 128, "stride": 96},
    "tokenizer_config": {"use_fast": True},
    "transformer_config": {},
    "mixed_precision": False,
    "grad_scaler_config": {},
}

if not Doc.has_extension("trf_data"):
    Doc.set_extension("trf_data", default=None)


@registry.factory(
    "transformer",
    default_config={
        "model": DEFAULT_TRANSFORMER_MODEL,
        "set_extra_annotations": {"@annotation_setters": "heron.null_annotation_setter.v1"},
        "max_batch_items": 4096,
        "drop_trf_data": False,
    },
    assigns=["doc._.trf_data"],
    default_score_weights={},
    aliases={"annotation_setter": ("set_extra_annotations", "the name spaCy's usage guide uses; "
                                   "spacy-transformers and heron call it set_extra_annotations")},
)
def make_transformer(nlp: Nlp, name: str, model: nn.Module,
                     set_extra_annotations: AnnotationSetter,
                     max_batch_items: int = 4096, drop_trf_data: bool = False) -> "Transformer":
    """A shared transformer trunk that heads listen to (heron.TransformerListener.v1).

    model (nn.Module): heron.TransformerModel.v1 (a Hugging Face model + span getter), or
        any registered architecture returning a module that follows
        heron.transformer.protocol.WordpieceEncoder (docs/usage/custom-transformers.md).
    set_extra_annotations (callable): `(docs, FullTransformerBatch) -> None`, called at
        inference after doc._.trf_data is set; heron.null_annotation_setter.v1 (default)
        or heron.trf_tensor_setter.v1 (doc.tensor + token/span/doc .vector).
    max_batch_items (int): most padded wordpieces per forward pass (memory bound);
        4096 default, 1024-16384 sensible (lower if out of memory).
    drop_trf_data (bool): set doc._.trf_data back to None once the last listening
        component has used it, so annotated Docs don't carry (n_pieces x width) floats.
    `annotation_setter` (the name in spaCy's usage guide) is read as set_extra_annotations
    (W303; E372 if both name different setters).
    """
    return Transformer(nlp.vocab, model, set_extra_annotations, name=name,
                       max_batch_items=max_batch_items, drop_trf_data=drop_trf_data)


class Transformer(Trunk):
    """The transformer trunk component; see the module docstring. The memoised batch
    forward, gradient hook and listener map are `Trunk`'s (pipeline/trunk.py)."""

    model: nn.Module  # a WordpieceEncoder (protocol.py): TransformerModel or a custom module

    def __init__(self, vocab: Any, model: nn.Module,
                 set_extra_annotations: AnnotationSetter = null_setter,
                 *, name: str = "transformer", max_batch_items: int = 4096, drop_trf_data: bool = False):
        check_max_batch_items(name, max_batch_items)
        check_encoder(name, model)
        super().__init__(vocab, model, name, max_batch_items=max_batch_items,
                         drop_trf_data=bool(drop_trf_data))
        self.set_extra_annotations = set_extra_annotations
        if not Doc.has_extension("trf_data"):
            Doc.set_extension("trf_data", default=None)

    # ---- the annotation setter, under both names ----------------------------------------
    @property
    def set_extra_annotations(self) -> AnnotationSetter:
        """`(docs, FullTransformerBatch) -> None`, called after doc._.trf_data is set.
        Assigning it takes effect at once (a setter set in Python is not saved: register
        it and name it in the config to keep it)."""
        return self._set_extra_annotations

    @set_extra_annotations.setter
    def set_extra_annotations(self, setter: AnnotationSetter) -> None:
        if not callable(setter):
            raise HeronValueError(Errors.E755.format(name=self.name, obj=repr(setter)[:80]))
        self._set_extra_annotations = setter

    @property
    def annotation_setter(self) -> AnnotationSetter:
        """Deprecated alias of `set_extra_annotations` (spaCy's usage guide's name)."""
        return self.set_extra_annotations

    @annotation_setter.setter
    def annotation_setter(self, setter: AnnotationSetter) -> None:
        self.set_extra_annotations = setter
        warn(Warnings.W772.format(where=f"nlp.get_pipe({self.name!r}).annotation_setter"))

    # ---- trunk protocol ---------------------------------------------------------------
    @property
    def width(self) -> Optional[int]:
        width = getattr(self.model, "width", None)
        return None if width is None else int(width)

    @property
    def device(self) -> torch.device:
        return encoder_device(self.model)

    @property
    def saves_hf_folder(self) -> bool:
        """True for a TransformerModel (a Hugging Face folder under model/); any other
        WordpieceEncoder saves its state_dict in model.safetensors."""
        return isinstance(self.model, TransformerModel)

    @property
    def drop_trf_data(self) -> bool:
        return bool(self.cfg.get("drop_trf_data", False))

    def _embed(self, docs: List[Any]) -> FullTransformerBatch:
        # The featurizer reads the setting from the model (optional in the protocol).
        setattr(self.model, "max_batch_items", int(self.cfg["max_batch_items"]))
        return transformer_batch(cast(WordpieceEncoder, self.model), docs)

    def _grad_target(self, batch: FullTransformerBatch) -> torch.Tensor:
        return batch.extra["pieces"]  # (n_pieces, W)

    def replace_listeners_error(self, pipe: str, listeners: Any, arg: str, detail: str,
                                fix: str) -> HeronValueError:
        """E761: naming the replace_listeners argument at fault."""
        return HeronValueError(Errors.E761.format(trunk=self.name, pipe=pipe, listeners=listeners,
                                                  arg=arg, detail=detail, fix=fix))

    def release(self, docs: Sequence[Any]) -> None:
        """Drop doc._.trf_data (and the cached batch): the last listener is done with it."""
        for doc in docs:
            doc._.trf_data = None
        self.clear_batch_cache()

    def set_annotations(self, docs: Sequence[Any], batch: FullTransformerBatch) -> None:
        """doc._.trf_data = its TransformerData; then the extra annotation setter."""
        docs = list(docs)
        for doc, data in zip(docs, batch.doc_data):
            doc._.trf_data = data
        self.set_extra_annotations(docs, batch)

    def initialize(self, get_examples: Any = None, *, nlp: Any = None, **settings: Any) -> None:
        """Load the pretrained weights from `name` (unless already loaded). Listeners
        already carry the width in their config blocks (filled from this trunk when they
        were built), so saved configs rebuild offline."""
        ensure_loaded(self.model)

    # ---- serialisation ----------------------------------------------------------------
    def _state(self) -> Dict[str, Any]:
        return dict(self.cfg, width=self.width, name=encoder_name(self.model))

    def _load_cfg(self, state: Dict[str, Any]) -> None:
        # A saved cfg.json is data: checked like the factory's arguments.
        check_max_batch_items(self.name, state.get("max_batch_items", self.cfg["max_batch_items"]))
        self.cfg.update({k: v for k, v in state.items() if k not in ("width", "name")})

    def _load_state(self, state: Dict[str, Any]) -> None:
        self._load_cfg(state)  # TrainablePipe's from_disk/from_bytes (custom models) call this

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Folder `path`: cfg.json + model/ (config.json, model.safetensors, tokenizer) for
        a TransformerModel; cfg.json + model.safetensors (its state_dict) for others."""
        if not self.saves_hf_folder:
            return super().to_disk(path, exclude=exclude)
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        model = cast(TransformerModel, self.model)
        with atomic_output_dir(path / MODEL_DIR) as tmp:
            model.save(tmp)
            check_safe_folder(tmp)
        atomic_write_text(path / CFG_FILE, json.dumps(self._state(), indent=2, sort_keys=True))

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "Transformer":
        if not self.saves_hf_folder:
            super().from_disk(path, exclude=exclude)
            return self
        path = ensure_path(path)
        if (path / CFG_FILE).exists():
            self._load_cfg(read_json(path / CFG_FILE))
        model_dir = path / MODEL_DIR
        if not model_dir.is_dir():
            raise HeronValueError(Errors.E754.format(path=model_dir, detail="the folder is missing"))
        check_safe_folder(model_dir)
        cast(TransformerModel, self.model).load(model_dir)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        if not self.saves_hf_folder:
            return super().to_bytes(exclude=exclude)
        with tempfile.TemporaryDirectory() as tmp:
            cast(TransformerModel, self.model).save(Path(tmp))
            check_safe_folder(Path(tmp))
            files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}
        msg = {"cfg": json.dumps(self._state(), sort_keys=True), "files": files}
        return msgpack.packb(msg, use_bin_type=True)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Transformer":
        if not self.saves_hf_folder:
            super().from_bytes(data, exclude=exclude)
            return self
        try:
            msg = msgpack.unpackb(data, raw=False)
            state, files = json.loads(msg["cfg"]), dict(msg["files"])
        except Exception as e:  # any decoding problem: not our bytes
            raise HeronValueError(Errors.E754.format(path="bytes", detail=f"{type(e).__name__}: {e}")) from None
        with tempfile.TemporaryDirectory() as tmp:
            for name, content in files.items():
                if Path(name).name != name or name in ("", ".", ".."):
                    raise HeronValueError(Errors.E754.format(path="bytes", detail=f"bad file name {name!r}"))
                (Path(tmp) / name).write_bytes(content)
            check_safe_folder(Path(tmp))
            self._load_cfg(state)
            cast(TransformerModel, self.model).load(Path(tmp))
        return self


def check_encoder(name: str, model: Any) -> None:
    """E757 unless `model` follows protocol.WordpieceEncoder, naming what it lacks."""
    missing = missing_attributes(model)
    if missing:
        needed = ", ".join(f"{attr} ({what})" for attr, what in REQUIRED)
        raise HeronValueError(Errors.E757.format(
            name=name, detail=f"a model of type {type(model).__name__}, which lacks {', '.join(missing)}",
            fix=f'set [components.{name}.model] @architectures = "heron.TransformerModel.v1", or register an '
                f"architecture returning a torch.nn.Module with {needed} and forward(windows) -> "
                "(n_pieces, width) hidden states (heron.transformer.protocol.WordpieceEncoder)."))


def check_max_batch_items(name: str, value: Any) -> None:
    """E753 unless `value` is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise HeronValueError(Errors.E753.format(name=name, value=value))


def check_safe_folder(path: Path) -> None:
    """E754 if the folder holds a pickle-based weights file (we only write safetensors)."""
    bad = sorted(p.name for p in path.iterdir() if p.suffix.lower() in _UNSAFE_SUFFIXES)
    if bad:
        raise HeronValueError(Errors.E754.format(
            path=path, detail=f"it holds pickle-based files {bad}, which heron never loads or writes"))


__all__ = ["Transformer", "make_transformer", "DEFAULT_TRANSFORMER_MODEL", "check_safe_folder"]
