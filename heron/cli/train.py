"""`heron train`: train a pipeline from a config file.

    heron train config.cfg -o training/ --paths.train corpus/train.heron --paths.dev corpus/dev.heron

Writes training/model-best (best dev score), training/model-last (latest, saved after
every evaluation and at the end) and training/train_log.jsonl (one line per
evaluation). Ctrl-C saves model-last and stops with exit code 130.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ..config import errors_in_file
from ._app import app
from ._util import CODE_OPTION, CONFIG_OVERRIDES, good, info, load_config_cli, warn


@app.command("train", context_settings=CONFIG_OVERRIDES)
def train_cli(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Training config file (\"-\" reads stdin)."),
    output_path: Optional[Path] = typer.Option(
        None, "--output", "--output-path", "-o",
        help="Folder for model-best/, model-last/ and train_log.jsonl (created if missing). "
             "Without it nothing is saved."),
    code: Optional[Path] = CODE_OPTION,
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="CUDA device id; -1 (default) trains on the CPU."),
) -> None:
    """Train a pipeline. Extra --section.key value arguments override the config,
    e.g. --paths.train train.heron --paths.dev dev.heron --training.max_steps 1000."""
    from ..training.initialize import init_nlp
    from ..training.loop import TrainingInterrupted, train_nlp

    with errors_in_file(config_path, overrides=ctx.args):
        config = load_config_cli(config_path, ctx.args, code=code)
        if output_path is not None:
            info(f"Saving to output directory: {output_path}")
        info("Initializing pipeline (reading the training corpus for labels)")
        nlp = init_nlp(config, use_gpu=gpu_id)
    good("Initialized pipeline")
    info(f"Training on {'GPU ' + str(gpu_id) if gpu_id >= 0 else 'CPU'}")
    try:
        _, best = train_nlp(nlp, output_path, use_gpu=gpu_id, stdout=sys.stdout, stderr=sys.stderr)
    except TrainingInterrupted as e:
        warn(str(e))
        raise typer.Exit(130) from None
    if best is not None:
        good(f"Best pipeline: {best}")
