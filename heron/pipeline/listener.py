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
submodule, so a head's state_dict never contains trunk weights). `grad_factor` (a
`GradFactor`, nn/grad.py) scales the gradient the head sends upstream; 0 detaches
the head from the trunk; a schedule is read at the global step nlp.update sets.

`embed_docs(tok2vec, docs)` is the one entry point for heads: it accepts a
listener or an inline tok2vec module ("independent" mode) and returns `(X, mask)`.

A trunk is a `Trunk` component (pipeline/trunk.py: tok2vec, transformer); what a
listener uses of it is `TrunkLike`. A listener architecture marked with
`@width_from_upstream` may leave `width` empty: the pipeline fills it from its
upstream trunk when the head is built (`fill_listener_widths`), so two pipelines
built in one process never influence each other.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar, Union

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.grad import GradFactor, GradFactorValue, grad_factor_attribute
from ..registry import registry
from .trunk import TrunkLike, is_trunk, module_device

F = TypeVar("F", bound=Callable[..., Any])


class Tok2VecListener(nn.Module):
    """A placeholder for the upstream trunk's output inside a head's model.

    width (int): the trunk's output width; must equal the trunk's `model.width`.
    upstream (str): name of the trunk component, or "*" for the nearest preceding
        trunk component (tok2vec, transformer).
    grad_factor (float | schedule): multiplies the gradient sent to the trunk.
        1.0 = full multi-task learning; 0.0 = the trunk is frozen for this head; a
        schedule `f(step) -> float` (e.g. start at 0, ramp up) is read at each step.
        Negative factors are refused (E388/E389).
    """

    reads_grad_step = True  # nlp.update sets `step` (nn/grad.py set_grad_step)

    owner: str  # "component_name.dotted.path" once bound, for messages

    def __init__(self, width: int, upstream: str = "*",
                 grad_factor: Union[GradFactorValue, GradFactor] = 1.0):
        super().__init__()
        self.width = int(width)
        self.upstream_name = upstream
        self.grad_factor = grad_factor
        self.step: Optional[int] = None  # the global training step, set by nlp.update
        # Filled by bind_listeners; plain attributes (not submodules) on purpose.
        self.__dict__["_upstream"] = None
        self.__dict__["owner"] = ""  # "component_name.dotted.path", for messages

    grad_factor = grad_factor_attribute()

    @property
    def upstream(self) -> Optional[TrunkLike]:
        return self.__dict__["_upstream"]

    def bind(self, upstream: Optional[TrunkLike], owner: str) -> None:
        self.__dict__["_upstream"] = upstream
        self.__dict__["owner"] = owner

    def current_grad_factor(self) -> float:
        """The grad_factor at the current global step (a schedule is evaluated here)."""
        return self.grad_factor.at(self.step, owner=self.owner)

    def bound_upstream(self) -> TrunkLike:
        """The bound trunk; E351 if this listener isn't bound."""
        upstream = self.upstream
        if upstream is None:
            raise HeronValueError(Errors.E351.format(owner=self.owner or "(unbound listener)",
                                                     upstream=self.upstream_name))
        return upstream

    def forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(X (B, T, W), mask (B, T)) from the bound trunk, grad-scaled."""
        upstream = self.bound_upstream()
        if not torch.is_grad_enabled():
            return _inference_output(upstream, docs, self.width)
        X, mask = upstream.forward_batch(docs)
        if X.is_inference():
            # Cached by the trunk's predict() (inference mode): autograd can't save it.
            X = X.clone()
        return self.grad_factor.apply(X, self.step, owner=self.owner), mask

    def private_copy(self) -> nn.Module:
        """What replace_listeners puts in this listener's place: a copy of the trunk's model."""
        return copy.deepcopy(self.bound_upstream().model)

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


def width_from_upstream(func: F) -> F:
    """Mark a listener architecture whose `width` may be left empty: the pipeline fills
    it from the upstream trunk when the head is built (see `fill_listener_widths`)."""
    func.width_from_upstream = True  # type: ignore[attr-defined]
    return func


@registry.architectures("heron.Tok2VecListener.v1")
@width_from_upstream
def tok2vec_listener_v1(*, width: Optional[int] = None, upstream: str = "*",
                        grad_factor: GradFactorValue = 1.0) -> Tok2VecListener:
    """Read the output of an upstream trunk component instead of owning a tok2vec.

    width (int | null): the trunk's output width (e.g. ${components.tok2vec.model.width});
        checked when the pipeline is built. Left out or null: taken from the upstream
        trunk, which must come before this component in the pipeline (E373 otherwise).
    upstream (str): the trunk component's name, or "*" = nearest preceding trunk.
    grad_factor (float | schedule): scales this head's gradient into the trunk;
        0 = don't train the trunk from this head. Default 1.0; must be >= 0.
    """
    if width is None:
        raise HeronValueError(Errors.E373.format(upstream=upstream))
    return Tok2VecListener(width, upstream, grad_factor)


def _inference_output(upstream: TrunkLike, docs: Sequence[Any], width: int) -> Tuple[torch.Tensor, torch.Tensor]:
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
    from ..nn.char_embed import chars_needed
    from ..nn.static_vectors import vectors_attr

    # vectors_attr: the batch carries the static vectors the model reads (None: none needed);
    # n_chars: the UTF-8 bytes per token its character layers read (0: none).
    attrs = getattr(tok2vec, "attrs")  # any token-to-vector module declares the features it reads
    batch = featurize(docs, attrs, vectors_attr=vectors_attr(tok2vec),
                      n_chars=chars_needed(tok2vec)).to(module_device(tok2vec))
    return tok2vec(batch), batch.mask


# ---- binding ---------------------------------------------------------------------------


def iter_listeners(component: Any) -> Iterator[Tuple[str, Tok2VecListener]]:
    """(dotted path from the component, e.g. "model.tok2vec", listener) for each listener."""
    model = getattr(component, "model", None)
    if not isinstance(model, nn.Module):
        return
    for path, module in model.named_modules():
        if isinstance(module, Tok2VecListener):
            yield ("model." + path) if path else "model", module


def fill_listener_widths(settings: Dict[str, Any], upstream: Sequence[Tuple[str, Any]]) -> None:
    """Set `width` in every block of a component's `settings` whose listener
    architecture is marked `@width_from_upstream` and leaves it empty, from its
    upstream trunk among the components before it (`upstream`, pipeline order; "*" =
    the nearest). A block whose trunk isn't there (or doesn't know its width) is left
    alone: the architecture then raises its own coded error."""
    for block in config_blocks(settings):
        name = block.get("@architectures")
        if block.get("width") is not None or not isinstance(name, str):
            continue
        if not registry.has("architectures", name):
            continue
        if not getattr(registry.get("architectures", name), "width_from_upstream", False):
            continue
        wanted = block.get("upstream", "*")
        trunks = [proc for proc_name, proc in upstream if is_trunk(proc) and wanted in ("*", proc_name)]
        width = trunks[-1].width if trunks else None
        if width is not None:
            block["width"] = int(width)


def config_blocks(node: Any) -> Iterator[Dict[str, Any]]:
    """Every dict in a config tree, the root first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from config_blocks(value)


def bind_listeners(nlp: Any, *, strict: bool = True) -> None:
    """Bind every listener in nlp's components to its upstream trunk.

    strict=False (while a pipeline is still being assembled) leaves listeners whose
    trunk is missing or mismatched unbound; they raise a coded error when used.
    """
    state = nlp._state  # the pipeline's one owner of components and configs
    components = state.components
    for name, proc in components:
        if is_trunk(proc):
            proc.listener_map = {}
        if isinstance(getattr(proc, "model", None), nn.Module) and name in state.configs:
            # What the model was built from: named in errors when saved weights don't fit.
            proc.model_config = state.configs[name].get("model")
    _bind_static_vectors(nlp.vocab, components)
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


def _bind_static_vectors(vocab: Any, components: List[Tuple[str, Any]]) -> None:
    """Let every unsized static-vectors layer (in trunks and in heads' inline tok2vecs)
    take its input size from vocab.vectors: now if they are loaded, else when the
    weights are next saved or loaded (after vocab/vectors has been read from disk) or
    at nlp.initialize, which binds again. Sized layers are left alone: a size mismatch
    is an error (E651/E654), never a silent re-initialisation."""
    from ..nn.static_vectors import StaticVectors

    if vocab is None:
        return
    for _, proc in components:
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
           "pad_tensors", "module_device", "listening_heads", "fill_listener_widths",
           "width_from_upstream", "config_blocks"]
