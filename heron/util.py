"""Small shared helpers. Keep this file small: no junk drawer.

Besides heron's own helpers (atomic writes, length_chunks), the spaCy helpers users
reach for by name: `minibatch`, `compounding`, `filter_spans`, `get_lang_class`,
`set_lang_class` (same names, arguments and results as `spacy.util`).
"""
from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, List, Optional, Set, Tuple, Type, TypeVar, Union

import numpy as np

if TYPE_CHECKING:
    from .language import Language
    from .tokens import Span

PathLike = Union[str, os.PathLike]
T = TypeVar("T")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def ensure_path(path: PathLike) -> Path:
    return path if isinstance(path, Path) else Path(path)


# ---- temp entries of atomic writes ----------------------------------------------------
# A killed save leaves its temp entry beside the target. The name says who made it,
# `.NAME.[old-]HOST-PID-RANDOM[.tmp]`, so the next successful save of NAME can remove
# entries whose process is dead without touching a save still running elsewhere.
# Entries without a pid (older heron) or from another machine (whose pids we can't
# check) are removed only when nothing in them changed for STALE_AFTER_S: every save
# keeps writing files, so an hour of silence means nobody is writing there. An entry
# with THIS process's pid is live only while this process is writing it (_IN_FLIGHT):
# a restarted container often gets the pid its killed predecessor had.
STALE_AFTER_S = 3600.0
_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"
_RANDOM = r"[a-z0-9_]{8}"  # tempfile's random part
# Temp entries this process is writing now (real paths). _LOCK makes "create and
# register" one step for other threads' clean-ups.
_IN_FLIGHT: Set[str] = set()
_LOCK = threading.Lock()


def temp_name_prefix(path: PathLike, *, old: bool = False, pid: Optional[int] = None) -> str:
    """Prefix of the temp entries this process creates beside `path`
    (`old`: a replaced folder waiting to be deleted; `pid` defaults to this process)."""
    kind = "old-" if old else ""
    return f".{ensure_path(path).name}.{kind}{_HOST}-{os.getpid() if pid is None else pid}-"


def remove_stale_temp(path: PathLike) -> None:
    """Remove temp entries beside `path` left by killed saves of `path` (see above).

    Never removes an entry of a live process on this machine, nor one that changed in
    the last STALE_AFTER_S. Called after each successful atomic write of `path`.
    """
    path = ensure_path(path).absolute()
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(?P<old>old-)?"
                         rf"(?:(?P<host>[A-Za-z0-9]+)-(?P<pid>[0-9]+)-)?{_RANDOM}(?P<tmp>\.tmp)?")
    with _LOCK:
        try:
            entries = list(os.scandir(path.parent))
        except OSError:
            return
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            # Exactly one of the two shapes: ".NAME.old-..." or ".NAME....tmp".
            if match is None or bool(match.group("old")) == bool(match.group("tmp")):
                continue
            pid = match.group("pid")
            if _is_stale(Path(entry.path), match.group("host"), int(pid) if pid else None):
                _remove(Path(entry.path))


def _is_stale(entry: Path, host: Optional[str], pid: Optional[int]) -> bool:
    if host == _HOST and pid == os.getpid():
        return os.path.realpath(entry) not in _IN_FLIGHT
    if host == _HOST and pid is not None and os.name == "posix":
        return not _pid_alive(pid)
    return time.time() - _newest_mtime(entry) > STALE_AFTER_S


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a process id we could have written: keep
    try:
        os.kill(pid, 0)  # signal 0: existence check only (POSIX)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, owned by someone else
        return True
    return True


def _newest_mtime(entry: Path) -> float:
    newest = entry.lstat().st_mtime
    if entry.is_dir() and not entry.is_symlink():
        for root, dirs, files in os.walk(entry):
            for name in dirs + files:
                with contextlib.suppress(OSError):
                    newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
    return newest


def _new_temp(path: Path, *, old: bool = False, folder: bool = True) -> Tuple[Optional[int], str]:
    """Create (and register as in flight) a temp folder, or file: (fd, name), beside `path`."""
    prefix = temp_name_prefix(path, old=old)
    suffix = "" if old else ".tmp"
    with _LOCK:
        if folder:
            fd, name = None, tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=path.parent)
        else:
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
        _IN_FLIGHT.add(os.path.realpath(name))
    return fd, name


def _done(name: str) -> None:
    _IN_FLIGHT.discard(os.path.realpath(name))


def _remove(entry: Path) -> None:
    with contextlib.suppress(OSError):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink()


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half.
    Afterwards, temp files of earlier killed writes of `path` are removed."""
    path = ensure_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_temp(path, folder=False)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        _done(tmp)
    remove_stale_temp(path)


def atomic_write_text(path: PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf8"))


@contextlib.contextmanager
def atomic_output_dir(path: PathLike) -> Iterator[Path]:
    """Yield a temp folder beside `path`; on success it replaces `path` in one rename.

    On error the temp folder is removed and an existing `path` is left untouched, so a
    crash never leaves a half-written pipeline. (Replacing an existing folder takes two
    renames; a crash between them leaves `.path.old-*` beside it, never a partial `path`.)
    After success, temp folders of earlier killed saves of `path` are removed: only
    then, since such a leftover may hold the only complete copy until this save lands.
    """
    path = ensure_path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(_new_temp(path)[1])
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp creates 0700
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if path.exists():
            old = Path(_new_temp(path, old=True)[1])
            try:
                os.rmdir(old)  # mkdtemp only reserved a unique name
                os.replace(path, old)
                os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            finally:
                _done(str(old))
        else:
            os.replace(tmp, path)
    finally:
        _done(str(tmp))
    remove_stale_temp(path)


def length_chunks(lengths: np.ndarray, max_items: int) -> Iterator[np.ndarray]:
    """Indices sorted by length, in chunks whose padded size (count x longest) stays
    <= max_items (a single longer item still gets its own chunk). Used to bound padding
    where variable-length items run as one padded batch (transformer windows, NER decode).
    """
    order = np.argsort(lengths, kind="stable")
    start = 0
    for end in range(1, len(order) + 1):
        if end == len(order) or (end + 1 - start) * int(lengths[order[end]]) > max_items:
            yield order[start:end]
            start = end


# ---- spaCy's everyday helpers ---------------------------------------------------------
def minibatch(items: Iterable[T], size: Union[int, Iterable[float]]) -> Iterator[List[T]]:
    """Consecutive lists of `size` items (the last may be shorter), as spacy.util.minibatch.

    size (int | iterator of numbers): a fixed batch size, or one size per batch, e.g.
        `compounding(4.0, 32.0, 1.001)` for batches that grow as training goes on.
    """
    sizes: Iterator[Any] = itertools.repeat(size) if isinstance(size, (int, float)) else iter(size)
    items = iter(items)
    while True:
        try:
            batch_size = int(next(sizes))
        except StopIteration:
            return
        if batch_size < 1:
            from .errors import Errors, HeronValueError

            raise HeronValueError(Errors.E658.format(size=size, detail=f"got a batch size of {batch_size}"))
        batch = list(itertools.islice(items, batch_size))
        if not batch:
            return
        yield batch


def compounding(start: float, stop: float, compound: float, *, t: float = 0.0) -> Iterator[float]:
    """An endless series start, start*compound, start*compound**2, ... clipped at `stop`
    (thinc's `compounding`, positional as in spaCy: `next(sizes)` gives the next value).

    For a config's batch size use the step-indexed schedule @schedules = "heron.compounding.v1".
    """
    clip = max if start > stop else min
    current = float(start) * compound ** t
    while True:
        yield clip(current, stop)
        current *= compound


def filter_spans(spans: Iterable["Span"]) -> List["Span"]:
    """Keep the longest of overlapping spans (the first if equal), in document order
    (spacy.util.filter_spans; the same function as heron.tokens.filter_spans)."""
    from .tokens.span import filter_spans as _filter_spans

    return _filter_spans(spans)


def get_lang_class(lang: str) -> Type["Language"]:
    """The Language subclass of language code `lang`: `get_lang_class("en")` is
    heron.lang.en.English, so `get_lang_class("en")()` == `heron.blank("en")`.

    Looks in registry.languages first (`set_lang_class`, @registry.languages), then in
    heron.lang.<code>. A code with tokenizer rules but no class (`register_lang`) gets a
    plain subclass with that `lang`. Unknown codes raise E656.
    """
    import importlib

    from .registry import registry

    if lang in registry.languages:
        return registry.languages.get(lang)
    from .errors import Errors, HeronValueError
    from .tokenizer import available_langs

    module = None
    if isinstance(lang, str) and lang.isidentifier():
        with contextlib.suppress(ModuleNotFoundError):
            module = importlib.import_module(f"heron.lang.{lang}")
    if module is not None:
        cls = getattr(module, module.__all__[0])
    elif isinstance(lang, str) and lang in available_langs():
        from .lang._blank import BlankLanguage

        cls = type(f"Language_{lang}", (BlankLanguage,), {"lang": lang, "__module__": __name__})
    else:
        known = sorted(set(available_langs()) | set(registry.languages.get_all()))
        raise HeronValueError(Errors.E656.format(lang=lang, available=", ".join(known)))
    set_lang_class(lang, cls)
    return cls


def set_lang_class(name: str, cls: Type["Language"]) -> None:
    """Make `get_lang_class(name)` return `cls` (it is stored in registry.languages)."""
    from .registry import registry

    registry.languages.register(name, func=cls)
