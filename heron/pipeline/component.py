"""The component protocol: what `Language` expects of a pipeline component.

Anything callable as `component(doc) -> doc` can sit in a pipeline. The `Pipe` base
class adds the rest of the protocol with sensible defaults:

- `__call__(doc)` and `pipe(docs, batch_size)` run `predict` then `set_annotations`,
  so a subclass usually implements just those two (or only `__call__`: then `pipe`
  calls it per Doc). `predict(docs)` must be pure (no
  writes to the Docs); `set_annotations(docs, scores)` writes. Trainable components
  (next: `TrainablePipe`) reuse the split: training calls `predict`-like forward
  passes without touching the Docs, inference calls both.
- `initialize(get_examples=None, *, nlp=None, **settings)`: set up labels/data before
  use; `settings` come from `[initialize.components.NAME]`.
- `to_disk/from_disk/to_bytes/from_bytes`: the component's state (settings, labels,
  weights) as JSON/safetensors. Never pickle: loading must not run code from files.
  The default implementation saves `self.cfg` (a JSON-serialisable dict) as
  `cfg.json`; subclasses with more state extend `_state`/`_load_state` or override.
- `labels`: the labels the component predicts or assigns (a tuple; empty if none).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Protocol, Sequence, Tuple, runtime_checkable

from ..util import PathLike, atomic_write_text, ensure_path


@runtime_checkable
class Nlp(Protocol):
    """What a component factory may use of the pipeline it builds a component for (a
    `Language`). Factories annotate `nlp: Nlp`, so component modules never import
    heron.language; runtime-checkable because confection checks each factory argument
    against its annotation."""

    vocab: Any
    lang: str

    @property
    def pipeline(self) -> List[Tuple[str, Any]]: ...

    def make_doc(self, text: str) -> Any: ...

    def pipe(self, texts: Iterable[Any], **kwargs: Any) -> Iterator[Any]: ...


def minibatch(items: Iterable[Any], size: int) -> Iterator[List[Any]]:
    """Consecutive lists of `size` items (the last may be shorter); size >= 1."""
    batch: List[Any] = []
    size = max(1, int(size))
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Pipe:
    """Base class of pipeline components; see the module docstring for the protocol.

    name (str): the component's name in the pipeline (kept in sync by `Language`).
    cfg (dict): JSON-serialisable settings saved by the default `to_disk`.
    """

    name: str = ""

    def __init__(self, name: str = "", **cfg: Any):
        self.name = name
        self.cfg: Dict[str, Any] = dict(cfg)

    def __call__(self, doc):
        """Annotate one Doc in place and return it."""
        scores = self.predict([doc])
        self.set_annotations([doc], scores)
        return doc

    def pipe(self, docs: Iterable[Any], *, batch_size: int = 128) -> Iterator[Any]:
        """Annotate a stream of Docs in batches of `batch_size`; yields them in order.

        A subclass that only overrides `__call__` (no `predict`) is called per Doc.
        """
        if type(self).predict is Pipe.predict:
            for doc in docs:
                yield self(doc)
            return
        for batch in minibatch(docs, batch_size):
            scores = self.predict(batch)
            self.set_annotations(batch, scores)
            yield from batch

    def predict(self, docs: Sequence[Any]) -> Any:
        """Compute predictions for `docs` WITHOUT modifying them (pure)."""
        raise NotImplementedError(
            f"{type(self).__name__}.predict(docs) is not implemented. Fix: implement "
            f"predict (pure) and set_annotations (writes), or override __call__ and pipe."
        )

    def set_annotations(self, docs: Sequence[Any], scores: Any) -> None:
        """Write the output of `predict(docs)` onto `docs`."""
        raise NotImplementedError(
            f"{type(self).__name__}.set_annotations(docs, scores) is not implemented."
        )

    def initialize(self, get_examples=None, *, nlp=None, **settings: Any) -> None:
        """Prepare the component before use/training; the default does nothing."""

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg.get("labels", ()))

    # ---- serialisation ------------------------------------------------------------
    def _state(self) -> Dict[str, Any]:
        """JSON-serialisable state written as cfg.json; extend in subclasses."""
        return dict(self.cfg)

    def _load_state(self, state: Dict[str, Any]) -> None:
        self.cfg.update(state)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self._state(), sort_keys=True).encode("utf8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Pipe":
        self._load_state(json.loads(data.decode("utf8")))
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Write the component's folder `path` (created if needed) with cfg.json."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path / "cfg.json", json.dumps(self._state(), indent=2, sort_keys=True))

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "Pipe":
        cfg_path = Path(path) / "cfg.json"
        if cfg_path.exists():
            self._load_state(read_json(cfg_path))
        return self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def read_json(path: PathLike) -> Any:
    """Parse a JSON file; a corrupt file raises a coded error naming it."""
    from ..errors import DataError, Errors

    path = ensure_path(path)
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        line = getattr(e, "lineno", None)
        raise DataError(Errors.E320.format(path=path, detail=str(e)), path=str(path),
                        line=line) from None


def get_labels(component: Any) -> List[str]:
    """The component's labels as a list, [] if it has none (for meta.json)."""
    labels = getattr(component, "labels", None)
    if labels is None or callable(labels):
        return []
    try:
        return [str(label) for label in labels]
    except TypeError:
        return []


__all__ = ["Pipe", "Nlp", "minibatch", "read_json", "get_labels"]
