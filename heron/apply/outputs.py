"""Where a `heron apply` run writes: the work folder, its manifest, partition files,
finished records, the lock, and the merged output file.

    OUT/manifest.json          the plan (plan.py), written once before any partition
    OUT/part-00000.heron       one DocBin per partition (or .spacy / .jsonl: --file-type),
                               written atomically
    OUT/done/part-00000.json   the partition's finished record: documents written, the
                               part file's size, and its bad records (where, why)
    OUT/apply.lock             held while a run writes here (host and pid)

A partition is finished when its record exists and its part file has the recorded
size. The record is written after the part file, so a run killed between the two
redoes that partition, and the redo replaces the file: no Doc is ever written twice.
Records are separate files rather than a field of manifest.json so that finishing a
partition costs one small write, and so that cluster workers (issue 20) can record
their own partitions without sharing a file.

With an output FILE (`out.heron` / `out.spacy` / `out.jsonl`) OUT is the sibling work
folder `out.heron.parts/`; when every partition is finished the parts are merged into
the file atomically and the work folder is removed.

The file types: "heron" (heron's DocBin), "spacy" (spaCy v3's DocBin, written by
heron.tokens.spacy_docbin without spaCy, so `spacy.tokens.DocBin().from_disk` reads it)
and "jsonl" (Doc.to_json() lines). Both DocBin formats keep doc.user_data, as spaCy's
own `spacy apply` does: it holds the input's "meta" (the other JSONL keys, a .txt file's
source), which a JSONL line carries as its "meta" field.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..errors import Errors, HeronValueError
from ..util import atomic_write_bytes, atomic_write_text, remove_stale_temp, temp_name_prefix
from .inputs import docbin_class
from .plan import Partition, Plan
from .readers import META_KEY

MANIFEST = "manifest.json"
DONE = "done"
LOCK = "apply.lock"
FILE_TYPES = ("heron", "spacy", "jsonl")  # also the suffixes of their files
WORK_SUFFIX = ".parts"


@dataclass
class Layout:
    output: Path  # what the user named: a folder, or a .heron/.spacy/.jsonl file
    work_dir: Path  # manifest, partitions and records (the output folder itself, or OUTPUT.parts)
    file_type: str  # one of FILE_TYPES
    merged: bool  # whether the partitions are merged into `output` at the end

    @property
    def manifest(self) -> Path:
        return self.work_dir / MANIFEST

    def part_path(self, partition: Partition) -> Path:
        return self.work_dir / f"{partition.name}.{self.file_type}"

    def done_path(self, partition: Partition) -> Path:
        return self.work_dir / DONE / f"{partition.name}.json"


def resolve_layout(output: Path, file_type: Optional[str]) -> Layout:
    """An output named `*.heron` / `*.spacy` / `*.jsonl` is one merged file; anything else
    a folder of partitions (`file_type`, default heron)."""
    if file_type is not None and file_type not in FILE_TYPES:
        raise HeronValueError(Errors.E597.format(
            option="--file-type", value=file_type, detail=f"choose one of {', '.join(FILE_TYPES)}",
            fix="pass --file-type heron (heron DocBins), spacy (spaCy DocBins) or jsonl (Doc.to_json lines)."))
    suffix = output.suffix.lstrip(".")
    if suffix in FILE_TYPES:
        if file_type not in (None, suffix):
            raise HeronValueError(Errors.E597.format(
                option="--file-type", value=file_type, detail=f"the output file {output} is a .{suffix} file",
                fix=f"drop --file-type, or name the output {output.with_suffix('.' + file_type)}."))
        return Layout(output, output.parent / f"{output.name}{WORK_SUFFIX}", suffix, True)
    if output.exists() and not output.is_dir():
        raise HeronValueError(Errors.E597.format(
            option="OUTPUT", value=str(output),
            detail="heron apply writes a .heron, .spacy or .jsonl file, or a folder",
            fix="name a .heron, .spacy or .jsonl output file, or a folder (new or holding an earlier run)."))
    return Layout(output, output, file_type or "heron", False)


# ---- the work folder ----------------------------------------------------------------
def owned_files(work_dir: Path) -> List[Path]:
    """heron apply's own files in `work_dir` (the lock aside): what --force deletes."""
    if not work_dir.is_dir():
        return []
    out = [p for p in work_dir.glob("part-*") if p.suffix.lstrip(".") in FILE_TYPES and p.is_file()]
    out += [p for p in (work_dir / DONE).glob("part-*.json")] if (work_dir / DONE).is_dir() else []
    return sorted(out) + ([work_dir / MANIFEST] if (work_dir / MANIFEST).is_file() else [])


def clear(layout: Layout) -> None:
    """Delete the run's own files (never anything else a user keeps in the folder), with
    temp files that killed writes of them left behind (call it holding the lock)."""
    for path in owned_files(layout.work_dir) + _temp_leftovers(layout.work_dir):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    with contextlib.suppress(OSError):
        (layout.work_dir / DONE).rmdir()


def _temp_leftovers(work_dir: Path) -> List[Path]:
    """Temp files of atomic writes (util.atomic_write_bytes names them .NAME.HOST-PID-RANDOM.tmp)."""
    found = [p for folder in (work_dir, work_dir / DONE) if folder.is_dir()
             for p in folder.glob(".*.tmp") if p.name.startswith((".part-", f".{MANIFEST}."))]
    return sorted(found)


def write_manifest(layout: Layout, plan: Plan) -> None:
    atomic_write_text(layout.manifest, json.dumps(plan.to_json(), indent=1) + "\n")


def read_manifest(layout: Layout) -> Optional[Plan]:
    """The recorded plan; None if there is none. E593 if it can't be read (or, without one,
    if partition files are there: a run of unknown settings)."""
    if not layout.manifest.exists():
        parts = [p.name for p in owned_files(layout.work_dir)]
        if parts:
            raise HeronValueError(Errors.E593.format(path=layout.work_dir, what=f"{len(parts)} partition file(s)",
                                                     detail="no manifest.json"))
        return None
    try:
        return Plan.from_json(json.loads(layout.manifest.read_text(encoding="utf8")))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise HeronValueError(Errors.E593.format(path=layout.work_dir, what=MANIFEST,
                                                 detail=f"it can't be read ({type(e).__name__}: {e})")) from None


@contextlib.contextmanager
def run_lock(work_dir: Path) -> Iterator[None]:
    """Hold `work_dir/apply.lock` while a run writes there (E595 if a live run holds it; a
    lock left by a killed process on this machine is taken over)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    lock = work_dir / LOCK
    me = {"host": socket.gethostname(), "pid": os.getpid()}
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read_lock(lock)
            if holder.get("host") == me["host"] and not _pid_alive(holder.get("pid")):
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            owner = f"host {holder.get('host', '?')}, pid {holder.get('pid', '?')}"
            raise HeronValueError(Errors.E595.format(path=work_dir, owner=owner, lock=lock)) from None
        with os.fdopen(fd, "w") as f:
            json.dump(me, f)
        break
    try:
        yield
    finally:
        if _read_lock(lock) == me:
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()


def _read_lock(lock: Path) -> Dict[str, Any]:
    try:
        data = json.loads(lock.read_text(encoding="utf8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: an existence check only
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


# ---- partitions ---------------------------------------------------------------------
def doc_record(doc: Any) -> Dict[str, Any]:
    """A Doc as one JSONL output line: Doc.to_json() plus "meta" (the input's other keys)."""
    data = doc.to_json()
    meta = doc.user_data.get(META_KEY)
    if meta:
        data[META_KEY] = meta
    return data


def encode_docs(docs: Sequence[Any], file_type: str) -> bytes:
    if file_type == "jsonl":
        return "".join(json.dumps(doc_record(doc), ensure_ascii=False) + "\n" for doc in docs).encode("utf8")
    # store_user_data: the "meta" of each Doc lives there (see the module docstring).
    return docbin_class(file_type)(store_user_data=True, docs=docs).to_bytes()


def write_partition(layout: Layout, partition: Partition, docs: Sequence[Any]) -> int:
    """Write a partition's Docs atomically; returns the file's size in bytes."""
    data = encode_docs(docs, layout.file_type)
    atomic_write_bytes(layout.part_path(partition), data)
    return len(data)


def write_done(layout: Layout, partition: Partition, *, n_docs: int, size: int,
               bad: Sequence[Tuple[str, str]]) -> None:
    record = {"partition": partition.id, "file": layout.part_path(partition).name, "n_docs": n_docs,
              "size": size, "bad": [list(b) for b in bad]}
    atomic_write_text(layout.done_path(partition), json.dumps(record) + "\n")


def finished(layout: Layout, plan: Plan) -> Dict[int, Dict[str, Any]]:
    """{partition id: its record} for every finished partition (see the module docstring)."""
    out = {}
    for partition in plan.partitions:
        try:
            record = json.loads(layout.done_path(partition).read_text(encoding="utf8"))
            ok = (record["partition"] == partition.id
                  and layout.part_path(partition).stat().st_size == record["size"])
        except (OSError, ValueError, KeyError, TypeError):
            ok = False
        if ok:
            out[partition.id] = record
    return out


def merge(layout: Layout, plan: Plan) -> None:
    """Write the partitions, in order, into the output file (atomically)."""
    paths = [layout.part_path(p) for p in plan.partitions]
    if layout.file_type == "jsonl":
        _concatenate(paths, layout.output)
        return
    docbin = docbin_class(layout.file_type)
    merged = docbin(store_user_data=True)
    for path in paths:  # all in memory, as DocBin.to_disk needs (spaCy's apply does the same)
        merged.merge(docbin().from_disk(path))
    merged.to_disk(layout.output)  # atomic in both DocBin classes


def _concatenate(paths: Iterable[Path], output: Path) -> None:
    """Stream `paths` into `output` through a temp file renamed into place."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_name_prefix(output), suffix=".tmp", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for path in paths:
                with path.open("rb") as f:
                    shutil.copyfileobj(f, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    remove_stale_temp(output)


def remove_work_dir(layout: Layout) -> None:
    """After a merge: the work folder's own files, then the folder if nothing else is in it."""
    clear(layout)
    with contextlib.suppress(OSError):
        layout.work_dir.rmdir()


__all__ = ["Layout", "resolve_layout", "owned_files", "clear", "write_manifest", "read_manifest", "run_lock",
           "doc_record", "encode_docs", "write_partition", "write_done", "finished", "merge",
           "remove_work_dir"]
