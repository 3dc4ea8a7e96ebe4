"""`heron package`: a pipeline folder -> an installable Python package with a wheel.

    heron package model-best packages --name core_sm --version 1.0.0 --meta meta.json
    pip install packages/en_core_sm-1.0.0/dist/en_core_sm-1.0.0-py3-none-any.whl
    python -c 'import heron; nlp = heron.load("en_core_sm")'

The work is `heron.packaging.package` (heron/packaging/build.py); see
docs/usage/packaging.md.
"""
from __future__ import annotations

import warnings
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..errors import HeronWarning
from ._app import app
from ._util import good, info, warn


class Build(str, Enum):
    wheel = "wheel"
    none = "none"


@app.command("package")
def package_cli(
    # fmt: off
    input_dir: Path = typer.Argument(..., help="The pipeline folder (written by nlp.to_disk or heron train)."),
    output_dir: Path = typer.Argument(..., help="Parent folder of the package folder NAME-VERSION (created if missing)."),
    meta_path: Optional[Path] = typer.Option(None, "--meta", "--meta-path", "-m", help="JSON file of meta.json keys to override (name, version, description, author, email, url, license, sources, requirements, heron_version, ...)."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Package name without the language prefix (core_sm -> en_core_sm); overrides the meta."),
    version: Optional[str] = typer.Option(None, "--version", "-v", help="Package version (PEP 440, e.g. 1.0.0); overrides the meta."),
    build: Build = typer.Option(Build.wheel, "--build", "-b", help="wheel: also write dist/NAME-VERSION-py3-none-any.whl; none: only the package folder."),
    force: bool = typer.Option(False, "--force", "-f", help="Replace an existing package folder."),
    require_parent: bool = typer.Option(True, "--require-parent/--no-require-parent", help="List heron (this minor series) in the package's requirements."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr while writing the wheel."),
    # fmt: on
) -> None:
    """Make an installable Python package (and wheel) from a pipeline folder."""
    from ..packaging.build import package

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HeronWarning)
        try:
            result = package(input_dir, output_dir, meta_path=meta_path, name=name, version=version, force=force,
                             build_wheel=build == Build.wheel, require_parent=require_parent, progress=progress)
        finally:
            for w in caught:
                if issubclass(w.category, HeronWarning):
                    warn(str(w.message))
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    good(f"Package folder: {result.path}")
    if result.wheel is not None:
        good(f"Wheel: {result.wheel}")
        info(f"Install it with: pip install {result.wheel}")
    info(f'Load it with: heron.load("{result.name}")')
