"""trainable_lemmatizer: edit-tree lemmatization (Chrupała 2008; spaCy's `trainable_lemmatizer`).

    nlp.add_pipe("trainable_lemmatizer")     # inline tok2vec, like spaCy
    # or listen to a shared trunk:
    [components.trainable_lemmatizer.model.tok2vec]
    @architectures = "heron.Tok2VecListener.v1"

Each (form, lemma) pair of the training data is turned into an edit tree
(`_edit_trees.py`: "walked" -> "walk" is "keep the start, replace the suffix 'ed' by ''",
the same tree as for "jumped"). `initialize` keeps the trees seen at least `min_tree_freq`
times; they are the labels of a tagger (`heron.Tagger.v1`: one softmax layer over token
vectors), so a tree never seen in training is never produced. At inference the best tree
that fits the token's text is applied (trying the `top_k` most probable, in order); when
none fits, the lemma backs off to `backoff` ("orth": the text itself, "lower", "norm") or
stays unset (null).

With `case_script = true` (heron's default) the trees rewrite lowercased forms and each
label also picks the lemma's casing (`_lemma_case.py`, UDPipe 2's casing scripts):
"Books" and "books" share a tree, and "GISB" keeps its capitals. `case_script = false`
is spaCy's case-sensitive behaviour. Measured on UD English-EWT dev (tok2vec, tagger,
morphologizer, trainable_lemmatizer; bench/lemma_ewt.py): half of the case-sensitive
lemmatizer's errors were casing errors.

Labels are ints: tree ids (spaCy's) or, with case_script, tree_id * 4 + casing. The
trees are saved as JSON in cfg.json next to them (`label_data` is spaCy's {"trees",
"labels"} format, plus "case_script": true when set, and can be passed back as
[initialize.components.NAME] labels). Gold lemmas whose label is not kept are ignored by
the loss (spaCy trains them towards label 0, an arbitrary tree).
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry
from ..tokens.attrs import LEMMA
from ._edit_trees import EditTrees
from ._lemma_case import CASINGS, N_CASINGS, apply_casing, casing_of, lower
from .component import Nlp
from .tagger import DEFAULT_TAGGER_MODEL, IGNORE, Tagger, write_column
from .trainable import TrainablePipe

BACKOFFS = ("orth", "lower", "norm")
NO_TREE = -1  # prediction for a token that no tree of the top_k fits
_LEMMA_MEMO_MAX = 500_000  # (label, form) -> lemma entries kept; cleared when full


class EditTreeLemmatizer(Tagger):
    """Token classifier over edit trees writing LEMMA; see the module docstring."""

    attr = "LEMMA"
    _sort_labels = False  # labels are tree ids in the order the trees were first seen

    def __init__(self, vocab: Any, model: nn.Module, name: str = "trainable_lemmatizer", *,
                 backoff: Optional[str] = "orth", min_tree_freq: int = 3, overwrite: bool = False,
                 top_k: int = 1, case_script: bool = True, scorer: Optional[Callable] = None):
        _check_settings(name, backoff, min_tree_freq, top_k)
        TrainablePipe.__init__(self, vocab, model, name, overwrite=bool(overwrite), backoff=backoff,
                               min_tree_freq=int(min_tree_freq), top_k=int(top_k),
                               case_script=bool(case_script))
        self.scorer = scorer
        self.trees = EditTrees()
        self._label_of: Dict[int, int] = {}  # label -> output row
        self._gold_labels: Dict[Tuple[str, str], int] = {}  # (form, lemma) -> row or IGNORE
        self._lemma_memo: Dict[Tuple[int, str], Optional[str]] = {}  # (label, form) -> lemma

    @property
    def labels(self) -> Tuple[int, ...]:  # type: ignore[override]
        """One int per output row: a tree id, or tree_id * 4 + casing with case_script."""
        return tuple(self.cfg.get("labels", ()))

    @property
    def hide_labels(self) -> bool:
        """Tree ids mean nothing to a reader: `heron train` doesn't list them (spaCy's)."""
        return True

    @property
    def label_data(self) -> Dict[str, Any]:
        """{"trees": [...], "labels": [...]}: pass as [initialize.components.NAME] labels to
        start another pipeline with the same trees."""
        data: Dict[str, Any] = {"trees": self.trees.to_json(), "labels": list(self.labels)}
        if self._cased:
            data["case_script"] = True
        return data

    @property
    def _cased(self) -> bool:
        return bool(self.cfg.get("case_script", False))

    def _label(self, form: str, lemma: str, trees: EditTrees, intern: bool) -> Optional[int]:
        """The label rewriting `form` into `lemma` (None: no casing fits, or with
        intern=False a tree not in `trees`)."""
        if not self._cased:
            return trees.add(form, lemma) if intern else trees.find(form, lemma)
        casing = casing_of(form, lemma)
        if casing is None:
            return None
        pair = (lower(form), lower(lemma))
        tree_id = trees.add(*pair) if intern else trees.find(*pair)
        return None if tree_id is None else tree_id * N_CASINGS + casing

    def label_to_str(self, label: int) -> str:
        """A label readably: its tree's S-expression (EditTrees.tree_to_str), and with
        case_script its casing, e.g. "(m 0 1 () (s 's' '')) lower"."""
        if not self._cased:
            return self.trees.tree_to_str(label)
        tree_id, casing = divmod(label, N_CASINGS)
        return f"{self.trees.tree_to_str(tree_id)} {CASINGS[casing]}"

    def _lemma(self, label: int, form: str) -> Optional[str]:
        """The lemma `label` makes of `form`, None if its tree doesn't fit. Memoised per
        (label, form): words repeat, so at inference almost every token is one lookup."""
        key = (label, form)
        memo = self._lemma_memo
        if key in memo:
            return memo[key]
        if not self._cased:
            lemma = self.trees.apply(label, form)
        else:
            tree_id, casing = divmod(label, N_CASINGS)
            lemma = self.trees.apply(tree_id, lower(form))
            lemma = None if lemma is None else apply_casing(casing, lemma, form)
        if len(memo) >= _LEMMA_MEMO_MAX:
            memo.clear()
        memo[key] = lemma
        return lemma

    def add_label(self, label: Any) -> int:
        raise HeronValueError(Errors.E932.format(name=self.name))

    # ---- labels -----------------------------------------------------------------------
    def initialize(self, get_examples: Any = None, *, nlp: Any = None,
                   labels: Any = None, **settings: Any) -> None:
        """Learn the trees from get_examples()'s reference lemmas (or take `labels`, a
        label_data dict) and size the output layer."""
        if labels is not None:
            self._set_trees(labels, "[initialize.components.{}] labels".format(self.name))
        else:
            self._learn_trees(self._examples(get_examples))
        self._resize_output(len(self.labels))

    def _learn_trees(self, examples: List[Any]) -> None:
        pairs: Counter = Counter()
        for eg in examples:
            ref = eg.reference
            for form, lemma in zip(ref._words, _column_strings(ref, LEMMA)):
                if lemma:
                    pairs[form, lemma] += 1
        # Count per tree in a scratch store, so the kept store holds only frequent trees
        # (and their subtrees); Counter keeps first-seen order, as spaCy's labels do.
        scratch = EditTrees()
        tree_freq: Counter = Counter()
        example_pair: Dict[int, Tuple[str, str]] = {}
        for pair, n in pairs.items():
            label = self._label(pair[0], pair[1], scratch, intern=True)
            if label is None:
                continue
            tree_freq[label] += n
            example_pair.setdefault(label, pair)
        min_freq = int(self.cfg["min_tree_freq"])
        self.trees = EditTrees()
        kept = [self._label(example_pair[t][0], example_pair[t][1], self.trees, intern=True)
                for t, n in tree_freq.items() if n >= min_freq]
        if not kept:
            detail = ("no lemmas in the reference docs" if not pairs else
                      f"{len(tree_freq)} edit tree(s), none seen {min_freq} or more times")
            raise HeronValueError(Errors.E933.format(name=self.name, detail=detail, min_tree_freq=min_freq))
        self._set_labels(kept)

    def _set_trees(self, data: Any, where: str) -> None:
        if not isinstance(data, dict) or not {"trees", "labels"} <= set(data) <= {"trees", "labels", "case_script"}:
            raise HeronValueError(Errors.E934.format(name=self.name, where=where, detail=(
                f"must be a dict with the keys 'trees' and 'labels' (and 'case_script'), got {type(data).__name__}"
                + (f" with keys {sorted(data)}" if isinstance(data, dict) else ""))))
        if bool(data.get("case_script", False)) != self._cased:
            raise HeronValueError(Errors.E934.format(name=self.name, where=where, detail=(
                f"has labels made with case_script = {str(bool(data.get('case_script'))).lower()} but the "
                f"component has case_script = {str(self._cased).lower()} (set it to match; spaCy's "
                "label_data is case_script = false)")))
        self.trees = EditTrees.from_json(data["trees"], where)
        self._set_labels(data["labels"], where)

    def _set_labels(self, labels: Any, where: str = "initialize()") -> None:
        per_tree = N_CASINGS if self._cased else 1
        bad = [t for t in labels if not isinstance(t, int) or isinstance(t, bool)
               or not 0 <= t < len(self.trees) * per_tree]
        if bad or len(set(labels)) != len(labels):
            kind = "ids" if per_tree == 1 else "tree_id * 4 + casing values"
            detail = (f"has labels {bad[:5]} that are not {kind} of its {len(self.trees)} trees" if bad
                      else "repeats a tree id in labels")
            raise HeronValueError(Errors.E934.format(name=self.name, where=where, detail=detail))
        self.cfg["labels"] = list(labels)
        self._label_of = {tree_id: row for row, tree_id in enumerate(labels)}
        self._gold_labels, self._lemma_memo = {}, {}

    # ---- serialisation: the trees travel in cfg.json ------------------------------------
    def _state(self) -> Dict[str, Any]:
        return {**self.cfg, "trees": self.trees.to_json()}

    def _load_state(self, state: Dict[str, Any]) -> None:
        state = dict(state)
        trees, labels = state.pop("trees", []), state.pop("labels", [])
        # Saved before case scripts existed: case-sensitive trees, whatever the config says.
        state.setdefault("case_script", False)
        self.cfg.update(state)
        _check_settings(self.name, self.cfg.get("backoff"), self.cfg["min_tree_freq"], self.cfg["top_k"])
        self._set_trees({"trees": trees, "labels": labels, "case_script": self._cased},
                        f"the saved state of {self.name!r} (cfg.json)")
        self._resize_output(len(self.labels))

    # ---- inference --------------------------------------------------------------------
    def _predictions(self, docs: Sequence[Any], scores: Tuple[torch.Tensor, torch.Tensor]) -> List[np.ndarray]:
        """Per doc, the most probable label (of the top_k) whose tree fits each token's
        text; NO_TREE (-1) where none does."""
        logits, mask = scores
        k = min(int(self.cfg["top_k"]), logits.shape[-1])
        if k == 1:
            ranked = logits.argmax(dim=-1, keepdim=True)  # (N, 1)
        else:
            ranked = logits.topk(k, dim=-1).indices  # (N, k), most probable first
        label_of_row = np.asarray(self.labels, dtype=np.int64)
        flat = label_of_row[ranked.to("cpu").numpy()]  # (N, k) labels
        ends = np.cumsum(mask.sum(dim=1).to("cpu").numpy())
        candidates = np.split(flat, ends[:-1])  # per doc (n_tokens, k)
        apply = self._lemma
        out = []
        for doc, doc_candidates in zip(docs, candidates):
            chosen = np.full(len(doc), NO_TREE, dtype=np.int64)
            for i, (form, row) in enumerate(zip(doc._words, doc_candidates.tolist())):
                for tree_id in row:
                    if apply(tree_id, form) is not None:
                        chosen[i] = tree_id
                        break
            out.append(chosen)
        return out

    def set_annotations(self, docs: Sequence[Any], predictions: Sequence[np.ndarray]) -> None:
        """token.lemma_ = the chosen tree applied to the text, else the backoff (or unset);
        tokens with a lemma keep it unless `overwrite`."""
        add = self.vocab.strings.add
        apply = self._lemma
        backoff = self.cfg.get("backoff")
        overwrite = bool(self.cfg.get("overwrite", False))
        for doc, tree_ids in zip(docs, predictions):
            if not len(doc):
                continue
            keys = np.zeros(len(doc), dtype=np.uint64)
            for i, (form, tree_id) in enumerate(zip(doc._words, tree_ids.tolist())):
                lemma = apply(tree_id, form) if tree_id != NO_TREE else _backoff(doc, i, form, backoff)
                if lemma is not None:
                    keys[i] = add(lemma)
            current = doc._cols.get(LEMMA)
            if overwrite and current is not None:  # no lemma to give: keep the one it has
                keys = np.where(keys == 0, current, keys)
            write_column(doc, LEMMA, keys, overwrite)

    # ---- training ---------------------------------------------------------------------
    def _targets(self, examples: Sequence[Any], shape: Sequence[int], device: Any) -> torch.Tensor:
        """Output row of each predicted token's gold tree; IGNORE without a gold lemma or
        when the tree is not a label. Memoised per (form, lemma): building a tree costs
        an O(len(form) * len(lemma)) string alignment."""
        targets = np.full(tuple(shape), IGNORE, dtype=np.int64)
        memo = self._gold_labels
        for row, eg in enumerate(examples):
            gold = eg.get_aligned(self.attr, as_string=True)
            for i, (form, lemma) in enumerate(zip(eg.predicted._words, gold)):
                if lemma is None:
                    continue
                label = memo.get((form, lemma))
                if label is None:
                    found = self._label(form, lemma, self.trees, intern=False)
                    label = memo[form, lemma] = self._label_of.get(found, IGNORE) if found is not None else IGNORE
                targets[row, i] = label
        return torch.from_numpy(targets).to(device)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """{"lemma_acc": fraction of aligned gold-lemmatized tokens given the gold lemma}."""
        if self.scorer is not None:
            return self.scorer(list(examples), **kwargs)
        from ..scorer import score_token_attr

        return score_token_attr(list(examples), "lemma", **kwargs)


def _column_strings(doc: Any, attr: int) -> List[str]:
    """The strings of annotation column `attr` ("" where unset)."""
    col = doc._cols.get(attr)
    if col is None:
        return [""] * len(doc)
    strings = doc.vocab.strings
    return [strings[key] if key else "" for key in col.tolist()]


def _backoff(doc: Any, i: int, form: str, backoff: Optional[str]) -> Optional[str]:
    if backoff == "orth":
        return form
    if backoff == "lower":
        return form.lower()
    if backoff == "norm":
        return doc[i].norm_
    return None


def _check_settings(name: str, backoff: Any, min_tree_freq: Any, top_k: Any) -> None:
    def bad(key: str, value: Any, detail: str, fix: str) -> HeronValueError:
        return HeronValueError(Errors.E931.format(name=name, key=key, value=value, detail=detail, fix=fix))

    if backoff is not None and backoff not in BACKOFFS:
        raise bad("backoff", backoff, "not a token attribute the lemma can back off to",
                  'use "orth" (the text, the default), "lower", "norm" or null (leave the lemma unset)')
    for key, value in (("min_tree_freq", min_tree_freq), ("top_k", top_k)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad(key, value, "expected an int >= 1",
                      f"set {key} = 1 or more ({'3' if key == 'min_tree_freq' else '1'} is the default)")


@registry.factory(
    "trainable_lemmatizer",
    default_config={"model": DEFAULT_TAGGER_MODEL, "backoff": "orth", "min_tree_freq": 3,
                    "overwrite": False, "top_k": 1, "case_script": True,
                    "scorer": {"@scorers": "heron.lemmatizer_scorer.v1"}},
    assigns=["token.lemma"],
    default_score_weights={"lemma_acc": 1.0},
)
def make_edit_tree_lemmatizer(nlp: Nlp, name: str, model: nn.Module, backoff: Optional[str] = "orth",
                              min_tree_freq: int = 3, overwrite: bool = False, top_k: int = 1,
                              case_script: bool = True, scorer: Optional[Callable] = None) -> EditTreeLemmatizer:
    """Predict token.lemma_ with edit trees learnt from training lemmas (spaCy's trainable_lemmatizer).

    model (nn.Module): heron.Tagger.v1 over a tok2vec (inline or a listener); its labels
        are the edit trees.
    backoff (str | null): the lemma when no predicted tree fits the token: "orth" (its
        text), "lower", "norm", or null (leave it unset).
    min_tree_freq (int): keep trees seen at least this often in training; 1-5 typical.
        Rarer trees are never predicted (fewer labels, faster, less overfitting).
    overwrite (bool): replace lemmas already set; false fills only tokens without one.
    top_k (int): try the k most probable trees until one fits the token; 1 (spaCy's
        default) backs off at once. 2-5 recovers a little accuracy at little cost.
    case_script (bool): trees on lowercased forms plus a predicted casing of the lemma
        (lower / as the form / title / upper; UDPipe 2's casing scripts), so "Books" and
        "books" share a tree; false: spaCy's case-sensitive trees (its label_data).
    scorer (callable | null): `scorer(examples) -> {"lemma_acc": ...}`; default
        heron.lemmatizer_scorer.v1.
    """
    return EditTreeLemmatizer(nlp.vocab, model, name, backoff=backoff, min_tree_freq=min_tree_freq,
                              overwrite=overwrite, top_k=top_k, case_script=case_script, scorer=scorer)


__all__ = ["EditTreeLemmatizer", "make_edit_tree_lemmatizer", "NO_TREE"]
