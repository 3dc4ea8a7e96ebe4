"""Pipeline packages: `heron package`, loading installed pipelines by name, `heron.info()`
and the heron_version range a pipeline declares.

    versions.py   version ranges (">=0.1.0,<0.2.0"): parse, test, check a saved meta (E572)
    meta.py       the package meta: layers, names (E570), versions (E571), types (E578)
    readme.py     the generated model card (README.md)
    wheel.py      the wheel, written directly as a zip (no build backend, reproducible)
    build.py      package(): folder -> package source folder + wheel
    installed.py  installed pipelines from entry-point metadata; data folders via find_spec
    info.py       heron.info(): environment, installed pipelines, one pipeline's meta

Importing this package is cheap (the standard library only): pipeline loading imports
`versions` for its check. `package` is imported on first use (it pulls in tqdm).
"""
from __future__ import annotations

from typing import Any

from .info import environment_info, find_pipeline, info, pipeline_info
from .installed import installed_pipelines, resolve_pipeline
from .versions import check_saved_version, in_range, minor_range


def __getattr__(name: str) -> Any:
    if name in ("package", "PackageResult"):
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module 'heron.packaging' has no attribute {name!r}")


__all__ = ["package", "PackageResult", "info", "environment_info", "find_pipeline", "pipeline_info",
           "installed_pipelines", "resolve_pipeline", "check_saved_version", "in_range", "minor_range"]
