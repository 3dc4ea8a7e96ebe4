"""The model card (README.md) of a pipeline package, generated from its meta.

Laid out like spaCy's generated model READMEs (a feature table, the label scheme per
component, the accuracy table), followed by how to install and load the package. Scores
in meta "performance" are fractions (0-1) and shown as percentages; losses, speeds and
per-label breakdowns (non-scalar values) are left out.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Sequence

from .meta import package_name


def generate_readme(meta: Dict[str, Any]) -> str:
    """Markdown for `meta` (a package meta, see meta.build_meta)."""
    name, version = package_name(meta), str(meta.get("version", "0.0.0"))
    parts: List[str] = [f"# {name}"]
    if meta.get("description"):
        parts.append(str(meta["description"]))
    parts.append(_table(["Feature", "Description"], _features(meta, name, version)))
    labels = _label_scheme(meta.get("labels") or {})
    if labels:
        parts += ["### Label scheme", labels]
    scores = _scores(meta.get("performance") or {})
    if scores:
        parts += ["### Accuracy", scores]
    if meta.get("notes"):
        parts.append(str(meta["notes"]))
    parts += ["### Usage", _usage(name, version)]
    return "\n\n".join(parts) + "\n"


def _features(meta: Dict[str, Any], name: str, version: str) -> List[Sequence[str]]:
    vectors = meta.get("vectors") or {}
    author = str(meta.get("author") or "n/a")
    if meta.get("url"):
        author = f"[{author}]({meta['url']})"
    return [
        ("**Name**", _code(name)),
        ("**Version**", _code(version)),
        ("**heron**", _code(str(meta.get("heron_version") or "n/a"))),
        ("**Default pipeline**", _codes(meta.get("pipeline") or [])),
        ("**Components**", _codes(meta.get("components") or [])),
        ("**Vectors**", f"{vectors.get('keys', 0)} keys, {vectors.get('vectors', 0)} unique vectors "
                        f"({vectors.get('width', 0)} dimensions)"),
        ("**Sources**", _sources(meta.get("sources") or [])),
        ("**License**", _code(str(meta["license"])) if meta.get("license") else "n/a"),
        ("**Author**", author),
    ]


def _sources(sources: Iterable[Any]) -> str:
    shown = []
    for source in sources:
        source = source if isinstance(source, dict) else {"name": str(source)}
        if not source.get("name"):
            continue
        text = f"[{source['name']}]({source['url']})" if source.get("url") else str(source["name"])
        extra = ", ".join(str(source[k]) for k in ("author", "license") if source.get(k))
        shown.append(f"{text} ({extra})" if extra else text)
    return "<br>".join(shown) or "n/a"


def _label_scheme(labels: Dict[str, Any]) -> str:
    rows = [(f"**{_code(component)}**", _codes(values)) for component, values in labels.items()
            if isinstance(values, (list, tuple)) and values]
    if not rows:
        return ""
    n_labels = sum(len(values) for values in labels.values() if isinstance(values, (list, tuple)))
    summary = f"View label scheme ({_count(n_labels, 'label')} for {_count(len(rows), 'component')})"
    return "\n\n".join(["<details>", f"<summary>{summary}</summary>", _table(["Component", "Labels"], rows),
                        "</details>"])


def _scores(performance: Dict[str, Any]) -> str:
    rows = [(_code(key.upper()), f"{value * 100:.2f}") for key, value in performance.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            and not key.endswith("_loss") and key not in ("speed",)]
    return _table(["Type", "Score"], rows) if rows else ""


def _usage(name: str, version: str) -> str:
    return "\n".join([
        "```sh",
        f"pip install {name}-{version}-py3-none-any.whl",
        "```",
        "",
        "```python",
        "import heron",
        "",
        f'nlp = heron.load("{name}")  # reads the data folder; the package\'s code is not run',
        'doc = nlp("This is a sentence.")',
        "```",
    ])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    # A "|" inside a cell would end it; newlines would end the row.
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`"


def _codes(items: Iterable[Any]) -> str:
    return ", ".join(_code(str(item)) for item in items) or "n/a"


__all__ = ["generate_readme"]
