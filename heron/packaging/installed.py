"""Finding installed pipeline packages without running their code.

`heron.load("en_core_sm")` must not import the package: a wheel's `__init__.py` is code,
and loading a pipeline never runs code (docs/security.md). So the data folder is
located from metadata and the file system only:

- `importlib.metadata` lists the `heron_pipelines` entry points (name = module) that
  `heron package` writes; they are read as metadata, never `.load()`ed;
- `importlib.util.find_spec(name)` of a top-level name finds the package's folder
  without executing its `__init__` (only dotted names would import their parents,
  and those are refused: E579);
- inside that folder the pipeline is the subfolder `NAME-VERSION` holding config.cfg
  and meta.json (the layout `heron package` and spaCy's `spacy package` use).

The folder found is then loaded like any pipeline folder, with the same checks.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Union

from ..errors import Errors, HeronValueError

ENTRY_POINT_GROUP = "heron_pipelines"  # name = module, written by heron package; never .load()ed
_PIPELINE_FILES = ("config.cfg", "meta.json")


@dataclass(frozen=True)
class InstalledPipeline:
    """A pipeline package declared by an installed distribution's entry point."""

    name: str      # the entry point name = what heron.load() takes
    module: str    # the top-level package holding the data
    version: str   # the distribution's version
    dist: str      # the distribution's name


def installed_pipelines() -> Dict[str, InstalledPipeline]:
    """Every `heron_pipelines` entry point on sys.path, by name (the first one on sys.path
    wins, as for imports)."""
    found: Dict[str, InstalledPipeline] = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in found:
            continue
        dist = getattr(entry, "dist", None)
        found[entry.name] = InstalledPipeline(
            name=entry.name, module=entry.value.split(":")[0].strip(),
            version=str(dist.version) if dist is not None else "",
            dist=str(dist.metadata["Name"]) if dist is not None else entry.name)
    return dict(sorted(found.items()))


def is_package_name(name: object) -> bool:
    """Whether `name` can only mean a package (a str that is a plain identifier)."""
    return isinstance(name, str) and name.isidentifier()


def resolve_pipeline(name_or_path: Union[str, "os.PathLike[str]"]) -> Union[str, "os.PathLike[str]"]:
    """What heron.load reads: an existing path (or a Path object) unchanged; an installed
    pipeline package's data folder for a package name; E574 for a name that is neither."""
    if not is_package_name(name_or_path) or Path(name_or_path).exists():
        return name_or_path  # a path: loaded (or refused: E316/E317) as before
    assert isinstance(name_or_path, str)
    return package_data_dir(name_or_path)


def package_data_dir(name: str) -> Path:
    """The pipeline folder of installed package `name` (E574 not installed, E575 not a
    pipeline package, E579 an entry point that can't be located safely)."""
    entry = installed_pipelines().get(name)
    module = entry.module if entry else name
    if not module.isidentifier():
        assert entry is not None  # `name` itself is an identifier
        raise HeronValueError(Errors.E579.format(dist=entry.dist, name=name, value=module))
    root = _package_folder(module)
    if root is None:
        if entry is not None:
            raise _not_a_pipeline(name, f"the package {module!r} of {entry.dist} can't be found on sys.path",
                                  entry.dist)
        from ..pipeline._integrity import PipelineLoadError  # an OSError, like a missing path

        names = ", ".join(installed_pipelines()) or "(none)"
        raise PipelineLoadError(Errors.E574.format(name=name, cwd=Path.cwd(), installed=names))
    return _data_folder(name, root, entry.version if entry else None)


def _package_folder(module: str) -> Optional[Path]:
    """The folder of top-level package `module`, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):  # ValueError: a module in sys.modules without a spec
        return None
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or [])
    if not locations:  # a plain module (a file): no data folder can sit inside it
        raise _not_a_pipeline(module, "it is a module, not a package folder", str(spec.origin))
    return Path(locations[0])


def _data_folder(name: str, root: Path, version: Optional[str]) -> Path:
    if all((root / f).is_file() for f in _PIPELINE_FILES):
        return root
    candidates = sorted(p for p in root.iterdir() if p.is_dir() and all((p / f).is_file() for f in _PIPELINE_FILES))
    if version:
        exact = [p for p in candidates if p.name == f"{root.name}-{version}"]
        candidates = exact or candidates
    if len(candidates) == 1:
        return candidates[0]
    detail = (f"several pipeline folders ({', '.join(p.name for p in candidates)})" if candidates
              else f"no subfolder {root.name}-VERSION with {' and '.join(_PIPELINE_FILES)}")
    raise _not_a_pipeline(name, detail, str(root))


def _not_a_pipeline(name: str, detail: str, location: str) -> HeronValueError:
    return HeronValueError(Errors.E575.format(name=name, location=location, detail=detail))


def installed_versions() -> Dict[str, str]:
    """{name: version} of the installed pipeline packages (what heron.info() lists)."""
    return {name: entry.version for name, entry in installed_pipelines().items()}


__all__ = ["ENTRY_POINT_GROUP", "InstalledPipeline", "installed_pipelines", "installed_versions",
           "is_package_name", "resolve_pipeline", "package_data_dir"]
