"""`nlp.pipe(texts, n_process=N)`: process batches in N worker processes.

Each worker rebuilds the pipeline from `nlp.config` + `nlp.to_bytes()` (so it works
with the "spawn" start method and keeps state such as entity patterns), after
importing the modules that define the pipeline's factories. Texts go to the workers
through a queue as plain strings (Docs as `doc.to_bytes()`); processed Docs come back
as `doc.to_bytes()` msgpack bytes, never as pickled objects. The parent reorders
batches, so output order and content equal `n_process=1`.

At most 2 batches per worker are in flight, so an endless text stream is consumed
lazily. A document that fails in a worker does not stop the worker: it finds the
document and component at fault (`_pipe_errors.run_batch`) and sends a failure
record in that document's place; the parent, when the stream reaches it, calls
nlp's error handler with E040 exactly as n_process=1 would. Only a worker that
cannot start or dies (killed, out of memory) aborts the stream, with E321.
"""
from __future__ import annotations

import importlib
import importlib.util
import multiprocessing
import queue
import sys
import traceback
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from ..errors import Errors, HeronError
from ._pipe_errors import TO_BYTES, Failure, handle, run_batch
from .component import minibatch

_POLL_S = 0.5


def _factory_modules(nlp: Any) -> List[Tuple[str, Optional[str]]]:
    """(module, file) of every component factory outside heron, for workers to import."""
    out = []
    for name in nlp.component_names:
        meta = nlp.get_pipe_meta(name)
        module = getattr(meta, "module", None)
        if module and module not in ("__main__", "__mp_main__") and not module.startswith("heron."):
            out.append((module, getattr(meta, "file", None)))
    return list(dict.fromkeys(out))


def pipe(nlp: Any, texts: Iterable[Any], *, n_process: int, batch_size: int,
         disable: List[str], component_cfg: Optional[Dict[str, Dict[str, Any]]],
         start_method: Optional[str]) -> Iterator[Any]:
    from ..config import config_to_str
    from ..tokens import Doc

    ctx: Any = multiprocessing.get_context(start_method)  # typeshed's BaseContext lacks Process
    # The pipeline's own class travels by reference (pickled as its import path), so a
    # worker rebuilds the same kind of pipeline without this module importing heron.language.
    setup = (type(nlp), config_to_str(nlp.config), nlp.to_bytes(), _factory_modules(nlp), disable,
             component_cfg or {})
    tasks, results = ctx.Queue(), ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(setup, tasks, results), daemon=True)
               for _ in range(n_process)]
    for worker in workers:
        worker.start()
    try:
        yield from _run(nlp, Doc, texts, batch_size, n_process, tasks, results, workers)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        for worker in workers:
            worker.join(timeout=5)
        tasks.close()
        results.close()


def _run(nlp, doc_cls, texts, batch_size, n_process, tasks, results, workers) -> Iterator[Any]:
    batches = enumerate(minibatch(texts, batch_size))
    sent = done = offset = 0
    pending: Dict[int, List[tuple]] = {}
    # idx -> (stream index of its first item, its items): failures are reported against them
    in_flight: Dict[int, Tuple[int, List[Any]]] = {}
    exhausted = False
    while True:
        while not exhausted and sent - done < 2 * n_process:
            item = next(batches, None)
            if item is None:
                exhausted = True
                for _ in workers:
                    tasks.put(None)
                break
            idx, batch = item
            tasks.put((idx, offset, batch_size, [t.to_bytes() if isinstance(t, doc_cls) else t for t in batch]))
            in_flight[idx] = (offset, batch)
            offset += len(batch)
            sent += 1
        if exhausted and done == sent:
            return
        idx, payload = _receive(results, workers, n_process)
        pending[idx] = payload
        while done in pending:
            start, batch = in_flight.pop(done)
            for k, (item, entry) in enumerate(zip(batch, pending.pop(done))):
                if entry[0] == "doc":
                    yield doc_cls(nlp.vocab).from_bytes(entry[1])
                else:  # ("failure", component, detail, doc bytes or None)
                    doc = doc_cls(nlp.vocab).from_bytes(entry[3]) if entry[3] is not None else None
                    handle(nlp, Failure(start + k, entry[1], entry[2], doc), item)
            done += 1


def _receive(results, workers, n_process: int) -> Tuple[int, List[tuple]]:
    while True:
        try:
            kind, idx, payload = results.get(timeout=_POLL_S)
        except queue.Empty:
            dead = [w for w in workers if not w.is_alive() and w.exitcode not in (0, None)]
            if dead:
                detail = f"worker exited with code {dead[0].exitcode} (killed or crashed)"
                raise HeronError(Errors.E321.format(n=n_process, detail=detail)) from None
            continue
        if kind == "error":
            raise HeronError(Errors.E321.format(n=n_process, detail=payload))
        return idx, payload


def _import_factories(modules: List[Tuple[str, Optional[str]]]) -> None:
    for module, file in modules:
        if module in sys.modules:
            continue
        try:
            importlib.import_module(module)
        except ImportError:
            if not file:
                raise
            # e.g. a file loaded with --code under a synthetic module name
            spec = importlib.util.spec_from_file_location(module, file)
            if spec is None or spec.loader is None:
                raise
            mod = importlib.util.module_from_spec(spec)
            sys.modules[module] = mod
            spec.loader.exec_module(mod)


def _worker(setup, tasks, results) -> None:
    """Worker loop: rebuild the pipeline, then process batches until the None sentinel."""
    nlp_class, config_text, nlp_bytes, modules, disable, component_cfg = setup
    try:
        from ..config import load_config_from_str

        if "torch" in sys.modules:  # N workers x all-core torch would oversubscribe the CPU
            sys.modules["torch"].set_num_threads(1)
        _import_factories(modules)
        config = load_config_from_str(config_text)
        nlp = nlp_class.from_config(config, validate=False).from_bytes(nlp_bytes)
    except BaseException:
        results.put(("error", -1, traceback.format_exc()))
        return
    while True:
        task = tasks.get()
        if task is None:
            return
        idx, offset, batch_size, batch = task
        try:
            out = [_encode(result) for result in run_batch(nlp, batch, offset, batch_size, disable,
                                                           component_cfg)]
            results.put(("ok", idx, out))
        except BaseException:  # not a per-document failure (e.g. E041): the stream stops
            results.put(("error", idx, traceback.format_exc()))
            return


def _encode(result: Any) -> tuple:
    """A worker's answer for one document: ("doc", bytes) or ("failure", component, detail, bytes|None)."""
    if isinstance(result, Failure):
        doc_bytes = None
        if result.doc is not None:
            try:
                doc_bytes = result.doc.to_bytes()
            except Exception:  # noqa: BLE001  (the handler then gets docs=[])
                doc_bytes = None
        return ("failure", result.component, result.detail, doc_bytes)
    try:
        return ("doc", result.to_bytes())
    except Exception as e:  # noqa: BLE001  (a Doc that cannot travel back fails alone)
        return ("failure", TO_BYTES, f"{type(e).__name__}: {e}", None)


__all__ = ["pipe"]
