"""`heron apply`: annotate files with a trained pipeline (spaCy's `spacy apply`, resumable).

    heron apply model-best texts/ annotated/            # folder: part-*.heron + manifest.json
    heron apply model-best notes.jsonl out.jsonl -n 4   # one merged JSONL file, 4 processes
    heron apply model-best notes.jsonl out.spacy        # one spaCy DocBin, as `spacy apply` writes
    heron apply model-best books/ out.heron --txt-lines # each non-blank line is a document
    heron apply model-best texts/ annotated/ --cluster local:4            # 4 Dask workers here
    heron apply model-best texts/ annotated/ --cluster tcp://head:8786    # a Dask cluster's workers

Inputs: .txt (one document per file, or per line with --txt-lines), .jsonl (--text-key,
default "text"; other keys go to doc.user_data["meta"]), .heron and .spacy DocBins, or
a folder of them (recursive, sorted). Outputs: a .heron, .spacy (spaCy's DocBin, read by
spaCy's DocBin().from_disk) or .jsonl file, or a folder of partition files of
--file-type heron|spacy|jsonl. The work is cut into partitions of
--partition-size documents; each is written atomically when done, so a killed run,
started again with the same arguments, goes on where it stopped. Documents that can't
be read or annotated are left out and listed at the end (E596, exit code 1). With
--cluster, Dask workers annotate the partitions (`pip install heron[dask]`; see
docs/usage/scaling.md). The logic lives in heron/apply/ (run.py); this module only
parses the command line.
"""
from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Any, Iterator, Optional

import typer

from ..errors import HeronWarning
from ._app import app
from ._util import CODE_OPTION, good, info, warn


@app.command("apply")
def apply_cli(
    model: str = typer.Argument(..., metavar="MODEL", help="The pipeline folder (e.g. training/model-best)."),
    data_path: Path = typer.Argument(..., metavar="DATA_PATH", help="A .txt, .jsonl, .heron or .spacy file, or a folder of them (recursive)."),
    output_file: Path = typer.Argument(..., metavar="OUTPUT",
                                       help="A .heron, .spacy (spaCy's DocBin) or .jsonl file (merged output), or a folder (one file per partition + manifest.json)."),
    code: Optional[Path] = CODE_OPTION,
    text_key: str = typer.Option("text", "--text-key", "-tk", help="JSONL field holding the text."),
    txt_lines: bool = typer.Option(False, "--txt-lines", help="Each non-blank line of a .txt file is a document (default: the whole file)."),
    force: bool = typer.Option(False, "--force", "-F", "--overwrite",
                               help="Start over: discard an earlier run's partitions and overwrite the output file."),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="CUDA device id; -1 (default) = CPU."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", "-b", help="Texts per batch (default: the pipeline's nlp.batch_size)."),
    n_process: int = typer.Option(1, "--n-process", "-n", help="Worker processes (-1: one per CPU); the output is the same."),
    partition_size: int = typer.Option(1000, "--partition-size", "-P", help="Documents per partition (output file, unit of resuming)."),
    file_type: Optional[str] = typer.Option(None, "--file-type", "-t", help="Partition files in an output folder: heron (default), spacy (spaCy's DocBin) or jsonl."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars on stderr (only on a terminal)."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Annotate on Dask workers: local:N (N worker processes here) or tcp://HOST:PORT (a running scheduler; shared filesystem). Needs heron[dask]."),
    worker_threads: int = typer.Option(1, "--worker-threads", help="Torch threads per --cluster worker (default 1: one core each)."),
) -> None:
    """Annotate documents with a pipeline; a killed run resumes where it stopped."""
    from ..apply import apply

    with _warnings_as_messages():
        # code: imported by apply (and by each --cluster worker), the one explicit way to run user code
        result = apply(model, data_path, output_file, text_key=text_key, txt_lines=txt_lines,
                       batch_size=batch_size, n_process=n_process, partition_size=partition_size,
                       file_type=file_type, force=force, gpu_id=gpu_id, progress=progress, cluster=cluster,
                       worker_threads=worker_threads, code=code)
    if result.n_resumed:
        info(f"{result.n_resumed} of {result.n_partitions} partition(s) were finished by an earlier run")
    good(f"Wrote {result.n_docs} document(s) to {result.output}")
    result.check()


@contextlib.contextmanager
def _warnings_as_messages() -> Iterator[None]:
    """Show heron's warnings as "⚠ ..." lines when they happen (a long run shouldn't hold them back)."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", HeronWarning)
        show = warnings.showwarning

        def show_message(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
            if issubclass(category, HeronWarning):
                warn(str(message))
            else:
                show(message, category, *args, **kwargs)

        warnings.showwarning = show_message  # catch_warnings puts the original back
        yield
