"""parser: transition-based dependency parser (spaCy's `parser`, labelled arc-eager).

    parser = nlp.add_pipe("parser")     # inline tok2vec (independent), like spaCy
    # or listen to a shared trunk:
    [components.parser.model.tok2vec]
    @architectures = "heron.Tok2VecListener.v1"
    width = ${components.tok2vec.model.encode.width}

It sets `token.head`, `token.dep_` and the sentence boundaries (`doc.sents`), so a
sentencizer or senter is not needed after it. The model
(`heron.TransitionBasedParser.v1`, state_type "parser", heron/nn/parser_model.py)
scores the actions of `_arc_eager.py` from 8 (or 13) context tokens of each state.

- Decoding is greedy and batched: the states of all Docs of a chunk (Docs sorted by
  length, at most DECODE_CHUNK_ITEMS padded tokens) advance together, one tensor step
  for all; long Docs are parsed as synchronised segments (`_parser_steps.py`), so a
  10,000-token Doc runs about as fast per word as short ones.
- Non-projective trees: training trees are projectivized with decorated labels
  ("nsubj||ccomp", `_nonproj.py`) and the output is deprojectivized.
- Training uses the dynamic oracle (`_arc_eager_oracle.py`): the model parses, and in
  every state it reaches each action that loses no more gold arcs than the best one is
  correct; the loss is the softmax cross entropy against that set (spaCy's), averaged
  over states. With update_with_oracle_cut_size = N (spaCy's default 100), each Doc's
  oracle path is cut every ~N moves (N/2..2N, drawn per batch) and the model explores
  ~N moves from each cut, as spaCy does. Missing heads (unset DEP) are not wrong.
- Labels: a LEFT and a RIGHT action per dependency label seen at least
  min_action_freq times in that direction; rarer ones back off to "dep". Sentence roots
  are labelled "ROOT" (spaCy's), whatever the treebank calls them (the scorer compares
  labels case-insensitively, so UD's "root" matches).

Not supported yet (spaCy has them): beam search, learn_tokens (subtoken merging),
multitask objectives, incorrect_spans_key.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.parser_model import ParserModel
from ..nn.tok2vec import DEFAULT_HASH_EMBED_CNN
from ..registry import registry
from ..tokens.attrs import DEP, HEAD
from ..util import length_chunks
from ._arc_eager import BACKOFF, ROOT, ArcEagerMoves, ParseStates
from ._arc_eager_oracle import GoldBatch, gold_tree, reference_tree
from ._nonproj import DELIMITER, decompose, deprojectivize
from ._parser_steps import explore, oracle_starts, parse_chunk
from .component import Nlp
from .listener import embed_docs
from .trainable import TrainablePipe

DEFAULT_PARSER_MODEL: Dict[str, Any] = {
    "@architectures": "heron.TransitionBasedParser.v1",
    "state_type": "parser",
    "extra_state_tokens": False,
    # spaCy's factory default and en_core_web_sm's sizes. On EWT (bench/parser_ewt.py,
    # dev) 128 / 3 (spaCy's `init config` sizes, `heron init config -o accuracy`) parse
    # 0.85 LAS better and 30% slower.
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    # spaCy's default: an inline CNN, so the head works without a tok2vec component.
    "tok2vec": dict(DEFAULT_HASH_EMBED_CNN),
}
# Padded tokens per decoding chunk (see DependencyParser._forward). Large: a step's cost is
# mostly per-op overhead, finished states drop out of the scoring, so fewer, fuller chunks
# mean fewer steps (8192 -> 131072: parser 25% faster on EWT test); the chunk's state
# tensors are (rows, T), which this bounds.
DECODE_CHUNK_ITEMS = 131072
# Reference Docs whose projectivized trees are kept between epochs (per parser).
GOLD_CACHE_SIZE = 200_000


@registry.factory(
    "parser",
    default_config={"model": DEFAULT_PARSER_MODEL, "min_action_freq": 30,
                    "update_with_oracle_cut_size": 100,
                    "scorer": {"@scorers": "heron.parser_scorer.v1"}},
    assigns=["token.dep", "token.head", "token.is_sent_start", "doc.sents"],
    default_score_weights={"dep_uas": 0.5, "dep_las": 0.5, "dep_las_per_type": None,
                           "sents_p": None, "sents_r": None, "sents_f": 0.0},
)
def make_parser(nlp: Nlp, name: str, model: nn.Module, min_action_freq: int = 30,
                update_with_oracle_cut_size: int = 100, scorer: Optional[Callable] = None
                ) -> "DependencyParser":
    """Predict dependency trees and sentence boundaries (spaCy's parser).

    model (nn.Module): heron.TransitionBasedParser.v1 with state_type = "parser" over a
        tok2vec (inline, or heron.Tok2VecListener.v1 to share a trunk). hidden_width
        64-256 (128 default); extra_state_tokens = true reads 13 context tokens, not 8.
    min_action_freq (int): a label gets its LEFT / RIGHT action when it occurs at least
        this often in that direction in the training data; rarer ones are learned as
        "dep". spaCy's 30; use 1 to keep every label (tiny corpora).
    update_with_oracle_cut_size (int): explore about this many moves at a time from
        points along the oracle's path (spaCy's 100); 0 explores each Doc from its start
        to its end.
    scorer (callable | null): `scorer(examples) -> {"dep_uas": ..., "dep_las": ...,
        "sents_f": ...}`; default heron.parser_scorer.v1.
    """
    return DependencyParser(nlp.vocab, model, name, min_action_freq=min_action_freq,
                            update_with_oracle_cut_size=update_with_oracle_cut_size, scorer=scorer)


@dataclass
class ParserTrainScores:
    """What `forward_train` hands to `get_loss`: scores (N, nO) of the N states the model
    visited, valid (N, nO) and correct (N, nO) (zero-cost) actions; `zero` keeps the
    batch in the graph when no state had gold."""

    scores: torch.Tensor
    valid: torch.Tensor
    correct: torch.Tensor
    zero: torch.Tensor


class DependencyParser(TrainablePipe):
    """Transition-based dependency parser; see the module docstring."""

    model: ParserModel

    def __init__(self, vocab: Any, model: nn.Module, name: str = "parser", *, min_action_freq: int = 30,
                 update_with_oracle_cut_size: int = 100, scorer: Optional[Callable] = None):
        if not isinstance(model, ParserModel):
            raise HeronValueError(Errors.E395.format(name=name, obj=_describe(model)))
        for setting, value in (("min_action_freq", min_action_freq),
                               ("update_with_oracle_cut_size", update_with_oracle_cut_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise HeronValueError(Errors.E397.format(
                    name=name, setting=setting, value=value, detail="expected an integer >= 0",
                    fix=f"set {setting} to an integer, e.g. {30 if setting == 'min_action_freq' else 100}."))
        super().__init__(vocab, model, name, min_action_freq=min_action_freq,
                         update_with_oracle_cut_size=update_with_oracle_cut_size)
        self.cfg.setdefault("moves", [])
        self.scorer = scorer
        self.moves = ArcEagerMoves()
        self._nO_setting = model.nO
        self._gold_cache: Dict[bytes, Any] = {}
        # The oracle's action path per gold tree (action ids: cleared when they change).
        self._path_cache: Dict[bytes, np.ndarray] = {}

    @property
    def move_names(self) -> List[str]:
        """Action names by id: ["S", "D", "B", "L-dep", "R-dep", "L-amod", ...]."""
        return list(self.moves.names)

    # ---- inference --------------------------------------------------------------
    def _embed(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        if self.model.nO is None or not self.cfg["moves"]:
            raise HeronValueError(Errors.E391.format(name=self.name, action="predict or train"))
        X, mask = embed_docs(self.model.tok2vec, docs)
        return X, mask.sum(dim=1)

    def _forward(self, docs: Sequence[Any]) -> List[Tuple[np.ndarray, np.ndarray]]:
        """(heads, arc actions) per Doc. Docs are sorted by length and decoded in chunks
        of at most DECODE_CHUNK_ITEMS padded tokens; a Doc's parse doesn't depend on its
        chunk."""
        X, lengths = self._embed(docs)
        presets = _preset_starts(docs, X.shape[1], X.device)
        out: List[Tuple[np.ndarray, np.ndarray]] = [
            (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))] * len(docs)
        n_tokens = lengths.to("cpu").numpy()
        for chunk in length_chunks(n_tokens, DECODE_CHUNK_ITEMS):
            longest = int(n_tokens[chunk].max()) if len(chunk) else 0
            if not longest:
                continue
            idx = torch.as_tensor(chunk, device=X.device)
            parses = parse_chunk(self.model, self.moves, X.index_select(0, idx)[:, :longest],
                                 [int(n_tokens[i]) for i in chunk], presets.index_select(0, idx)[:, :longest])
            for i, parse in zip(chunk.tolist(), parses):
                out[i] = parse
        return out

    def _predictions(self, docs: Sequence[Any], parses: Sequence[Tuple[np.ndarray, np.ndarray]]
                     ) -> List[Tuple[np.ndarray, np.ndarray]]:
        """(heads, DEP hashes) per Doc, deprojectivized."""
        strings = self.vocab.strings
        names = [self.moves.label_of(a) for a in range(self.moves.n_moves)] + [ROOT]
        hashes = np.asarray([strings.add(name) for name in names], dtype=np.uint64)
        decorated = np.asarray([DELIMITER in name for name in names])
        out = []
        for doc, (heads, actions) in zip(docs, parses):
            index = np.where(actions >= 0, actions, len(names) - 1)
            if decorated[index].any():
                new_heads, labels = deprojectivize(heads.tolist(), [names[a] for a in index.tolist()],
                                                   [w.isspace() for w in doc.words])
                heads = np.asarray(new_heads, dtype=np.int64)
                out.append((heads, np.asarray([strings.add(label) for label in labels], dtype=np.uint64)))
            else:
                out.append((heads, hashes[index]))
        return out

    def set_annotations(self, docs: Sequence[Any], predictions: Sequence[Tuple[np.ndarray, np.ndarray]]) -> None:
        """Write heads and labels; sentence starts follow from the trees."""
        for doc, (heads, deps) in zip(docs, predictions):
            n = len(doc)
            if not n:
                continue
            cols = np.empty((n, 2), dtype=np.uint64)
            cols[:, 0] = (np.asarray(heads, dtype=np.int64) - np.arange(n)).view(np.uint64)
            cols[:, 1] = deps
            doc.from_array([HEAD, DEP], cols)

    # ---- training ---------------------------------------------------------------
    def forward_train(self, examples: Sequence[Any]) -> ParserTrainScores:
        """Scores of the states the model visits while parsing the predicted Docs, with
        the oracle's correct actions (see the module docstring)."""
        examples = list(examples)
        self.model.train()
        with torch.enable_grad():
            docs = [eg.predicted for eg in examples]
            X, lengths = self._embed(docs)
            zero = X.sum() * 0.0
            trees = [gold_tree(eg, self._bounded_gold_cache()) for eg in examples]
            keep = [i for i, tree in enumerate(trees) if tree.has_gold and len(tree.heads)]
            if not keep:
                return _no_states(self.moves.n_moves, zero)
            T = X.shape[1]
            table = self.model.precompute(X)
            rows = torch.tensor(keep, dtype=torch.long, device=X.device)
            gold = GoldBatch.build(trees, self.moves, T, X.device).take(rows)
            states = ParseStates(lengths.index_select(0, rows), T,
                                 starts=_preset_starts(docs, T, X.device).index_select(0, rows))
            cut = int(self.cfg.get("update_with_oracle_cut_size", 0))
            n_steps = None
            if cut:
                keys = [_path_key(trees[i], docs[i]) for i in keep]
                paths = self._bounded_path_cache()
                states, starts_of, n_steps, walked = oracle_starts(states, gold, self.moves, cut,
                                                                   [paths.get(k) for k in keys])
                paths.update(zip(keys, walked))
                rows, gold = rows.index_select(0, starts_of), gold.take(starts_of)
            tokens, valid, correct = explore(self.model, self.moves, table, states, gold, rows, T, n_steps)
            scores = self.model.state_scores(table, tokens)                       # (N, nO)
        return ParserTrainScores(scores, valid, correct, zero)

    def _bounded_gold_cache(self) -> Dict[bytes, Any]:
        if len(self._gold_cache) > GOLD_CACHE_SIZE:  # a corpus too big to keep: start over
            self._gold_cache.clear()
        return self._gold_cache

    def _bounded_path_cache(self) -> Dict[bytes, np.ndarray]:
        if len(self._path_cache) > GOLD_CACHE_SIZE:
            self._path_cache.clear()
        return self._path_cache

    def get_loss(self, examples: Sequence[Any], scores: ParserTrainScores) -> torch.Tensor:
        """-log P(correct actions) among the valid ones, averaged over visited states."""
        if not len(scores.scores):
            return scores.zero
        logits = scores.scores
        total = logits.masked_fill(~scores.valid, float("-inf")).logsumexp(-1)
        good = logits.masked_fill(~scores.correct, float("-inf")).logsumexp(-1)
        return (total - good).mean() + scores.zero

    # ---- labels -----------------------------------------------------------------
    def _check_label(self, label: Any) -> None:
        if not isinstance(label, str) or not label or any(c.isspace() for c in label):
            raise HeronValueError(Errors.E392.format(label=repr(label)))

    def add_label(self, label: str) -> int:
        """Add LEFT and RIGHT actions for `label` (1 if new); keeps trained rows."""
        self._check_label(label)
        names = [f"{move}-{label}" for move in ("L", "R") if f"{move}-{label}" not in self.cfg["moves"]]
        if not names:
            return 0
        self._set_moves(list(self.cfg["moves"] or self.moves.labelled) + names)
        return 1

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Any]]] = None, *, nlp: Any = None,
                   labels: Optional[Union[Iterable[str], Dict[str, Any]]] = None, **settings: Any) -> None:
        """Choose the actions: from `labels` (dependency labels, or spaCy's parser label
        dict {"2": {left labels}, "3": {right labels}}), else from the reference Docs
        (labels seen >= min_action_freq times per direction, after projectivizing)."""
        if labels is not None:
            names = _names_from_labels(labels, self._check_label)
        else:
            names = self._names_from_examples(self._examples(get_examples))
        self._set_moves(names)

    def _names_from_examples(self, examples: List[Any]) -> List[str]:
        counts: Counter = Counter()
        for eg in examples:
            heads, labels, _ = reference_tree(eg.reference, self._gold_cache)
            for child, (head, label) in enumerate(zip(heads, labels)):
                if head is not None and head != child and label is not None:
                    counts[("L" if head > child else "R", label)] += 1
        if not counts:
            raise HeronValueError(Errors.E396.format(
                name=self.name, detail="found no dependency arcs (heads with deps) in the reference Docs"))
        min_freq = int(self.cfg.get("min_action_freq", 1))
        kept = sorted((label, move) for (move, label), n in counts.items() if n >= min_freq)
        return [f"{move}-{label}" for label, move in kept]

    def _set_moves(self, names: List[str]) -> None:
        """Store the labelled actions (backoff ones first) and size the output."""
        ordered = [f"L-{BACKOFF}", f"R-{BACKOFF}"] + [n for n in names if n[2:] != BACKOFF]
        self.cfg["moves"] = list(dict.fromkeys(ordered))
        self._resize_output(0)

    def _resize_output(self, n_labels: int) -> None:
        """Rebuild the moves from cfg["moves"] and size the model's output to them.

        If the actions only grew (add_label), existing rows are kept; if their order
        changed (a fresh initialize), the output layer starts anew.
        """
        names = list(self.cfg.get("moves") or [])
        self._path_cache.clear()
        if not names:
            return
        if self.moves.labelled != names[:len(self.moves.labelled)]:
            self.model.reset_output()
        self.moves = ArcEagerMoves(names)
        labels = {decompose(name[2:])[0] for name in names} | {ROOT}
        self.cfg["labels"] = sorted(labels)
        n_moves = self.moves.n_moves
        if self._nO_setting and self._nO_setting != n_moves:
            raise HeronValueError(Errors.E393.format(nO=self._nO_setting, n_moves=n_moves))
        self.model.resize_output(n_moves)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """dep_uas, dep_las, dep_las_per_type and sents_p/r/f, like spaCy's parser."""
        if self.scorer is not None:
            return self.scorer(list(examples), **kwargs)
        from ..scorer import score_parser

        return score_parser(list(examples), **kwargs)


def _no_states(n_moves: int, zero: torch.Tensor) -> ParserTrainScores:
    empty = torch.zeros((0, n_moves), dtype=torch.bool, device=zero.device)
    return ParserTrainScores(torch.zeros((0, n_moves), device=zero.device), empty, empty, zero)


def _path_key(tree: Any, doc: Any) -> bytes:
    """What the oracle's path depends on: the gold tree per predicted token and the
    predicted Doc's preset sentence starts."""
    labels = "\x00".join("\x01" if label is None else label for label in tree.labels)
    return b"|".join([tree.heads.tobytes(), tree.sent_starts.tobytes(), labels.encode("utf8", "surrogatepass"),
                      doc.to_array(["SENT_START"]).tobytes() if len(doc) else b""])


def _preset_starts(docs: Sequence[Any], T: int, device: Any) -> torch.Tensor:
    """(B, T) int8: each Doc's SENT_START (1 must start, -1 must not, 0 free)."""
    out = np.zeros((len(docs), T), dtype=np.int8)
    for b, doc in enumerate(docs):
        n = min(len(doc), T)
        if n:
            out[b, :n] = doc.to_array(["SENT_START"])[:n, 0].view(np.int64)
    return torch.from_numpy(out).to(device)


def _names_from_labels(labels: Union[Iterable[str], Dict[str, Any]], check: Callable[[Any], None]) -> List[str]:
    if isinstance(labels, dict):  # spaCy's labels file: {move id: {label: count}}
        moves = {"2": "L", "3": "R"}
        names = [f"{moves[str(k)]}-{label}" for k, values in labels.items() if str(k) in moves
                 for label in values if label]
    else:
        names = [f"{move}-{label}" for label in labels for move in ("L", "R")]
    for name in names:
        check(name[2:])
    return sorted(set(names), key=lambda n: (n[2:], n[0]))


def _describe(model: Any) -> str:
    state_type = getattr(model, "state_type", None) or ("ner" if hasattr(model, "greedy_decode") else None)
    return f"{type(model).__name__} (state_type {state_type!r})" if state_type else type(model).__name__


__all__ = ["DependencyParser", "make_parser", "DEFAULT_PARSER_MODEL", "ParserTrainScores"]
