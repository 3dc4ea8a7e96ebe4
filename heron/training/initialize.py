"""Turn a training config into an initialized pipeline: seeds, device, corpora, labels.

    setup = prepare_training(config)  # every check that needs no data; builds the pipeline
    nlp = init_nlp(config)            # prepare_training + nlp.initialize(train examples)

`prepare_training` is the ONE place that decides whether `heron train` accepts a config
before reading data; `heron debug config` calls it too, so the two never disagree.
`resolve_training(config)` gives the resolved [training] section and the corpora it
names, so `heron train` and `train()` share one way of reading a config.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

import numpy as np
import torch
from confection import Config

from .._config_errors import config_error
from ..config import fill_config
from ..errors import ConfigError, Errors, HeronValueError
from ..registry import registry
from .corpus import checked_examples


def fix_random_seed(seed: Optional[int]) -> None:
    """Seed Python's, numpy's and torch's generators (None leaves them alone)."""
    if seed is None:
        return
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


def select_device(use_gpu: int) -> torch.device:
    """CPU for -1, else CUDA device `use_gpu` (E511 if CUDA is not available)."""
    if use_gpu is None or use_gpu < 0:
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise HeronValueError(Errors.E511.format(gpu_id=use_gpu, reason="CUDA is not available to torch"))
    if use_gpu >= torch.cuda.device_count():
        raise HeronValueError(Errors.E511.format(
            gpu_id=use_gpu, reason=f"only {torch.cuda.device_count()} GPU(s) are visible"))
    from ..gpu import require_gpu

    require_gpu(use_gpu)  # records the choice, so heron.load() afterwards uses it too
    return torch.device(f"cuda:{use_gpu}")


def move_to_device(nlp: Any, device: torch.device) -> None:
    """Move every component's torch model to `device`."""
    for _, proc in nlp.components:
        model = getattr(proc, "model", None)
        if isinstance(model, torch.nn.Module):
            model.to(device)


def interpolated(config: Any) -> Config:
    """The filled, validated config with ${variables} replaced."""
    return _interpolate(fill_config(config if isinstance(config, Config) else Config(config)))


def _interpolate(filled: Config) -> Config:
    return Config(filled).interpolate() if not filled.is_interpolated else filled


def resolve_training(config: Any) -> Tuple[Dict[str, Any], Callable, Callable]:
    """(resolved [training], train corpus, dev corpus) of a config."""
    return _resolve_training(interpolated(config))


def _resolve_training(config: Config) -> Tuple[Dict[str, Any], Callable, Callable]:
    """resolve_training of a config already filled, validated and interpolated."""
    T = _resolve_section(config, "training")
    return T, _resolve_corpus(config, T["train_corpus"], "training.train_corpus"), \
        _resolve_corpus(config, T["dev_corpus"], "training.dev_corpus")


def _resolve_corpus(config: Config, dotted: str, key: str) -> Any:
    """Resolve only the [corpora] block `dotted` names: other readers (e.g. the [corpora.pretrain]
    that only `heron pretrain` reads, its path often unset) must not stop training."""
    corpora = config.get("corpora") or {}
    section, _, name = str(dotted).partition(".")
    if section != "corpora" or name not in corpora:
        resolve_dot_name(corpora, dotted, key)  # raises E513 naming the available corpora
    return _resolve_section(Config({"corpora": {name: corpora[name]}}), "corpora")[name]


def _resolve_section(config: Config, name: str) -> Dict[str, Any]:
    from ..config import format_config_error
    from ..errors import HeronError

    try:
        return registry.resolve({name: config.get(name) or {}}, validate=True)[name]
    except HeronError:
        raise
    except Exception as e:  # confection/catalogue errors: one coded message
        raise ConfigError(format_config_error(e)) from None


def resolve_dot_name(corpora: Dict[str, Any], dotted: str, key: str) -> Any:
    """`corpora.train` -> the resolved reader; E513 naming the setting if missing."""
    section, _, name = str(dotted).partition(".")
    if section != "corpora" or name not in corpora:
        raise ConfigError(Errors.E513.format(key=key, value=dotted, available=", ".join(
            f"corpora.{k}" for k in corpora) or "(none)"))
    return corpora[name]


def check_component_names(nlp: Any, names: Iterable[str], key: str) -> None:
    for name in names:
        if name not in nlp.component_names:
            raise ConfigError(Errors.E509.format(key=key, name=name, names=nlp.component_names))


@dataclass
class TrainingSetup:
    """What `prepare_training` checked and built, for `init_nlp` to continue from."""

    nlp: Any
    raw: Config  # filled and validated, ${variables} kept
    config: Config  # the same, interpolated
    training: Dict[str, Any]  # resolved [training]
    train_corpus: Callable
    dev_corpus: Callable
    initialize: Dict[str, Any]  # resolved [initialize]
    device: torch.device


def prepare_training(config: Any, *, use_gpu: int = -1) -> TrainingSetup:
    """Check and build everything `heron train` needs before it reads any data.

    Validates the config (one error naming every bad setting); resolves [training]
    (optimizer, batcher, logger, score weights, frozen/annotating components) and the
    two [corpora] readers it names (their paths are checked, nothing is read; other
    readers, e.g. [corpora.pretrain], are left alone); builds [nlp] and every
    component (language, layer sizes, listeners bound to their trunk); resolves
    [initialize] and checks the components it names. Seeds the generators from
    [training] seed first, so the weights built here are reproducible.
    """
    from ..language import Language

    raw = fill_config(config if isinstance(config, Config) else Config(config))
    config = _interpolate(raw)
    T, train_corpus, dev_corpus = _resolve_training(config)
    fix_random_seed(T.get("seed"))
    device = select_device(use_gpu)
    # Built from the uninterpolated config, so the saved config.cfg keeps ${paths.*}.
    nlp = Language.from_config(raw)
    check_component_names(nlp, T["frozen_components"], "training.frozen_components")
    check_component_names(nlp, T["annotating_components"], "training.annotating_components")
    _check_learn_rates(nlp, config, T["frozen_components"])
    check_grad_factors(nlp, T)
    from .loop import default_score_weights  # lazy: loop imports this module

    default_score_weights(nlp, T["score_weights"])
    init = _resolve_section(config, "initialize")
    _check_initialize_components(nlp, init)
    return TrainingSetup(nlp, raw, config, T, train_corpus, dev_corpus, init, device)


def _check_learn_rates(nlp: Any, config: Config, frozen: Iterable[str]) -> None:
    """E850 now for a component_learn_rates name the optimizer would reject once built.

    Weights are created lazily (a head's output layer at initialize), so the names are
    those of the non-frozen components with a torch model, not of current parameters.
    """
    from .optim import COMPONENT_RATES_KEY

    optimizer = (config.get("training") or {}).get("optimizer")
    rates = optimizer.get("component_learn_rates") if isinstance(optimizer, dict) else None
    if not isinstance(rates, dict):
        return  # a wrong type is the optimizer's own error (E852), raised at resolve
    frozen = set(frozen)
    names = [name for name, proc in nlp.components
             if name not in frozen and isinstance(getattr(proc, "model", None), torch.nn.Module)]
    for name in rates:
        if name not in names:
            raise HeronValueError(Errors.E850.format(key=COMPONENT_RATES_KEY, name=name,
                                                     names=", ".join(names) or "(none)"))


# Steps at which check_grad_factors reads grad_factor schedules when [training] max_steps
# is 0 (no limit) or larger: reading one costs well under a microsecond.
SCHEDULE_CHECK_STEPS = 100_000


def check_grad_factors(nlp: Any, training: Dict[str, Any]) -> None:
    """Read every grad_factor schedule at each step the run can reach, now: a schedule that
    turns negative (E389) or fails (E519) at step 30,000 must stop `heron debug config`
    and the start of `heron train`, not a run hours in. Then E354 if a frozen trunk's
    trained heads would send it gradients at any of those steps (a schedule rising from 0
    included), the check `nlp.update` makes at every step."""
    from ..nn.grad import GradFactor
    from ..pipeline.update import check_frozen

    n_steps = min(training.get("max_steps") or SCHEDULE_CHECK_STEPS, SCHEDULE_CHECK_STEPS) + 1
    scheduled = []
    for name, proc in nlp.components:
        model = getattr(proc, "model", None)
        for path, module in model.named_modules() if isinstance(model, torch.nn.Module) else ():
            factor = getattr(module, "grad_factor", None)
            if isinstance(factor, GradFactor) and factor.is_schedule and hasattr(module, "step"):
                owner = f"{name}.model" + (f".{path}" if path else "")
                scheduled.append((module, _first_nonzero_step(factor, owner, n_steps), module.step))
    # check_frozen reads each listener's factor at its `step`: show it the first step
    # at which the schedule lets gradients through (step 0 if it never does).
    for module, first, _ in scheduled:
        module.step = first or 0
    try:
        check_frozen(nlp, set(training["frozen_components"]), set(training["annotating_components"]))
    finally:
        for module, _, step in scheduled:
            module.step = step


def _first_nonzero_step(factor: Any, owner: str, n_steps: int) -> Optional[int]:
    """The first step < n_steps at which `factor` is not 0 (None: never); E389 / E519 for a
    step at which the schedule returns a negative number or raises."""
    first = None
    for step in range(n_steps):
        try:
            value = factor.at(step, owner=owner)
        except HeronValueError:
            raise
        except Exception as e:  # a user's or a misconfigured schedule: name where and when
            raise HeronValueError(Errors.E519.format(owner=owner, step=step,
                                                     error=f"{type(e).__name__}: {e}")) from None
        if first is None and value != 0.0:
            first = step
    return first


def _check_initialize_components(nlp: Any, init: Dict[str, Any]) -> None:
    """[initialize.components.NAME] for a NAME not in the pipeline would be ignored."""
    names = nlp.component_names
    errors = [(f"initialize.components.{name}", (
        f"{name!r} is not a component of this pipeline ({', '.join(names) or 'none'}); "
        f"settings under it would be ignored. Fix: use a component name, or remove the block"
    )) for name in (init.get("components") or {}) if name not in names]
    if errors:
        raise config_error(errors)


def init_nlp(config: Any, *, use_gpu: int = -1) -> Any:
    """Build the pipeline from `config` and initialize it on the training corpus.

    `prepare_training` first (every check that needs no data; seeds the generators),
    then [initialize] before_init, vectors, each component's `initialize` with the
    training Examples (labels are collected here) except frozen components, then
    init_tok2vec and after_init.
    """
    setup = prepare_training(config, use_gpu=use_gpu)
    nlp, config, T, train_corpus = setup.nlp, setup.config, setup.training, setup.train_corpus
    init, device = setup.initialize, setup.device
    if init.get("before_init"):
        init["before_init"](nlp)
    if init.get("vectors"):
        from ..vectors import load_vectors_into

        load_vectors_into(nlp, init["vectors"])
    # Checked: an empty training corpus is named as such, not as a component without labels.
    # Sourced components arrive trained: like spaCy, they resume training (frozen or not)
    # instead of being initialized anew, which would rebuild their labels from this corpus.
    sourced = [name for name, block in (config.get("components") or {}).items()
               if isinstance(block, dict) and "source" in block]
    initialize_components(nlp, lambda: checked_examples(train_corpus, nlp, key=T["train_corpus"],
                                                        role="there is nothing to train on"),
                          frozen=[*T["frozen_components"], *sourced])
    if init.get("init_tok2vec"):
        from ..pretraining import init_tok2vec_from_config

        init_tok2vec_from_config(nlp, init["init_tok2vec"], config)
    if init.get("after_init"):
        init["after_init"](nlp)
    move_to_device(nlp, device)
    return nlp


def initialize_components(nlp: Any, get_examples: Callable, *, frozen: Iterable[str] = ()) -> None:
    """`nlp.initialize(get_examples)`, skipping `frozen` components: frozen or sourced ones,
    whose trained state must not be reset."""
    frozen = set(frozen)
    if not frozen:
        nlp.initialize(get_examples)
        return
    from ..pipeline._build import initialize_settings
    from ..pipeline.listener import bind_listeners

    bind_listeners(nlp, strict=True)
    settings = initialize_settings(nlp)
    for name, proc in nlp.components:
        if name not in frozen and hasattr(proc, "initialize"):
            proc.initialize(get_examples, nlp=nlp, **settings.get(name, {}))


__all__ = ["init_nlp", "prepare_training", "TrainingSetup", "resolve_training", "fix_random_seed",
           "select_device", "move_to_device", "initialize_components", "interpolated"]
