"""The training side of `Language`, mixed into it (kept out of language.py, which holds
the core API): `initialize`, `update`, `create_optimizer`, `get_optimizer`,
`replace_listeners` and `evaluate`. Each delegates: pipeline/update.py (one backward per
step over the shared trunks), pipeline/_replace.py, scorer.py.

    optimizer = nlp.initialize(lambda: examples)
    for batch in batches:
        nlp.update(batch, sgd=optimizer, losses=losses)
    scores = nlp.evaluate(dev_examples)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Optional

from .pipeline import _build

if TYPE_CHECKING:
    from .pipeline._state import PipelineState


class LanguageTrainingMixin:
    """`Language`'s training methods; they use its `_state` (PipelineState) and `_optimizer`."""

    _state: "PipelineState"
    _optimizer: Any

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Any]]] = None, *,
                   sgd: Any = None) -> Any:
        """Load `[initialize] vectors` into a vocab without vectors, bind listeners, call
        each component's `initialize(get_examples, nlp=nlp,
        **[initialize.components.NAME])`, and return the optimizer `nlp.update` uses:
        `sgd` if given, else a new default one (see `create_optimizer`)."""
        from .pipeline.listener import bind_listeners
        from .vectors.init import load_initialize_vectors

        load_initialize_vectors(self)  # [initialize] vectors, unless the vocab has some already
        bind_listeners(self, strict=True)
        settings = _build.initialize_settings(self)
        for name, proc in self._state.components:
            if hasattr(proc, "initialize"):
                proc.initialize(get_examples, nlp=self, **settings.get(name, {}))
        self._optimizer = sgd if sgd is not None else self.create_optimizer()
        return self._optimizer

    # ---- training (see pipeline/update.py) -----------------------------------------
    def update(self, examples: Iterable[Any], *, drop: float = 0.0, sgd: Any = None,
               losses: Optional[Dict[str, float]] = None, exclude: Iterable[str] = (),
               annotates: Iterable[str] = (), step: Optional[int] = None) -> Dict[str, float]:
        """Learn from one batch of Examples: trunks run once, the heads' losses are summed,
        ONE backward(), then `sgd.step()` and `sgd.zero_grad()`. Returns `losses`.

        drop (float): dropout rate set on every dropout layer of the trained components
            (spaCy semantics; 0.1-0.3 typical while training).
        sgd: optimizer with .step()/.zero_grad() (heron.Adam.v1 or any torch.optim
            optimizer over `trainable_parameters(nlp)`); None = nlp's default
            optimizer; False = compute gradients only (for gradient accumulation).
        losses (dict): running totals to add to, keyed by component name.
        exclude: frozen components (no gradients, weights bit-identical).
        annotates: components whose predictions are written to `eg.predicted` during
            the step, so later components can use them ([training] annotating_components).
        step (int | None): the global step, for grad_factor schedules of listeners and
            inline transformers; None = the number of earlier update calls.

        Models that train in float16 (a transformer's mixed_precision on a GPU without
        bfloat16) get loss scaling from a heron optimizer (training/loss_scale.py).
        """
        from .pipeline.update import update
        from .training.loss_scale import attach_grad_scalers

        examples, exclude = list(examples), list(exclude)
        if examples:  # the one step every grad_factor schedule reads (see PipelineState)
            step = self._state.training_step(step)
        if sgd is None and examples:
            sgd = self.get_optimizer()
        if sgd is not False and examples:  # False: the caller steps (and arms loss scaling)
            attach_grad_scalers(self, sgd, exclude=exclude)
        return update(self, examples, drop=drop, sgd=sgd, losses=losses, exclude=exclude,
                      annotates=annotates, step=step)

    def create_optimizer(self) -> Any:
        """The default optimizer over `trainable_parameters(nlp)`: heron.Adam.v1 with its
        default settings if available, else torch.optim.Adam(lr=0.001); None if the
        pipeline has nothing to train."""
        from .pipeline.update import default_optimizer

        return default_optimizer(self)

    def get_optimizer(self) -> Any:
        """nlp's default optimizer, re-created if the parameters changed (e.g. after
        replace_listeners or add_label)."""
        from .pipeline.update import current_optimizer

        return current_optimizer(self)

    def replace_listeners(self, tok2vec_name: str, pipe_name: str, listeners: Iterable[str]) -> None:
        """Turn listeners of `pipe_name` into private copies of trunk `tok2vec_name`.

        listeners: dotted paths inside the component, e.g. ["model.tok2vec"]. The copy
        starts with the trunk's current weights and then trains on its own; nlp.config
        is updated so the pipeline saves and reloads with the copy.
        """
        from .pipeline._replace import replace_listeners

        replace_listeners(self, self._state, tok2vec_name, pipe_name, list(listeners))

    def evaluate(self, examples: Iterable[Any], *, batch_size: int = 256, **kwargs: Any) -> Dict[str, Any]:
        """Scores of the pipeline on Examples (see heron.scorer.evaluate)."""
        from .scorer import evaluate

        return evaluate(self, examples, batch_size=batch_size, **kwargs)
