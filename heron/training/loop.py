"""The training loop: a small generator around one step, and `train()` that consumes it.

    for batch, info, is_best in train_while_improving(nlp, optimizer, batches, evaluate, ...):
        ...   # info: step, epoch, losses, score, other_scores, words, checkpoints

One step = `nlp.update` per sub-batch (trunk once, heads' losses summed, ONE backward;
gradients accumulate over `accumulate_gradient` sub-batches), then ONE optimizer
step (float16 models: each backward loss-scaled, one unscale + inf check in the step).
Every `eval_frequency` steps the dev set is scored with the averaged weights
(if the optimizer keeps averages). `train()` adds what a user of `heron train`
sees: a progress bar, a score table, OUTPUT/train_log.jsonl, OUTPUT/model-last
after every evaluation and OUTPUT/model-best whenever the weighted score improves,
all written atomically; Ctrl-C saves model-last before stopping. Under torchrun
(WORLD_SIZE > 1) the same loop trains data-parallel: `distributed` (a DistributedRun of
training/distributed.py) shards the batches, all-reduces the gradients once per step, and
lets only rank 0 evaluate, log and save.
"""
from __future__ import annotations

import random
import shutil
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from ..errors import Errors, HeronValueError
from ..util import atomic_output_dir, remove_stale_temp
from .batchers import batch_by_words
from .corpus import read_examples
from .initialize import init_nlp, move_to_device, resolve_training, select_device
from .loggers import JsonlLog, console_logger
from .loss_scale import attach_grad_scalers
from .optim import Adam, as_schedule

if TYPE_CHECKING:
    from .distributed import DistributedRun

DIR_MODEL_BEST = "model-best"
DIR_MODEL_LAST = "model-last"
LOG_FILE = "train_log.jsonl"


class TrainingInterrupted(Exception):
    """Raised by `train()` after Ctrl-C, once model-last is saved; `.path` is where."""

    def __init__(self, message: str, path: Optional[Path]):
        super().__init__(message)
        self.path = path


def train_while_improving(nlp: Any, optimizer: Any, train_data: Iterable[Tuple[int, List[Any]]],
                          evaluate: Callable[[], Tuple[float, Dict[str, Any]]], *,
                          dropout: Union[float, Callable[[int], float]], eval_frequency: int,
                          accumulate_gradient: int, patience: int, max_steps: int,
                          exclude: Sequence[str], annotating_components: Sequence[str],
                          before_update: Optional[Callable[[Any, Dict[str, Any]], None]] = None,
                          distributed: Optional["DistributedRun"] = None
                          ) -> Iterator[Tuple[List[Any], Dict[str, Any], Optional[bool]]]:
    """Train until `patience` steps without improvement, `max_steps`, or the data ends.

    train_data: (epoch, batch of Examples) pairs. evaluate: () -> (weighted score,
    all scores). Yields (batch, info, is_best_checkpoint) after every step;
    is_best_checkpoint is None on steps without evaluation. Losses in `info`
    accumulate between evaluations. patience/max_steps: 0 = no limit.
    distributed: this rank of a torchrun job (None: one process). Then `train_data` is
    this rank's shard, `evaluate` runs on rank 0 only (the others get its score), and
    `info`'s words/examples count all ranks; at evaluations its losses are the ranks'
    mean (in between, this rank's, which nothing logs).
    """
    dropouts = as_schedule(dropout)
    results: List[Tuple[float, int]] = []
    losses: Dict[str, float] = {}
    words_seen = examples_seen = 0
    # float16 models: every sub-batch's backward is loss-scaled, optimizer.step unscales once.
    attach_grad_scalers(nlp, optimizer, exclude=exclude)
    start = time.perf_counter()
    for step, (epoch, batch) in enumerate(train_data):
        if before_update is not None:
            before_update(nlp, {"step": step, "epoch": epoch})
        drop = dropouts(step)
        if distributed is None:
            for sub in subdivide_batch(batch, accumulate_gradient):
                nlp.update(sub, drop=drop, sgd=False, losses=losses, exclude=exclude,
                           annotates=annotating_components, step=step)
            words, n_examples = sum(len(eg) for eg in batch), len(batch)
        else:  # the same micro-batches, gradients all-reduced once; counts of all ranks
            words, n_examples = distributed.update(
                nlp, list(subdivide_batch(batch, accumulate_gradient)), drop=drop, losses=losses,
                exclude=exclude, annotates=annotating_components, step=step)
        optimizer.step()
        optimizer.zero_grad()
        words_seen += words
        examples_seen += n_examples
        score: Optional[float] = None
        other_scores: Optional[Dict[str, Any]] = None
        is_best: Optional[bool] = None
        if step % max(1, eval_frequency) == 0:
            if distributed is None or distributed.is_main:
                with optimizer.use_params():
                    score, other_scores = evaluate()
            if distributed is not None:  # every rank decides patience on rank 0's score
                score = distributed.share_score(score)
                losses = distributed.mean_losses(losses)
            optimizer.last_score = score
            results.append((float(score or 0.0), step))
            is_best = score == max(results)[0]
        info = {"epoch": epoch, "step": step, "score": score, "other_scores": other_scores,
                "losses": dict(losses), "checkpoints": list(results), "words": words_seen,
                "examples": examples_seen,
                "seconds": int(time.perf_counter() - start), "learn_rate": optimizer.learn_rate}
        yield batch, info, is_best
        if is_best is not None:
            losses = {}
        # The earliest step with the best score counts, so ties don't extend patience.
        best_step = -max((s, -st) for s, st in results)[1] if results else 0
        if patience and step - best_step >= patience:
            break
        if max_steps and step >= max_steps:
            break


def subdivide_batch(batch: List[Any], accumulate_gradient: int) -> Iterator[List[Any]]:
    """Split a batch into `accumulate_gradient` near-equal sub-batches (sorted by length,
    so each sub-batch pads little); fewer if the batch has fewer items."""
    if accumulate_gradient <= 1 or len(batch) <= 1:
        yield batch
        return
    batch = sorted(batch, key=len)
    n, k = len(batch), min(accumulate_gradient, len(batch))
    start = 0
    for i in range(k):
        size = n // k + (1 if i < n % k else 0)
        yield batch[start:start + size]
        start += size


def create_train_batches(nlp: Any, corpus: Callable, batcher: Callable, max_epochs: int, *,
                         examples: Optional[List[Any]] = None, rng: Optional[random.Random] = None
                         ) -> Iterator[Tuple[int, List[Any]]]:
    """(epoch, batch) pairs; Examples are shuffled every epoch (seeded by [training] seed).

    max_epochs: 0 = unlimited, N = stop after N epochs, -1 = stream the corpus
    without loading it into memory (and without shuffling). examples: the corpus's
    Examples, already read (None: read them here). rng: the generator to shuffle with
    (None: Python's global one). torchrun ranks pass one seeded alike, as training
    draws from the global one differently on each rank (the parser's exploration).
    """
    examples = list(examples) if examples is not None else []
    if max_epochs >= 0 and not examples:
        examples = list(corpus(nlp))
        if not examples:
            raise HeronValueError(Errors.E512.format(corpus=corpus))
    epoch = 0
    while max_epochs < 1 or epoch != max_epochs:
        if max_epochs >= 0:
            (rng or random).shuffle(examples)
            data: Iterable[Any] = examples
        else:
            if rng is not None:  # a reader that shuffles (Corpus(shuffle=True)) uses the global one
                random.seed(rng.random())
            data = corpus(nlp)
        for batch in batcher(data):
            yield epoch, batch
        epoch += 1


def default_score_weights(nlp: Any, overrides: Optional[Dict[str, Optional[float]]] = None
                          ) -> Dict[str, Optional[float]]:
    """Components' default weights merged with `overrides`, normalised to sum to 1.

    None marks a score that is shown but not weighted (spaCy's convention).
    """
    weights: Dict[str, Optional[float]] = {}
    for name in nlp.pipe_names:
        weights.update(nlp.get_pipe_meta(name).default_score_weights or {})
    for key, value in (overrides or {}).items():
        if value is not None and not isinstance(value, (int, float)):
            raise HeronValueError(Errors.E514.format(key=key, value=value))
        weights[key] = value
    total = sum(v for v in weights.values() if v)
    return {k: (round(v / total, 2) if v and total > 0 else v) for k, v in weights.items()}


def create_evaluation_callback(nlp: Any, dev_corpus: Callable, weights: Dict[str, Optional[float]],
                               batch_size: int = 256, *, examples: Optional[List[Any]] = None
                               ) -> Callable[[], Tuple[float, Dict[str, Any]]]:
    """() -> (weighted score, all scores) on the dev set (read once, scored each time).

    examples: the dev Examples, already read (None: read at the first evaluation).
    """
    cache: List[Any] = list(examples or [])

    def evaluate() -> Tuple[float, Dict[str, Any]]:
        if not cache:
            cache.extend(dev_corpus(nlp))
        scores = nlp.evaluate(cache, batch_size=batch_size)
        weighted = sum((scores.get(k) or 0.0) * w for k, w in weights.items() if w)
        return float(weighted), scores

    return evaluate


def update_meta(nlp: Any, weights: Dict[str, Optional[float]], info: Dict[str, Any]) -> None:
    """Record the latest dev scores and losses in nlp.meta["performance"]."""
    scores = info.get("other_scores") or {}
    performance = {k: scores.get(k) for k in weights if weights[k] is not None}
    performance.update({f"{name}_loss": loss for name, loss in (info.get("losses") or {}).items()})
    nlp.meta["performance"] = performance


def save_checkpoint(nlp: Any, optimizer: Any, output_path: Path, *, is_best: bool,
                    before_to_disk: Optional[Callable] = None) -> None:
    """Write model-last (with averaged weights, if any); copy it to model-best if best.

    Both writes are atomic, so an interrupted save never leaves a broken folder.
    """
    last = output_path / DIR_MODEL_LAST
    with optimizer.use_params():
        target = before_to_disk(nlp) if before_to_disk is not None else nlp
        target.to_disk(last)
    if is_best:
        with atomic_output_dir(output_path / DIR_MODEL_BEST) as tmp:
            shutil.copytree(last, tmp, dirs_exist_ok=True)


def train(config: Any, output_path: Optional[Union[str, Path]] = None, *, use_gpu: int = -1,
          stdout: IO = sys.stdout, stderr: IO = sys.stderr, dist_backend: str = "auto",
          dist_timeout: float = 1800.0) -> Tuple[Any, Optional[Path]]:
    """Train the pipeline a config describes; returns (nlp, path of model-best or None).

    Builds and initializes the pipeline (`init_nlp`), then runs `train_nlp`.
    output_path: folder for model-best/, model-last/ and train_log.jsonl (None =
    save nothing). use_gpu: CUDA device id, -1 = CPU. Raises TrainingInterrupted
    after Ctrl-C (model-last saved first). Under torchrun (WORLD_SIZE > 1) trains
    data-parallel (training/distributed.py): dist_backend "auto" (nccl on GPUs, gloo on
    CPUs), "gloo" or "nccl"; dist_timeout: seconds a process waits for the others. Only
    rank 0 returns model-best's path (the others: None).
    """
    from .distributed import distributed_training

    with distributed_training(backend=dist_backend, timeout_s=dist_timeout, use_gpu=use_gpu) as run:
        gpu = run.gpu_id if run is not None else use_gpu
        nlp = init_nlp(config, use_gpu=gpu)
        return train_nlp(nlp, output_path, use_gpu=gpu, stdout=stdout, stderr=stderr, distributed=run)


def train_nlp(nlp: Any, output_path: Optional[Union[str, Path]] = None, *, use_gpu: int = -1,
              stdout: IO = sys.stdout, stderr: IO = sys.stderr,
              distributed: Optional["DistributedRun"] = None) -> Tuple[Any, Optional[Path]]:
    """Train an initialized pipeline with the [training] settings of its own config.

    distributed: this process's rank of a torchrun job (`distributed_training()`), or
    None. Ranks other than 0 neither evaluate, print, log nor save.
    """
    from ..pipeline.update import trainable_parameter_groups

    T, train_corpus, dev_corpus = resolve_training(nlp.config)
    main = distributed is None or distributed.is_main
    # Both corpora are read and checked before anything is written: a broken or empty
    # dev file must stop the run here, not at step 0 after an untrained model-last is saved.
    streamed = T["max_epochs"] < 0
    train_examples = read_examples(train_corpus, nlp, key=T["train_corpus"], keep=not streamed,
                                   role="there is nothing to train on")
    dev_examples = read_examples(dev_corpus, nlp, key=T["dev_corpus"],
                                 role="the pipeline can't be evaluated or model-best chosen") if main else []
    move_to_device(nlp, select_device(use_gpu))
    if distributed is not None:
        distributed.seed_ranks(T["seed"])
        output_path = output_path if main else None
    frozen = list(T["frozen_components"])
    # One param group per component, so [training.optimizer] component_learn_rates applies.
    optimizer = (T["optimizer"] or Adam())(trainable_parameter_groups(nlp, exclude=frozen))
    batcher = T["batcher"] or batch_by_words(size=1000)
    weights = default_score_weights(nlp, T["score_weights"])
    loss_names = [n for n, p in nlp.pipeline if hasattr(p, "forward_train") and n not in frozen]
    log_step, finalize = _setup_logger(T["logger"] or console_logger(), nlp, stdout, stderr,
                                       loss_names=loss_names, score_weights=weights,
                                       eval_frequency=T["eval_frequency"]) if main else _NO_LOGGER
    output_path = Path(output_path) if output_path is not None else None
    jsonl = _fresh_log(output_path)
    if output_path is not None:  # temp folders of a run killed mid-save (dead pids only)
        for name in (DIR_MODEL_LAST, DIR_MODEL_BEST):
            remove_stale_temp(output_path / name)
    batches = create_train_batches(nlp, train_corpus, batcher, T["max_epochs"], examples=train_examples or None,
                                   rng=distributed.shuffle_rng(T["seed"]) if distributed is not None else None)
    steps = train_while_improving(
        nlp, optimizer, distributed.shard(batches) if distributed is not None else batches,
        create_evaluation_callback(nlp, dev_corpus, weights, examples=dev_examples), dropout=T["dropout"],
        eval_frequency=T["eval_frequency"], accumulate_gradient=T["accumulate_gradient"],
        patience=T["patience"], max_steps=T["max_steps"], exclude=frozen,
        annotating_components=T["annotating_components"], before_update=T["before_update"],
        distributed=distributed)
    if main:
        stdout.write(f"ℹ Pipeline: {nlp.pipe_names}" + (f" (frozen: {frozen})" if frozen else "")
                     + f"\nℹ Initial learn rate: {optimizer.learn_rate}\n")
    save = (lambda best: save_checkpoint(nlp, optimizer, output_path, is_best=best,
                                         before_to_disk=T["before_to_disk"])) if output_path else None
    step = 0
    completed = 0  # steps done; a failure before the first saves nothing (nothing was learnt)
    try:
        for _, info, is_best in steps:
            step = info["step"]
            completed += 1
            if is_best is not None:
                update_meta(nlp, weights, info)
                if save is not None:
                    save(is_best)
                if jsonl is not None:
                    jsonl.write(info)
            log_step(info if is_best is not None else None)
    except KeyboardInterrupt:
        finalize()
        _save_quietly(save, stderr)
        where = f"; saved {output_path / DIR_MODEL_LAST}" if output_path else ""
        raise TrainingInterrupted(f"Training interrupted at step {step}{where}.",
                                  output_path / DIR_MODEL_LAST if output_path else None) from None
    except BaseException:
        finalize()
        if save is not None and completed:
            stderr.write(f"⚠ Training failed at step {step}; saving {output_path / DIR_MODEL_LAST} first.\n")
            _save_quietly(save, stderr)
        raise
    finalize()
    if save is not None:
        save(False)
        stdout.write(f"✔ Saved pipeline to output directory {output_path / DIR_MODEL_LAST}\n")
    if distributed is not None:  # the others leave once rank 0's final save is written
        distributed.barrier()
    best = output_path / DIR_MODEL_BEST if output_path and (output_path / DIR_MODEL_BEST).exists() else None
    return nlp, best


def _setup_logger(setup: Callable, nlp: Any, stdout: IO, stderr: IO, **extra: Any) -> Tuple[Callable, Callable]:
    """Call a logger's setup; spaCy-style loggers take only (nlp, stdout, stderr)."""
    import inspect

    params = inspect.signature(setup).parameters
    takes = {k: v for k, v in extra.items() if k in params}
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        takes = extra
    return setup(nlp, stdout, stderr, **takes)


_NO_LOGGER: Tuple[Callable, Callable] = (lambda info: None, lambda: None)


def _fresh_log(output_path: Optional[Path]) -> Optional[JsonlLog]:
    if output_path is None:
        return None
    output_path.mkdir(parents=True, exist_ok=True)
    log_path = output_path / LOG_FILE
    if log_path.exists():
        log_path.unlink()  # the log describes this run only
    return JsonlLog(log_path)


def _save_quietly(save: Optional[Callable], stderr: IO) -> None:
    if save is None:
        return
    try:
        save(False)
    except Exception as e:  # the original error matters more; report and go on
        stderr.write(f"⚠ Could not save model-last: {type(e).__name__}: {e}\n")


__all__ = ["train", "train_nlp", "train_while_improving", "create_train_batches", "subdivide_batch",
           "default_score_weights", "create_evaluation_callback", "save_checkpoint", "update_meta",
           "TrainingInterrupted", "DIR_MODEL_BEST", "DIR_MODEL_LAST", "LOG_FILE"]
