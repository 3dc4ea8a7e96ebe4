"""Version strings and ranges: which heron a saved pipeline needs.

A pipeline's meta.json `heron_version` is either

- a range such as ">=0.1.0,<0.2.0" (what `heron package` writes: this heron's minor
  series, as spaCy writes `spacy_version`): loading under a heron outside it is E572;
- a plain version such as "0.1.0" (what `nlp.to_disk` writes): a different minor series
  only warns (W300), as it always has;
- missing or empty (older folders): allowed.

Ranges are PEP 440 specifier sets restricted to what pipelines need: comma-separated
clauses with `>=`, `<=`, `>`, `<`, `==`, `!=` and `~=`, and `==X.Y.*`. They are parsed
here (about 60 lines) rather than with `packaging`, which is not a heron dependency;
pre-releases count as inside a range (spaCy's `is_compatible_version` does the same).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from ..about import __version__
from ..errors import Errors, HeronValueError, Warnings, warn

_VERSION = re.compile(
    r"^v?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|b|rc|alpha|beta|c)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-_.]?post[-_.]?(?P<post>\d*))?"
    r"(?:[-_.]?dev[-_.]?(?P<dev>\d*))?"
    r"(?:\+[a-z0-9.]+)?$",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"^(?P<op>~=|==|!=|<=|>=|<|>)\s*(?P<version>[^\s,]+)$")
_PRE_ORDER = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2}
_NONE = sys.maxsize  # "no dev part" sorts after every dev release

VersionKey = Tuple[Tuple[int, ...], Tuple[int, ...], int, int]


def is_version(text: Any) -> bool:
    """Whether `text` is a PEP 440 version such as "1.0.0", "2.1rc1", "0.3.0.dev2"."""
    return isinstance(text, str) and _VERSION.match(text.strip()) is not None


def version_key(text: str) -> VersionKey:
    """A tuple that sorts as PEP 440 orders versions (local labels ignored)."""
    match = _VERSION.match(text.strip())
    if match is None:
        raise ValueError(f"not a version: {text!r}")
    release = tuple(int(n) for n in match["release"].split("."))
    while len(release) > 1 and release[-1] == 0:  # 1.0 == 1.0.0
        release = release[:-1]
    post = int(match["post"] or 0) if match["post"] is not None else -1
    dev = int(match["dev"] or 0) if match["dev"] is not None else _NONE
    if match["pre"]:
        pre: Tuple[int, ...] = (1, _PRE_ORDER[match["pre"].lower()], int(match["pre_n"] or 0))
    elif post < 0 and dev != _NONE:
        pre = (0,)  # 1.0.dev1 comes before 1.0a1
    else:
        pre = (2,)
    return release, pre, post, dev


def release(text: str) -> Tuple[int, ...]:
    """The release numbers of a version: "0.1.0rc1" -> (0, 1, 0)."""
    match = _VERSION.match(text.strip())
    if match is None:
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(n) for n in match["release"].split("."))


def minor_range(version: str = __version__) -> str:
    """The range of versions sharing `version`'s minor series: "0.1.3" -> ">=0.1.3,<0.2.0"."""
    numbers = release(version) + (0,)
    return f">={version},<{numbers[0]}.{numbers[1] + 1}.0"


def is_range(text: Any) -> bool:
    """Whether `text` is a version range (rather than a plain version)."""
    return isinstance(text, str) and text.strip()[:1] in "<>=!~" and bool(text.strip())


def parse_range(text: str) -> List[Tuple[str, str]]:
    """[(operator, version)] of a range like ">=0.1.0,<0.2.0"; ValueError if malformed."""
    clauses = []
    for part in text.split(","):
        match = _CLAUSE.match(part.strip())
        if match is None:
            raise ValueError(f"{part.strip()!r} is not a clause like '>=0.1.0'")
        op, version = match["op"], match["version"]
        wildcard = op in ("==", "!=") and version.endswith(".*")
        if not is_version(version[:-2] if wildcard else version) or (op == "~=" and len(release(version)) < 2):
            raise ValueError(f"{part.strip()!r} does not compare with a valid version")
        clauses.append((op, version))
    return clauses


def in_range(version: str, constraint: str) -> bool:
    """Whether `version` satisfies `constraint` (a range, or a plain version meaning ==)."""
    clauses = parse_range(constraint if is_range(constraint) else f"=={constraint}")
    return all(_satisfies(version, op, bound) for op, bound in clauses)


def _satisfies(version: str, op: str, bound: str) -> bool:
    if bound.endswith(".*"):  # ==0.1.* / !=0.1.*: same leading release numbers
        prefix = release(bound[:-2])
        same = release(version)[: len(prefix)] == prefix
        return same if op == "==" else not same
    key, other = version_key(version), version_key(bound)
    if op == "~=":  # ~=0.1.2 means >=0.1.2,==0.1.*
        prefix = release(bound)[:-1]
        return key >= other and release(version)[: len(prefix)] == prefix
    # PEP 440: <0.2.0 excludes 0.2.0rc1 (a pre-release of the bound itself), and >0.1.0
    # excludes 0.1.0.post1, so ">=0.1.0,<0.2.0" never admits the next series' previews.
    if op == "<" and other[1] == (2,) and key[0] == other[0]:
        return False
    if op == ">" and other[2] < 0 and key[0] == other[0] and key[1] == other[1]:
        return False
    return {"==": key == other, "!=": key != other, "<=": key <= other, ">=": key >= other,
            "<": key < other, ">": key > other}[op]


def check_saved_version(meta: Dict[str, Any], path: Union[str, Path], current: str = __version__) -> None:
    """Refuse a pipeline whose meta.json `heron_version` range excludes heron `current`
    (E572; E573 if the value is not a version or range); warn (W300) for a plain version
    of another minor series; accept a missing one."""
    saved = meta.get("heron_version")
    if saved in (None, ""):
        return
    where = Path(path) / "meta.json"
    if not isinstance(saved, str) or not (is_range(saved) or is_version(saved)):
        raise HeronValueError(Errors.E573.format(path=where, value=repr(saved)))
    if not is_range(saved):
        if release(saved)[:2] != release(current)[:2]:
            warn(Warnings.W300.format(path=path, saved=saved, current=current))
        return
    try:
        ok = in_range(current, saved)
    except ValueError as e:
        raise HeronValueError(Errors.E573.format(path=where, value=f"{saved!r} ({e})")) from None
    if not ok:
        raise HeronValueError(Errors.E572.format(path=path, range=saved, lower=lower_bound(saved) or "?",
                                                 current=current))


def lower_bound(constraint: str) -> Optional[str]:
    """The version a range starts from (">=0.1.0,<0.2.0" -> "0.1.0"), if it names one."""
    try:
        clauses = parse_range(constraint)
    except ValueError:
        return None
    return next((v for op, v in clauses if op in (">=", "==", "~=", ">")), None)


__all__ = ["is_version", "version_key", "release", "minor_range", "is_range", "parse_range", "in_range",
           "check_saved_version", "lower_bound"]
