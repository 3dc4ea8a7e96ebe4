"""Data-parallel training under torchrun: N processes, one model copy each, one step.

    torchrun --nproc_per_node 2 -m heron train config.cfg -o training/ ...

torchrun sets WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR and MASTER_PORT in each process;
`distributed_training()` sees WORLD_SIZE > 1 and joins the process group (gloo on CPUs,
nccl on GPUs: process LOCAL_RANK trains on GPU LOCAL_RANK). Without torchrun it yields
None and `heron train` runs the one-process code path unchanged. In a run of N processes:

- Every rank builds and initializes the same pipeline (same [training] seed, same data);
  DDP also copies rank 0's weights to the others when it wraps the models. Afterwards
  torch/numpy/random are re-seeded with seed + rank, so dropout differs between ranks.
- Batches (`shard_batches`): every rank shuffles with the same generator, batches the same
  way, and takes batch i of each group of N consecutive batches; an epoch's last,
  incomplete group (< N batches) is dropped, so every rank makes the same number of steps
  (a different remainder every epoch, as the examples are reshuffled).
- A step (`DistributedRun.update`): the trained components' models are ONE
  DistributedDataParallel module (`PipelineModule`), whose forward is the pipeline's
  whole training forward (trunk once, heads' losses summed), so one backward per
  micro-batch and, with `accumulate_gradient = k`, `no_sync` for the first k-1: the
  gradients are all-reduced once per step. Frozen components are left outside it;
  `find_unused_parameters` lets a step leave weights without gradient (grad_factor 0,
  a head with no gold in the batch) without breaking DDP's bucketed reduction, and a
  weight no rank used keeps `grad = None`, as in one process.
- Loss scale: DDP averages the ranks' gradients, so each rank's loss is weighted by
  N x (its words / the step's words on all ranks). The step's gradient is then the
  word-weighted mean over ranks, exactly the one-process gradient of the global batch for
  losses that are means over tokens (tagger, ner, parser, ...) when every token has gold;
  for doc-level losses (textcat) it weighs documents by their length.
- Schedules (learn rate, dropout, grad factors) read the step counter, which is the
  global step: all ranks make the same optimizer steps, each step consumes N batches.
- Only rank 0 evaluates, logs and writes model-best/model-last; it broadcasts the score,
  so every rank takes the same patience decision and stops at the same step. Word and
  example counts are summed over ranks every step; logged losses are the ranks' mean.
- Failure: a rank's exception ends that process; its peers' next collective fails
  (gloo: the connection closes; otherwise after the timeout) and they stop with E238.
  Ctrl-C (torchrun forwards SIGINT) and SIGTERM (torchrun stopping the others after a
  failure) raise KeyboardInterrupt, so rank 0 saves model-last; `destroy_process_group`
  always runs.
"""
from __future__ import annotations

import contextlib
import inspect
import os
import random
import signal
import threading
import warnings
from datetime import timedelta
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import torch
import torch.distributed as dist
from torch import nn

from ..errors import Errors, HeronError, HeronValueError, HeronWarning, Warnings, warn
from ..pipeline.update import forward_backward  # nlp.update's step, so both paths run the same forward
from .initialize import fix_random_seed

BACKENDS = ("auto", "gloo", "nccl")
DEFAULT_TIMEOUT_S = 1800.0
ENV_VARS = ("RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


class PipelineModule(nn.Module):
    """The trained components' models as one module, for DDP to wrap: its forward runs
    the callable it is given (the pipeline's training forward, returning the loss), so
    DDP sees one forward and one backward per micro-batch through every trained weight."""

    def __init__(self, models: Sequence[nn.Module]):
        super().__init__()
        self.models = nn.ModuleList(models)

    def forward(self, run: Callable[[], torch.Tensor]) -> torch.Tensor:
        return run()


class DistributedRun:
    """This process's place in a torchrun job, and the collective parts of a step."""

    def __init__(self, *, rank: int, world_size: int, local_rank: int, backend: str,
                 timeout_s: float, gpu_id: int):
        self.rank = rank
        self.world_size = world_size
        self.local_rank = local_rank
        self.backend = backend
        self.timeout_s = timeout_s
        self.gpu_id = gpu_id  # -1: CPU; else the CUDA device this rank trains on (LOCAL_RANK)
        self.step = 0
        self._ddp: Optional[nn.parallel.DistributedDataParallel] = None
        self._wrapped: Tuple[int, ...] = ()
        # nccl reduces CUDA tensors only; gloo's CPU path is the simple one.
        self._device = torch.device("cuda", gpu_id) if backend == "nccl" else torch.device("cpu")

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that evaluates, logs and saves."""
        return self.rank == 0

    def describe(self) -> str:
        return f"{self.world_size} processes (torchrun, {self.backend})"

    def seed_ranks(self, seed: Optional[int]) -> None:
        """After init (same weights everywhere): a different random stream per rank."""
        fix_random_seed((seed or 0) + self.rank)

    def shuffle_rng(self, seed: Optional[int]) -> random.Random:
        """The generator every rank shuffles the training examples with (same seed)."""
        return random.Random(seed or 0)

    def shard(self, batches: Iterable[Tuple[int, List[Any]]]) -> Iterator[Tuple[int, List[Any]]]:
        return shard_batches(batches, self.rank, self.world_size)

    # ---- one step -----------------------------------------------------------------
    def update(self, nlp: Any, subs: List[List[Any]], *, drop: float, losses: Dict[str, float],
               exclude: Sequence[str], annotates: Sequence[str], step: int) -> Tuple[int, int]:
        """Forward and backward of this rank's micro-batches, gradients all-reduced once
        (the last micro-batch; `no_sync` before). Returns the step's (words, examples)
        summed over all ranks. The caller steps the optimizer."""
        self.step = step
        subs = [sub for sub in subs if sub] or [[]]  # every rank makes >= 1 synced backward
        words = sum(len(eg) for sub in subs for eg in sub)
        with self._collective():
            total_words, total_examples = self._sum([words, sum(len(sub) for sub in subs)])
            weight = self.world_size * words / max(total_words, 1.0)
            ddp = self._wrap(nlp, exclude)
            for i, sub in enumerate(subs):
                sync = contextlib.nullcontext() if i == len(subs) - 1 else ddp.no_sync()
                with sync:
                    self._micro_step(nlp, ddp, sub, weight, drop=drop, losses=losses,
                                     exclude=set(exclude), annotates=set(annotates), step=step)
        return int(total_words), int(total_examples)

    def _micro_step(self, nlp: Any, ddp: nn.Module, examples: List[Any], weight: float, *, drop: float,
                    losses: Dict[str, float], exclude: set, annotates: set, step: int) -> None:
        """`nlp.update(examples, sgd=False)` with the forward inside DDP (pipeline/update.py)."""

        def backward(forward: Callable[[], Optional[torch.Tensor]]) -> None:
            def weighted() -> torch.Tensor:
                total = forward()
                if total is None or not total.requires_grad:  # still one backward, as on the other ranks
                    total = _zero_loss(ddp)
                return total * weight

            ddp(weighted).backward()

        # Heads' losses are weighted like the gradient: the ranks' mean is the global batch's loss.
        forward_backward(nlp, examples, drop=drop, losses=losses, exclude=exclude, annotates=annotates,
                         step=step, run_backward=backward, loss_weight=weight)

    def _wrap(self, nlp: Any, exclude: Sequence[str]) -> nn.parallel.DistributedDataParallel:
        """The DDP module over the trained components' models (re-made if they change)."""
        excluded = set(exclude)
        models = [proc.model for name, proc in nlp.components
                  if name not in excluded and isinstance(getattr(proc, "model", None), nn.Module)]
        key = tuple(id(p) for m in models for p in m.parameters() if p.requires_grad)
        if self._ddp is None or key != self._wrapped:
            # Buffers are constants in heron's models (hash salts, offsets): synced once here.
            new_name = "forward_sync_buffers" in _DDP_PARAMS  # newer torch: broadcast_buffers renamed
            quiet: Dict[str, Any] = {"forward_sync_buffers" if new_name else "broadcast_buffers": False}
            # find_unused_parameters: grad_factor 0, a gold-less batch or a frozen-by-schedule
            # trunk leave weights without gradient on some steps. It costs one graph walk per
            # step, and torch notes once per rank when a step had none: expected here.
            self._ddp = nn.parallel.DistributedDataParallel(
                PipelineModule(models), find_unused_parameters=True, **quiet)
            self._wrapped = key
        return self._ddp

    # ---- rank 0's decisions, global counts ----------------------------------------
    def share_score(self, score: Optional[float]) -> float:
        """Rank 0's dev score, on every rank (the others wait here while it evaluates)."""
        value = torch.tensor([score if score is not None else 0.0], dtype=torch.float64, device=self._device)
        with self._collective():
            dist.broadcast(value, src=0)
        return float(value.item())

    def barrier(self) -> None:
        with self._collective():
            dist.barrier()

    def mean_losses(self, losses: Dict[str, float]) -> Dict[str, float]:
        """The losses accumulated since the last evaluation, averaged over the ranks."""
        names = sorted(losses)
        if not names:
            return {}
        return dict(zip(names, (v / self.world_size for v in self._sum([losses[n] for n in names]))))

    def _sum(self, values: List[float]) -> List[float]:
        tensor = torch.tensor(values, dtype=torch.float64, device=self._device)
        with self._collective():
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return [float(v) for v in tensor.tolist()]

    @contextlib.contextmanager
    def _collective(self) -> Iterator[None]:
        """A failed or silent peer becomes E238 (the message says where to look)."""
        try:
            yield
        except HeronError:
            raise
        except RuntimeError as e:
            if not _is_peer_failure(e):
                raise
            raise HeronValueError(Errors.E238.format(
                rank=self.rank, world_size=self.world_size, step=self.step, timeout=self.timeout_s,
                detail=_first_line(e))) from e


_DDP_PARAMS = inspect.signature(nn.parallel.DistributedDataParallel.__init__).parameters


def _zero_loss(ddp: nn.Module) -> torch.Tensor:
    """0, in the graph of the wrapped weights (their gradient: zeros), for a rank whose
    micro-batch has no loss (an empty batch): DDP needs a backward from every rank."""
    params = [p for p in ddp.parameters() if p.requires_grad]
    return sum((p.reshape(-1)[:1].sum() * 0.0 for p in params[1:]), params[0].reshape(-1)[:1].sum() * 0.0)


def _first_line(error: BaseException) -> str:
    """torch's messages run to many lines (C++ frames): the first, for a one-line error."""
    text = str(error).strip()
    return text.splitlines()[0][:300].rstrip(".") if text else type(error).__name__


def _is_peer_failure(error: BaseException) -> bool:
    dist_error = getattr(dist, "DistError", None)
    if dist_error is not None and isinstance(error, dist_error):
        return True
    text = str(error)
    return any(s in text for s in ("gloo", "Gloo", "NCCL", "Connection closed", "Connection reset",
                                   "ProcessGroup", "timed out", "Timed out"))


def shard_batches(batches: Iterable[Tuple[int, List[Any]]], rank: int, world_size: int
                  ) -> Iterator[Tuple[int, List[Any]]]:
    """Batch `rank` of every group of `world_size` consecutive batches of an epoch.

    An epoch's last group, if incomplete, is dropped on every rank (equal step counts);
    an epoch that gives fewer batches than ranks is E236 (no rank would get one).
    """
    group: List[Tuple[int, List[Any]]] = []
    epoch, yielded = None, 0
    for batch_epoch, batch in batches:
        if batch_epoch != epoch:
            if epoch is not None and not yielded:
                raise HeronValueError(Errors.E236.format(epoch=epoch, n=len(group), world_size=world_size))
            epoch, yielded, group = batch_epoch, 0, []
        group.append((batch_epoch, batch))
        if len(group) == world_size:
            yield group[rank]
            yielded += 1
            group = []
    if epoch is not None and not yielded:
        raise HeronValueError(Errors.E236.format(epoch=epoch, n=len(group), world_size=world_size))


def torchrun_world() -> Optional[Tuple[int, int, int]]:
    """(rank, world size, local rank) from torchrun's environment; None without it
    (WORLD_SIZE unset or 1). E233 if WORLD_SIZE > 1 but the rest is missing or wrong."""
    size = os.environ.get("WORLD_SIZE")
    if size is None or size.strip() in ("", "1"):
        return None
    values: Dict[str, int] = {}
    for name in ("WORLD_SIZE",) + ENV_VARS:
        raw = os.environ.get(name)
        if raw is None or not raw.strip():
            raise HeronValueError(Errors.E233.format(world_size=size, name=name, problem="not set"))
        if name == "MASTER_ADDR":
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise HeronValueError(Errors.E233.format(world_size=size, name=name,
                                                     problem=f"{raw!r}, not an integer")) from None
    if values["WORLD_SIZE"] < 1 or not 0 <= values["RANK"] < values["WORLD_SIZE"]:
        raise HeronValueError(Errors.E233.format(
            world_size=size, name="RANK", problem=f"{values['RANK']}, not in 0..WORLD_SIZE-1"))
    return values["RANK"], values["WORLD_SIZE"], values["LOCAL_RANK"]


def resolve_backend(backend: str, use_gpu: int) -> str:
    """auto -> nccl on GPUs, gloo on CPUs; E230 unknown, E231 nccl on CPU, E232 unavailable."""
    if backend not in BACKENDS:
        raise HeronValueError(Errors.E230.format(value=backend, known=", ".join(BACKENDS)))
    if backend == "auto":
        backend = "nccl" if use_gpu >= 0 else "gloo"
    if backend == "nccl" and use_gpu < 0:
        raise HeronValueError(Errors.E231)
    available = dist.is_available() and getattr(dist, f"is_{backend}_available", lambda: False)()
    if not available:
        detail = "torch.distributed is missing" if not dist.is_available() else f"torch {torch.__version__}"
        raise HeronValueError(Errors.E232.format(backend=backend, detail=detail))
    return backend


def check_timeout(timeout_s: Any) -> float:
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not timeout_s > 0:
        raise HeronValueError(Errors.E235.format(value=timeout_s))
    return float(timeout_s)


@contextlib.contextmanager
def distributed_training(*, backend: str = "auto", timeout_s: float = DEFAULT_TIMEOUT_S,
                         use_gpu: int = -1) -> Iterator[Optional[DistributedRun]]:
    """Join torchrun's process group for the block (None, doing nothing, without torchrun).

    backend: "auto" (nccl when use_gpu >= 0, else gloo), "gloo" or "nccl".
    timeout_s: how long a rank waits in a collective (for rank 0 evaluating or saving,
        or a silent peer) before the run stops with E238. Default 1800 (30 minutes).
    use_gpu: -1 = CPUs; >= 0 = GPUs, rank LOCAL_RANK training on GPU LOCAL_RANK
        (choose the GPUs with CUDA_VISIBLE_DEVICES; a value > 0 is W230).
    """
    world = torchrun_world()
    if world is None:  # one process: the settings are unused, but a typo is still a typo
        check_timeout(timeout_s)
        if backend not in BACKENDS:
            raise HeronValueError(Errors.E230.format(value=backend, known=", ".join(BACKENDS)))
        yield None
        return
    rank, world_size, local_rank = world
    timeout_s = check_timeout(timeout_s)
    backend = resolve_backend(backend, use_gpu)
    gpu_id = -1
    if use_gpu >= 0:
        if use_gpu > 0 and rank == 0:
            warn(Warnings.W230.format(gpu_id=use_gpu, local_rank=local_rank))
        visible = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if local_rank >= visible:
            raise HeronValueError(Errors.E234.format(local_rank=local_rank, n=visible))
        gpu_id = local_rank
        torch.cuda.set_device(gpu_id)
    try:
        dist.init_process_group(backend, timeout=timedelta(seconds=timeout_s))
    except Exception as e:  # rendezvous: unreachable address, port in use, peers missing
        raise HeronValueError(Errors.E237.format(
            rank=rank, world_size=world_size, backend=backend, addr=os.environ.get("MASTER_ADDR"),
            port=os.environ.get("MASTER_PORT"), detail=_first_line(e))) from e
    run = DistributedRun(rank=rank, world_size=world_size, local_rank=local_rank, backend=backend,
                         timeout_s=timeout_s, gpu_id=gpu_id)
    previous = _raise_on_sigterm()
    try:
        with warnings.catch_warnings():
            if not run.is_main:  # the same data and config: rank 0's warnings say it all
                warnings.simplefilter("ignore", HeronWarning)
            yield run
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        with contextlib.suppress(Exception):  # a failed peer may have closed the group already
            dist.destroy_process_group()


def _raise_on_sigterm() -> Any:
    """torchrun sends SIGTERM to stop the other ranks after one failed: make it a
    KeyboardInterrupt (rank 0 then saves model-last). Returns the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


__all__ = ["distributed_training", "DistributedRun", "PipelineModule", "shard_batches", "torchrun_world",
           "resolve_backend", "check_timeout", "BACKENDS", "DEFAULT_TIMEOUT_S"]
