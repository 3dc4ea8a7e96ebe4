"""Writing a pipeline package's wheel directly, per the binary distribution format
(https://packaging.python.org/specifications/binary-distribution-format/).

Why not setuptools: a pipeline package is pure data plus a 10-line `__init__.py`, so
the wheel is a zip of the package folder plus four metadata files. Writing it here
needs no build backend, no subprocess and no network (`pip wheel` would need
`--no-build-isolation` and setuptools in the environment), and the result is
reproducible: files in sorted order with a fixed timestamp, so the same pipeline
gives byte-identical wheels. The package folder also gets a pyproject.toml, so
`pip wheel` or `python -m build` there makes an equivalent wheel (or an sdist) when
wanted.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Tuple

from tqdm import tqdm

from ..about import __version__
from .installed import ENTRY_POINT_GROUP

_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest zip timestamp: reproducible wheels
_CHUNK = 1 << 20


def wheel_name(name: str, version: str) -> str:
    return f"{name}-{version}-py3-none-any.whl"


def write_wheel(source_dir: Path, dist_dir: Path, *, name: str, version: str, meta: Dict[str, Any],
                readme: str, progress: bool = True) -> Path:
    """Zip `source_dir / name` (the import package) into dist_dir/NAME-VERSION-py3-none-any.whl
    with its .dist-info; returns the wheel's path."""
    dist_info = f"{name}-{version}.dist-info"
    files = sorted(p for p in (source_dir / name).rglob("*") if p.is_file())
    records: List[Tuple[str, str, int]] = []
    dist_dir.mkdir(parents=True, exist_ok=True)
    path = dist_dir / wheel_name(name, version)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        bar = tqdm(files, desc=f"wheel {path.name}", unit="file", disable=not progress or None)
        for file in bar:
            records.append(_add_file(archive, file, file.relative_to(source_dir).as_posix()))
        metadata = {
            "METADATA": _metadata(name, version, meta, readme),
            "WHEEL": f"Wheel-Version: 1.0\nGenerator: heron {__version__}\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            "entry_points.txt": f"[{ENTRY_POINT_GROUP}]\n{name} = {name}\n",
            "top_level.txt": f"{name}\n",
        }
        for file_name, text in metadata.items():
            records.append(_add_bytes(archive, f"{dist_info}/{file_name}", text.encode("utf8")))
        _add_bytes(archive, f"{dist_info}/RECORD", _record(records, f"{dist_info}/RECORD"))
    return path


def _metadata(name: str, version: str, meta: Dict[str, Any], readme: str) -> str:
    """Core metadata 2.1; the README is the long description."""
    fields = [("Metadata-Version", "2.1"), ("Name", name), ("Version", version),
              ("Summary", meta.get("description")), ("Home-page", meta.get("url")),
              ("Author", meta.get("author")), ("Author-email", meta.get("email")),
              ("License", meta.get("license"))]
    fields += [("Requires-Dist", requirement) for requirement in meta.get("requirements") or []]
    fields.append(("Description-Content-Type", "text/markdown"))
    # Header values are single lines: a newline would start a bogus field.
    lines = [f"{key}: {' '.join(str(value).split())}" for key, value in fields if value]
    return "\n".join(lines) + "\n\n" + readme


def _zip_info(arcname: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(arcname, date_time=_DATE)
    info.external_attr = 0o644 << 16  # rw-r--r-- once installed
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _add_file(archive: zipfile.ZipFile, file: Path, arcname: str) -> Tuple[str, str, int]:
    # Streamed in chunks: transformer weights can be larger than we want in memory.
    digest, size = hashlib.sha256(), 0
    with file.open("rb") as src, archive.open(_zip_info(arcname), "w", force_zip64=True) as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return arcname, _b64(digest.digest()), size


def _add_bytes(archive: zipfile.ZipFile, arcname: str, data: bytes) -> Tuple[str, str, int]:
    archive.writestr(_zip_info(arcname), data)
    return arcname, _b64(hashlib.sha256(data).digest()), len(data)


def _b64(digest: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _record(records: List[Tuple[str, str, int]], record_name: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(records)
    writer.writerow([record_name, "", ""])  # RECORD can't hash itself
    return out.getvalue().encode("utf8")


__all__ = ["wheel_name", "write_wheel"]
