"""The meta.json of a pipeline package: what `heron package` writes, and its checks.

The package meta is built in layers, later ones winning:

    defaults < the folder's meta.json < what the loaded pipeline says (lang, pipeline,
    components, labels, vectors) and what packaging derives (heron_version = this heron's
    minor series, requirements) < the --meta file < --name / --version

Keys describing the pipeline's contents (`PIPELINE_KEYS`) always come from the pipeline
itself: a --meta file can't make a package claim components or files it doesn't hold.
Names and versions are checked here so that a bad one fails before anything is written.
"""
from __future__ import annotations

import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

from ..errors import Errors, HeronValueError
from .versions import is_range, is_version, minor_range

# Keys recomputed from the loaded pipeline ("files" is the saved-file record loading checks).
PIPELINE_KEYS = ("lang", "pipeline", "components", "disabled", "labels", "files", "vectors")
DEFAULT_META: Dict[str, Any] = {
    "lang": "xx", "name": "pipeline", "version": "0.0.0", "description": "", "author": "", "email": "",
    "url": "", "license": "", "sources": [], "requirements": [],
}
_TEXT_KEYS = ("lang", "name", "version", "description", "author", "email", "url", "license", "notes")
# A normalised PEP 440 public version: what wheel file names and pip compare exactly.
_PACKAGE_VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def package_name(meta: Dict[str, Any]) -> str:
    """The import (and distribution) name: "{lang}_{name}", as spaCy names its packages
    (a name already starting with "{lang}_" is kept)."""
    lang, name = str(meta.get("lang") or "xx"), str(meta.get("name") or "pipeline")
    return name if name.startswith(f"{lang}_") else f"{lang}_{name}"


def check_package_name(name: str, where: str) -> None:
    """E570 unless `name` can be a top-level module and a distribution name at once."""
    reason = None
    if not isinstance(name, str) or not _NAME.match(name):
        reason = "only ASCII letters, digits and underscores, starting with a letter, are allowed"
    elif keyword.iskeyword(name) or name in sys.stdlib_module_names or name in ("heron", "test", "tests"):
        reason = "it would shadow a Python keyword, a standard-library module or heron itself"
    elif "__" in name or name.endswith("_"):
        reason = "runs of underscores and a trailing underscore are lost in installed distribution names"
    if reason:
        raise HeronValueError(Errors.E570.format(name=name, where=where, reason=reason))


def check_package_version(version: Any, where: str) -> None:
    if not isinstance(version, str) or not _PACKAGE_VERSION.match(version):
        raise HeronValueError(Errors.E571.format(version=version, where=where))


def read_meta_file(path: Union[str, Path]) -> Dict[str, Any]:
    """The JSON object in `path` (E577 if unreadable or not an object)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise HeronValueError(Errors.E577.format(path=path, detail=f"{type(e).__name__}: {e}")) from None
    if not isinstance(data, dict):
        raise HeronValueError(Errors.E577.format(path=path, detail=f"a JSON {type(data).__name__}, not an object"))
    return data


def check_meta(meta: Dict[str, Any], where: str) -> None:
    """E578 for a key of the wrong type; E573 for a heron_version that is no version or
    range; E570/E571 for the package name and version."""
    check_meta_types(meta, where)
    check_package_name(package_name(meta), f"{where}: lang + name")
    check_package_version(meta.get("version"), where)


def check_meta_types(meta: Dict[str, Any], where: str) -> None:
    """E578 for a key of the wrong type, E573 for a bad heron_version."""
    for key in _TEXT_KEYS:
        if key in meta and not isinstance(meta[key], str):
            raise _bad(key, where, "a string", meta[key])
    sources = meta.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, (str, dict)) for s in sources):
        raise _bad("sources", where, 'a list of names or {"name", "url", "author", "license"} objects', sources)
    requirements = meta.get("requirements", [])
    if not isinstance(requirements, list) or not all(isinstance(r, str) and r.strip() for r in requirements):
        raise _bad("requirements", where, 'a list of pip requirements such as "heron>=0.1.0"', requirements)
    scores = meta.get("performance", {})
    if not isinstance(scores, dict):
        raise _bad("performance", where, "an object of score names to numbers", scores)
    heron_version = meta.get("heron_version")
    if heron_version not in (None, "") and not (is_range(heron_version) or is_version(heron_version)):
        raise HeronValueError(Errors.E573.format(path=where, value=repr(heron_version)))


def _bad(key: str, where: str, expected: str, value: Any) -> HeronValueError:
    return HeronValueError(Errors.E578.format(key=key, where=where, expected=expected, value=value))


def derived_requirements(config_text: str, *, require_parent: bool = True) -> List[str]:
    """heron itself in this minor series (with the `transformers` extra if a component
    runs a Hugging Face model), unless `require_parent` is False."""
    if not require_parent:
        return []
    uses_transformers = 'factory = "transformer"' in config_text or '"heron.Transformer' in config_text
    return [f"heron{'[transformers]' if uses_transformers else ''}{minor_range()}"]


def vectors_meta(vocab: Any) -> Dict[str, Any]:
    """spaCy's meta "vectors" entry: table width, rows, keys, name (zeros without one)."""
    table = getattr(vocab, "vectors", None)
    if table is None:
        return {"width": 0, "vectors": 0, "keys": 0, "name": None}
    rows, width = table.shape
    return {"width": int(width), "vectors": int(rows), "keys": int(table.n_keys), "name": table.name,
            "mode": table.mode}


def build_meta(saved: Dict[str, Any], live: Dict[str, Any], *, config_text: str, vocab: Any = None,
               overrides: Optional[Dict[str, Any]] = None, overrides_from: str = "the --meta file",
               name: Optional[str] = None, version: Optional[str] = None,
               require_parent: bool = True) -> Dict[str, Any]:
    """The package's meta.json (see the module doc for the layers), checked.

    saved: the folder's meta.json as read; live: `nlp.meta` of the loaded pipeline;
    overrides: keys to set (a --meta file, named `overrides_from` in errors).
    """
    if overrides:
        check_meta_types(overrides, overrides_from)
    meta: Dict[str, Any] = {**DEFAULT_META, **saved}
    meta.update({k: live[k] for k in PIPELINE_KEYS if k in live})
    meta["vectors"] = vectors_meta(vocab)
    meta["heron_version"] = minor_range()
    # A re-packaged pipeline's old heron requirement gives way to the derived one.
    kept = [r for r in saved.get("requirements") or [] if not _HERON_REQUIREMENT.match(str(r))]
    meta["requirements"] = _unique(derived_requirements(config_text, require_parent=require_parent) + kept)
    meta.update({k: v for k, v in (overrides or {}).items() if k not in PIPELINE_KEYS})
    if name is not None:
        meta["name"] = name
    if version is not None:
        meta["version"] = version
    check_meta(meta, "the package meta (meta.json + --meta + --name/--version)")
    return meta


_HERON_REQUIREMENT = re.compile(r"^\s*heron\s*(\[|[<>=!~;]|$)", re.IGNORECASE)


def _unique(items: Iterable[Any]) -> List[Any]:
    unique: List[Any] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return unique


__all__ = ["PIPELINE_KEYS", "DEFAULT_META", "package_name", "check_package_name", "check_package_version",
           "read_meta_file", "check_meta", "derived_requirements", "vectors_meta", "build_meta"]
