"""Listeners: how a head reads the shared trunk's output (spaCy's Tok2VecListener).

    [components.tagger.model.tok2vec]
    @architectures = "heron.Tok2VecListener.v1"
    width = ${components.tok2vec.model.encode.width}
    upstream = "*"

In PyTorch, autograd already does what spaCy's listener callbacks do by hand: the
trunk runs once per batch (`forward_batch`, memoised), every head uses that same
tensor, the heads' losses are summed and ONE backward() reaches the trunk. A
listener is therefore just a binding: `bind_listeners(nlp)` resolves `upstream` to
the trunk component and stores it by plain reference (never as a registered
submodule, so a head's state_dict never contains trunk weights). `grad_factor`
scales the gradient the head sends upstream; 0 detaches the head from the trunk.

`embed_docs(tok2vec, docs)` is the one entry point for heads: it accepts a
listener or an inline tok2vec module ("independent" mode) and returns `(X, mask)`.

A trunk (tok2vec now, the transformer later) is any component with
`forward_batch(docs) -> (X, mask)` (memoised per batch, computed under the caller's
grad mode), `cached_batch(docs) -> (X, mask) | None`, `clear_batch_cache()`,
`width`, `device` and a `listener_map` {head name: [listeners]} that
`bind_listeners` fills.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry

GradFactor = Union[float, Callable[[int], float]]


class Tok2VecListener(nn.Module):
    """A placeholder for the upstream trunk's output inside a head's model.

    width (int): the trunk's output width; must equal the trunk's `model.width`.
    upstream (str): name of the trunk component, or "*" for the nearest preceding
        component that has `forward_batch` (tok2vec, later transformer).
    grad_factor (float | schedule): multiplies the gradient sent to the trunk.
        1.0 = full multi-task learning; 0.0 = the trunk is frozen for this head; a
        schedule `f(step) -> float` (e.g. start at 0, ramp up) is read at each step.
    """

    def __init__(self, width: int, upstream: str = "*", grad_factor: GradFactor = 1.0):
        super().__init__()
        self.width = int(width)
        self.upstream_name = upstream
        self.grad_factor = grad_factor
        self.step: Optional[int] = None  # set by Language.update(step=...); else counted
        self._n_train_calls = 0
        # Filled by bind_listeners; plain attributes (not submodules) on purpose.
        self.__dict__["_upstream"] = None
        self.__dict__["owner"] = ""  # "component_name.dotted.path", for messages

    @property
    def upstream(self) -> Any:
        return self.__dict__["_upstream"]

    def bind(self, upstream: Any, owner: str) -> None:
        self.__dict__["_upstream"] = upstream
        self.__dict__["owner"] = owner

    def current_grad_factor(self) -> float:
        """The grad_factor for the current step (a schedule is evaluated here)."""
        if callable(self.grad_factor):
            step = self.step if self.step is not None else self._n_train_calls
            return float(self.grad_factor(step))
        return float(self.grad_factor)

    def forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(X (B, T, W), mask (B, T)) from the bound trunk, grad-scaled."""
        upstream = self.upstream
        if upstream is None:
            raise HeronValueError(Errors.E351.format(owner=self.owner or "(unbound listener)",
                                                     upstream=self.upstream_name))
        if not torch.is_grad_enabled():
            return _inference_output(upstream, docs, self.width)
        factor = self.current_grad_factor()
        self._n_train_calls += 1
        X, mask = upstream.forward_batch(docs)
        if X.is_inference():
            # Cached by the trunk's predict() (inference mode): autograd can't save it.
            X = X.clone()
        if factor == 0.0:
            return X.detach(), mask
        if factor != 1.0:
            from ..nn.grad import scale_grad

            X = scale_grad(X, factor)
        return X, mask

    def private_copy(self) -> nn.Module:
        """What replace_listeners puts in this listener's place: a copy of the trunk's model."""
        return copy.deepcopy(self.upstream.model)

    def private_config(self, trunk_model_cfg: Dict[str, Any],
                       listener_cfg: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
        """(the config block describing `private_copy()`, trunk model keys it can't take)."""
        return copy.deepcopy(dict(trunk_model_cfg)), []

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Tok2VecListener":
        # Copying a head's model must not copy the whole trunk component it listens to.
        new = Tok2VecListener(self.width, self.upstream_name, copy.deepcopy(self.grad_factor, memo))
        new.bind(self.upstream, self.owner)
        new.step = self.step
        return new

    def extra_repr(self) -> str:
        return f"width={self.width}, upstream={self.upstream_name!r}, grad_factor={self.grad_factor!r}"


@registry.architectures("heron.Tok2VecListener.v1")
def tok2vec_listener_v1(*, width: int, upstream: str = "*",
                        grad_factor: Union[float, Callable[[int], float]] = 1.0) -> Tok2VecListener:
    """Read the output of an upstream trunk component instead of owning a tok2vec.

    width (int): must equal the trunk's output width (e.g.
        ${components.tok2vec.model.width}); checked when the pipeline is built.
    upstream (str): the trunk component's name, or "*" = nearest preceding trunk.
    grad_factor (float | schedule): scales this head's gradient into the trunk;
        0 = don't train the trunk from this head. Default 1.0.
    """
    return Tok2VecListener(width, upstream, grad_factor)


def _inference_output(upstream: Any, docs: Sequence[Any], width: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """At inference: the trunk's cached batch, else doc.tensor, else run the trunk."""
    cached = upstream.cached_batch(docs)
    if cached is not None:
        return cached
    tensors = [doc.tensor for doc in docs]
    if docs and all(t.ndim == 2 and t.shape == (len(d), width) and len(d) for t, d in zip(tensors, docs)):
        return pad_tensors(tensors, upstream.device)
    return upstream.forward_batch(docs)


def pad_tensors(tensors: Sequence[Any], device: Any) -> Tuple[torch.Tensor, torch.Tensor]:
    """Stack per-doc (n_i, W) arrays into (X (B, T, W), mask (B, T)), zero-padded."""
    rows = [torch.as_tensor(t, device=device) for t in tensors]
    lengths = torch.tensor([len(r) for r in rows], device=device)
    X = nn.utils.rnn.pad_sequence(rows, batch_first=True)  # (B, T, W)
    mask = torch.arange(X.shape[1], device=device)[None, :] < lengths[:, None]  # (B, T)
    return X, mask


def embed_docs(tok2vec: nn.Module, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
    """(X (B, T, W) float, mask (B, T) bool) for `docs`: THE entry point for heads.

    tok2vec: a `Tok2VecListener` (returns its trunk's batch output, grad-scaled), a
        module with `reads_docs = True` (an inline transformer: called with the Docs), or
        an inline tok2vec module with `.attrs` (independent mode: featurized and run
        here, under the caller's grad mode).
    """
    if isinstance(tok2vec, Tok2VecListener) or getattr(tok2vec, "reads_docs", False):
        # Listeners and inline transformers (heron.TransformerTok2Vec.v1) take Docs.
        return tok2vec(docs)
    from ..featurize import featurize
    from ..nn.static_vectors import vectors_attr

    # vectors_attr: the batch carries the static vectors the model reads (None: none needed).
    batch = featurize(docs, tok2vec.attrs, vectors_attr=vectors_attr(tok2vec)).to(module_device(tok2vec))
    return tok2vec(batch), batch.mask


def module_device(module: nn.Module) -> torch.device:
    for param in module.parameters():
        return param.device
    return torch.device("cpu")


# ---- binding ---------------------------------------------------------------------------


def iter_listeners(component: Any) -> Iterator[Tuple[str, Tok2VecListener]]:
    """(dotted path from the component, e.g. "model.tok2vec", listener) for each listener."""
    model = getattr(component, "model", None)
    if not isinstance(model, nn.Module):
        return
    for path, module in model.named_modules():
        if isinstance(module, Tok2VecListener):
            yield ("model." + path) if path else "model", module


def is_trunk(component: Any) -> bool:
    """A component other components can listen to (tok2vec, transformer)."""
    return callable(getattr(component, "forward_batch", None))


def bind_listeners(nlp: Any, *, strict: bool = True) -> None:
    """Bind every listener in nlp's components to its upstream trunk.

    strict=False (while a pipeline is still being assembled) leaves listeners whose
    trunk is missing or mismatched unbound; they raise a coded error when used.
    """
    components = nlp.components
    for name, proc in components:
        if is_trunk(proc):
            proc.listener_map = {}
        if isinstance(getattr(proc, "model", None), nn.Module) and name in nlp._pipe_configs:
            # What the model was built from: named in errors when saved weights don't fit.
            proc.model_config = nlp._pipe_configs[name].get("model")
    _bind_static_vectors(nlp)
    _bind_inline_stores(components)
    for index, (name, proc) in enumerate(components):
        for path, listener in iter_listeners(proc):
            owner = f"{name}.{path}"
            trunk_name, trunk = _find_upstream(components, index, listener, owner, strict)
            if trunk is None or not _width_ok(trunk_name, trunk, name, path, listener, strict):
                listener.bind(None, owner)
                continue
            listener.bind(trunk, owner)
            trunk.listener_map.setdefault(name, []).append(listener)


def _bind_static_vectors(nlp: Any) -> None:
    """Let every unsized static-vectors layer (in trunks and in heads' inline tok2vecs)
    take its input size from nlp.vocab.vectors: now if they are loaded, else when the
    weights are next saved or loaded (after vocab/vectors has been read from disk) or
    at nlp.initialize, which binds again. Sized layers are left alone: a size mismatch
    is an error (E651/E654), never a silent re-initialisation."""
    from ..nn.static_vectors import StaticVectors

    vocab = getattr(nlp, "vocab", None)
    if vocab is None:
        return
    for _, proc in nlp.components:
        model = getattr(proc, "model", None)
        if not isinstance(model, nn.Module):
            continue
        for module in model.modules():
            if isinstance(module, StaticVectors) and not module.is_sized:
                module.bind_dim_source(_vocab_vectors_dim(vocab))


def _bind_inline_stores(components: List[Tuple[str, Any]]) -> None:
    """Inline transformers keep their HF config + tokenizer files in their component's
    cfg (saved as cfg.json beside the weights), under their dotted path."""
    for _, proc in components:
        model, cfg = getattr(proc, "model", None), getattr(proc, "cfg", None)
        if not isinstance(model, nn.Module) or not isinstance(cfg, dict):
            continue
        for path, module in model.named_modules():
            if callable(getattr(module, "bind_store", None)):
                module.bind_store(cfg, ("model." + path) if path else "model")


def _vocab_vectors_dim(vocab: Any) -> Callable[[], Optional[int]]:
    # A closure, not an attribute holding the Vocab: deep-copying a model copies a
    # function by reference, never the Vocab; it reads vocab.vectors when called, so a
    # table set or loaded later counts.
    def dim() -> Optional[int]:
        shape = getattr(getattr(vocab, "vectors", None), "shape", None)
        return int(shape[1]) if shape is not None and shape[0] and shape[1] else None

    return dim


def _find_upstream(components: List[Tuple[str, Any]], index: int, listener: Tok2VecListener,
                   owner: str, strict: bool) -> Tuple[str, Any]:
    wanted = listener.upstream_name
    if wanted == "*":
        for name, proc in reversed(components[:index]):
            if is_trunk(proc):
                return name, proc
        if strict:
            raise HeronValueError(Errors.E351.format(owner=owner, upstream=wanted))
        return "", None
    for name, proc in components:
        if name == wanted:
            if is_trunk(proc):
                return name, proc
            if strict:
                raise HeronValueError(Errors.E352.format(
                    owner=owner, upstream=wanted, detail="it is not a trunk (it has no forward_batch)"))
            return "", None
    if strict:
        names = [n for n, p in components if is_trunk(p)]
        raise HeronValueError(Errors.E352.format(
            owner=owner, upstream=wanted, detail=f"there is no such component (trunks: {names})"))
    return "", None


def _width_ok(trunk_name: str, trunk: Any, name: str, path: str, listener: Tok2VecListener,
              strict: bool) -> bool:
    width = getattr(trunk, "width", None)
    if width is None or int(width) == listener.width:
        return True
    if strict:
        raise HeronValueError(Errors.E353.format(
            owner=f"{name}.{path}", width=listener.width, trunk=trunk_name, trunk_width=width,
            key=f"components.{name}.{path}.width"))
    return False


def listening_heads(nlp: Any, trunk_name: str) -> Dict[str, List[Tok2VecListener]]:
    """{component name: its listeners} bound to trunk `trunk_name`."""
    trunk = nlp.get_pipe(trunk_name)
    return dict(getattr(trunk, "listener_map", {}) or {})


__all__ = ["Tok2VecListener", "embed_docs", "bind_listeners", "iter_listeners", "is_trunk",
           "pad_tensors", "module_device", "listening_heads", "replace_listeners"]


# ---- replace_listeners ---------------------------------------------------------------


def replace_listeners(nlp: Any, tok2vec_name: str, pipe_name: str, listeners: Sequence[str]) -> None:
    """Give `pipe_name` a private copy (weights included) of trunk `tok2vec_name` in place
    of each listener at the dotted `listeners` paths (e.g. "model.tok2vec"), and rewrite
    [components.PIPE] in nlp.config so the pipeline saves and reloads with the copy.

    A tok2vec trunk's listener becomes a copy of the trunk's model (same architecture
    block); a transformer trunk's listener becomes heron.TransformerTok2Vec.v1 (the
    transformer's weights and settings + the listener's pooling and grad_factor).
    Everything is checked before anything changes: an error leaves nlp as it was.
    """
    bind_listeners(nlp, strict=True)
    args = (tok2vec_name, pipe_name, list(listeners))
    trunk = _replace_target(nlp, tok2vec_name, args, trunk=True)
    head = _replace_target(nlp, pipe_name, args, trunk=False)
    found = dict(iter_listeners(head))
    plans = []
    for path in args[2]:
        listener = found.get(path) if isinstance(path, str) else None
        if listener is None:
            _replace_error(args, trunk, "listeners", f"{pipe_name!r} has no listener at {path!r} "
                           f"(its listeners: {sorted(found)})",
                           "pass the dotted paths of listeners in the component, e.g. [\"model.tok2vec\"].")
        if listener.upstream is not trunk:
            _replace_error(args, trunk, "tok2vec_name", f"the listener at {path!r} listens to "
                           f"{listener.upstream_name!r}, not to {tok2vec_name!r}",
                           "name the trunk it listens to as the first argument.")
        block, unknown = listener.private_config(nlp._pipe_configs[tok2vec_name]["model"],
                                                 _config_block(nlp._pipe_configs[pipe_name], path))
        if unknown:
            _replace_error(args, trunk, "tok2vec_name", f"[components.{tok2vec_name}.model] has "
                           f"settings the private copy can't take: {unknown}",
                           "use @architectures = \"heron.TransformerModel.v1\" with its documented settings.")
        plans.append((path, block))
    for path, block in plans:
        parent_path, _, attr = path.rpartition(".")
        setattr(_resolve_path(head, parent_path), attr, found[path].private_copy())
        *parents, last = path.split(".")
        node = nlp._pipe_configs[pipe_name]
        for part in parents:
            node = node[part]
        node[last] = block
    bind_listeners(nlp, strict=True)


def _is_transformer(trunk: Any) -> bool:
    return type(trunk).__module__.startswith("heron.transformer")


def _replace_error(args: Tuple[Any, ...], trunk: Any, arg: str, detail: str, fix: str) -> None:
    """E761 (transformer trunk, naming the argument at fault) or E357 (tok2vec trunk)."""
    if trunk is not None and _is_transformer(trunk):
        raise HeronValueError(Errors.E761.format(trunk=args[0], pipe=args[1], listeners=args[2],
                                                 arg=arg, detail=detail, fix=fix))
    raise HeronValueError(Errors.E357.format(trunk=args[0], pipe=args[1], listeners=args[2],
                                             detail=detail, fix=fix))


def _replace_target(nlp: Any, name: str, args: Tuple[Any, ...], trunk: bool) -> Any:
    trunk_proc = None if trunk else nlp.get_pipe(args[0])
    if name not in nlp.component_names:
        _replace_error(args, trunk_proc, "tok2vec_name" if trunk else "pipe_name",
                       f"there is no component {name!r}",
                       f"use names from nlp.component_names: {nlp.component_names}.")
    proc = nlp.get_pipe(name)
    if trunk and not is_trunk(proc):
        _replace_error(args, None, "tok2vec_name",
                       f"{name!r} is not a tok2vec-like component (no forward_batch)",
                       "pass the name of the trunk (e.g. \"tok2vec\" or \"transformer\") first, then the head.")
    return proc


def _resolve_path(obj: Any, dotted: str) -> Any:
    for part in filter(None, dotted.split(".")):
        obj = getattr(obj, part)
    return obj


def _config_block(block: Any, path: str) -> Dict[str, Any]:
    """The config block at dotted `path` of a component's config ({} if absent)."""
    for part in path.split("."):
        block = block.get(part) if isinstance(block, dict) else None
    return block if isinstance(block, dict) else {}
