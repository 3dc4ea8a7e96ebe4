"""`heron apply`: annotate .txt/.jsonl/.heron/.spacy files or folders with a pipeline,
resumably, in partitions (see docs/usage/apply.md).

    plan.py      deterministic partitions of the inputs; what a rerun must match
    inputs.py    finding, counting and fingerprinting input files
    readers.py   reading one segment of a file as records (good or bad)
    annotate.py  partitions through one nlp.pipe call; each written when complete
    outputs.py   the work folder: manifest, partition files, finished records, lock, merge
    run.py       `apply(...)`: the whole run (what the CLI calls)
    cluster.py   --cluster: partitions as tasks on Dask workers (client side)
    worker.py    what a Dask worker runs: one partition per task, the pipeline loaded once

The partition is the unit a Dask scheduler hands to a worker: the worker reads its
segments, annotates them and writes its part file and finished record itself.
"""
from .plan import Partition, Plan, Segment
from .run import ApplyResult, apply

__all__ = ["apply", "ApplyResult", "Plan", "Partition", "Segment"]
