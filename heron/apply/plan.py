"""The plan of a `heron apply` run: its inputs, settings, pipeline, and partitions.

Partitions are deterministic: the inputs' documents, in sorted file order and reading
order within each file, form one stream, and partition k holds documents
k*partition_size .. (k+1)*partition_size - 1 of it. So a partition may span several
small files or a slice of a large one (a `Segment` is one file's share); the same
inputs and settings always give the same partitions. Partitions are the unit of
work, of output (one file each) and of resuming: a rerun redoes only partitions
without a finished record, and since each writes its own file (replacing any earlier
attempt), nothing is written twice. A cluster (issue 20) hands partitions to workers.

A rerun compares its inputs, pipeline and settings with the recorded plan
(`differences`); settings that can't change the output (batch size, processes, GPU)
are not part of the plan.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from ..about import __version__
from .inputs import FileStamp, InputFile, folder_files, kind_of, scan, stamp_folder

PLAN_FORMAT = "heron.apply.manifest"
PLAN_VERSION = 1


@dataclass
class Segment:
    """Records start..stop of input `input`; for line kinds, record `start` begins at
    byte `offset` on line `line`."""

    input: int
    start: int
    stop: int
    offset: int = 0
    line: int = 1


@dataclass
class Partition:
    id: int
    segments: List[Segment] = field(default_factory=list)

    @property
    def n_docs(self) -> int:
        return sum(seg.stop - seg.start for seg in self.segments)

    @property
    def name(self) -> str:
        return f"part-{self.id:05d}"


@dataclass
class Plan:
    """inputs: fingerprinted input files (relative to `data_path`'s root). settings:
    what decides the output (text_key, txt_lines, partition_size, file_type).
    pipeline: the pipeline's path and the stamps of its files."""

    data_path: str
    inputs: List[InputFile]
    partitions: List[Partition]
    settings: Dict[str, Any]
    pipeline: Dict[str, Any]
    heron_version: str = __version__

    @property
    def n_docs(self) -> int:
        return sum(inp.n_docs for inp in self.inputs)

    def to_json(self) -> Dict[str, Any]:
        return {"format": PLAN_FORMAT, "version": PLAN_VERSION, "heron_version": self.heron_version,
                "data_path": self.data_path, "settings": self.settings, "pipeline": self.pipeline,
                "inputs": [inp.to_json() for inp in self.inputs],
                "partitions": [[[s.input, s.start, s.stop, s.offset, s.line] for s in p.segments]
                               for p in self.partitions]}

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Plan":
        """Raises KeyError/TypeError/ValueError on a malformed manifest (the caller names it)."""
        if data.get("format") != PLAN_FORMAT or data.get("version") != PLAN_VERSION:
            raise ValueError(f"format {data.get('format')!r} version {data.get('version')!r}, expected "
                             f"{PLAN_FORMAT!r} version {PLAN_VERSION}")
        inputs = [InputFile(**item) for item in data["inputs"]]
        partitions = [Partition(k, [Segment(*map(int, seg)) for seg in segs])
                      for k, segs in enumerate(data["partitions"])]
        return cls(str(data["data_path"]), inputs, partitions, dict(data["settings"]),
                   dict(data["pipeline"]), str(data["heron_version"]))


def pipeline_record(model: str, nlp: Any = None) -> Dict[str, Any]:
    """A pipeline folder: its path and the stamps of its files. A pipeline loaded by
    another name (an installed package, `nlp` given): the name and its meta version."""
    folder = Path(model)
    if folder.is_dir():
        return {"path": str(folder.resolve()), "files": [asdict(s) for s in stamp_folder(folder)]}
    return {"path": model, "version": _version(nlp), "files": []}


def _version(nlp: Any) -> Optional[str]:
    meta = getattr(nlp, "meta", None) or {}
    return str(meta["version"]) if meta.get("version") is not None else None


def make_plan(data_path: Path, root: Path, rels: Sequence[str], *, settings: Dict[str, Any],
              pipeline: Dict[str, Any], progress: Any = None) -> Plan:
    """Fingerprint and count every input (one read each), then cut the stream of their
    documents into partitions of settings["partition_size"] documents."""
    size = int(settings["partition_size"])
    inputs: List[InputFile] = []
    partitions: List[Partition] = []
    total = 0  # documents before the current file
    for index, rel in enumerate(rels):
        kind = kind_of(rel, bool(settings["txt_lines"]))
        # Local indices where a partition starts (any index i with (total + i) % size == 0).
        first = (-total) % size
        info, marks = scan(root, rel, kind, marks_at=_Every(first, size))
        inputs.append(info)
        start = 0
        while start < info.n_docs:
            global_index = total + start
            if global_index % size == 0:
                partitions.append(Partition(global_index // size))
            stop = min(info.n_docs, start + size - global_index % size)
            offset, line = marks.get(start, (0, 1))
            partitions[-1].segments.append(Segment(index, start, stop, offset, line))
            start = stop
        total += info.n_docs
        if progress is not None:
            progress.update(1)
    return Plan(str(data_path.resolve()), inputs, partitions, dict(settings), pipeline)


class _Every:
    """`i in _Every(first, step)`: i == first, first + step, ... (a set too large to list)."""

    def __init__(self, first: int, step: int):
        self.first, self.step = first, step

    def __contains__(self, i: object) -> bool:
        return isinstance(i, int) and i >= self.first and (i - self.first) % self.step == 0


def differences(plan: Plan, root: Path, rels: Sequence[str], *, settings: Dict[str, Any],
                model: str, nlp: Any = None, limit: int = 5) -> List[str]:
    """What differs between a recorded plan and this run: settings, the list of input
    files, an input's kind or bytes, the pipeline's files (or, for a pipeline loaded by
    name as `nlp`, its version). Empty = the plan still holds."""
    out = [f"setting {key} was {plan.settings.get(key)!r}, now {value!r}"
           for key, value in settings.items() if plan.settings.get(key) != value]
    recorded = [inp.path for inp in plan.inputs]
    if recorded != list(rels):
        added = sorted(set(rels) - set(recorded))
        removed = sorted(set(recorded) - set(rels))
        out.append(f"the input files differ (added: {_few(added)}; removed: {_few(removed)})")
    else:
        for inp in plan.inputs:
            if kind_of(inp.path, bool(settings.get("txt_lines"))) != inp.kind or inp.changed(root):
                out.append(f"input {inp.path} changed since the run began")
                if len(out) >= limit:
                    break
    out.extend(_pipeline_differences(plan.pipeline, model, nlp))
    return out[:limit]


def _pipeline_differences(recorded: Dict[str, Any], model: str, nlp: Any) -> List[str]:
    folder = Path(model)
    path = str(folder.resolve()) if folder.is_dir() else model
    if path != recorded.get("path"):
        return [f"the pipeline was {recorded.get('path')}, now {path}"]
    if not folder.is_dir():
        version = _version(nlp)
        return [] if version == recorded.get("version") else [
            f"pipeline {model} was version {recorded.get('version')}, now {version}"]
    stamps = [FileStamp(**item) for item in recorded.get("files", [])]
    now = folder_files(folder) if folder.is_dir() else []
    if now != [s.path for s in stamps]:
        return [f"the files of pipeline {path} differ from those when the run began"]
    changed = [s.path for s in stamps if s.changed(folder)]
    return [f"pipeline {path} changed since the run began ({_few(changed)})"] if changed else []


def _few(items: Sequence[str], n: int = 3) -> str:
    if not items:
        return "none"
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def settings_of(*, text_key: str, txt_lines: bool, partition_size: int, file_type: str,
                extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The settings that decide the output, as recorded in the plan."""
    return {"text_key": text_key, "txt_lines": bool(txt_lines), "partition_size": int(partition_size),
            "file_type": file_type, **(extra or {})}


__all__ = ["Plan", "Partition", "Segment", "make_plan", "differences", "pipeline_record", "settings_of"]
