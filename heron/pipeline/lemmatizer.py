"""lemmatizer: rule- and lookup-based lemmas from spaCy's tables (spacy-lookups-data).

    nlp.add_pipe("lemmatizer", config={"mode": "rule"})   # after a component setting pos_
    nlp.initialize()                                       # reads the tables once

Modes (spaCy's `Lemmatizer` / `EnglishLemmatizer`):

- "lookup": table `lemma_lookup` {form: lemma}; forms not in it keep their text. No POS needed.
- "rule": driven by `token.pos_`. Tables `lemma_rules` {pos: [[old_suffix, new_suffix], ...]},
  `lemma_index` {pos: [known lemmas]} and `lemma_exc` {pos: {form: [lemmas]}}. Every
  suffix rule whose result is a known lemma (or not alphabetic) is a candidate; the known
  ones come first, exceptions before them; an unknown-but-alphabetic result is used only
  when nothing else is found; else the text. Tokens without POS get their lower-cased text
  (W905); PROPN without tables keeps its case. For English, `is_base_form` skips tokens
  whose morphology says they are already base forms (singular nouns, infinitives, ...).

The tables are read at `initialize` (from the `spacy_lookups` entry points that
spacy-lookups-data installs, or passed as `lookups`) and saved inside the pipeline as
gzipped JSON, so loading never needs the package. Results are cached per (text, POS, morph).
"""
from __future__ import annotations

import gzip
import json
import warnings
import zlib
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import msgpack
import numpy as np

from ..errors import Errors, HeronValueError, Warnings
from ..registry import registry
from ..tokens.attrs import LEMMA, MORPH, POS
from ..tokens.morphology import MorphAnalysis
from ..util import PathLike, atomic_write_bytes, atomic_write_text, ensure_path
from .component import Nlp, Pipe, read_json
from .tagger import write_column

MODES = {"lookup": (["lemma_lookup"], []), "rule": (["lemma_rules"], ["lemma_exc", "lemma_index"])}
TABLES_FILE = "lookups.json.gz"
# The English tables inflate to ~5 MB; refuse more than this when reading saved tables, so
# a crafted file can't exhaust memory (a zip bomb).
MAX_TABLES_BYTES = 512 * 1024 * 1024
_CACHE_MAX = 200_000


def get_lookups_config(mode: str) -> Tuple[List[str], List[str]]:
    """(required tables, optional tables) of `mode` (spaCy's Lemmatizer.get_lookups_config)."""
    required, optional = MODES.get(mode, ([], []))
    return list(required), list(optional)


def load_lookups(lang: str, tables: Sequence[str], *, name: str = "lemmatizer", mode: str = "",
                 strict: bool = True) -> Dict[str, Any]:
    """Tables `tables` of language `lang` from the installed spacy-lookups-data package
    ({table: data}); a table it lacks is E940 when `strict`, else left out."""
    from importlib.metadata import entry_points

    def missing(detail: str) -> HeronValueError:
        return HeronValueError(Errors.E940.format(name=name, mode=mode, tables=list(tables), lang=lang,
                                                  detail=detail))

    found = [ep for ep in entry_points(group="spacy_lookups") if ep.name == lang]
    if not found:
        if not strict or not tables:
            return {}
        try:
            import spacy_lookups_data  # noqa: F401
        except ImportError:
            raise missing("the package spacy-lookups-data is not installed") from None
        raise missing(f"spacy-lookups-data has no tables for language {lang!r}")
    files = found[0].load()
    out = {}
    for table in tables:
        if table not in files:
            if strict:
                raise missing(f"spacy-lookups-data has no table {table!r} for {lang!r} (it has: "
                              f"{', '.join(sorted(files))}); mode = \"lookup\" needs only lemma_lookup")
            continue
        out[table] = _read_table_file(str(files[table]))
    return out


def _read_table_file(path: str) -> Any:
    """spacy-lookups-data lists `x.json` but ships `x.json.gz` (spaCy's load_language_data
    reads either)."""
    try:
        with open(path, "rb") as f:
            return json.load(f)
    except FileNotFoundError:
        with gzip.open(path + ".gz", "rb") as f:
            return json.load(f)


@registry.misc("heron.LookupsDataLoader.v1")
def make_lookups_loader(*, lang: str, tables: List[str]) -> Dict[str, Any]:
    """[initialize.components.lemmatizer.lookups]: tables from spacy-lookups-data
    (spaCy's spacy.LookupsDataLoader.v1)."""
    return load_lookups(lang, tables)


class Lemmatizer(Pipe):
    """Rule/lookup lemmatizer; see the module docstring."""

    def __init__(self, vocab: Any, name: str = "lemmatizer", *, mode: str = "rule", overwrite: bool = False,
                 lang: str = "", scorer: Optional[Callable] = None):
        if mode not in MODES:
            fix = 'use "rule" (POS-driven suffix rules) or "lookup" (a form -> lemma table)'
            raise HeronValueError(Errors.E931.format(name=name, key="mode", value=mode,
                                                     detail="not a lemmatizer mode", fix=fix))
        super().__init__(name, mode=mode, overwrite=bool(overwrite))
        self.vocab = vocab
        self.lang = lang or getattr(vocab, "lang", "") or ""
        self.scorer = scorer
        self.tables: Dict[str, Any] = {}
        self._index: Dict[str, frozenset] = {}
        self._cache: Dict[Tuple[str, int, int], str] = {}

    @property
    def mode(self) -> str:
        return str(self.cfg["mode"])

    # ---- tables -----------------------------------------------------------------------
    def initialize(self, get_examples: Any = None, *, nlp: Any = None,
                   lookups: Optional[Dict[str, Any]] = None, **settings: Any) -> None:
        """Read the mode's tables: `lookups` ({table: data}) or spacy-lookups-data's."""
        required, optional = get_lookups_config(self.mode)
        if lookups is None:
            lookups = load_lookups(self.lang, required, name=self.name, mode=self.mode)
            lookups.update(load_lookups(self.lang, optional, name=self.name, mode=self.mode, strict=False))
        absent = [t for t in required if t not in lookups]
        if absent:
            raise HeronValueError(Errors.E940.format(name=self.name, mode=self.mode, tables=required, lang=self.lang,
                                                     detail=f"lookups lacks {absent} (it has: {sorted(lookups)})"))
        self._set_tables({t: lookups[t] for t in required + optional if t in lookups})

    def _set_tables(self, tables: Dict[str, Any]) -> None:
        self.tables = tables
        # lemma_index holds lists; membership is tested for every rule that fires.
        self._index = {pos: frozenset(words) for pos, words in tables.get("lemma_index", {}).items()}
        self._cache = {}

    # ---- lemmatizing ------------------------------------------------------------------
    def predict(self, docs: Sequence[Any]) -> List[List[str]]:
        """The lemma of every token, one list per doc (the Docs are not changed)."""
        if not self.tables:
            raise HeronValueError(Errors.E941.format(name=self.name))
        out, no_pos = [], []
        for doc in docs:
            if self.mode == "lookup":
                table = self.tables["lemma_lookup"]
                out.append([table.get(w, w) for w in doc._words])
                continue
            pos = _column(doc, POS)
            morph = _column(doc, MORPH)
            lemmas = []
            for i, (word, p, m) in enumerate(zip(doc._words, pos, morph)):
                lemma = self._cache.get((word, p, m))
                if lemma is None:
                    if not p:
                        no_pos.append(word)
                    lemma = self._rule_lemma(word, self.vocab.strings[p].lower() if p else "", m)
                    if len(self._cache) >= _CACHE_MAX:
                        self._cache.clear()
                    self._cache[word, p, m] = lemma
                lemmas.append(lemma)
            out.append(lemmas)
        if no_pos:
            warnings.warn(Warnings.W905.format(name=self.name, n=len(no_pos), example=no_pos[0]))
        return out

    def set_annotations(self, docs: Sequence[Any], lemmas: Sequence[List[str]]) -> None:
        add = self.vocab.strings.add
        overwrite = bool(self.cfg.get("overwrite", False))
        for doc, doc_lemmas in zip(docs, lemmas):
            if len(doc):
                write_column(doc, LEMMA, np.fromiter((add(x) for x in doc_lemmas), dtype=np.uint64,
                                                     count=len(doc_lemmas)), overwrite)

    def lemmatize(self, token: Any) -> List[str]:
        """The candidate lemmas of one token, best first (spaCy's API)."""
        return self.lookup_lemmatize(token) if self.mode == "lookup" else self.rule_lemmatize(token)

    def lookup_lemmatize(self, token: Any) -> List[str]:
        result = self.tables.get("lemma_lookup", {}).get(token.text, token.text)
        return [result] if isinstance(result, str) else list(result)

    def rule_lemmatize(self, token: Any) -> List[str]:
        return self._rule_forms(token.text, token.pos_.lower(), token.morph.key)

    def _rule_lemma(self, word: str, univ_pos: str, morph_key: int) -> str:
        return self._rule_forms(word, univ_pos, morph_key)[0]

    def _rule_forms(self, string: str, univ_pos: str, morph_key: int) -> List[str]:
        """spaCy's Lemmatizer.rule_lemmatize, step for step."""
        if univ_pos in ("", "eol", "space") or self.is_base_form(univ_pos, morph_key):
            return [string.lower()]
        exc_table = self.tables.get("lemma_exc", {})
        rules_table = self.tables.get("lemma_rules", {})
        index = self._index.get(univ_pos, frozenset())
        exceptions = exc_table.get(univ_pos, {})
        rules = rules_table.get(univ_pos, [])
        if not (index or exceptions or rules):
            return [string] if univ_pos == "propn" else [string.lower()]
        orig, string = string, string.lower()
        forms: List[str] = []
        oov_forms = []
        for old, new in rules:
            if string.endswith(old):
                form = string[: len(string) - len(old)] + new
                if not form:
                    continue
                if form in index:
                    forms.insert(0, form)
                elif not form.isalpha():
                    forms.append(form)
                else:
                    oov_forms.append(form)
        forms = list(dict.fromkeys(forms))  # unique, in the order the rules gave them
        for form in exceptions.get(string, []):  # exceptions first (spaCy's heuristic)
            if form not in forms:
                forms.insert(0, form)
        return forms or oov_forms or [orig]

    def is_base_form(self, univ_pos: str, morph_key: int) -> bool:
        """English only (spaCy's EnglishLemmatizer.is_base_form): whether the morphology
        says the token is uninflected, so no rule should touch it."""
        if self.lang != "en" or not morph_key:
            return False
        feats = MorphAnalysis(self.vocab, morph_key).to_dict()
        verb_form, degree = feats.get("VerbForm"), feats.get("Degree")
        return bool(
            (univ_pos == "noun" and feats.get("Number") == "Sing")
            or verb_form in ("Inf", "None")
            # VBP (present, not 3rd person singular) is a base form
            or (univ_pos == "verb" and verb_form == "Fin" and feats.get("Tense") == "Pres"
                and feats.get("Number") is None)
            or degree == "Pos"
        )

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """{"lemma_acc": ...} (heron.lemmatizer_scorer.v1 unless `scorer` is set)."""
        if self.scorer is not None:
            return self.scorer(list(examples), **kwargs)
        from ..scorer import score_token_attr

        return score_token_attr(list(examples), "lemma", **kwargs)

    # ---- serialisation: cfg.json + the tables as gzipped JSON ---------------------------
    def _tables_bytes(self) -> bytes:
        return gzip.compress(json.dumps(self.tables, ensure_ascii=False).encode("utf8"), mtime=0)

    def _load_tables(self, data: bytes, where: Any) -> None:
        try:
            tables = json.loads(_inflate(data, MAX_TABLES_BYTES).decode("utf8"))
            if not isinstance(tables, dict):
                raise ValueError(f"expected a JSON object of tables, got {type(tables).__name__}")
        except (ValueError, zlib.error, EOFError) as e:
            raise HeronValueError(Errors.E942.format(name=self.name, path=where,
                                                     detail=f"{type(e).__name__}: {e}")) from None
        self._set_tables(tables)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return msgpack.packb({"cfg": json.dumps(self._state()), "tables": self._tables_bytes()},
                             use_bin_type=True)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Lemmatizer":
        try:
            msg = msgpack.unpackb(data, raw=False)
            self._load_state(json.loads(msg["cfg"]))
        except Exception as e:  # any decoding problem: not our bytes
            raise HeronValueError(Errors.E942.format(name=self.name, path="bytes",
                                                     detail=f"{type(e).__name__}: {e}")) from None
        self._load_tables(msg["tables"], "bytes")
        return self

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path / TABLES_FILE, self._tables_bytes())
        atomic_write_text(path / "cfg.json", json.dumps(self._state(), indent=2, sort_keys=True))

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "Lemmatizer":
        path = ensure_path(path)
        missing = [p for p in (path / "cfg.json", path / TABLES_FILE) if not p.is_file()]
        if missing:
            from ._integrity import missing_state_error

            raise missing_state_error(f"component {self.name!r}", self.name, path.parent, missing,
                                      "an initialized lemmatizer always saves cfg.json and its tables")
        self._load_state(read_json(path / "cfg.json"))
        self._load_tables((path / TABLES_FILE).read_bytes(), path / TABLES_FILE)
        return self


def _inflate(data: bytes, limit: int) -> bytes:
    """gunzip `data`, refusing more than `limit` bytes of output."""
    inflater = zlib.decompressobj(wbits=31)  # 31: gzip header
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise ValueError(f"the tables inflate to more than {limit:,} bytes")
    if not inflater.eof:
        raise EOFError("the gzip stream is truncated")
    return out


def _column(doc: Any, attr: int) -> List[int]:
    col = doc._cols.get(attr)
    return [0] * len(doc) if col is None else col.tolist()


@registry.factory(
    "lemmatizer",
    default_config={"mode": "rule", "overwrite": False, "scorer": {"@scorers": "heron.lemmatizer_scorer.v1"}},
    assigns=["token.lemma"],
    default_score_weights={"lemma_acc": 1.0},
)
def make_lemmatizer(nlp: Nlp, name: str, mode: str = "rule", overwrite: bool = False,
                    scorer: Optional[Callable] = None) -> Lemmatizer:
    """Set token.lemma_ from spaCy's lookup tables (spacy-lookups-data), by rule or lookup.

    mode (str): "rule" (suffix rules, exceptions and a lemma index by token.pos_: put it
        after a morphologizer or tagger + attribute_ruler) or "lookup" (form -> lemma, no POS).
    overwrite (bool): replace lemmas already set; false fills only tokens without one.
    scorer (callable | null): default heron.lemmatizer_scorer.v1 (lemma_acc).
    """
    return Lemmatizer(nlp.vocab, name, mode=mode, overwrite=overwrite, lang=nlp.lang, scorer=scorer)


__all__ = ["Lemmatizer", "make_lemmatizer", "load_lookups", "get_lookups_config", "make_lookups_loader"]
