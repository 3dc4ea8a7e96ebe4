"""The typer application every CLI module registers its commands on."""
import typer

app = typer.Typer(
    name="heron",
    help="heron: PyTorch-native NLP pipelines built on transfer learning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
init_cli = typer.Typer(help="Create configs and vectors.", no_args_is_help=True)
debug_cli = typer.Typer(help="Check configs and data.", no_args_is_help=True)
app.add_typer(init_cli, name="init")
app.add_typer(debug_cli, name="debug")
