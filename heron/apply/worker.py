"""What a Dask worker runs for `heron apply --cluster`: one partition per task.

A task (`run_partition(job)`) reads its partition's records, streams them through
`nlp.pipe` and writes the partition file and its finished record itself, exactly as a
local run does (annotate.annotate_partitions), so the output folder is the same
whichever machine wrote which partition. The client only plans, watches and merges.

The pipeline is loaded ONCE per worker process, not once per task: the worker keeps
the last pipeline it loaded (with the --code file imported, the GPU chosen and torch's
thread count set) under a key of the pipeline's path and fingerprint (its files'
stamps, from the plan), and loads again only when a job names another pipeline, e.g.
a later run after retraining. A lock runs one partition at a time per worker process:
nlp.pipe and the error handler heron sets are not safe to share between threads, so
extra worker threads would only wait (the client warns, W621).

A job holds plain data only (paths, numbers, the partition's segments and the stamps
of its input files), so what travels to a worker is small and says what it is.
"""
from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from .annotate import annotate_partitions
from .inputs import InputFile
from .outputs import Layout
from .plan import Partition, Plan, Segment
from .readers import SegmentReader


@dataclass(frozen=True)
class PartitionJob:
    """One partition's task. Paths are absolute (a worker's working folder is its own);
    `shown_root` is the input folder as the user named it, for messages.

    pipeline_key: the pipeline's path and fingerprint: a worker reloads when it changes.
    inputs: the partition's input files (InputFile.to_json()), in the order its
        segments number them ([input index, start, stop, offset, line]).
    """

    model: str
    pipeline_key: str
    partition_id: int
    segments: List[List[int]]
    inputs: List[Dict[str, Any]]
    settings: Dict[str, Any]
    root: str
    shown_root: str
    work_dir: str
    file_type: str
    batch_size: Optional[int] = None
    gpu_id: int = -1
    threads: int = 1
    code: Optional[str] = None
    data_path: str = ""


def make_job(plan: Plan, partition: Partition, layout: Layout, *, model: str, pipeline_key: str,
             root: Path, batch_size: Optional[int], gpu_id: int, threads: int,
             code: Optional[str]) -> PartitionJob:
    """The job of one partition of `plan`: its segments renumbered over its own inputs."""
    used = sorted({seg.input for seg in partition.segments})
    index = {old: new for new, old in enumerate(used)}
    segments = [[index[s.input], s.start, s.stop, s.offset, s.line] for s in partition.segments]
    return PartitionJob(model=model, pipeline_key=pipeline_key, partition_id=partition.id, segments=segments,
                        inputs=[plan.inputs[i].to_json() for i in used], settings=dict(plan.settings),
                        root=str(root.resolve()), shown_root=str(root), work_dir=str(layout.work_dir.resolve()),
                        file_type=layout.file_type, batch_size=batch_size, gpu_id=gpu_id, threads=threads,
                        code=code, data_path=plan.data_path)


# ---- per worker process ---------------------------------------------------------------
_LOCK = threading.Lock()
_loaded: Dict[str, Any] = {"key": None, "nlp": None, "readers": {}}
_imported: Set[str] = set()
# Counters of this worker process, read with `client.run(worker_stats)` (tests, benchmarks).
STATS: Dict[str, int] = {"loads": 0, "tasks": 0}


def run_partition(job: PartitionJob) -> Dict[str, Any]:
    """Annotate and write one partition; returns its finished record (+ "worker": host:pid)."""
    with _LOCK:
        nlp = _pipeline(job)
        plan, partition = _job_plan(job)
        layout = Layout(Path(job.work_dir), Path(job.work_dir), job.file_type, False)
        reader = _reader(nlp, job)
        record: Dict[str, Any] = {}
        for _, record in annotate_partitions(nlp, plan, [partition], layout, root=Path(job.shown_root),
                                             batch_size=job.batch_size, n_process=1, reader=reader):
            pass
        STATS["tasks"] += 1
        return {**record, "worker": f"{socket.gethostname()}:{os.getpid()}"}


def worker_stats() -> Dict[str, int]:
    """This worker process's counters: pipelines loaded, partitions annotated."""
    return dict(STATS)


def _job_plan(job: PartitionJob) -> Tuple[Plan, Partition]:
    partition = Partition(job.partition_id, [Segment(*map(int, seg)) for seg in job.segments])
    inputs = [InputFile(**item) for item in job.inputs]
    return Plan(job.data_path, inputs, [partition], dict(job.settings), {}), partition


def _pipeline(job: PartitionJob) -> Any:
    key = f"{job.pipeline_key}|gpu={job.gpu_id}|threads={job.threads}|code={job.code}"
    if _loaded["key"] != key:
        _loaded.update(key=None, nlp=None, readers={})  # free the old pipeline before loading the new one
        import torch

        import heron

        from ..config import import_code

        torch.set_num_threads(job.threads)
        if job.code and job.code not in _imported:
            import_code(job.code)
            _imported.add(job.code)
        if job.gpu_id >= 0:
            from ..gpu import require_gpu

            require_gpu(job.gpu_id)
        nlp = heron.load(job.model)
        STATS["loads"] += 1
        _loaded.update(key=key, nlp=nlp)
    return _loaded["nlp"]


def _reader(nlp: Any, job: PartitionJob) -> SegmentReader:
    """One reader per input folder and text key, kept with the pipeline: consecutive
    partitions of one large DocBin then load the file once."""
    readers: Dict[Tuple[str, str, str], SegmentReader] = _loaded["readers"]
    key = (job.root, job.shown_root, str(job.settings["text_key"]))
    if key not in readers:
        readers.clear()  # one at a time: a DocBin it holds may be large
        readers[key] = SegmentReader(Path(job.root), nlp.vocab, text_key=key[2], shown_root=Path(job.shown_root))
    return readers[key]


__all__ = ["PartitionJob", "make_job", "run_partition", "worker_stats", "STATS"]
