"""`heron.info()` and `heron info`: the environment, the installed pipeline packages, or
one pipeline's meta (read from its meta.json; the pipeline is not loaded)."""
from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any, Dict, Optional, Union

from ..about import __version__
from ..errors import DataError, Errors, HeronValueError
from .installed import installed_versions, is_package_name, package_data_dir


def info(model: Optional[Union[str, Path]] = None) -> Dict[str, Any]:
    """heron's version, location, platform, Python, torch/numpy versions and installed
    pipeline packages ({name: version}); with `model` (a pipeline folder or installed
    package name), that pipeline's meta.json plus its location."""
    if model is None:
        return environment_info()
    return pipeline_info(find_pipeline(model))


def environment_info() -> Dict[str, Any]:
    """heron version and location, Python, platform, torch and numpy versions, pipelines."""
    return {
        "heron version": __version__,
        "location": str(Path(__file__).resolve().parent.parent),
        "platform": platform.platform(),
        "python version": platform.python_version(),
        "torch version": _version("torch"),
        "cuda available": _cuda_available(),
        "numpy version": _version("numpy"),
        "pipelines": installed_versions(),
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


def find_pipeline(name: Union[str, Path]) -> Path:
    """A pipeline folder: `name` itself, the one pipeline folder inside it (a package's
    source folder), or the data folder of installed package `name`."""
    path = Path(name)
    if (path / "meta.json").is_file():
        return path
    if path.is_dir():
        # A package's source folder keeps the data in NAME/NAME-VERSION (two levels down).
        configs = [*path.glob("*/config.cfg"), *path.glob("*/*/config.cfg")]
        found = sorted(p.parent for p in configs if (p.parent / "meta.json").is_file())
        if len(found) == 1:
            return found[0]
    if is_package_name(name) and not path.exists():
        return package_data_dir(str(name))
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


__all__ = ["info", "environment_info", "find_pipeline", "pipeline_info"]
