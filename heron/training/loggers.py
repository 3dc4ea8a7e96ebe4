"""Training loggers (registry.loggers): a console table with a progress bar, and JSONL.

A logger resolves to `setup(nlp, stdout, stderr) -> (log_step, finalize)`; the loop
calls `log_step(info)` after every step (`info` is None between evaluations) and
`finalize()` at the end. The console table looks like spaCy's:

    E    #       LOSS TOK2VEC  LOSS TAGGER  TAG_ACC  SCORE
    ---  ------  ------------  -----------  -------  ------
      0       0          0.00        39.28    24.05    0.24
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

from ..registry import registry

LogStep = Callable[[Optional[Dict[str, Any]]], None]
Finalize = Callable[[], None]


def score_columns(score_weights: Dict[str, Optional[float]]) -> List[str]:
    """Scores shown in the table: those with a weight that isn't None, in config order."""
    return [key for key, weight in score_weights.items() if weight is not None]


class ConsoleTable:
    """Formats one row per evaluation (see the module docstring)."""

    def __init__(self, loss_names: List[str], score_names: List[str]):
        self.loss_names = loss_names
        self.score_names = score_names
        self.header = (["E", "#"] + [f"LOSS {n.upper()}" for n in loss_names]
                       + [n.upper() for n in score_names] + ["SCORE"])
        self.widths = [3, 6] + [max(len(h), 8) for h in self.header[2:]]

    def head(self) -> str:
        lines = [self._row(self.header, left=True), self._row(["-" * w for w in self.widths], left=True)]
        return "\n".join(lines)

    def row(self, info: Dict[str, Any]) -> str:
        losses = info.get("losses") or {}
        scores = info.get("other_scores") or {}
        cells = [str(info["epoch"]), str(info["step"])]
        cells += [f"{losses.get(n, 0.0):.2f}" for n in self.loss_names]
        cells += [_fmt_score(scores.get(n)) for n in self.score_names]
        cells.append(f"{info['score'] or 0.0:.2f}")
        return self._row(cells)

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
    """A score table on stdout after every evaluation and a tqdm progress bar (on stderr)
    counting the steps to the next evaluation. output_file: also append every
    evaluation as one JSON line to this file."""

    def setup(nlp: Any, stdout: IO, stderr: IO, *, loss_names: List[str],
              score_weights: Dict[str, Optional[float]], eval_frequency: int) -> Tuple[LogStep, Finalize]:
        table = ConsoleTable(loss_names, score_columns(score_weights))
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


__all__ = ["console_logger", "ConsoleTable", "JsonlLog", "score_columns"]
