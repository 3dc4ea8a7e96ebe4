"""`heron info`: versions of heron and its stack with the installed pipeline packages, or
the meta.json of one pipeline (a folder or an installed package name). The data comes
from `heron.info()` (heron/packaging/info.py); this module only prints it."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

import typer

from ..packaging.info import environment_info, find_pipeline, pipeline_info
from ._app import app
from ._util import echo, table


@app.command("info")
def info_cli(
    model: Optional[str] = typer.Argument(
        None, help="A saved pipeline (folder) or installed pipeline package; omit for heron's own info."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show heron's version, environment and installed pipelines, or describe a pipeline."""
    if model is None:
        data = environment_info()
        title = "heron"
    else:
        path = find_pipeline(model)
        data = pipeline_info(path)
        title = f"Pipeline {data.get('lang', '?')}_{data.get('name', path.name)}"
    if as_json:
        echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    echo(f"\n{title}\n{'=' * len(title)}")
    echo(table(_rows(data)))


def _rows(data: Dict[str, Any]) -> List[Tuple[str, str]]:
    """Scalars first, then labels per component and scores, one line each."""
    rows: List[Tuple[str, str]] = []
    for key, value in data.items():
        if key in ("labels", "performance", "scores", "sources") or value in ("", None):
            continue  # shown below / nothing to show
        if key == "files":
            continue  # the saved-file record checked at load: long, not for reading
        if key == "pipelines" and isinstance(value, dict):  # installed packages: name version
            value = ", ".join(f"{name} ({version})" for name, version in value.items()) or "(none)"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value)) or "(none)"
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        rows.append((key, str(value)))
    for component, labels in (data.get("labels") or {}).items():
        shown = ", ".join(map(str, labels)) if isinstance(labels, (list, tuple)) else str(labels)
        rows.append((f"labels: {component}", shown or "(none)"))
    scores = data.get("performance") or data.get("scores") or {}
    for key, value in scores.items() if isinstance(scores, dict) else []:
        rows.append((f"score: {key}", f"{value:.4f}" if isinstance(value, float) else str(value)))
    return rows


__all__ = ["info_cli", "environment_info", "pipeline_info", "find_pipeline"]
