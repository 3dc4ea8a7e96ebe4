"""The typer application every CLI module registers its commands on.

A command module does `from heron.cli._app import app` (or `init_cli`, `debug_cli`)
and decorates its function with `@app.command("name")`; `heron/cli/__init__.py`
imports the module so the command appears in `heron --help`.

User mistakes raise `HeronError`; `_HeronGroup` turns them into one clean
"✘ [E...] ..." message on stderr and exit code 1, never a traceback. Doing this
in the group (not only in `app_main`) means `typer.testing.CliRunner` sees the
same behaviour as the console script.
"""
import sys

import typer
from typer.core import TyperGroup

from ..errors import HeronError


class _HeronGroup(TyperGroup):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except HeronError as e:
            print_error(e)
            raise typer.Exit(1) from None


def print_error(exc: BaseException) -> None:
    """Print a HeronError as one '✘ message' block on stderr."""
    typer.secho(f"✘ {str(exc).strip()}", fg=typer.colors.RED, err=True)
    sys.stderr.flush()


app = typer.Typer(
    name="heron",
    cls=_HeronGroup,
    help="heron: PyTorch-native NLP pipelines built on transfer learning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: rich markup would eat "[section]" names in option help.
    rich_markup_mode=None,
)
init_cli = typer.Typer(help="Create configs and vectors.", no_args_is_help=True)
debug_cli = typer.Typer(help="Check configs and data.", no_args_is_help=True)
app.add_typer(init_cli, name="init")
app.add_typer(debug_cli, name="debug")
