"""entity_ruler: named entities from token patterns and phrase lists.

    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "ORG", "pattern": "Apple"},                                  # phrase
        {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    ])

Among overlapping matches the longest wins, then the leftmost (leftmost-longest,
non-overlapping). Entities already on the Doc (e.g. from a statistical NER earlier in
the pipeline) are kept and block overlapping matches, unless `overwrite_ents` is true,
in which case matches replace the entities they overlap. Patterns are saved with the
pipeline as `patterns.jsonl` (one JSON object per line) next to `cfg.json`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..errors import DataError, Errors, HeronKeyError, HeronValueError
from ..matcher import Matcher, PhraseMatcher
from ..matcher.compile import compile_pattern
from ..regex_safety import check_regex
from ..registry import registry
from ..util import PathLike, atomic_write_text, ensure_path
from .component import Nlp, Pipe, read_json

_LEXICAL_ATTRS = {"ORTH", "TEXT", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LENGTH"}


@registry.factory(
    "entity_ruler",
    default_config={"phrase_matcher_attr": None, "validate": False, "overwrite_ents": False,
                    "ent_id_sep": "||"},
    assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
)
def make_entity_ruler(nlp: Nlp, name: str, phrase_matcher_attr: Optional[str] = None,
                      validate: bool = False, overwrite_ents: bool = False,
                      ent_id_sep: str = "||") -> "EntityRuler":
    """Rule-based named entities.

    phrase_matcher_attr (str | null): token attribute phrase patterns compare, e.g.
        "LOWER" for case-insensitive phrases; null = exact text ("ORTH").
    validate (bool): check pattern value types when patterns are added.
    overwrite_ents (bool): let matches replace overlapping existing entities.
    ent_id_sep (str): separator of label and id in internal keys (spaCy compatibility).
    """
    return EntityRuler(nlp, name, phrase_matcher_attr=phrase_matcher_attr, validate=validate,
                       overwrite_ents=overwrite_ents, ent_id_sep=ent_id_sep)


class EntityRuler(Pipe):
    """Add entities from patterns; see the module docstring."""

    def __init__(self, nlp: Nlp, name: str = "entity_ruler", *,
                 phrase_matcher_attr: Optional[str] = None, validate: bool = False,
                 overwrite_ents: bool = False, ent_id_sep: str = "||",
                 patterns: Optional[List[Dict[str, Any]]] = None):
        super().__init__(name)
        self.nlp = nlp
        self.phrase_matcher_attr = phrase_matcher_attr
        self.validate = bool(validate)
        self.overwrite = bool(overwrite_ents)
        self.ent_id_sep = ent_id_sep
        self.clear()
        if patterns:
            self.add_patterns(patterns)

    # ---- patterns -----------------------------------------------------------------
    def clear(self) -> None:
        """Remove all patterns."""
        self._patterns: List[Dict[str, Any]] = []
        self._keys: Dict[str, Tuple[str, Optional[str]]] = {}  # key -> (label, id)
        self.matcher = Matcher(self.nlp.vocab, validate=self.validate)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr=self.phrase_matcher_attr or "ORTH",
                                            validate=self.validate)

    def add_patterns(self, patterns: Iterable[Dict[str, Any]]) -> None:
        """Add {"label": str, "pattern": str | list[dict], "id": str (optional)} dicts."""
        patterns = list(patterns)
        for i, entry in enumerate(patterns):
            _check_entry(entry, i)
            if not isinstance(entry["pattern"], str):
                # Compile first, so a bad pattern leaves the ruler unchanged.
                try:
                    compile_pattern(entry["pattern"], i, entry["label"], self.validate)
                except HeronValueError as e:
                    raise HeronValueError(Errors.E340.format(i=i, detail=str(e))) from None
        phrases = [p for p in patterns if isinstance(p["pattern"], str)]
        docs = self._phrase_docs([p["pattern"] for p in phrases])
        doc_by_text = dict(zip([p["pattern"] for p in phrases], docs))
        for i, entry in enumerate(patterns):
            key = self._key(entry["label"], entry.get("id"))
            if isinstance(entry["pattern"], str):
                self.phrase_matcher.add(key, [doc_by_text[entry["pattern"]]])
            else:
                self.matcher.add(key, [entry["pattern"]])
            self._patterns.append(_clean_entry(entry))

    def _phrase_docs(self, texts: List[str]) -> List[Any]:
        attr = (self.phrase_matcher_attr or "ORTH").upper()
        if attr in _LEXICAL_ATTRS:
            return [self.nlp.make_doc(text) for text in texts]
        # POS/LEMMA/... phrases need the components that set them; run the pipeline
        # without this ruler (and without any other entity ruler).
        disable = [n for n, c in self.nlp.pipeline if isinstance(c, EntityRuler)]
        return list(self.nlp.pipe(texts, disable=disable))

    def _key(self, label: str, ent_id: Optional[str]) -> str:
        key = f"{label}{self.ent_id_sep}{ent_id}" if ent_id is not None else label
        self._keys[key] = (label, ent_id)
        return key

    def remove(self, ent_id: str) -> None:
        """Remove every pattern with this id; an unknown id raises a coded KeyError."""
        if ent_id not in self.ent_ids:
            raise HeronKeyError(Errors.E341.format(
                name=self.name, id=ent_id, ids=sorted(self.ent_ids) or "(none)"
            ))
        kept = [p for p in self._patterns if p.get("id") != ent_id]
        self.clear()
        self.add_patterns(kept)

    @property
    def patterns(self) -> List[Dict[str, Any]]:
        """All patterns, as dicts that `add_patterns` accepts (copies)."""
        return [json.loads(json.dumps(p)) for p in self._patterns]

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(sorted({p["label"] for p in self._patterns}))

    @property
    def ent_ids(self) -> Tuple[str, ...]:
        return tuple(sorted({p["id"] for p in self._patterns if "id" in p}))

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, label: str) -> bool:
        return any(p["label"] == label for p in self._patterns)

    def initialize(self, get_examples=None, *, nlp=None,
                   patterns: Optional[Sequence[Dict[str, Any]]] = None, **settings: Any) -> None:
        """Replace the patterns with `patterns` (e.g. from [initialize.components.NAME])."""
        if patterns is not None:
            self.clear()
            self.add_patterns(patterns)

    # ---- annotation ---------------------------------------------------------------
    def predict(self, docs: Sequence[Any]) -> List[List[Tuple[str, int, int]]]:
        """Per Doc: the chosen (key, start, end) matches, leftmost-longest, no overlaps."""
        return [self._choose(doc) for doc in docs]

    def _choose(self, doc) -> List[Tuple[str, int, int]]:
        strings = self.nlp.vocab.strings
        matches = {(strings[m], s, e) for m, s, e in self.matcher(doc)}
        matches.update((strings[m], s, e) for m, s, e in self.phrase_matcher(doc))
        chosen: List[Tuple[str, int, int]] = []
        taken: Set[int] = set()
        for key, start, end in sorted(matches, key=lambda m: (m[1] - m[2], m[1], m[0])):
            span = range(start, end)
            if taken.intersection(span):
                continue
            chosen.append((key, start, end))
            taken.update(span)
        return chosen

    def set_annotations(self, docs: Sequence[Any], batch: List[List[Tuple[str, int, int]]]) -> None:
        for doc, chosen in zip(docs, batch):
            entities = list(doc.ents)
            blocked: Set[int] = set()
            for ent in entities:
                blocked.update(range(ent.start, ent.end))
            new = []
            for key, start, end in chosen:
                if not self.overwrite and blocked.intersection(range(start, end)):
                    continue
                label, ent_id = self._keys.get(key, (key, None))
                new.append(_make_span(doc, start, end, label, ent_id))
                entities = [e for e in entities if e.end <= start or e.start >= end]
            if new:
                doc.ents = sorted(entities + new, key=lambda s: (s.start, s.end))

    # ---- serialisation ------------------------------------------------------------
    def _state(self) -> Dict[str, Any]:
        return {"phrase_matcher_attr": self.phrase_matcher_attr, "validate": self.validate,
                "overwrite": self.overwrite, "ent_id_sep": self.ent_id_sep}

    def _load_state(self, state: Dict[str, Any]) -> None:
        self.phrase_matcher_attr = state.get("phrase_matcher_attr", self.phrase_matcher_attr)
        self.validate = bool(state.get("validate", self.validate))
        self.overwrite = bool(state.get("overwrite", self.overwrite))
        self.ent_id_sep = state.get("ent_id_sep", self.ent_id_sep)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({"cfg": self._state(), "patterns": self._patterns}).encode("utf8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "EntityRuler":
        msg = json.loads(data.decode("utf8"))
        patterns = msg.get("patterns", [])
        check_loaded_regexes(patterns, "bytes")
        self._load_state(msg.get("cfg", {}))
        self.clear()
        self.add_patterns(patterns)
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """A folder with cfg.json + patterns.jsonl, or just the patterns if path ends .jsonl."""
        path = ensure_path(path)
        lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in self._patterns)
        if path.suffix == ".jsonl":
            atomic_write_text(path, lines)
            return
        super().to_disk(path, exclude=exclude)
        atomic_write_text(path / "patterns.jsonl", lines)

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "EntityRuler":
        """Load a folder written by to_disk, or a patterns .jsonl file (replaces patterns)."""
        path = ensure_path(path)
        if path.is_file():
            patterns = read_jsonl(path)
        else:
            if (path / "cfg.json").exists():
                self._load_state(read_json(path / "cfg.json"))
            jsonl = path / "patterns.jsonl"
            patterns = read_jsonl(jsonl) if jsonl.exists() else []
        check_loaded_regexes(patterns, str(path))
        self.clear()
        self.add_patterns(patterns)
        return self


def check_loaded_regexes(patterns: Any, source: str, component: str = "entity_ruler") -> None:
    """Refuse REGEX predicates that can backtrack exponentially in patterns read from
    a file or bytes (data from someone else; heron/regex_safety.py). Patterns added
    from Python code are the user's own and are not checked. `component` names the
    kind of ruler in the message (span_ruler shares this check)."""
    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "REGEX" and isinstance(item, str):
                    check_regex(item, where=where)
                else:
                    walk(item, where)
        elif isinstance(value, list):
            for item in value:
                walk(item, where)

    for i, entry in enumerate(patterns if isinstance(patterns, list) else []):
        if isinstance(entry, dict):
            walk(entry.get("pattern"), f"{component} patterns from {source}, entry {i}")


def _check_entry(entry: Any, i: int) -> None:
    if not isinstance(entry, dict) or "label" not in entry or "pattern" not in entry:
        raise HeronValueError(Errors.E340.format(
            i=i, detail=f"expected a dict with \"label\" and \"pattern\", got {entry!r:.80}"
        ))
    if not isinstance(entry["label"], str) or not entry["label"]:
        raise HeronValueError(Errors.E340.format(
            i=i, detail=f"label must be a non-empty string, got {entry['label']!r}"))
    pattern = entry["pattern"]
    if not isinstance(pattern, (str, list)) or not pattern:
        raise HeronValueError(Errors.E340.format(
            i=i, detail=f"pattern must be a non-empty string or list of token dicts, got {pattern!r:.80}"
        ))
    if "id" in entry and not isinstance(entry["id"], str):
        raise HeronValueError(Errors.E340.format(i=i, detail=f"id must be a string, got {entry['id']!r}"))


def _clean_entry(entry: Dict[str, Any]) -> Dict[str, Any]:
    out = {"label": entry["label"], "pattern": json.loads(json.dumps(entry["pattern"]))}
    if entry.get("id") is not None:
        out["id"] = entry["id"]
    return out


def _make_span(doc, start: int, end: int, label: str, ent_id: Optional[str]):
    from ..tokens import Span

    return Span(doc, start, end, label=label, span_id=ent_id or "")


def read_jsonl(path: PathLike) -> List[Dict[str, Any]]:
    """Entity patterns from a JSONL file; a bad line raises E342 naming file and line."""
    path = ensure_path(path)
    patterns = []
    for line_no, line in enumerate(Path(path).read_text(encoding="utf8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            patterns.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise DataError(Errors.E342.format(path=path, line=line_no, detail=e.msg),
                            path=str(path), line=line_no) from None
    return patterns


__all__ = ["EntityRuler", "make_entity_ruler", "read_jsonl"]
