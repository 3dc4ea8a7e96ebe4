"""span_ruler: spans from token patterns and phrase lists into doc.spans (spaCy's SpanRuler).

    ruler = nlp.add_pipe("span_ruler")                   # writes doc.spans["ruler"]
    ruler.add_patterns([
        {"label": "ORG", "pattern": "Apple"},                                  # phrase
        {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    ])

Patterns are spaCy's (the Matcher's token patterns, or strings matched by the
PhraseMatcher on `phrase_matcher_attr`). Every match is kept, overlaps included, once
per (start, end, label, id), sorted by position. `annotate_ents = true` also (or, with
`spans_key = null`, only) writes them to doc.ents through `ents_filter`, which makes
them non-overlapping (default: longest first, then leftmost). `overwrite` (spaCy's
default true) replaces the group / the entities already there; false keeps them (and
for doc.ents lets `ents_filter` arbitrate).

Two differences from spaCy, both so that nothing is lost silently: `initialize()`
replaces the patterns only when it is given some (spaCy clears them always, so
patterns added before `nlp.initialize()` vanished), and with `overwrite = false` a
`spans_filter` receives the existing spans and the matches and its result becomes the
group (spaCy appended the filter's output, existing spans included, to the existing
spans). Patterns are saved as `patterns.jsonl`; loading reads JSON only, and REGEX
predicates read from files are checked for catastrophic backtracking.
"""
from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .. import _scorer_spans
from ..errors import DataError, Errors, HeronValueError, Warnings, warn
from ..matcher import Matcher, PhraseMatcher
from ..matcher.compile import compile_pattern
from ..registry import registry
from ..util import PathLike, atomic_write_text, ensure_path
from .component import Nlp, Pipe
from .entity_ruler import _LEXICAL_ATTRS, check_loaded_regexes

DEFAULT_SPANS_KEY = "ruler"
SpanFilter = Callable[[Iterable[Any], Iterable[Any]], List[Any]]


# ---- filters (registry.misc): (existing spans, new matches) -> spans to keep -----------------
def _longest_first(spans: Iterable[Any], seen: set) -> List[Any]:
    kept = []
    for span in sorted(spans, key=lambda s: (s.end - s.start, -s.start), reverse=True):
        if seen.isdisjoint(range(span.start, span.end)):
            kept.append(span)
            seen.update(range(span.start, span.end))
    return kept


def first_longest_spans_filter(existing: Iterable[Any], spans: Iterable[Any]) -> List[Any]:
    """Both lists together without overlaps: longest first, then leftmost."""
    return sorted(_longest_first(list(existing) + list(spans), set()), key=lambda s: s.start)


def prioritize_new_ents_filter(existing: Iterable[Any], spans: Iterable[Any]) -> List[Any]:
    """New matches (without overlaps among themselves) replace the existing spans they overlap."""
    new = _longest_first(spans, set())
    taken = {i for span in new for i in range(span.start, span.end)}
    return [s for s in existing if taken.isdisjoint(range(s.start, s.end))] + new


def prioritize_existing_ents_filter(existing: Iterable[Any], spans: Iterable[Any]) -> List[Any]:
    """Existing spans stay; a new match is added only where it overlaps none of them."""
    existing = list(existing)
    return existing + _longest_first(spans, {i for s in existing for i in range(s.start, s.end)})


@registry.misc("heron.first_longest_spans_filter.v1")
def make_first_longest_spans_filter() -> SpanFilter:
    """No overlaps: the longest spans first (then the leftmost), existing and new alike."""
    return first_longest_spans_filter


@registry.misc("heron.prioritize_new_ents_filter.v1")
def make_prioritize_new_ents_filter() -> SpanFilter:
    """Matches win over the entities they overlap (entity_ruler's overwrite_ents = true)."""
    return prioritize_new_ents_filter


@registry.misc("heron.prioritize_existing_ents_filter.v1")
def make_prioritize_existing_ents_filter() -> SpanFilter:
    """Existing entities win over the matches that overlap them (entity_ruler's default)."""
    return prioritize_existing_ents_filter


@registry.factory(
    "span_ruler",
    default_config={"spans_key": DEFAULT_SPANS_KEY, "spans_filter": None, "annotate_ents": False,
                    "ents_filter": {"@misc": "heron.first_longest_spans_filter.v1"},
                    "phrase_matcher_attr": None, "validate": False, "overwrite": True,
                    "scorer": {"@scorers": "heron.overlapping_labeled_spans_scorer.v1",
                               "spans_key": DEFAULT_SPANS_KEY}},
    assigns=["doc.spans"],
    default_score_weights={"spans_ruler_f": 1.0, "spans_ruler_p": 0.0, "spans_ruler_r": 0.0,
                           "spans_ruler_per_type": None},
)
def make_span_ruler(nlp: Nlp, name: str, spans_key: Optional[str] = DEFAULT_SPANS_KEY,
                    spans_filter: Optional[Callable] = None, annotate_ents: bool = False,
                    ents_filter: Callable = first_longest_spans_filter,
                    phrase_matcher_attr: Optional[str] = None, validate: bool = False,
                    overwrite: bool = True, scorer: Optional[Callable] = None) -> "SpanRuler":
    """Rule-based spans into doc.spans[spans_key] and/or doc.ents (spaCy's span_ruler).

    spans_key (str | null): the doc.spans key written; null = don't write doc.spans.
    spans_filter (callable | null): f(existing spans, matches) -> spans for the group,
        e.g. {"@misc": "heron.first_longest_spans_filter.v1"} to drop overlaps; null
        keeps every match.
    annotate_ents (bool): also write the matches to doc.ents (through ents_filter).
    ents_filter (callable): f(existing entities, matches) -> non-overlapping entities;
        heron.first_longest_spans_filter.v1 (default), heron.prioritize_new_ents_filter.v1
        or heron.prioritize_existing_ents_filter.v1.
    phrase_matcher_attr (str | null): the attribute phrase patterns compare, e.g. "LOWER"
        for case-insensitive phrases; null = the exact text.
    validate (bool): check the types of pattern values when patterns are added.
    overwrite (bool): replace the group / entities already on the Doc (spaCy's default);
        false keeps them.
    scorer (callable | null): heron.overlapping_labeled_spans_scorer.v1 (spans_{key}_p/r/f).
    """
    return SpanRuler(nlp, name, spans_key=spans_key, spans_filter=spans_filter, annotate_ents=annotate_ents,
                     ents_filter=ents_filter, phrase_matcher_attr=phrase_matcher_attr, validate=validate,
                     overwrite=overwrite, scorer=scorer)


class SpanRuler(Pipe):
    """Add spans from patterns; see the module docstring."""

    def __init__(self, nlp: Nlp, name: str = "span_ruler", *, spans_key: Optional[str] = DEFAULT_SPANS_KEY,
                 spans_filter: Optional[Callable] = None, annotate_ents: bool = False,
                 ents_filter: Callable = first_longest_spans_filter, phrase_matcher_attr: Optional[str] = None,
                 validate: bool = False, overwrite: bool = True, scorer: Optional[Callable] = None):
        super().__init__(name)
        if spans_key is not None and (not isinstance(spans_key, str)):
            raise HeronValueError(Errors.E991.format(name=name, setting="spans_key", expected="a string or null",
                                                     value=spans_key, fix="e.g. spans_key = \"ruler\""))
        if not spans_key and not annotate_ents:
            raise HeronValueError(Errors.E991.format(
                name=name, setting="spans_key", expected="set when annotate_ents is false", value=spans_key,
                fix="set spans_key (e.g. \"ruler\"), or annotate_ents = true to write doc.ents only"))
        self.nlp = nlp
        self.spans_key = spans_key or None
        self.spans_filter = spans_filter
        self.annotate_ents = bool(annotate_ents)
        self.ents_filter = ents_filter
        self.phrase_matcher_attr = phrase_matcher_attr
        self.validate = bool(validate)
        self.overwrite = bool(overwrite)
        self.scorer = scorer
        self.clear()

    @property
    def key(self) -> Optional[str]:
        """The doc.spans key written (None: doc.spans is not written)."""
        return self.spans_key

    # ---- patterns -----------------------------------------------------------------
    def clear(self) -> None:
        """Remove all patterns."""
        self._patterns: List[Dict[str, Any]] = []
        self._keys: Dict[int, Tuple[str, str]] = {}  # matcher key hash -> (label, id)
        self.matcher = Matcher(self.nlp.vocab, validate=self.validate)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr=self.phrase_matcher_attr or "ORTH",
                                            validate=self.validate)

    def add_patterns(self, patterns: Iterable[Dict[str, Any]]) -> None:
        """Add {"label": str, "pattern": str | list[dict], "id": str (optional)} dicts. All
        are checked first (E987), so a bad pattern leaves the ruler unchanged."""
        patterns = [_clean_entry(entry, i, self.validate) for i, entry in enumerate(patterns)]
        phrases = [p for p in patterns if isinstance(p["pattern"], str)]
        docs = dict(zip([p["pattern"] for p in phrases], self._phrase_docs([p["pattern"] for p in phrases])))
        for entry in patterns:
            key = repr((entry["label"], entry.get("id", "")))  # spaCy's matcher key
            self._keys[self.nlp.vocab.strings.add(key)] = (entry["label"], entry.get("id", ""))
            if isinstance(entry["pattern"], str):
                self.phrase_matcher.add(key, [docs[entry["pattern"]]])
            else:
                self.matcher.add(key, [entry["pattern"]])
            self._patterns.append(entry)

    def _phrase_docs(self, texts: List[str]) -> List[Any]:
        if not texts:
            return []
        if (self.phrase_matcher_attr or "ORTH").upper() in _LEXICAL_ATTRS:
            return [self.nlp.make_doc(text) for text in texts]
        # POS/LEMMA/... phrases need the components that set them: run the pipeline up to
        # this ruler (spaCy's choice; later components may not be initialized yet).
        names = [n for n, _ in self.nlp.pipeline]
        here = next((i for i, (_, c) in enumerate(self.nlp.pipeline) if c is self), len(names))
        return list(self.nlp.pipe(texts, disable=names[here:]))

    def remove(self, label: str) -> None:
        """Remove every pattern with this label (E988 if there is none)."""
        if label not in self:
            raise HeronValueError(Errors.E988.format(name=self.name, what="label", value=label,
                                                     known=list(self.labels) or "(none)"))
        self._rebuild([p for p in self._patterns if p["label"] != label])

    def remove_by_id(self, pattern_id: str) -> None:
        """Remove every pattern with this id (E988 if there is none)."""
        if pattern_id not in self.ids:
            raise HeronValueError(Errors.E988.format(name=self.name, what="id", value=pattern_id,
                                                     known=list(self.ids) or "(none)"))
        self._rebuild([p for p in self._patterns if p.get("id") != pattern_id])

    def _rebuild(self, patterns: List[Dict[str, Any]]) -> None:
        self.clear()
        self.add_patterns(patterns)

    @property
    def patterns(self) -> List[Dict[str, Any]]:
        """All patterns, as dicts that `add_patterns` accepts (copies)."""
        return [json.loads(json.dumps(p)) for p in self._patterns]

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(sorted({p["label"] for p in self._patterns}))

    @property
    def ids(self) -> Tuple[str, ...]:
        return tuple(sorted({p["id"] for p in self._patterns if p.get("id")}))

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, label: Any) -> bool:
        return any(p["label"] == label for p in self._patterns)

    def initialize(self, get_examples: Any = None, *, nlp: Any = None,
                   patterns: Optional[Sequence[Dict[str, Any]]] = None, **settings: Any) -> None:
        """Replace the patterns with `patterns` (e.g. [initialize.components.NAME] patterns);
        without them the patterns already added are kept."""
        if patterns is not None:
            self._rebuild(list(patterns))

    # ---- annotation ---------------------------------------------------------------
    def match(self, doc: Any) -> List[Any]:
        """The matches in `doc` as Spans (label, span id), each once, sorted by position."""
        if not self._patterns:
            warn(Warnings.W980.format(name=self.name))
            return []
        from ..tokens import Span

        found = {(s, e, *self._keys[m]) for m, s, e in self.matcher(doc) if e > s}
        found.update((s, e, *self._keys[m]) for m, s, e in self.phrase_matcher(doc) if e > s)
        return [Span(doc, s, e, label=label, span_id=span_id) for s, e, label, span_id in sorted(found)]

    def predict(self, docs: Sequence[Any]) -> List[List[Any]]:
        return [self.match(doc) for doc in docs]

    def set_annotations(self, docs: Sequence[Any], batch: List[List[Any]]) -> None:
        for doc, matches in zip(docs, batch):
            if self.spans_key:
                keep = self.spans_key in doc.spans and not self.overwrite
                existing = list(doc.spans[self.spans_key]) if keep else []
                doc.spans[self.spans_key] = (self.spans_filter(existing, matches) if self.spans_filter
                                             else existing + matches)
            if self.annotate_ents:
                ents = sorted(self.ents_filter([] if self.overwrite else list(doc.ents), matches),
                              key=lambda s: (s.start, s.end))
                for first, second in zip(ents, ents[1:]):
                    if second.start < first.end:
                        raise HeronValueError(Errors.E990.format(
                            name=self.name, first=f"{first.text!r} {first.start}:{first.end}",
                            second=f"{second.text!r} {second.start}:{second.end}"))
                doc.ents = ents

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """spans_{key}_p/r/f and spans_{key}_per_type of this ruler's key."""
        scorer = self.scorer or partial(_scorer_spans.score_span_group, spans_key=self.spans_key or "ruler")
        if self.spans_key:  # score the key this ruler writes, whatever the scorer's default
            kwargs.setdefault("spans_key", self.spans_key)
        return scorer(list(examples), **kwargs)

    # ---- serialisation: patterns only (settings come from config.cfg) ---------------
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({"patterns": self._patterns}, ensure_ascii=False).encode("utf8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "SpanRuler":
        try:
            patterns = json.loads(data.decode("utf8"))["patterns"]
        except (ValueError, KeyError, TypeError) as e:
            raise DataError(Errors.E989.format(path="bytes", line=1, detail=f"{type(e).__name__}: {e}")) from None
        check_loaded_regexes(patterns, "bytes", component="span_ruler")
        self._rebuild(patterns)
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """A folder with patterns.jsonl, or just the patterns if `path` ends with .jsonl."""
        path = ensure_path(path)
        lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in self._patterns)
        if path.suffix != ".jsonl":
            path.mkdir(parents=True, exist_ok=True)
            path = path / "patterns.jsonl"
        atomic_write_text(path, lines)

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "SpanRuler":
        """Load a folder written by to_disk, or a patterns .jsonl file (replaces the patterns)."""
        path = ensure_path(path)
        jsonl = path if path.is_file() else path / "patterns.jsonl"
        patterns = read_patterns(jsonl) if jsonl.exists() else []
        check_loaded_regexes(patterns, str(jsonl), component="span_ruler")
        self._rebuild(patterns)
        return self


def _clean_entry(entry: Any, i: int, validate: bool) -> Dict[str, Any]:
    """A copy of pattern `entry` with only label, pattern and id; E987 if it is malformed."""
    def bad(detail: str) -> HeronValueError:
        return HeronValueError(Errors.E987.format(i=i, detail=detail))

    if not isinstance(entry, dict) or "label" not in entry or "pattern" not in entry:
        raise bad(f"expected a dict with \"label\" and \"pattern\", got {entry!r:.80}")
    label, pattern, span_id = entry["label"], entry["pattern"], entry.get("id")
    if not isinstance(label, str) or not label:
        raise bad(f"label must be a non-empty string, got {label!r}")
    if not isinstance(pattern, (str, list)) or not pattern:
        raise bad(f"pattern must be a non-empty string or list of token dicts, got {pattern!r:.80}")
    if span_id is not None and not isinstance(span_id, str):
        raise bad(f"id must be a string, got {span_id!r}")
    if isinstance(pattern, list):
        try:  # compile now, so a bad token pattern is reported before anything is added
            compile_pattern(pattern, i, label, validate)
        except HeronValueError as e:
            raise bad(str(e)) from None
    out: Dict[str, Any] = {"label": label, "pattern": json.loads(json.dumps(pattern))}
    if span_id:
        out["id"] = span_id
    return out


def read_patterns(path: Path) -> List[Dict[str, Any]]:
    """Patterns from a JSONL file; a bad line raises E989 naming the file and line."""
    patterns = []
    for line_no, line in enumerate(path.read_text(encoding="utf8").splitlines(), 1):
        if line.strip():
            try:
                patterns.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise DataError(Errors.E989.format(path=path, line=line_no, detail=e.msg),
                                path=str(path), line=line_no) from None
    return patterns


__all__ = ["SpanRuler", "make_span_ruler", "first_longest_spans_filter", "prioritize_new_ents_filter",
           "prioritize_existing_ents_filter", "read_patterns"]
