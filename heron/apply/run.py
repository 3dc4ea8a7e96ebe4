"""`heron.apply.apply`: annotate files with a pipeline, resumably (what `heron apply` runs).

    from heron.apply import apply
    result = apply("model-best", "texts/", "annotated/")      # a folder of partitions
    result = apply("model-best", "texts/", "annotated.heron") # one merged DocBin
    result = apply("model-best", "texts/", "annotated.spacy") # one spaCy DocBin (spaCy reads it)
    result.check()  # E596 listing the documents that could not be read or annotated
    result = apply("model-best", "texts/", "annotated/", cluster="local:4")  # on Dask workers

A run: check the options and the output path; take the work folder's lock; if it
holds a manifest, check that inputs, pipeline and settings still match it (E594
otherwise) and keep its plan, else plan the inputs and write the manifest; annotate
the partitions without a finished record; with an output file, merge the partitions
into it. A killed run leaves finished partitions behind and the rerun goes on from
there; `force=True` starts over. With `cluster`, the partitions are annotated by the
workers of a Dask cluster (cluster.py), and the rest of the run is the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from ..about import __version__
from ..errors import Errors, HeronValueError, Warnings, warn
from . import outputs
from .annotate import annotate_partitions
from .cluster import annotate_on_cluster, import_distributed, parse_cluster
from .inputs import find_inputs, input_root
from .outputs import Layout, resolve_layout
from .plan import Plan, differences, make_plan, pipeline_record, settings_of

_LISTED = 50  # bad records named in E596 (all of them are in ApplyResult.bad)


@dataclass
class ApplyResult:
    """output: what was written. n_docs: Docs in it. n_partitions: partitions of the plan,
    n_resumed of them finished by an earlier run. bad: (where, why) of every document
    that could not be read or annotated: unreadable files first, then documents in input order."""

    output: Path
    n_docs: int
    n_partitions: int
    n_resumed: int
    bad: List[Tuple[str, str]] = field(default_factory=list)

    def check(self) -> "ApplyResult":
        """Raise E596 listing the bad documents, if any (the output holds all the others)."""
        if self.bad:
            listing = "\n".join(f"  {where}: {why}" for where, why in self.bad[:_LISTED])
            if len(self.bad) > _LISTED:
                listing += f"\n  ... and {len(self.bad) - _LISTED} more"
            raise HeronValueError(Errors.E596.format(n=len(self.bad), n_ok=self.n_docs, output=self.output,
                                                     listing=listing))
        return self


def apply(model: Union[str, Path], data_path: Union[str, Path], output: Union[str, Path], *,
          text_key: str = "text", txt_lines: bool = False, batch_size: Optional[int] = None,
          n_process: int = 1, partition_size: int = 1000, file_type: Optional[str] = None,
          force: bool = False, gpu_id: int = -1, progress: bool = True, cluster: Optional[str] = None,
          worker_threads: int = 1, code: Optional[Union[str, Path]] = None) -> ApplyResult:
    """Annotate every document under `data_path` with the pipeline `model`, into `output`.

    model: a pipeline folder (loaded with heron.load: no code runs from it).
    data_path: a .txt/.jsonl/.heron/.spacy file, or a folder of them (recursive).
    output: a folder of partition files + manifest.json, or a `.heron` / `.spacy` / `.jsonl`
        file (partitions wait in `OUTPUT.parts/` until all are done, then are merged).
    text_key: the JSONL field holding the text; the other fields go to doc.user_data["meta"].
    txt_lines: each non-blank line of a .txt file is a document (default: the whole file).
    batch_size: texts per nlp.pipe batch (default: the pipeline's nlp.batch_size).
    n_process: worker processes for nlp.pipe (-1: one per CPU); output is identical.
    partition_size: documents per partition: the unit of output files and of resuming.
        1000 keeps a killed run's loss under a minute for most pipelines; larger for
        millions of short texts (fewer files), smaller for slow transformer pipelines.
    file_type: the partition files of a folder: "heron" (heron DocBins, default), "spacy"
        (spaCy v3 DocBins, readable by spaCy's DocBin().from_disk) or "jsonl" (Doc.to_json
        lines). Both DocBin types keep doc.user_data, where the input's "meta" is.
    force: discard an earlier run's partitions in the output (and an existing output file).
    gpu_id: CUDA device to annotate on (on each cluster worker, with `cluster`); -1 = the CPU.
    progress: show progress bars (on a terminal).
    cluster: annotate on Dask workers (`pip install heron[dask]`): "local:N" starts N
        worker processes on this machine, "tcp://HOST:PORT" uses a running scheduler's
        workers, which must see the pipeline, inputs and output at the same paths
        (a shared filesystem). Each worker loads the pipeline once and writes its
        partitions itself; a killed worker's partitions are run again. From a script,
        call it under `if __name__ == "__main__":` (workers start by spawning).
    worker_threads: torch threads per cluster worker (default 1: one core each).
    code: a Python file to import before loading the pipeline (custom components);
        cluster workers import it too, so it must be at the same path on them.
    """
    data_path, output, model = Path(data_path), Path(output), str(model)
    _check_options(text_key=text_key, batch_size=batch_size, n_process=n_process, partition_size=partition_size,
                   cluster=cluster, worker_threads=worker_threads)
    if cluster is not None:  # a bad address or a missing Dask fails before any work
        parse_cluster(cluster)
        import_distributed()
    if code is not None:
        from ..config import import_code

        import_code(code)  # the one explicit way to run user code
    layout = resolve_layout(output, file_type)
    rels = _check_paths(data_path, layout, force)
    root = input_root(data_path)
    settings = settings_of(text_key=text_key, txt_lines=txt_lines, partition_size=partition_size,
                           file_type=layout.file_type)
    if gpu_id is not None and gpu_id >= 0 and cluster is None:  # a cluster's workers choose their GPU
        from ..gpu import require_gpu

        require_gpu(gpu_id)
    # A pipeline named otherwise than by its folder is loaded now, so a wrong name fails first.
    nlp = None if Path(model).is_dir() else _load(model)
    with outputs.run_lock(layout.work_dir):
        if force:
            outputs.clear(layout)
        plan = _recorded_or_new_plan(layout, data_path, root, rels, settings, model, nlp, progress)
        done = outputs.finished(layout, plan)
        n_resumed = len(done)
        todo = [p for p in plan.partitions if p.id not in done]
        if todo:
            bar = _bar(sum(p.n_docs for p in todo), "Annotating", "doc", progress)
            try:
                if cluster is not None:
                    done.update(annotate_on_cluster(cluster, plan, todo, layout, model=model, root=root,
                                                    batch_size=batch_size, gpu_id=gpu_id, threads=worker_threads,
                                                    code=None if code is None else str(Path(code).resolve()),
                                                    progress=bar))
                else:
                    done.update(annotate_partitions(nlp if nlp is not None else _load(model), plan, todo, layout,
                                                    root=root, batch_size=batch_size, n_process=n_process,
                                                    progress=bar))
            finally:
                bar.close()
        if layout.merged:
            outputs.merge(layout, plan)
    if layout.merged:
        outputs.remove_work_dir(layout)
    bad = [((root / inp.path).as_posix(), inp.error) for inp in plan.inputs if inp.error]
    if plan.n_docs == 0 and not bad:
        warn(Warnings.W591.format(path=data_path))
    bad += [(str(w), str(r)) for pid in sorted(done) for w, r in done[pid].get("bad", [])]
    n_docs = sum(int(record["n_docs"]) for record in done.values())
    return ApplyResult(output, n_docs, len(plan.partitions), n_resumed, bad)


def _check_paths(data_path: Path, layout: Layout, force: bool) -> List[str]:
    """The input files (relative to input_root(data_path)); E592, E598 and W592 on the way."""
    if layout.merged and layout.output.exists() and not layout.work_dir.exists() and not force:
        raise HeronValueError(Errors.E592.format(path=layout.output, work=layout.work_dir))
    rels, skipped = find_inputs(data_path, exclude=[layout.work_dir, layout.output])
    if data_path.resolve() == layout.output.resolve():  # a folder would read its own partitions back
        raise HeronValueError(Errors.E598.format(output=layout.output, data=data_path))
    if skipped:
        warn(Warnings.W592.format(n=len(skipped), path=data_path, examples=", ".join(skipped[:3])))
    return rels


def _recorded_or_new_plan(layout: Layout, data_path: Path, root: Path, rels: List[str],
                          settings: Dict[str, Any], model: str, nlp: Any, progress: bool) -> Plan:
    plan = outputs.read_manifest(layout)
    if plan is not None:
        found = differences(plan, root, rels, settings=settings, model=model, nlp=nlp)
        if found:
            raise HeronValueError(Errors.E594.format(path=layout.work_dir, detail="; ".join(found)))
        if plan.heron_version != __version__:
            warn(Warnings.W590.format(path=layout.work_dir, old=plan.heron_version, new=__version__))
        return plan
    bar = _bar(len(rels), "Planning", "file", progress)
    try:
        plan = make_plan(data_path, root, rels, settings=settings, pipeline=pipeline_record(model, nlp),
                         progress=bar)
    finally:
        bar.close()
    outputs.write_manifest(layout, plan)
    return plan


def _load(model: str) -> Any:
    import heron

    return heron.load(model)


def _bar(total: int, desc: str, unit: str, enabled: bool) -> Any:
    from tqdm import tqdm

    # disable=None: only on a terminal, so logs and tests stay clean.
    return tqdm(total=total, desc=desc, unit=unit, disable=None if enabled else True, leave=False)


def _check_options(*, text_key: str, batch_size: Optional[int], n_process: int, partition_size: int,
                   cluster: Optional[str] = None, worker_threads: int = 1) -> None:
    problems = [
        ("--batch-size", batch_size, batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1),
         "pass a number >= 1, or leave it out to use the pipeline's nlp.batch_size."),
        ("--n-process", n_process, not isinstance(n_process, int) or (n_process < 1 and n_process != -1),
         "pass a number of processes >= 1, or -1 for one per CPU."),
        ("--partition-size", partition_size, not isinstance(partition_size, int) or partition_size < 1,
         "pass a number of documents >= 1 (default 1000)."),
        ("--text-key", text_key, not isinstance(text_key, str) or not text_key,
         "name the JSONL field that holds the text, e.g. --text-key text."),
        ("--worker-threads", worker_threads, not isinstance(worker_threads, int) or worker_threads < 1,
         "pass a number of torch threads per cluster worker >= 1 (default 1)."),
    ]
    for option, value, bad, fix in problems:
        if bad:
            raise HeronValueError(Errors.E597.format(option=option, value=value, detail="out of range", fix=fix))
    if cluster is not None and n_process != 1:
        raise HeronValueError(Errors.E597.format(
            option="--n-process", value=n_process, detail=f"with --cluster {cluster} each worker is one process",
            fix="leave --n-process out, and start more workers instead (local:N, or more `dask worker`s)."))


__all__ = ["apply", "ApplyResult"]
