"""TrainablePipe: a component with a torch model, labels, a loss and saved weights.

The protocol (spaCy v3's TrainablePipe, with PyTorch doing the gradients):

- `predict(docs)`: pure; runs `_forward` under `torch.inference_mode()` with the model
  in eval mode (no dropout). `set_annotations(docs, predictions)` writes.
- `forward_train(examples) -> scores`: the same forward with grad on and the model in
  train mode, on the PREDICTED docs of the Examples. `get_loss(examples, scores)`:
  a torch scalar, the mean over annotated tokens (missing gold is ignored).
  `Language.update` sums the heads' losses and calls backward() ONCE.
- `initialize(get_examples, *, nlp=None, labels=None)`: collect labels from the
  reference docs (or take `labels`), then size the label-dependent layers.
- `to_disk/from_disk/to_bytes/from_bytes`: `model.safetensors` + `cfg.json` (labels and
  settings). Loading needs both (E364 naming the missing one), re-creates the
  label-dependent layers from the saved labels, then `load_state_dict(strict=True)`; a
  missing, unexpected or mis-shaped tensor is a coded error naming it (E355), an
  unreadable file one naming the file (E362).
  Never pickle: loading must not run code from files.

Subclasses implement `_forward(docs)`, `_predictions(scores)` (scores -> what
`set_annotations` takes), `get_loss`, `_labels_from_examples` and
`_resize_output(n_labels)` where the output size depends on the labels.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import msgpack
import torch
from torch import nn

from ..errors import Errors, HeronTypeError, HeronValueError
from ..util import PathLike, atomic_write_bytes, atomic_write_text, ensure_path
from ._integrity import missing_state_error
from .component import Pipe, read_json

WEIGHTS_FILE = "model.safetensors"
CFG_FILE = "cfg.json"


class TrainablePipe(Pipe):
    """Base class of components with a torch `model`; see the module docstring.

    vocab: the pipeline's Vocab. model (nn.Module): built from [components.NAME.model].
    name (str): the component's name. cfg: JSON-serialisable settings (saved to cfg.json).
    """

    # initialize() sorts collected labels (spaCy does) so output rows don't depend on
    # corpus order; subclasses with a meaningful label order set False.
    _sort_labels = True

    def __init__(self, vocab: Any, model: nn.Module, name: str = "", **cfg: Any):
        super().__init__(name, **cfg)
        if not isinstance(model, nn.Module):
            raise HeronTypeError(Errors.E361.format(name=name, obj=type(model).__name__))
        self.vocab = vocab
        self.model = model
        self.cfg.setdefault("labels", [])

    # ---- forward passes -----------------------------------------------------------
    def _forward(self, docs: Sequence[Any]) -> Any:
        """Scores for `docs` (tensors); called by predict and forward_train."""
        raise NotImplementedError(f"{type(self).__name__}._forward(docs) is not implemented.")

    def _predictions(self, docs: Sequence[Any], scores: Any) -> Any:
        """Turn `_forward` scores into what `set_annotations` takes (default: unchanged)."""
        return scores

    def predict(self, docs: Sequence[Any]) -> Any:
        """Predictions for `docs` without modifying them: eval mode, no autograd."""
        docs = list(docs)
        self.model.eval()
        with torch.inference_mode():
            return self._predictions(docs, self._forward(docs))

    def forward_train(self, examples: Sequence[Any]) -> Any:
        """Scores for the predicted docs of `examples`, with grad (train mode)."""
        self.model.train()
        with torch.enable_grad():
            return self._forward([eg.predicted for eg in examples])

    def get_loss(self, examples: Sequence[Any], scores: Any) -> torch.Tensor:
        """A scalar loss: the mean over annotated tokens; missing gold is ignored."""
        raise NotImplementedError(f"{type(self).__name__}.get_loss is not implemented.")

    def update(self, examples: Iterable[Any], *, drop: float = 0.0, sgd: Any = None,
               losses: Optional[Dict[str, float]] = None) -> Dict[str, float]:
        """Train this component alone on one batch (a trunk it listens to is updated
        too if `sgd` holds its parameters). In a pipeline use `nlp.update`."""
        from .update import set_dropout

        examples = list(examples)
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        if not examples:
            return losses
        set_dropout(self.model, drop)
        trunks = [listener.upstream for _, listener in _listeners(self) if listener.upstream is not None]
        for trunk in trunks:  # never train on a batch output cached at inference
            trunk.clear_batch_cache()
        try:
            loss = self.get_loss(examples, self.forward_train(examples))
            if loss.requires_grad:
                loss.backward()
        finally:
            for trunk in trunks:
                trunk.clear_batch_cache()
        if sgd not in (None, False):
            sgd.step()
            sgd.zero_grad()
        losses[self.name] += float(loss.detach())
        return losses

    # ---- labels and initialization ------------------------------------------------
    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg.get("labels", ()))

    def add_label(self, label: str) -> int:
        """Add a label (1 if added, 0 if already known); resizes the output layer."""
        self._check_label(label)
        if label in self.labels:
            return 0
        self.cfg["labels"] = list(self.labels) + [label]
        self._resize_output(len(self.labels))
        return 1

    def _check_label(self, label: Any) -> None:
        if not isinstance(label, str) or not label:
            raise HeronValueError(Errors.E363.format(name=self.name, tag=label,
                                                     detail="expected a non-empty str"))

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Any]]] = None, *,
                   nlp: Any = None, labels: Optional[Iterable[str]] = None, **settings: Any) -> None:
        """Set the labels (from `labels`, else from get_examples()'s reference docs) and
        size the output layer. Existing weights of other layers are kept."""
        if labels is None:
            labels = self._labels_from_examples(self._examples(get_examples))
        labels = list(labels)
        for label in labels:
            self._check_label(label)
        self.cfg["labels"] = sorted(set(labels)) if self._sort_labels else labels
        self._resize_output(len(self.labels))

    def _examples(self, get_examples: Optional[Callable[[], Iterable[Any]]]) -> List[Any]:
        if get_examples is None or not callable(get_examples):
            raise HeronValueError(Errors.E359.format(
                name=self.name, detail=f"needs get_examples (a callable), got {type(get_examples).__name__}"))
        examples = list(get_examples())
        if not examples:
            raise HeronValueError(Errors.E359.format(
                name=self.name, detail="got no examples from get_examples()"))
        return examples

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        return list(self.labels)

    def _resize_output(self, n_labels: int) -> None:
        """Re-create label-dependent layers for `n_labels` (keep rows of old labels)."""

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """Metrics for this component over `examples` (predicted vs reference)."""
        return {}

    # ---- serialisation ------------------------------------------------------------
    def _state(self) -> Dict[str, Any]:
        return dict(self.cfg)

    def _weights(self) -> Dict[str, torch.Tensor]:
        # Clone: safetensors refuses tensors sharing storage, and contiguous CPU copies
        # make the file independent of the training device.
        return {k: v.detach().to("cpu").contiguous().clone() for k, v in self.model.state_dict().items()}

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        from safetensors.torch import save

        msg = {"cfg": json.dumps(self._state(), sort_keys=True), "model": save(self._weights())}
        return msgpack.packb(msg, use_bin_type=True)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "TrainablePipe":
        from safetensors.torch import load

        try:
            msg = msgpack.unpackb(data, raw=False)
            state = json.loads(msg["cfg"])
            weights = load(msg["model"])
        except Exception as e:  # any decoding problem: not our bytes
            raise HeronValueError(Errors.E362.format(path="bytes", name=self.name,
                                                     detail=f"{type(e).__name__}: {e}")) from None
        self._load_state(state)
        self._load_weights(weights, "bytes")
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Write folder `path`: model.safetensors (weights) + cfg.json (labels, settings)."""
        from safetensors.torch import save

        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path / WEIGHTS_FILE, save(self._weights()))
        atomic_write_text(path / CFG_FILE, json.dumps(self._state(), indent=2, sort_keys=True))

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "TrainablePipe":
        from safetensors.torch import load

        path = ensure_path(path)
        # Both files are always written: without them the component would run with the
        # weights it was built with (untrained) and predict nonsense without a word.
        missing = [path] if not path.is_dir() else [
            path / name for name in (CFG_FILE, WEIGHTS_FILE) if not (path / name).is_file()]
        if missing:
            raise missing_state_error(f"component {self.name!r}", self.name, path.parent, missing,
                                      "a trained component always saves cfg.json and model.safetensors")
        self._load_state(read_json(path / CFG_FILE))
        weights_path = path / WEIGHTS_FILE
        try:
            weights = load(weights_path.read_bytes())
        except Exception as e:  # truncated, empty, not safetensors: name the file
            raise HeronValueError(Errors.E362.format(path=weights_path, name=self.name,
                                                     detail=f"{type(e).__name__}: {e}")) from None
        self._load_weights(weights, weights_path)
        return self

    def _load_state(self, state: Dict[str, Any]) -> None:
        self.cfg.update(state)
        self._resize_output(len(self.labels))

    def _load_weights(self, weights: Dict[str, torch.Tensor], where: Any) -> None:
        current = self.model.state_dict()
        problems = weight_mismatches(current, weights)
        if problems:
            settings = self._settings_diff(where)
            if settings:
                problems = ["  settings that differ from the saved config.cfg:"] + settings + [
                    "  weights that differ:"] + problems
            raise HeronValueError(Errors.E355.format(name=self.name, path=where,
                                                     detail="\n".join(problems)))
        device = {k: v.device for k, v in current.items()}
        self.model.load_state_dict({k: v.to(device[k]) for k, v in weights.items()}, strict=True)

    def _settings_diff(self, weights_path: Any) -> List[str]:
        """[components.NAME.model] settings that differ between the config.cfg saved
        next to the weights and the config this component was built from."""
        current = getattr(self, "model_config", None)
        if current is None or not isinstance(weights_path, Path):
            return []
        cfg_path = weights_path.parent.parent / "config.cfg"
        try:
            from ..config import load_config

            saved = load_config(cfg_path)["components"][self.name]["model"]
        except Exception:  # no or unreadable saved config: the weight list must do
            return []
        prefix = f"components.{self.name}.model"
        old, new = _flatten(saved, prefix), _flatten(current, prefix)
        return [f"  - {key} = {old.get(key)!r} in the saved config.cfg, {new.get(key)!r} now"
                for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def _flatten(block: Any, prefix: str) -> Dict[str, Any]:
    if not isinstance(block, dict):
        return {prefix: block}
    out: Dict[str, Any] = {}
    for key, value in block.items():
        out.update(_flatten(value, f"{prefix}.{key}"))
    return out


def weight_mismatches(current: Dict[str, torch.Tensor], saved: Dict[str, torch.Tensor],
                      limit: int = 8) -> List[str]:
    """Human-readable differences between a model's state_dict and saved weights."""
    lines = []
    for key in sorted(set(current) | set(saved)):
        if key not in saved:
            lines.append(f"  - {key}: built by the config ({tuple(current[key].shape)}) but not in the file")
        elif key not in current:
            lines.append(f"  - {key}: in the file ({tuple(saved[key].shape)}) but not built by the config")
        elif tuple(current[key].shape) != tuple(saved[key].shape):
            lines.append(f"  - {key}: shape {tuple(saved[key].shape)} in the file, "
                         f"{tuple(current[key].shape)} built by the config")
    if len(lines) > limit:
        lines = lines[:limit] + [f"  ... and {len(lines) - limit} more"]
    return lines


def _listeners(component: Any):
    from .listener import iter_listeners

    return iter_listeners(component)


__all__ = ["TrainablePipe", "weight_mismatches", "WEIGHTS_FILE", "CFG_FILE"]
