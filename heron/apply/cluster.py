"""`heron apply --cluster`: annotate a plan's partitions on a Dask distributed cluster.

    --cluster local:4           a LocalCluster of 4 worker processes on this machine
    --cluster tcp://host:8786   the workers of a running scheduler (shared filesystem)

The client (this process) plans the run (run.py), submits one task per unfinished
partition, shows progress as they complete, checks at the end which finished records
exist on disk, submits the missing ones again, and merges (run.py). Workers
(worker.py) load the pipeline once each and write the partition files and records
themselves. So on a tcp:// cluster the pipeline, the inputs and the output must be at
the same paths on every machine (a shared filesystem); E627 says so when the client
can't see what the workers wrote.

Failures. A task that raises (the pipeline can't be loaded on a worker, a full disk)
is retried by Dask (`RETRIES`), then stops the run with E625; the finished partitions
stay, and a rerun resumes. A worker that dies (killed, out of memory) loses its
running task: Dask runs it elsewhere, up to its `distributed.scheduler.allowed-failures`
(default 3), then reports KilledWorker; heron then submits every partition whose
record is missing again, for up to `ATTEMPTS` rounds in all (E626 after that). A
partition written twice (a worker that finished it just before dying) is replaced
atomically by identical bytes, so nothing is duplicated.

Dask is imported here, lazily: `import heron` never imports it. Dask moves tasks and
results between client, scheduler and workers with pickle, so connect only to a
scheduler you run (a job holds plain data: see worker.PartitionJob).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from ..errors import Errors, HeronError, HeronValueError, Warnings, warn
from . import outputs
from .outputs import Layout
from .plan import Partition, Plan
from .worker import make_job, run_partition

ATTEMPTS = 3  # rounds of submitting the unfinished partitions
RETRIES = 2  # Dask's retries of a task that raised, before it fails the run
VISIBLE_WAIT_S = 10.0  # how long to wait for records a worker wrote to show up (NFS caches)
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")  # Dask's network protocols


def parse_cluster(value: str) -> Tuple[str, Any]:
    """("local", n_workers) for local[:N] (local: one worker per CPU), ("address", value)
    for a scheduler address; E621 otherwise."""
    text = str(value).strip()
    match = re.fullmatch(r"local(?::(-?\d+))?", text)
    if match:
        n = int(match.group(1)) if match.group(1) is not None else (os.cpu_count() or 1)
        if n < 1:
            raise HeronValueError(Errors.E621.format(value=value, detail="local:N needs N >= 1 workers"))
        return "local", n
    scheme, sep, rest = text.partition("://")
    if not sep:
        detail = "local:N takes a whole number" if text.startswith("local") else "an address looks like tcp://HOST:PORT"
        raise HeronValueError(Errors.E621.format(value=value, detail=detail))
    if scheme not in SCHEMES or not rest:
        detail = f"unknown protocol {scheme!r} (Dask speaks {', '.join(SCHEMES)})" if scheme not in SCHEMES \
            else "the host is missing"
        raise HeronValueError(Errors.E621.format(value=value, detail=detail))
    return "address", text


def import_distributed() -> Any:
    """The `distributed` module (E622 when Dask is not installed: `pip install heron[dask]`)."""
    try:
        import distributed
    except ImportError as e:
        raise HeronError(Errors.E622.format(err=e)) from None
    return distributed


def pipeline_key(model: str, plan: Plan) -> str:
    """The pipeline's path and fingerprint (its files' stamps, or a package's version)."""
    record = json.dumps(plan.pipeline, sort_keys=True).encode("utf8")
    return f"{model}#{hashlib.blake2b(record, digest_size=8).hexdigest()}"


def annotate_on_cluster(value: str, plan: Plan, todo: Sequence[Partition], layout: Layout, *, model: str,
                        root: Path, batch_size: Optional[int] = None, gpu_id: int = -1, threads: int = 1,
                        code: Optional[str] = None, progress: Any = None) -> Dict[int, Dict[str, Any]]:
    """Annotate the partitions `todo` of `plan` on the cluster `value` (see parse_cluster);
    returns {partition id: finished record}, read back from the records on disk.

    model: the pipeline's folder (or installed package name), as every worker can reach it.
    threads: torch threads per worker (1: each worker process uses one core).
    code: a Python file every worker imports before loading the pipeline (--code).
    progress: a tqdm-like object, updated by a partition's documents when it completes.
    """
    kind, target = parse_cluster(value)
    distributed = import_distributed()
    worker_model = str(Path(model).resolve()) if Path(model).is_dir() else model
    key = pipeline_key(worker_model, plan)
    jobs = {p.id: make_job(plan, p, layout, model=worker_model, pipeline_key=key, root=root, batch_size=batch_size,
                           gpu_id=gpu_id, threads=threads, code=code) for p in todo}
    with connect(distributed, kind, target, value) as client:
        _check_workers(client)
        pending: List[Partition] = list(todo)
        why: List[str] = []
        for _ in range(ATTEMPTS):
            reported, why = _run_round(distributed, client, pending, jobs, layout, plan, model, progress)
            pending = _missing(layout, plan, pending, reported)
            if not pending:
                break
        else:
            names = ", ".join(p.name for p in pending[:5]) + (" ..." if len(pending) > 5 else "")
            raise HeronValueError(Errors.E626.format(n=len(pending), names=names, attempts=ATTEMPTS,
                                                     why="; ".join(why[:3]) or "their tasks were lost",
                                                     path=layout.work_dir))
    done = outputs.finished(layout, plan)
    return {p.id: done[p.id] for p in todo}


@contextlib.contextmanager
def connect(distributed: Any, kind: str, target: Any, value: str) -> Iterator[Any]:
    """A Client of a new LocalCluster (loopback only, no dashboard; closed on exit, with
    its worker processes) or of the scheduler at `target` (E623 if unreachable)."""
    if kind == "local":
        with _quiet_logs():
            try:
                # The scheduler always serves a few HTTP routes (health, metrics): on a free
                # loopback port, without the dashboard, so nothing listens beyond 127.0.0.1.
                cluster = distributed.LocalCluster(
                    n_workers=target, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0,
                    dashboard_address=None, worker_dashboard_address=None,
                    scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
            except Exception as e:  # noqa: BLE001  (any failure to start is named, with the usual cause)
                raise HeronError(Errors.E624.format(value=value, err=f"{type(e).__name__}: {e}")) from e
            try:
                with distributed.Client(cluster, set_as_default=False) as client:
                    yield client
            finally:
                cluster.close()
        return
    try:
        client = distributed.Client(target, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise HeronError(Errors.E623.format(value=value, address=target, err=f"{type(e).__name__}: {e}")) from None
    try:
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Dask's console logs at WARNING while heron runs a local cluster: its INFO lines on
    starting and closing every worker would bury heron's own messages (deaths still show)."""
    handlers = [h for h in logging.getLogger("distributed").handlers if isinstance(h, logging.StreamHandler)]
    levels = [h.level for h in handlers]
    for handler in handlers:
        handler.setLevel(max(handler.level, logging.WARNING))
    try:
        yield
    finally:
        for handler, level in zip(handlers, levels):
            handler.setLevel(level)


def _check_workers(client: Any) -> None:
    """W621 for workers with several threads (they run one partition at a time); W622 when
    the scheduler has no worker yet (the tasks wait for one)."""
    nthreads = client.nthreads()
    if not nthreads:
        warn(Warnings.W622.format(address=client.scheduler.address))
    many = sorted(address for address, n in nthreads.items() if n > 1)
    if many:
        shown = ", ".join(many[:3]) + (f" and {len(many) - 3} more" if len(many) > 3 else "")
        warn(Warnings.W621.format(workers=shown, threads="/".join(sorted({str(nthreads[a]) for a in many}))))


def _run_round(distributed: Any, client: Any, partitions: Sequence[Partition], jobs: Dict[int, Any],
               layout: Layout, plan: Plan, model: str, progress: Any) -> Tuple[Set[int], List[str]]:
    """Submit `partitions` and wait for all of them: (ids whose task returned, why the
    others were lost). A task that failed by itself (not with its worker) is E625."""
    tag = uuid.uuid4().hex[:8]  # a fresh key per round: Dask would hand back a lost key's old state
    futures = {client.submit(run_partition, jobs[p.id], key=f"heron-apply-{p.name}-{tag}", retries=RETRIES,
                             pure=False): p for p in partitions}
    reported: Set[int] = set()
    lost: List[str] = []
    try:
        for future in distributed.as_completed(list(futures), loop=client.loop):
            partition = futures[future]
            if future.status == "finished":
                reported.add(partition.id)
                if progress is not None:
                    progress.update(partition.n_docs)
                continue
            error = None if future.cancelled() else future.exception()
            if error is None or _worker_lost(distributed, error):
                lost.append(f"{partition.name}: {type(error).__name__ if error else 'cancelled'}: {error or ''}")
                continue
            detail = f"{type(error).__name__}: {error}"
            raise HeronValueError(Errors.E625.format(partition=partition.name, detail=detail, path=layout.work_dir,
                                                     n_done=len(outputs.finished(layout, plan)), model=model)) from None
    finally:
        client.cancel(list(futures))  # after an error or Ctrl-C, nothing is left running for this run
    return reported, lost


def _worker_lost(distributed: Any, error: BaseException) -> bool:
    """Whether a task failed because its worker died or went away (not by itself)."""
    kinds = tuple(k for k in (getattr(distributed, "KilledWorker", None),
                              getattr(getattr(distributed, "comm", None), "CommClosedError", None)) if k)
    return isinstance(error, kinds)


def _missing(layout: Layout, plan: Plan, partitions: Sequence[Partition], reported: Set[int]) -> List[Partition]:
    """The partitions without a finished record on disk. Those whose task returned must
    be there: wait a little for a network filesystem, then E627 (not a shared filesystem)."""
    deadline = time.monotonic() + VISIBLE_WAIT_S
    while True:
        done = outputs.finished(layout, plan)
        missing = [p for p in partitions if p.id not in done]
        unseen = [p for p in missing if p.id in reported]
        if not unseen:
            return missing
        if time.monotonic() > deadline:
            names = ", ".join(p.name for p in unseen[:5]) + (" ..." if len(unseen) > 5 else "")
            raise HeronValueError(Errors.E627.format(n=len(unseen), names=names, path=layout.work_dir))
        time.sleep(0.5)


__all__ = ["annotate_on_cluster", "parse_cluster", "import_distributed", "connect", "pipeline_key", "ATTEMPTS"]
