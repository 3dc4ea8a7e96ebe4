"""`heron train`: train a pipeline from a config file.

    heron train config.cfg -o training/ --paths.train corpus/train.heron --paths.dev corpus/dev.heron

Writes training/model-best (best dev score), training/model-last (latest, saved after
every evaluation and at the end) and training/train_log.jsonl (one line per
evaluation). Ctrl-C saves model-last and stops with exit code 130.

Under torchrun it trains data-parallel, one process per core or GPU (see
docs/usage/scaling.md and heron/training/distributed.py); only rank 0 prints and saves:

    torchrun --nproc_per_node 2 -m heron train config.cfg -o training/ --paths.train ...
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

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
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="CUDA device id; -1 (default) trains on the CPU. "
                               "Under torchrun, 0 = each process trains on GPU LOCAL_RANK."),
    dist_backend: str = typer.Option(
        "auto", "--dist-backend",
        help="Under torchrun (WORLD_SIZE > 1): torch.distributed backend: auto (nccl on GPUs, gloo on CPUs), "
             "gloo or nccl. Ignored in one process."),
    dist_timeout: float = typer.Option(
        1800.0, "--dist-timeout",
        help="Under torchrun: seconds a process waits for the others (rank 0 evaluating or saving, "
             "a failed peer) before the run stops."),
) -> None:
    """Train a pipeline. Extra --section.key value arguments override the config,
    e.g. --paths.train train.heron --paths.dev dev.heron --training.max_steps 1000."""
    from ..training.distributed import distributed_training

    with distributed_training(backend=dist_backend, timeout_s=dist_timeout, use_gpu=gpu_id) as run:
        _train(ctx, config_path, output_path, code, run.gpu_id if run is not None else gpu_id, run)


def _train(ctx: typer.Context, config_path: Path, output_path: Optional[Path], code: Optional[Path],
           gpu_id: int, run: Any) -> None:
    from ..training.initialize import init_nlp
    from ..training.loop import TrainingInterrupted, train_nlp

    say = run is None or run.is_main  # under torchrun rank 0 speaks for all
    with errors_in_file(config_path, overrides=ctx.args):
        config = load_config_cli(config_path, ctx.args, code=code)
        if output_path is not None and say:
            info(f"Saving to output directory: {output_path}")
        if say:
            info("Initializing pipeline (reading the training corpus for labels)")
        nlp = init_nlp(config, use_gpu=gpu_id)
    if say:
        good("Initialized pipeline")
        device = f"GPU {gpu_id}" if gpu_id >= 0 and run is None else "GPUs" if gpu_id >= 0 else "CPU"
        info(f"Training on {device}" + (f", {run.describe()}" if run is not None else ""))
    try:
        _, best = train_nlp(nlp, output_path, use_gpu=gpu_id, stdout=sys.stdout, stderr=sys.stderr,
                            distributed=run)
    except TrainingInterrupted as e:
        if say:
            warn(str(e))
        raise typer.Exit(130) from None
    if best is not None:
        good(f"Best pipeline: {best}")
