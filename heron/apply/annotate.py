"""Annotating partitions: read their records, run the good ones through ONE `nlp.pipe`
call (so `n_process` workers start once, not once per partition), and write each
partition with its finished record as soon as its last Doc comes back.

nlp.pipe keeps order, so the Docs come back in the order the records were read.
A deque of contexts (partition, stream position, where, meta), appended as records
are fed and popped as Docs (or failures) come back, says where each Doc belongs;
metadata never travels to the worker processes. A Doc that fails in a component
reaches the error handler at its place in the stream (for any n_process, see
pipeline/_pipe_errors.py), which pops its context and records it as bad: it is left
out of the output and listed at the end, and the stream goes on.
"""
from __future__ import annotations

from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Deque, Dict, Iterator, List, Optional, Sequence, Tuple

from . import outputs
from .outputs import Layout
from .plan import Partition, Plan
from .readers import META_KEY, SegmentReader

Context = Tuple[int, int, str, Optional[Dict[str, Any]]]  # partition index, position, where, meta


def annotate_partitions(nlp: Any, plan: Plan, partitions: Sequence[Partition], layout: Layout, *,
                        root: Path, batch_size: Optional[int] = None,
                        n_process: int = 1, progress: Any = None,
                        reader: Optional[SegmentReader] = None) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Annotate `partitions` (in order) and write each; yields (partition id, finished record).

    root: the folder of the plan's input paths, as the user named it (messages show it).
    progress: a tqdm-like object updated once per document read (good or bad).
    reader: a SegmentReader over `root` to reuse (a cluster worker keeps one, with the
        DocBin it read last, across its tasks); default: a new one.
    """
    if reader is None:
        reader = SegmentReader(root, nlp.vocab, text_key=str(plan.settings["text_key"]))
    contexts: Deque[Context] = deque()
    bad: Dict[int, List[Tuple[int, str, str]]] = defaultdict(list)  # (position, where, why)

    def feed() -> Iterator[Any]:
        position = 0
        for k, partition in enumerate(partitions):
            for seg in partition.segments:
                for record in reader.read(plan.inputs[seg.input], seg.start, seg.stop, seg.offset, seg.line):
                    position += 1
                    if record.bad:
                        bad[k].append((position, record.where, record.reason))
                        _tick(progress)
                        continue
                    contexts.append((k, position, record.where, record.meta))
                    yield record.item

    def on_error(name: str, proc: Any, docs: List[Any], error: Exception) -> None:
        k, position, where, _ = contexts.popleft()
        bad[k].append((position, where, f"component {name!r} failed: {_detail(error, name)}"))
        _tick(progress)

    def finish(k: int, docs: List[Any]) -> Tuple[int, Dict[str, Any]]:
        partition = partitions[k]
        found = [(where, why) for _, where, why in sorted(bad.pop(k, []))]
        size = outputs.write_partition(layout, partition, docs)
        outputs.write_done(layout, partition, n_docs=len(docs), size=size, bad=found)
        return partition.id, {"partition": partition.id, "n_docs": len(docs), "size": size,
                           "bad": [list(item) for item in found]}

    previous_handler = getattr(nlp, "default_error_handler", None)
    nlp.set_error_handler(on_error)
    try:
        current = 0
        docs: List[Any] = []
        for doc in nlp.pipe(feed(), batch_size=batch_size, n_process=n_process):
            k, _, _, meta = contexts.popleft()
            while current < k:  # the stream moved on: every partition before k is complete
                yield finish(current, docs)
                current, docs = current + 1, []
            if meta:
                doc.user_data[META_KEY] = meta
            docs.append(doc)
            _tick(progress)
        while current < len(partitions):
            yield finish(current, docs)
            current, docs = current + 1, []
    finally:
        nlp.set_error_handler(previous_handler)


def _tick(progress: Any) -> None:
    if progress is not None:
        progress.update(1)


def _detail(error: Exception, name: str) -> str:
    """The component's own error out of nlp.pipe's E040 (its cause in-process; the text
    E040 quotes from a worker process)."""
    cause = error.__cause__
    if cause is not None:
        return f"{type(cause).__name__}: {cause}"
    text = str(error)
    _, found, rest = text.partition(f"failed in component {name!r}: ")
    return rest.split(". The documents before it were yielded.")[0] if found else text


__all__ = ["annotate_partitions"]
