"""Training loggers (registry.loggers): a console table with a progress bar, and JSONL.

A logger resolves to `setup(nlp, stdout, stderr) -> (log_step, finalize)`; the loop
calls `log_step(info)` after every step (`info` is None between evaluations) and
`finalize()` at the end. The console table looks like spaCy's:

    E    #       GRAD TOK2VEC  LOSS TAGGER  TAG_ACC  SCORE
    ---  ------  ------------  -----------  -------  ------
      0     200         0.181       171.30    88.05    0.88

except for a trunk (tok2vec, transformer): it has no loss of its own, and the summed squared
gradient spaCy shows as its "loss" is tiny with heron's mean-reduced head losses (it
printed as 0.00 at every row). Its column is GRAD: the L2 norm of the gradients its heads
sent it since the previous row (sqrt of that sum, which train_log.jsonl and meta.json keep
under losses). 0 means no head trains it (frozen, or grad_factor 0).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..registry import registry

LogStep = Callable[[Optional[Dict[str, Any]]], None]
Finalize = Callable[[], None]


def score_columns(score_weights: Dict[str, Optional[float]]) -> List[str]:
    """Scores shown in the table: those with a weight that isn't None, in config order."""
    return [key for key, weight in score_weights.items() if weight is not None]


class ConsoleTable:
    """Formats one row per evaluation (see the module docstring)."""

    def __init__(self, loss_names: List[str], score_names: List[str], grad_names: Sequence[str] = ()):
        """grad_names: those of loss_names that are trunks (shown as GRAD, see the module docs)."""
        self.loss_names = loss_names
        self.score_names = score_names
        self.grad_names = set(grad_names)
        self.header = (["E", "#"] + [f"{'GRAD' if n in self.grad_names else 'LOSS'} {n.upper()}" for n in loss_names]
                       + [n.upper() for n in score_names] + ["SCORE"])
        self.widths = [3, 6] + [max(len(h), 8) for h in self.header[2:]]

    def head(self) -> str:
        lines = [self._row(self.header, left=True), self._row(["-" * w for w in self.widths], left=True)]
        return "\n".join(lines)

    def row(self, info: Dict[str, Any]) -> str:
        losses = info.get("losses") or {}
        scores = info.get("other_scores") or {}
        cells = [str(info["epoch"]), str(info["step"])]
        cells += [self._loss_cell(n, losses.get(n) or 0.0) for n in self.loss_names]
        cells += [_fmt_score(scores.get(n)) for n in self.score_names]
        cells.append(f"{info['score'] or 0.0:.2f}")
        return self._row(cells)

    def _loss_cell(self, name: str, value: float) -> str:
        if name in self.grad_names:
            return f"{math.sqrt(max(value, 0.0)):.3g}"  # 3 significant digits: norms span decades
        return f"{value:.2f}"

    def _row(self, cells: List[str], left: bool = False) -> str:
        parts = [c.ljust(w) if left else c.rjust(w) for c, w in zip(cells, self.widths)]
        return "  ".join(parts).rstrip()


def _fmt_score(value: Any) -> str:
    if isinstance(value, (int, float)):
        return f"{value * 100:.2f}"
    return "-"


@registry.loggers("heron.ConsoleLogger.v1")
def console_logger(*, progress_bar: bool = True, console_output: bool = True,
                   output_file: Optional[str] = None) -> Callable[..., Tuple[LogStep, Finalize]]:
    """A score table on stdout after every evaluation (plain lines) and a tqdm progress bar
    counting the steps to the next evaluation.

    progress_bar (bool): true (default) = a bar on stderr when stderr is a terminal, none
        when it is redirected to a file or pipe (logs then hold only the table's lines);
        false = never a bar.
    console_output (bool): print the table (false: only the bar and output_file).
    output_file (str): also append every evaluation as one JSON line to this file.
    """

    def setup(nlp: Any, stdout: IO, stderr: IO, *, loss_names: List[str],
              score_weights: Dict[str, Optional[float]], eval_frequency: int) -> Tuple[LogStep, Finalize]:
        table = ConsoleTable(loss_names, score_columns(score_weights), trunk_names(nlp, loss_names))
        jsonl = JsonlLog(output_file) if output_file else None
        state: Dict[str, Any] = {"bar": None, "printed_head": False}

        def new_bar() -> Any:
            if not progress_bar:
                return None
            from tqdm import tqdm

            return tqdm(total=eval_frequency, leave=False, file=stderr, disable=None)

        def log_step(info: Optional[Dict[str, Any]]) -> None:
            if state["bar"] is None:
                state["bar"] = new_bar()
            if info is None:
                if state["bar"] is not None:
                    state["bar"].update(1)
                return
            if state["bar"] is not None:
                state["bar"].close()
                state["bar"] = None
            if console_output:
                if not state["printed_head"]:
                    stdout.write(table.head() + "\n")
                    state["printed_head"] = True
                stdout.write(table.row(info) + "\n")
                stdout.flush()
            if jsonl is not None:
                jsonl.write(info)

        def finalize() -> None:
            if state["bar"] is not None:
                state["bar"].close()
                state["bar"] = None

        return log_step, finalize

    return setup


class JsonlLog:
    """Appends one JSON object per evaluation: step, epoch, score, scores, losses, time."""

    def __init__(self, path: Any):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, info: Dict[str, Any]) -> None:
        record = {key: info.get(key) for key in
                  ("epoch", "step", "score", "other_scores", "losses", "words", "seconds", "learn_rate")}
        with self.path.open("a", encoding="utf8") as f:
            f.write(json.dumps(record, default=_jsonable) + "\n")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def trunk_names(nlp: Any, names: Sequence[str]) -> List[str]:
    """Those of `names` that are trunks of `nlp` (components heads listen to)."""
    from ..pipeline.trunk import is_trunk

    if not hasattr(nlp, "has_pipe"):
        return []
    return [name for name in names if nlp.has_pipe(name) and is_trunk(nlp.get_pipe(name))]


__all__ = ["console_logger", "ConsoleTable", "JsonlLog", "score_columns", "trunk_names"]
