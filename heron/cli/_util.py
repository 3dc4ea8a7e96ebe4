"""Helpers shared by CLI commands: config overrides, --code, loading, printing.

A command that reads a config takes extra `--section.key value` arguments:

    @app.command("train", context_settings=CONFIG_OVERRIDES)
    def train_cli(ctx: typer.Context, config_path: Path, code: Optional[Path] = CODE_OPTION):
        config = load_config_cli(config_path, ctx.args, code=code)
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

import typer
from confection import Config

from ..config import import_code, load_config, parse_cli_overrides

# context_settings for commands that accept --section.key overrides as extra args.
CONFIG_OVERRIDES = {"allow_extra_args": True, "ignore_unknown_options": True}

CODE_OPTION = typer.Option(
    None, "--code", "-c",
    help="Python file with functions to register (@registry....) before the config is read.",
)


def parse_overrides(args: Sequence[str]) -> Dict[str, Any]:
    """`ctx.args` of a command -> {"section.key": value} (raises a coded ConfigError)."""
    return parse_cli_overrides(list(args))


def load_config_cli(
    path: Path | str, args: Sequence[str] = (), *, code: Optional[Path | str] = None,
    interpolate: bool = False,
) -> Config:
    """Import `--code`, then load `path` with the command line's overrides applied."""
    import_code(code)
    overrides = parse_overrides(args)
    return load_config(path, overrides=overrides, interpolate=interpolate)


def split_list(value: Optional[str]) -> List[str]:
    """'a, b,,c' -> ['a', 'b', 'c'] for comma-separated options like --pipeline."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


# ---- printing --------------------------------------------------------------------
# Status lines go to stderr so that a command writing a config to stdout ("-")
# can be piped.


def good(text: str) -> None:
    typer.secho(f"✔ {text}", fg=typer.colors.GREEN, err=True)


def info(text: str) -> None:
    typer.echo(f"ℹ {text}", err=True)


def warn(text: str) -> None:
    typer.secho(f"⚠ {text}", fg=typer.colors.YELLOW, err=True)


def fail(text: str) -> None:
    typer.secho(f"✘ {text}", fg=typer.colors.RED, err=True)


def table(rows: Iterable[Sequence[Any]], *, header: Optional[Sequence[str]] = None) -> str:
    """Left-aligned plain-text table (no dependency on rich, which is optional)."""
    rows = [[str(cell) for cell in row] for row in rows]
    if header:
        rows = [list(header), ["-" * len(h) for h in header]] + rows
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    )


def echo(text: str = "") -> None:
    """Main output (stdout)."""
    typer.echo(text)
    sys.stdout.flush()
