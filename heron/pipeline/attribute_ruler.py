"""attribute_ruler: set token attributes where Matcher patterns match (spaCy's AttributeRuler).

    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"TAG": "NNP"}]], {"POS": "PROPN"})               # a tag -> POS map entry
    ruler.add([[{"LOWER": "who"}, {"LOWER": "'s"}]], {"LEMMA": "be"}, index=-1)

Each rule is (patterns, attrs, index): the token at `index` of every match (negative
counts from the match's end) gets `attrs`. Attributes: TAG, POS (a UD tag), MORPH
(replaces the token's features, as spaCy's does; a FEATS string or dict), LEMMA, NORM,
DEP, ENT_TYPE, ENT_IOB, ENT_KB_ID, ENT_ID, SENT_START and "_" (custom token extensions,
{"_": {"name": value}}). Rules apply in the order they were added, so a later rule wins
a token both match. `load_from_tag_map` / `load_from_morph_rules` read spaCy v2's tag
maps and morph rules. Rules are saved as JSON (patterns.json); nothing is pickled.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ..errors import Errors, HeronError, HeronValueError
from ..registry import registry
from ..tokens.attrs import IDS, NAMES, intify_attr
from ..tokens.morphology import normalize_features
from ..util import PathLike, atomic_write_text, ensure_path
from .component import Nlp, Pipe, read_json
from .entity_ruler import check_loaded_regexes

PATTERNS_FILE = "patterns.json"
# Attribute name -> how a value is written on a Token (spaCy's set_struct_attr set).
SETTERS: Dict[str, Callable[[Any, Any], None]] = {
    "TAG": lambda t, v: setattr(t, "tag_", v),
    "POS": lambda t, v: setattr(t, "pos_", v),
    "MORPH": lambda t, v: setattr(t, "morph", v),
    "LEMMA": lambda t, v: setattr(t, "lemma_", v),
    "NORM": lambda t, v: setattr(t, "norm_", v),
    "DEP": lambda t, v: setattr(t, "dep_", v),
    "ENT_TYPE": lambda t, v: setattr(t, "ent_type_", v),
    "ENT_KB_ID": lambda t, v: setattr(t, "ent_kb_id_", v),
    "ENT_ID": lambda t, v: setattr(t, "ent_id_", v),
    "ENT_IOB": lambda t, v: setattr(t, "ent_iob_" if isinstance(v, str) else "ent_iob", v),
    "SENT_START": lambda t, v: setattr(t, "is_sent_start", {1: True, -1: False, 0: None}.get(v, v)),
}
_STRING_ATTRS = ("TAG", "POS", "LEMMA", "NORM", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID")


class AttributeRuler(Pipe):
    """Sets token attributes for Matcher matches; see the module docstring.

    vocab: the pipeline's Vocab. validate (bool): check pattern value types in the Matcher.
    scorer (callable | null): default heron.attribute_ruler_scorer.v1.
    """

    def __init__(self, vocab: Any, name: str = "attribute_ruler", *, validate: bool = False,
                 scorer: Optional[Callable] = None):
        super().__init__(name, validate=bool(validate))
        self.vocab = vocab
        self.validate = bool(validate)
        self.scorer = scorer
        self.clear()

    def clear(self) -> None:
        """Remove every rule."""
        from ..matcher import Matcher

        self.matcher = Matcher(self.vocab, validate=self.validate)
        self.attrs: List[Dict[str, Any]] = []  # normalised, per rule
        self._attrs_unnormed: List[Dict[str, Any]] = []  # as given (what `patterns` returns)
        self.indices: List[int] = []
        self._rule_of: Dict[int, int] = {}  # matcher key hash -> rule number

    def initialize(self, get_examples: Any = None, *, nlp: Any = None,
                   patterns: Optional[Iterable[Mapping[str, Any]]] = None,
                   tag_map: Optional[Mapping[str, Mapping[str, Any]]] = None,
                   morph_rules: Optional[Mapping[str, Mapping[str, Mapping[str, Any]]]] = None,
                   **settings: Any) -> None:
        """Replace the rules with `patterns` ([{"patterns", "attrs", "index"}]), a tag map
        and/or morph rules (from [initialize.components.attribute_ruler])."""
        self.clear()
        if patterns:
            self.add_patterns(patterns)
        if tag_map:
            self.load_from_tag_map(tag_map)
        if morph_rules:
            self.load_from_morph_rules(morph_rules)

    # ---- rules ----------------------------------------------------------------------
    def add(self, patterns: Sequence[Sequence[Dict[str, Any]]], attrs: Mapping[Any, Any], index: int = 0) -> None:
        """Add Matcher `patterns` whose match's token at `index` gets `attrs`."""
        rule = len(self.attrs)
        if not isinstance(index, int) or isinstance(index, bool):
            raise HeronValueError(Errors.E902.format(i=rule, detail=f"index must be an int, got {index!r}"))
        normed = self._normalize_attrs(attrs, rule)
        key = str(rule)  # the matcher is the ruler's own, so rule numbers can't collide
        try:
            self.matcher.add(key, patterns)
        except HeronError as e:
            raise HeronValueError(Errors.E902.format(i=rule, detail=f"its patterns are invalid: {e}")) from None
        self._rule_of[self.vocab.strings.add(key)] = rule
        self._attrs_unnormed.append(dict(attrs))
        self.attrs.append(normed)
        self.indices.append(index)

    def add_patterns(self, patterns: Iterable[Mapping[str, Any]]) -> None:
        """Add rules given as dicts with the keys of `add`: patterns, attrs, index."""
        for i, p in enumerate(patterns):
            unknown = set(p) - {"patterns", "attrs", "index"} if isinstance(p, Mapping) else None
            if unknown is None or unknown or "patterns" not in p or "attrs" not in p:
                raise HeronValueError(Errors.E902.format(i=len(self.attrs), detail=(
                    f"entry {i} of add_patterns must be a dict with keys 'patterns', 'attrs' and "
                    f"optionally 'index', got {p!r:.120}")))
            self.add(p["patterns"], p["attrs"], p.get("index", 0))

    def _normalize_attrs(self, attrs: Mapping[Any, Any], rule: int) -> Dict[str, Any]:
        if not isinstance(attrs, Mapping):
            raise HeronValueError(Errors.E902.format(i=rule, detail=f"attrs must be a dict, got {attrs!r:.80}"))
        out: Dict[str, Any] = {}
        for key, value in attrs.items():
            if key == "_":
                if not isinstance(value, Mapping):
                    raise HeronValueError(Errors.E903.format(i=rule, attr="_", value=value,
                                                             detail="expected a dict {extension name: value}"))
                out["_"] = dict(value)
                continue
            name = _attr_name(key)
            if name not in SETTERS:
                raise HeronValueError(Errors.E903.format(i=rule, attr=key, value=value, detail=(
                    f"can't be set by a rule; settable: {', '.join(SETTERS)} and '_'")))
            out[name] = _check_value(name, value, rule)
        return out

    def load_from_tag_map(self, tag_map: Mapping[str, Mapping[Any, Any]]) -> None:
        """One rule per tag: [{"TAG": tag}] -> its POS and features (spaCy v2's tag map)."""
        for tag, attrs in tag_map.items():
            attrs, feats = _split_morph_attrs(attrs)
            attrs["MORPH"] = normalize_features(attrs.get("MORPH", feats), f" in the tag map entry {tag!r}")
            self.add([[{"TAG": tag}]], attrs)

    def load_from_morph_rules(self, morph_rules: Mapping[str, Mapping[str, Mapping[Any, Any]]]) -> None:
        """One rule per (tag, word): [{"ORTH": word, "TAG": tag}] -> POS, LEMMA, features."""
        for tag, words in morph_rules.items():
            for word, attrs in words.items():
                attrs, feats = _split_morph_attrs(attrs)
                if "MORPH" in attrs or feats:
                    attrs["MORPH"] = normalize_features(attrs.get("MORPH", feats),
                                                        f" in the morph rule {tag!r} / {word!r}")
                self.add([[{"ORTH": word, "TAG": tag}]], attrs)

    @property
    def patterns(self) -> List[Dict[str, Any]]:
        """Every rule as {"patterns": [...], "attrs": {...}, "index": int} (add_patterns' form)."""
        return [{"patterns": self.matcher.get(str(i))[1], "attrs": self._attrs_unnormed[i],
                 "index": self.indices[i]} for i in range(len(self.attrs))]

    @property
    def labels(self) -> Tuple[str, ...]:
        return ()

    # ---- annotation -----------------------------------------------------------------
    def match(self, doc: Any) -> List[Tuple[int, int, int, int]]:
        """(rule, match key, start, end) for every match, in rule order (later rules win)."""
        found = [(self._rule_of[key], key, start, end) for key, start, end in self.matcher(doc)]
        found.sort()
        return found

    def __call__(self, doc: Any) -> Any:
        self.set_annotations(doc, self.match(doc))
        return doc

    def set_annotations(self, doc: Any, matches: Iterable[Tuple[int, int, int, int]]) -> None:
        for rule, _, start, end in matches:
            index = self.indices[rule]
            if not -(end - start) <= index < end - start:
                raise HeronValueError(Errors.E904.format(
                    i=rule, index=index, span=[t.text for t in doc[start:end]],
                    patterns=self.patterns[rule]["patterns"]))
            token = doc[(start if index >= 0 else end) + index]
            for name, value in self.attrs[rule].items():
                if name == "_":
                    for ext, ext_value in value.items():
                        setattr(token._, ext, ext_value)
                else:
                    SETTERS[name](token, value)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """tag_acc, pos_acc, morph_acc, morph_micro_p/r/f, morph_per_feat and lemma_acc."""
        if self.scorer is not None:
            return self.scorer(list(examples), **kwargs)
        from ..scorer import score_attribute_ruler

        return score_attribute_ruler(list(examples), **kwargs)

    # ---- serialisation: rules as JSON -------------------------------------------------
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({"cfg": self._state(), "patterns": self.patterns}, ensure_ascii=False).encode("utf8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "AttributeRuler":
        msg = json.loads(data.decode("utf8"))
        self._load_rules(msg.get("patterns", []), "bytes")
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """A folder with cfg.json + patterns.json."""
        path = ensure_path(path)
        super().to_disk(path, exclude=exclude)
        atomic_write_text(path / PATTERNS_FILE, json.dumps(self.patterns, ensure_ascii=False, indent=1))

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "AttributeRuler":
        path = ensure_path(path)
        super().from_disk(path, exclude=exclude)
        self.validate = bool(self.cfg.get("validate", self.validate))
        if (path / PATTERNS_FILE).exists():
            self._load_rules(read_json(path / PATTERNS_FILE), str(path / PATTERNS_FILE))
        return self

    def _load_rules(self, patterns: Any, source: Union[str, Path]) -> None:
        if not isinstance(patterns, list):
            raise HeronValueError(Errors.E902.format(i=0, detail=f"{source} must hold a JSON list of rules"))
        check_loaded_regexes(patterns, str(source))
        self.clear()
        self.add_patterns(patterns)


def _attr_name(key: Any) -> str:
    try:
        return NAMES[intify_attr(key)]
    except HeronError:
        return str(key)


def _check_value(name: str, value: Any, rule: int) -> Any:
    """The value as the Token setter takes it; a coded error naming the rule otherwise."""
    try:
        if name == "MORPH":
            return normalize_features(value)
        if name in _STRING_ATTRS and isinstance(value, int) and not isinstance(value, bool):
            return value  # a StringStore hash, as spaCy accepts
        if name in _STRING_ATTRS and not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        if name == "POS" and value:
            from ..tokens._annotate import check_pos

            check_pos(value)
        if name == "ENT_IOB" and value not in ("B", "I", "O", "", 0, 1, 2, 3):
            raise ValueError('expected "B", "I", "O" or spaCy\'s codes 0-3')
        if name == "SENT_START" and value not in (True, False, None, 1, -1, 0):
            raise ValueError("expected true/false/null or 1/-1/0")
    except (HeronError, TypeError, ValueError) as e:
        raise HeronValueError(Errors.E903.format(i=rule, attr=name, value=value, detail=str(e))) from None
    return value


def _split_morph_attrs(attrs: Mapping[Any, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(token attributes such as POS/LEMMA, remaining entries = FEATS fields), as spaCy."""
    token_attrs: Dict[str, Any] = {}
    feats: Dict[str, Any] = {}
    for key, value in attrs.items():
        # exact names only, like spaCy: a FEATS field ("Person") is never taken for an attribute
        if key == "_" or (isinstance(key, int) and key in NAMES) or (isinstance(key, str) and key in IDS):
            token_attrs[key if key == "_" else _attr_name(key)] = value
        else:
            feats[key] = value
    return token_attrs, feats


@registry.factory(
    "attribute_ruler",
    default_config={"validate": False, "scorer": {"@scorers": "heron.attribute_ruler_scorer.v1"}},
    assigns=[],
)
def make_attribute_ruler(nlp: Nlp, name: str, validate: bool = False,
                         scorer: Optional[Callable] = None) -> AttributeRuler:
    """Set token attributes (TAG, POS, MORPH, LEMMA, ...) where token patterns match.

    validate (bool): check the value types in patterns (slower to add, clearer errors).
    scorer (callable | null): default heron.attribute_ruler_scorer.v1.
    """
    return AttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


__all__ = ["AttributeRuler", "make_attribute_ruler", "PATTERNS_FILE", "SETTERS"]
