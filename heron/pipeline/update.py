"""One training step over a pipeline: `Language.update` and its helpers.

    losses = nlp.update(examples, sgd=optimizer, drop=0.1)

trunk once -> each head's loss from the trunk's output -> losses summed -> ONE
backward() -> ONE optimizer step. The trunks (tok2vec components) are run lazily by
the first head that listens to them and memoised for the batch, so their parameters
receive the sum of all heads' gradients (each scaled by the head's grad_factor).

Frozen components (`exclude`, [training] frozen_components) take no part: their
parameters get no gradient (and so no optimizer update: torch optimizers skip
parameters whose .grad is None). A frozen trunk whose listening heads still train must
be in `annotates` ([training] annotating_components): it then runs once in prediction
mode and the heads train on its fixed output; otherwise those heads would need its
gradients, which is a coded error (E354) naming the settings that fix it.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.grad import set_grad_step
from .listener import bind_listeners
from .trunk import is_trunk


def trainable_parameters(nlp: Any, exclude: Iterable[str] = ()) -> List[nn.Parameter]:
    """The parameters of nlp's components (pipeline order), each once, minus `exclude`.

    A listener holds its trunk by reference, so a trunk's parameters appear once,
    under the trunk. Parameters with requires_grad=False are left out.
    """
    return [p for group in trainable_parameter_groups(nlp, exclude) for p in group["params"]]


def trainable_parameter_groups(nlp: Any, exclude: Iterable[str] = ()) -> List[Dict[str, Any]]:
    """The same parameters as `trainable_parameters`, as one torch param group per
    component: [{"name": "transformer", "params": [...]}, {"name": "tagger", ...}].

    Each parameter is in exactly one group (a trunk's weights belong to the trunk, not
    to the heads listening to it); components with no trainable weights of their own
    are left out. heron's optimizers give a group the rate named for its component in
    [training.optimizer.component_learn_rates]; torch optimizers accept the groups as
    they are (the extra "name" key is kept in optimizer.param_groups).
    """
    exclude = set(exclude)
    seen: Set[int] = set()
    groups: List[Dict[str, Any]] = []
    for name, proc in nlp.components:
        model = getattr(proc, "model", None)
        if name in exclude or not isinstance(model, nn.Module):
            continue
        params = []
        for param in model.parameters():
            if param.requires_grad and id(param) not in seen:
                seen.add(id(param))
                params.append(param)
        if params:
            groups.append({"name": name, "params": params})
    return groups


def set_dropout(model: nn.Module, drop: Optional[float]) -> None:
    """Set the rate of every dropout layer in `model` (like thinc's set_dropout_rate)."""
    if drop is None:
        return
    from ..nn import set_dropout_rate

    set_dropout_rate(model, float(drop))


def check_examples(examples: Sequence[Any]) -> None:
    for eg in examples[:1]:
        if not (hasattr(eg, "predicted") and hasattr(eg, "reference")):
            raise HeronValueError(Errors.E358.format(obj=type(eg).__name__))


def check_frozen(nlp: Any, exclude: Set[str], annotates: Set[str]) -> None:
    """E354: a frozen, non-annotating trunk whose trained heads want its gradients."""
    for name, proc in nlp.pipeline:
        if name not in exclude or not is_trunk(proc) or name in annotates:
            continue
        heads, keys = [], []
        for head, listeners in (getattr(proc, "listener_map", {}) or {}).items():
            if head in exclude or head not in nlp.pipe_names:
                continue
            for listener in listeners:
                if listener.current_grad_factor() != 0.0:
                    heads.append(head)
                    keys.append(f"[components.{listener.owner}] grad_factor")
        if heads:
            raise HeronValueError(Errors.E354.format(trunk=name, heads=sorted(set(heads)),
                                                     keys=", ".join(keys)))


def update(nlp: Any, examples: Iterable[Any], *, drop: float = 0.0, sgd: Any = None,
           losses: Optional[Dict[str, float]] = None, exclude: Iterable[str] = (),
           annotates: Iterable[str] = (), step: Optional[int] = None) -> Dict[str, float]:
    """One step; see the module docstring and `Language.update`."""
    examples = list(examples)
    losses = {} if losses is None else losses
    if not examples:  # still checked and bound, so a broken pipeline fails at step 0
        _begin_step(nlp, examples, losses, set(exclude), set(annotates), step)
        return losses
    if sgd is None:
        sgd = nlp.get_optimizer()
    forward_backward(nlp, examples, drop=drop, losses=losses, exclude=exclude, annotates=annotates, step=step)
    if sgd not in (None, False):
        sgd.step()
        sgd.zero_grad()
    return losses


BackwardRunner = Callable[[Callable[[], Optional[torch.Tensor]]], None]


def _plain_backward(forward: Callable[[], Optional[torch.Tensor]]) -> None:
    total = forward()
    if total is not None and total.requires_grad:
        total.backward()


def forward_backward(nlp: Any, examples: List[Any], *, drop: float, losses: Dict[str, float],
                     exclude: Iterable[str] = (), annotates: Iterable[str] = (), step: Optional[int] = None,
                     run_backward: BackwardRunner = _plain_backward, loss_weight: float = 1.0) -> None:
    """The step without the optimizer: every head's loss, summed, ONE backward.

    run_backward(forward) calls forward() (the summed loss, or None when no head had
    gold) and runs the backward; data-parallel training passes one that runs it inside
    DistributedDataParallel. loss_weight scales the heads' logged losses like their
    gradient (a rank's share of the global batch); trunks report their own.
    """
    exclude, annotates = set(exclude), set(annotates)
    active = _begin_step(nlp, examples, losses, exclude, annotates, step)
    before = dict(losses)
    docs = [eg.predicted for eg in examples]
    _prepare(nlp, exclude, drop)
    try:
        run_backward(lambda: _forward_all(nlp, examples, docs, exclude, annotates, losses) if examples else None)
        for name, proc in active:
            if is_trunk(proc) and hasattr(proc, "pop_grad_loss"):
                losses[name] += proc.pop_grad_loss()
            elif loss_weight != 1.0:
                losses[name] = before[name] + (losses[name] - before[name]) * loss_weight
    finally:
        for _, proc in nlp.components:
            if is_trunk(proc):
                proc.clear_batch_cache()


def _begin_step(nlp: Any, examples: List[Any], losses: Dict[str, float], exclude: Set[str],
                annotates: Set[str], step: Optional[int]) -> List[Any]:
    """Checks, listener binding and the global step before any forward; every trained
    component gets a losses entry. The (name, component) pairs that train."""
    check_examples(examples)
    bind_listeners(nlp, strict=True)
    _set_step(nlp, step)
    check_frozen(nlp, exclude, annotates)
    active = [(n, p) for n, p in nlp.pipeline if n not in exclude and hasattr(p, "forward_train")]
    for name, _ in active:
        losses.setdefault(name, 0.0)
    return active


def _set_step(nlp: Any, step: Optional[int]) -> None:
    """Every grad-factor user (CNN and transformer listeners, inline transformers) reads
    its schedule at this one global step."""
    for _, proc in nlp.components:
        model = getattr(proc, "model", None)
        if isinstance(model, nn.Module):
            set_grad_step(model, step)


def _prepare(nlp: Any, exclude: Set[str], drop: float) -> None:
    """Clear trunk caches, drop stale grads of frozen params, set dropout."""
    for name, proc in nlp.components:
        if is_trunk(proc):
            proc.clear_batch_cache()
        model = getattr(proc, "model", None)
        if not isinstance(model, nn.Module):
            continue
        if name in exclude:
            for param in model.parameters():
                param.grad = None
        else:
            set_dropout(model, drop)


def _forward_all(nlp: Any, examples: List[Any], docs: List[Any], exclude: Set[str],
                 annotates: Set[str], losses: Dict[str, float]) -> Optional[torch.Tensor]:
    """Each component in order: frozen ones only predict (if annotating), trained ones
    add their loss; annotating ones write their predictions for later components."""
    total: Optional[torch.Tensor] = None
    for name, proc in nlp.pipeline:
        if name in exclude and name not in annotates and is_trunk(proc):
            with torch.no_grad():  # a fixed output (eval mode) for heads with grad_factor 0
                proc.forward_batch(docs)
    for name, proc in nlp.pipeline:
        if name in exclude or not hasattr(proc, "forward_train"):
            if name in annotates:
                _annotate(proc, docs)
            continue
        if is_trunk(proc):
            proc.model.train()
            if name in annotates:
                proc.set_annotations(docs, proc.forward_batch(docs))
            continue
        loss = proc.get_loss(examples, proc.forward_train(examples))
        losses[name] += float(loss.detach())
        total = loss if total is None else total + loss
        if name in annotates:
            _annotate(proc, docs)
    return total


def _annotate(proc: Any, docs: List[Any]) -> None:
    if hasattr(proc, "predict") and hasattr(proc, "set_annotations"):
        proc.set_annotations(docs, proc.predict(docs))
    else:  # a plain function component (doc -> doc) annotates in place
        for doc in docs:
            proc(doc)


def default_optimizer(nlp: Any) -> Any:
    """`Language.create_optimizer`: heron.Adam.v1 (default settings) over
    `trainable_parameters(nlp)`, else torch.optim.Adam(lr=0.001); None if nothing trains."""
    from ..registry import registry

    params = trainable_parameters(nlp)
    nlp._optimizer_params = [id(p) for p in params]
    if not params:  # nothing to train (rule-based components only)
        return None
    registry.ensure_populated()
    if registry.has("optimizers", "heron.Adam.v1"):
        return registry.get("optimizers", "heron.Adam.v1")()(params)
    return torch.optim.Adam(params, lr=0.001)


def current_optimizer(nlp: Any) -> Any:
    """`Language.get_optimizer`: nlp's default optimizer, re-created when the parameters
    changed (replace_listeners, add_label)."""
    current = [id(p) for p in trainable_parameters(nlp)]
    if getattr(nlp, "_optimizer", None) is None or current != getattr(nlp, "_optimizer_params", None):
        nlp._optimizer = nlp.create_optimizer()
    return nlp._optimizer


__all__ = ["update", "trainable_parameters", "trainable_parameter_groups", "set_dropout", "check_frozen",
           "default_optimizer", "current_optimizer"]
