"""`heron debug config`: check a config exactly as `heron train` does before reading data,
and show what it resolves to.

Both commands call `heron.training.initialize.prepare_training`, so a config this command
passes is one `heron train` accepts up to reading the corpora (and vice versa).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import typer
from confection import VARIABLE_RE, Config
from confection.util import is_promise

from ..config import errors_in_file
from ..registry import registry
from ._app import debug_cli
from ._util import CODE_OPTION, CONFIG_OVERRIDES, echo, good, info, load_config_cli, table


@debug_cli.command("config", context_settings=CONFIG_OVERRIDES)
def debug_config_cli(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Config file to check ('-' reads stdin).", allow_dash=True),
    code: Optional[Path] = CODE_OPTION,
    show_functions: bool = typer.Option(
        False, "--show-functions", "-F", help="List the registered functions the config uses."
    ),
    show_variables: bool = typer.Option(
        False, "--show-variables", "-V", help="List the ${...} variables and their values."
    ),
) -> None:
    """Check a config as `heron train` does before reading data: every section, setting
    and registered function; the pipeline is built, [training] and [initialize] resolved,
    and the corpus readers created (their paths must exist; no data is read).

    Extra `--section.key value` arguments override settings, as for `heron train`
    (e.g. --paths.train corpus/train.heron --paths.dev corpus/dev.heron).
    Exits 0 and prints a summary if the config is valid; otherwise prints the error
    `heron train` would stop with and exits 1.
    """
    from ..training.initialize import prepare_training

    with errors_in_file(config_path, overrides=ctx.args):
        config = load_config_cli(config_path, ctx.args, code=code)
        setup = prepare_training(config)
    good(f"Config is valid: {config_path}")
    info(f"lang: {setup.nlp.lang}, pipeline: {', '.join(setup.nlp.component_names) or '(empty)'}")
    if show_functions:
        rows = _function_rows(setup.config)
        echo("\nRegistered functions\n" + (table(rows, header=["setting", "function", "defined in"]) or "(none)"))
    if show_variables:
        rows = _variable_rows(setup.raw)
        echo("\nVariables\n" + (table(rows, header=["setting", "variable", "value"]) or "(none)"))


def _function_rows(config: Dict[str, Any], path: str = "") -> List[Tuple[str, str, str]]:
    rows: List[Tuple[str, str, str]] = []
    if is_promise(config):
        ref = next(k for k in config if k.startswith("@"))
        name = config[ref]
        found = registry.find(ref[1:], name)
        where = f"{found['file']}:{found['line_no']}" if found.get("file") else str(found.get("module"))
        rows.append((path, f"{ref} = {name!r}", where))
    for key, value in config.items():
        if isinstance(value, dict):
            rows.extend(_function_rows(value, f"{path}.{key}" if path else key))
    return rows


def _variable_rows(config: Config) -> List[Tuple[str, str, str]]:
    """(setting, ${...} as written, value after interpolation) for every variable."""
    resolved = config.interpolate()
    rows: List[Tuple[str, str, str]] = []

    def walk(raw: Dict[str, Any], done: Dict[str, Any], path: str) -> None:
        for key, value in raw.items():
            where = f"{path}.{key}" if path else key
            if isinstance(value, dict):
                walk(value, done.get(key, {}), where)
            elif isinstance(value, str) and VARIABLE_RE.search(value):
                rows.append((where, value, repr(done.get(key))))

    walk(config, resolved, "")
    return rows
