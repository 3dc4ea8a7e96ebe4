"""What loading checks about a saved pipeline folder before it reads any state.

- Completeness: `nlp.to_disk` records in meta.json, under "files", the files it wrote for
  each part (tokenizer, vocab, every component; null for a part excluded at save). At
  load every recorded file of every part being loaded must be there, so a deleted
  weights file or component folder is an error naming it instead of a pipeline that
  silently predicts nonsense. A stateless component records [] and needs no folder.
  Without a record (meta.json from an older heron, or written by hand) a trained
  component (TrainablePipe) still needs its folder; its own from_disk checks the files.
  Whether the weights are complete (tensor names and shapes vs. the model the config
  builds) is checked by TrainablePipe when it loads them (E355, E362).
- Containment: a symbolic link in the folder that resolves outside it is refused
  (E365), so a folder from someone else can't make heron read other files on this
  machine (keys, other models, /dev/...). Links that stay inside are fine. Trusting
  callers may pass `allow_symlinks=True` (e.g. weights shared between pipelines).
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Iterable, List, Optional

from ..errors import Errors, HeronError, HeronValueError, Warnings, warn

FILES_KEY = "files"  # meta.json key of the record of written files


class PipelineLoadError(HeronError, OSError):
    """The path given to heron.load is missing or is not a saved pipeline."""


class PipelineContentError(PipelineLoadError, HeronValueError):
    """A saved pipeline folder that can't be loaded safely: a missing file, a link out
    of the folder, a malformed record. Both an OSError (like a missing path) and a
    ValueError (like the other errors about saved content, e.g. E355, E362)."""


# ---- what was written ---------------------------------------------------------------


def files_written(root: Path, part: str) -> List[str]:
    """The files under `root / part` (or that file itself) as sorted posix paths
    relative to `root`; [] if the part wrote nothing."""
    target = root / part
    if target.is_file():
        return [part]
    return sorted(p.relative_to(root).as_posix() for p in target.rglob("*") if p.is_file())


def saved_files_record(root: Path, parts: Iterable[str], excluded: Iterable[str]) -> Dict[str, Any]:
    """meta.json's "files": {part: [files] or None (excluded at save)}."""
    excluded = set(excluded)
    return {part: None if part in excluded else files_written(root, part) for part in parts}


# ---- completeness ---------------------------------------------------------------------


def check_saved_files(nlp: Any, root: Path, meta: Dict[str, Any], exclude: Iterable[str]) -> None:
    """E364 if a part about to be loaded misses a file it was saved with (see module doc);
    W302 for a trained component that was excluded at save."""
    exclude = set(exclude)
    record = _read_record(meta, root)
    parts = [("tokenizer", "the tokenizer", None), ("vocab", "the vocab", None)]
    parts += [(name, f"component {name!r}", proc) for name, proc in nlp.components]
    for name, what, proc in parts:
        if name in exclude:
            continue
        if record is not None and name in record:
            files = record[name]
            if files is None:
                if is_trained(proc):
                    warn(Warnings.W302.format(name=name, source=root))
                continue
            missing = _highest_missing(root, files)
            if missing:
                raise missing_state_error(what, name, root, missing,
                                          "meta.json records that nlp.to_disk wrote it")
        elif is_trained(proc) and not (root / name).is_dir():
            raise missing_state_error(what, name, root, [root / name],
                                      "a trained component always saves its weights there")


def is_trained(proc: Any) -> bool:
    from .trainable import TrainablePipe  # lazy: torch-free callers of this module

    return isinstance(proc, TrainablePipe)


def missing_state_error(what: str, name: str, root: Any, missing: List[Path],
                        why: str) -> PipelineContentError:
    """E364 naming (up to 5 of) the missing paths."""
    shown = ", ".join(str(p) for p in missing[:5])
    if len(missing) > 5:
        shown += f" and {len(missing) - 5} more"
    return PipelineContentError(Errors.E364.format(what=what, path=root, missing=shown, why=why, name=name))


def _read_record(meta: Dict[str, Any], root: Path) -> Optional[Dict[str, Optional[List[str]]]]:
    """meta.json's "files", validated (None if absent). Entries must be plain relative
    paths inside the folder: the record must not make loading probe other paths."""
    if FILES_KEY not in meta:
        return None
    record = meta[FILES_KEY]
    where = root / "meta.json"
    if not isinstance(record, dict):
        raise PipelineContentError(Errors.E367.format(
            path=where, detail=f"expected an object, got {record!r:.80}"))
    for part, files in record.items():
        if files is None:
            continue
        if not isinstance(files, list):
            raise PipelineContentError(Errors.E367.format(
                path=where, detail=f"{part!r}: expected a list of file names or null, got {files!r:.80}"))
        for name in files:
            if not _is_plain_relative(name):
                raise PipelineContentError(Errors.E367.format(
                    path=where, detail=f"{part!r}: {name!r:.80} is not a relative path inside the folder"))
    return record


def _is_plain_relative(name: Any) -> bool:
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        return False
    path = PurePosixPath(name)
    return bool(path.parts) and not path.is_absolute() and ".." not in path.parts


def _highest_missing(root: Path, files: List[str]) -> List[Path]:
    """The missing files, each reported as its highest missing folder (a deleted
    component folder is named once, not once per file)."""
    missing: List[Path] = []
    for name in files:
        if (root / name).is_file():
            continue
        path = root
        for part in PurePosixPath(name).parts:
            path = path / part
            if not path.exists():
                break
        if path not in missing:
            missing.append(path)
    return missing


# ---- containment ----------------------------------------------------------------------


def check_links(root: Path) -> None:
    """E365 for the first symbolic link under `root` that resolves outside it. The root
    itself may be a link (e.g. models/latest -> models/v3): the caller named it."""
    real_root = Path(os.path.realpath(root))
    # followlinks=False: a link is checked, never entered; an inside link's target is
    # walked anyway through its real path. A folder that can't be listed is an error,
    # not a silent skip: links in it could not be checked.
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=_raise):
        for name in sorted(dirs + files):
            entry = Path(folder) / name
            if not entry.is_symlink():
                continue
            target = Path(os.path.realpath(entry))
            if target != real_root and real_root not in target.parents:
                raise PipelineContentError(Errors.E365.format(link=entry, target=target, root=root))


def _raise(error: OSError) -> None:
    raise error


__all__ = ["PipelineLoadError", "PipelineContentError", "FILES_KEY", "saved_files_record",
           "check_saved_files", "check_links", "missing_state_error", "is_trained"]
