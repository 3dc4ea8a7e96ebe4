"""`heron pretrain`: pretrain the tok2vec trunk on raw text.

    heron pretrain config.cfg pretrain/ --paths.raw_text texts.jsonl
    heron train config.cfg -o training/ --paths.init_tok2vec pretrain/model-last.safetensors

Writes pretrain/model{epoch}.safetensors after every epoch, model-last.safetensors
whenever it saves, and log.jsonl (epoch, step, words, loss, words/sec). Ctrl-C saves
model-last and stops with exit code 130; --resume-path continues a run.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ..config import errors_in_file
from ._app import app
from ._util import CODE_OPTION, CONFIG_OVERRIDES, good, info, load_config_cli, warn


@app.command("pretrain", context_settings=CONFIG_OVERRIDES)
def pretrain_cli(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Config with a [pretraining] section (\"-\" reads stdin)."),
    output_dir: Path = typer.Argument(..., help="Folder for model*.safetensors and log.jsonl (created if missing)."),
    code: Optional[Path] = CODE_OPTION,
    resume_path: Optional[Path] = typer.Option(
        None, "--resume-path", "-r", help="Weights file to continue from, e.g. pretrain/model9.safetensors."),
    epoch_resume: Optional[int] = typer.Option(
        None, "--epoch-resume", "-er",
        help="Epoch to continue at (default: N + 1 for a model<N>.safetensors resume file)."),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="CUDA device id; -1 (default) runs on the CPU."),
) -> None:
    """Pretrain the tok2vec layer of a pipeline on raw text (JSONL or .txt). Extra
    --section.key value arguments override the config, e.g. --paths.raw_text texts.jsonl
    --pretraining.max_epochs 5."""
    from ..pretraining.loop import PretrainingInterrupted, pretrain

    if epoch_resume is not None and resume_path is None:
        warn("--epoch-resume is ignored without --resume-path.")
        epoch_resume = None
    with errors_in_file(config_path, overrides=ctx.args):
        config = load_config_cli(config_path, ctx.args, code=code)
    info(f"Saving to output directory: {output_dir}")
    info(f"Pretraining on {'GPU ' + str(gpu_id) if gpu_id >= 0 else 'CPU'}")
    try:
        with errors_in_file(config_path, overrides=ctx.args):
            last = pretrain(config, output_dir, resume_path=resume_path, epoch_resume=epoch_resume,
                            use_gpu=gpu_id, stdout=sys.stdout, stderr=sys.stderr)
    except PretrainingInterrupted as e:
        warn(str(e))
        raise typer.Exit(130) from None
    good(f"Use it with: heron train CONFIG --paths.init_tok2vec {last}")
