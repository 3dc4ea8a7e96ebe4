"""`nlp.pipe`: batches through the components, in this process or in workers, and one
failing document never takes the rest of the stream with it.

Batches run through the pipeline as usual. When a batch raises, its documents are
run again one by one, each component on its own, to find the document and the
component at fault; the others of the batch come out as if nothing happened (a
Doc's predictions never depend on its batch, see DESIGN.md). Each failure goes to
the error handler as `handler(component_name, component, docs, error)` (spaCy's
signature; `docs` is `[doc]` as the failing component left it, or `[]` if the
tokenizer failed), where `error` is E040 naming the document's index in the stream
and chaining the original exception. The default handler (`raise_error`) raises
it, after every document before it has been yielded; `nlp.set_error_handler
(ignore_error)` drops failing documents and goes on; a handler of your own can log.

With n_process > 1, workers (pipeline/_parallel.py) run the same search and send a
failure record instead of raising; the parent calls the handler with the same E040
message at the same point of the stream, so the output equals n_process=1. Input
Docs that failed in a batch are run again as they are: the components that ran
before the failing one see them a second time and overwrite their own annotations.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Union

from ..errors import Errors, HeronError, HeronTypeError, HeronValueError
from .component import minibatch

TOKENIZER = "tokenizer"
TO_BYTES = "Doc.to_bytes"  # a worker could not send the finished Doc back (n_process > 1 only)
_PREVIEW_CHARS = 60


def pipe(nlp: Any, texts: Iterable[Any], *, as_tuples: bool, batch_size: Optional[int],
         disable: Union[str, Iterable[str]], component_cfg: Optional[Dict[str, Dict[str, Any]]],
         n_process: int, start_method: Optional[str]) -> Iterator[Any]:
    """`Language.pipe` (see its docstring)."""
    disable = [disable] if isinstance(disable, str) else list(disable)
    if as_tuples:
        pairs1, pairs2 = itertools.tee(texts)
        docs = pipe(nlp, (t for t, _ in pairs1), as_tuples=False, batch_size=batch_size, disable=disable,
                    component_cfg=component_cfg, n_process=n_process, start_method=start_method)
        yield from zip(docs, (c for _, c in pairs2))
        return
    batch_size = batch_size or nlp.batch_size
    n_process = parallel_count(n_process)
    if n_process > 1:
        from . import _parallel

        yield from _parallel.pipe(nlp, texts, n_process=n_process, batch_size=batch_size,
                                  disable=disable, component_cfg=component_cfg, start_method=start_method)
        return
    yield from pipe_in_process(nlp, texts, batch_size, disable, component_cfg or {})


def pipe_here(nlp: Any, texts: Iterable[Any], batch_size: int, disable: Iterable[str],
              component_cfg: Dict[str, Dict[str, Any]]) -> Iterator[Any]:
    """Texts (or Docs) through the enabled components, batch by batch, in this process."""
    docs: Iterable[Any] = (nlp._ensure_doc(text) for text in texts)
    for name, proc in nlp.pipeline:
        if name in disable:
            continue
        kwargs = dict(component_cfg.get(name, {}))
        if hasattr(proc, "pipe"):
            kwargs.setdefault("batch_size", batch_size)
            docs = proc.pipe(docs, **kwargs)
        else:
            docs = _call_each(name, proc, docs, kwargs)
    yield from docs


def _call_each(name: str, proc: Callable, docs: Iterable[Any], kwargs: Dict[str, Any]) -> Iterator[Any]:
    for doc in docs:
        result = proc(doc, **kwargs)
        if result is None or not hasattr(result, "vocab"):
            raise HeronTypeError(Errors.E307.format(name=name, obj=type(result).__name__))
        yield result


def parallel_count(n_process: Any) -> int:
    """n_process as a count of processes (-1 = one per CPU); E322 for anything else."""
    if n_process == -1:
        return max(1, os.cpu_count() or 1)
    if isinstance(n_process, bool) or not isinstance(n_process, int) or n_process < 1:
        raise HeronValueError(Errors.E322.format(n=n_process))
    return n_process


def raise_error(proc_name: str, proc: Any, docs: List[Any], error: Exception) -> None:
    """The default error handler: raise (the stream stops after the documents before it)."""
    raise error


def ignore_error(proc_name: str, proc: Any, docs: List[Any], error: Exception) -> None:
    """An error handler that drops the failing document and goes on with the stream."""
    return None


@dataclass
class Failure:
    """One document that failed: where it was in the stream, in which component, why."""

    index: int
    component: str
    detail: str  # "ExceptionType: message", identical in workers and in-process
    doc: Any = None  # the Doc as the failing component left it (None: tokenizer failed)
    cause: Optional[BaseException] = None  # the original exception (in-process only)


def preview(item: Any) -> str:
    """A short repr of a stream item for messages: the start of its text."""
    text = getattr(item, "text", item)
    if isinstance(text, str):
        return repr(text[:_PREVIEW_CHARS]) + ("..." if len(text) > _PREVIEW_CHARS else "")
    return f"a {type(item).__name__}"


def pipe_error(failure: Failure, item: Any) -> HeronError:
    """E040 for `failure`; `item` is the stream item (text or Doc) the document came from."""
    error = HeronError(Errors.E040.format(index=failure.index, text=preview(item),
                                          name=failure.component, detail=failure.detail))
    error.__cause__ = failure.cause
    return error


def handle(nlp: Any, failure: Failure, item: Any) -> None:
    """Pass `failure` to nlp's error handler (default: raise E040)."""
    handler: Callable = getattr(nlp, "default_error_handler", None) or raise_error
    name = failure.component
    proc = nlp.tokenizer if name == TOKENIZER else nlp.get_pipe(name) if name in nlp.component_names else None
    docs = [failure.doc] if failure.doc is not None else []
    handler(name, proc, docs, pipe_error(failure, item))


def pipe_in_process(nlp: Any, texts: Iterable[Any], batch_size: int, disable: List[str],
                    component_cfg: Dict[str, Dict[str, Any]]) -> Iterator[Any]:
    """`nlp.pipe` with n_process=1: Docs in order; failures go to the error handler."""
    offset = 0
    for batch in minibatch(texts, batch_size):
        for item, result in zip(batch, run_batch(nlp, batch, offset, batch_size, disable, component_cfg)):
            if isinstance(result, Failure):
                handle(nlp, result, item)
            else:
                yield result
        offset += len(batch)


def run_batch(nlp: Any, batch: List[Any], offset: int, batch_size: int, disable: List[str],
              component_cfg: Dict[str, Dict[str, Any]]) -> List[Union[Any, Failure]]:
    """One Doc or Failure per item of `batch` (whose first item is number `offset` of the stream)."""
    try:
        docs = list(pipe_here(nlp, batch, batch_size, disable, component_cfg))
    except Exception:  # noqa: BLE001  (any component error: find the document at fault)
        return [_run_one(nlp, item, offset + k, disable, component_cfg) for k, item in enumerate(batch)]
    if len(docs) != len(batch):  # a component dropped or added Docs: not a per-document failure
        raise HeronError(Errors.E041.format(n_in=len(batch), n_out=len(docs)))
    return docs


def _run_one(nlp: Any, item: Any, index: int, disable: List[str],
             component_cfg: Dict[str, Dict[str, Any]]) -> Union[Any, Failure]:
    """Run one item component by component, so a failure names its component."""
    name, doc = TOKENIZER, None
    try:
        doc = nlp._ensure_doc(item)
        for name, _ in nlp.pipeline:
            if name in disable:
                continue
            others = [other for other in nlp.pipe_names if other != name]
            doc = next(iter(pipe_here(nlp, [doc], 1, others, component_cfg)))
    except Exception as e:  # noqa: BLE001  (reported through the error handler)
        return Failure(index, name, f"{type(e).__name__}: {e}", doc, e)
    return doc


__all__ = ["pipe", "pipe_here", "parallel_count", "raise_error", "ignore_error", "pipe_in_process", "run_batch",
           "handle", "Failure"]
