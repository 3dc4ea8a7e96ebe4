"""`heron find-threshold`: the threshold of a component that maximises a score on dev data.

    heron find-threshold training/model-best corpus/dev.heron textcat_multilabel cats_macro_f
    heron find-threshold model dev.heron textcat_multilabel cats_macro_f --per-label -o tuned/
    heron find-threshold model dev.heron spancat threshold spans_sc_f     # spaCy's argument order

Runs the pipeline once, then scores `--n-trials` thresholds evenly spaced from 0 to 1
(heron/training/thresholds.py) and prints a table. `--per-label` also picks the best
threshold of each label (text classification). `--output DIR` saves the pipeline with
the chosen threshold(s), which `heron evaluate` and the component's scorer then use.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import Errors, HeronValueError
from ._app import app
from ._util import CODE_OPTION, echo, good, info, table


@app.command("find-threshold")
def find_threshold_cli(
    # fmt: off
    model: str = typer.Argument(..., help="A pipeline folder (e.g. training/model-best) or package name."),
    data_path: Path = typer.Argument(..., help="A .heron DocBin file or folder of them with gold annotations (dev data)."),
    pipe_name: str = typer.Argument(..., help="The component to tune, e.g. textcat_multilabel."),
    keys: List[str] = typer.Argument(..., metavar="[THRESHOLD_KEY] SCORE_KEY", help="The score to maximise, e.g. cats_macro_f; optionally preceded by the setting to tune (default threshold), as spaCy's find-threshold takes them."),
    n_trials: int = typer.Option(11, "--n-trials", "-n", help="Thresholds to try, evenly spaced from 0.0 to 1.0."),
    per_label: bool = typer.Option(False, "--per-label", help="Also pick each label's best threshold (by its F; textcat components)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Save the pipeline with the chosen threshold(s) to this folder."),
    code: Optional[Path] = CODE_OPTION,
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="CUDA device id; -1 (default) = CPU."),
    gold_preproc: bool = typer.Option(False, "--gold-preproc", "-G", help="Predict on the gold tokens instead of heron's tokenizer."),
    # fmt: on
) -> None:
    """Find the threshold of a component (e.g. textcat_multilabel) that maximises a score on dev data."""
    import heron

    from ..config import import_code
    from ..training.corpus import Corpus
    from ..training.initialize import move_to_device, select_device
    from ..training.thresholds import find_threshold

    if len(keys) > 2:
        raise HeronValueError(Errors.E456.format(
            detail=f"expected SCORE_KEY or THRESHOLD_KEY SCORE_KEY after PIPE_NAME, got {len(keys)} words {keys}",
            fix="pass e.g. `textcat_multilabel cats_macro_f` or `spancat threshold spans_sc_f`"))
    threshold_key, scores_key = (keys[0], keys[1]) if len(keys) == 2 else ("threshold", keys[0])
    import_code(code)
    nlp = heron.load(model)
    move_to_device(nlp, select_device(gpu_id))
    examples = list(Corpus(data_path, gold_preproc=gold_preproc)(nlp))
    search = find_threshold(nlp, examples, pipe_name, scores_key, threshold_key=threshold_key,
                            n_trials=n_trials, per_label=per_label)
    echo(table([[f"{t:.3f}", f"{score:.4f}"] for t, score in search.trials.items()],
               header=[threshold_key, scores_key]))
    good(f"Best {threshold_key} = {search.best_threshold:.3f}: {scores_key} = {search.best_score:.4f}")
    if search.per_label:
        echo()
        echo(table([[label, f"{t:.3f}", f"{f:.4f}"] for label, (t, f) in search.per_label.items()],
                   header=["label", threshold_key, "F"]))
        good(f"Per-label thresholds: {scores_key} = {search.per_label_score:.4f}")
    if output is not None:
        nlp.to_disk(output)
        good(f"Saved the pipeline with the chosen threshold(s) to {output}")
    else:
        info("Nothing saved; pass --output DIR to save the pipeline with these thresholds.")
