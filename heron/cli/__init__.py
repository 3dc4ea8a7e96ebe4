"""heron's command-line interface: `heron --help`.

Each command lives in its own module and registers itself on the typer app in
`heron/cli/_app.py`; importing the module is what makes the command appear.
Adding a command = writing heron/cli/<name>.py + one line in COMMAND_MODULES.
"""
from __future__ import annotations

import importlib
import sys
from typing import List, Optional

from ..errors import HeronError
from ._app import app, debug_cli, init_cli, print_error

COMMAND_MODULES = (
    "info",
    "init_config",
    "debug_config",
    "convert",
    "train", "evaluate",
    "init_vectors",
    "pretrain",
    "find_threshold",
    "apply",
    "package",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}")


def app_main(argv: Optional[List[str]] = None) -> None:
    """Entry point of the `heron` console script (and `python -m heron`).

    A HeronError (a user mistake) becomes one clean message on stderr and exit
    code 1; anything else is a bug and keeps its traceback.
    """
    try:
        app(args=argv, prog_name="heron")
    except HeronError as e:  # raised outside a command, e.g. while parsing options
        print_error(e)
        sys.exit(1)


__all__ = ["app", "app_main", "init_cli", "debug_cli", "COMMAND_MODULES"]
