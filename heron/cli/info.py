"""`heron info`: versions of heron and its stack, or the meta.json of a pipeline."""
from __future__ import annotations

import importlib.util
import json
import platform
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import typer

from ..about import __version__
from ..errors import DataError, Errors, HeronValueError
from ._app import app
from ._util import echo, table


@app.command("info")
def info_cli(
    model: Optional[str] = typer.Argument(
        None, help="A saved pipeline (folder) or installed pipeline package; omit for heron's own info."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show heron's version and environment, or describe a saved pipeline."""
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


def environment_info() -> Dict[str, Any]:
    """heron version and location, Python, platform, torch and numpy versions."""
    return {
        "heron version": __version__,
        "location": str(Path(__file__).resolve().parent.parent),
        "platform": platform.platform(),
        "python version": platform.python_version(),
        "torch version": _version("torch"),
        "cuda available": _cuda_available(),
        "numpy version": _version("numpy"),
    }


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # not installed (or installed without metadata)
        return "not installed"


def _cuda_available() -> Any:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return "n/a"


def find_pipeline(name: str) -> Path:
    """A pipeline folder: `name` itself, or the folder of an installed package `name`."""
    path = Path(name)
    if (path / "meta.json").is_file():
        return path
    if path.is_dir():
        # Packaged pipelines keep the data in a subfolder named like the package.
        found = sorted(p.parent for p in path.glob("*/meta.json"))
        if len(found) == 1:
            return found[0]
    spec = importlib.util.find_spec(name) if name.isidentifier() else None
    if spec is not None and spec.submodule_search_locations:
        root = Path(list(spec.submodule_search_locations)[0])
        for candidate in [root, *sorted(p.parent for p in root.glob("*/meta.json"))]:
            if (candidate / "meta.json").is_file():
                return candidate
    raise HeronValueError(Errors.E222.format(name=name))


def pipeline_info(path: Path) -> Dict[str, Any]:
    """The pipeline's meta.json, with labels and components made explicit."""
    meta_path = path / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf8"))
    except (OSError, ValueError) as e:
        raise DataError(Errors.E223.format(path=meta_path, detail=str(e)), path=str(meta_path)) from None
    if not isinstance(meta, dict):
        raise DataError(Errors.E223.format(path=meta_path, detail="not a JSON object."), path=str(meta_path))
    meta.setdefault("components", meta.get("pipeline", []))
    meta["location"] = str(path.resolve())
    return meta


def _rows(data: Dict[str, Any]) -> List[Tuple[str, str]]:
    """Scalars first, then labels per component and scores, one line each."""
    rows: List[Tuple[str, str]] = []
    for key, value in data.items():
        if key in ("labels", "performance", "scores", "sources") or value in ("", None):
            continue  # shown below / nothing to show
        if key == "files":
            continue  # the saved-file record checked at load: long, not for reading
        if isinstance(value, (list, tuple)):
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
