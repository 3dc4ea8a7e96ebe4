"""spaCy's smaller `Language` methods, mixed into `Language` (kept out of language.py,
which holds the core API): `disable_pipes`, `analyze_pipes`, `memory_zone`.

    analysis = nlp.analyze_pipes(pretty=True)   # prints a table, returns the dict
    with nlp.memory_zone():                      # a service's per-request block
        for doc in nlp.pipe(texts):
            store(doc.to_json())                 # use the Docs INSIDE the zone

`memory_zone` in heron: strings added to `nlp.vocab.strings` inside the block (token
texts, new tags or labels) and what the tokenizer and the vocab cached for them are
dropped when the block ends, so a long-running process stays the size it was before.
Docs, Spans and Tokens made inside must not be used after it: their words survive, but
hashes of strings first seen in the zone no longer resolve (`strings[h]` for a hash
kept from the zone, `token.tag_` for a tag new in the zone: E002).
Strings added with `strings.add(s, allow_transient=False)` and lexeme settings are kept;
train, add labels and load pipelines outside zones.
"""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Sequence, Set, Union, cast

from .errors import Warnings, warn

if TYPE_CHECKING:
    from .language import Language
    from .pipeline._manage import DisabledPipes

# spaCy's default columns of analyze_pipes (FactoryMeta fields; "scores" = the score names).
ANALYSIS_KEYS = ("assigns", "requires", "scores", "retokenizes")


class LanguagePipesMixin:
    """disable_pipes / analyze_pipes / memory_zone for `Language` (see the module docstring)."""

    def disable_pipes(self, *names: Union[str, Iterable[str]]) -> "DisabledPipes":
        """Deprecated (W670, as in spaCy v3): `nlp.select_pipes(disable=names)`.

        Takes names as arguments or one list; returns the restorable object (`.restore()`,
        or use it in a `with` block).
        """
        flat: List[str] = []
        for name in names:
            flat.extend([name] if isinstance(name, str) else list(name))
        warn(Warnings.W670.format(names=flat))
        return cast("Language", self).select_pipes(disable=flat)

    def analyze_pipes(self, *, keys: Sequence[str] = ANALYSIS_KEYS,
                      pretty: bool = False) -> Dict[str, Any]:
        """What each enabled component assigns and requires, and unmet requirements.

        Returns spaCy's dict: "summary" {component: {key: value}} for `keys` (fields its
        factory declared: assigns, requires, scores, retokenizes), "problems"
        {component: [required attributes no earlier component assigns]}, "attrs"
        {attribute: {"assigns": [components], "requires": [components]}}.
        pretty (bool): also print it as a table with the problems.
        """
        analysis = analyze_pipes(cast("Language", self), keys=keys)
        if pretty:
            print(format_pipe_analysis(analysis, keys=keys))
        return analysis

    @contextlib.contextmanager
    def memory_zone(self, mem: Any = None) -> Iterator[None]:
        """Drop the strings and caches created inside the block when it ends (see the
        module docstring). `mem` is accepted for spaCy's signature and ignored. Zones
        opened inside a zone belong to the outer one."""
        nlp = cast("Language", self)
        with contextlib.ExitStack() as stack:
            tokenizer_zone = getattr(nlp.tokenizer, "memory_zone", None)
            if tokenizer_zone is None or getattr(nlp.tokenizer, "vocab", None) is not nlp.vocab:
                stack.enter_context(nlp.vocab.memory_zone())
            if tokenizer_zone is not None:
                # The tokenizer's zone wraps its vocab's: it forgets its cached chunks
                # only after the strings are gone, so it need not drop the whole cache.
                stack.enter_context(tokenizer_zone())
            for _, proc in nlp.pipeline:
                if hasattr(proc, "memory_zone"):
                    stack.enter_context(proc.memory_zone())
            yield


def _meta_value(meta: Any, key: str) -> Any:
    if key == "scores":  # spaCy's FactoryMeta.scores: the names of its score weights
        return list(getattr(meta, "default_score_weights", {}) or {})
    value = getattr(meta, key, None)
    return list(value) if isinstance(value, tuple) else value


def analyze_pipes(nlp: "Language", *, keys: Sequence[str] = ANALYSIS_KEYS) -> Dict[str, Any]:
    """The dict of `nlp.analyze_pipes` (spaCy's pipe_analysis.analyze_pipes)."""
    summary: Dict[str, Dict[str, Any]] = {}
    problems: Dict[str, List[str]] = {}
    all_attrs: Set[str] = set()
    assigned: Set[str] = set()
    for name in nlp.pipe_names:
        meta = nlp.get_pipe_meta(name)
        all_attrs.update(meta.assigns, meta.requires)
        summary[name] = {key: _meta_value(meta, key) for key in keys}
        problems[name] = [attr for attr in dict.fromkeys(meta.requires) if attr not in assigned]
        assigned.update(meta.assigns)
    attrs = {attr: {"assigns": [n for n in nlp.pipe_names if attr in nlp.get_pipe_meta(n).assigns],
                    "requires": [n for n in nlp.pipe_names if attr in nlp.get_pipe_meta(n).requires]}
             for attr in sorted(all_attrs)}
    return {"summary": summary, "problems": problems, "attrs": attrs}


def format_pipe_analysis(analysis: Dict[str, Any], *, keys: Sequence[str] = ANALYSIS_KEYS) -> str:
    """The table `analyze_pipes(pretty=True)` prints: one row per component (list values
    one per line), then the unmet requirements or "No problems found."."""
    header = ["#", "Component", *[key.capitalize() for key in keys]]
    rows: List[List[List[str]]] = []  # row -> cell -> lines
    for i, (name, values) in enumerate(analysis["summary"].items()):
        cells = [[str(i)], [name]]
        for key in keys:
            value = values.get(key)
            cells.append([str(v) for v in value] if isinstance(value, list) else [str(value)])
        rows.append(cells)
    widths = [max([len(h)] + [len(line) for row in rows for line in row[c]]) for c, h in enumerate(header)]

    def line(parts: Sequence[str]) -> str:
        return "   ".join(p.ljust(w) for p, w in zip(parts, widths)).rstrip()

    out = [" Pipeline Overview ".center(sum(widths) + 3 * (len(widths) - 1), "="), "",
           line(header), line(["-" * w for w in widths])]
    for cells in rows:
        for k in range(max(len(c) for c in cells)):
            out.append(line([c[k] if k < len(c) else "" for c in cells]))
    n_problems = sum(len(p) for p in analysis["problems"].values())
    out.append("")
    if n_problems:
        out.append(f"Problems ({n_problems})")
        out += [f"⚠ {name!r} requirements not met: {', '.join(p)}"
                for name, p in analysis["problems"].items() if p]
    else:
        out.append("✔ No problems found.")
    return "\n".join(out)


__all__ = ["LanguagePipesMixin", "analyze_pipes", "format_pipe_analysis", "ANALYSIS_KEYS"]
