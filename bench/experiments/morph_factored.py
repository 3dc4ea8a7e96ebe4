"""Study (issue 17): the morphologizer's joint POS+FEATS softmax (spaCy's design, heron's)
against a factored variant, on UD English-EWT dev.

    .venv/bin/python bench/build_ewt_multitask.py                                   # corpus (once)
    .venv/bin/python bench/lemma_ewt.py train heron tml -p tok2vec,tagger,morphologizer,trainable_lemmatizer
    .venv/bin/python bench/experiments/morph_factored.py train                      # the factored run
    .venv/bin/python bench/experiments/morph_factored.py report [--joint WORK/lemma/heron-tml]

The factored variant adds a UPOS softmax with its own cross-entropy to the joint one (one
linear layer, two slices of its outputs); UPOS comes from that head and FEATS from the best
combination seen in training with that UPOS, so an unseen combination is still never
produced. Same config as the joint run (`heron init config -p
tok2vec,tagger,morphologizer,trainable_lemmatizer`, the morphologizer's factory swapped),
same budget (bench/_common/seeds.py STEPS["full"]), one thread. This file is also the
`--code` file that registers the variant's factory (`morphologizer_factored`); heron itself
keeps the joint head, which measured better (bench/results/experiments/morph_factored.md).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import torch
from torch import nn

from heron.pipeline.morphologizer import DEFAULT_MORPH_MODEL, UNIVERSAL_POS, Morphologizer
from heron.pipeline.tagger import IGNORE
from heron.registry import registry

POS_LIST = [""] + sorted(UNIVERSAL_POS)
FACTORY = "morphologizer_factored"
PIPES = "tok2vec,tagger,morphologizer,trainable_lemmatizer"
KEYS = ("pos_acc", "morph_acc", "tag_acc", "lemma_acc")


class FactoredMorphologizer(Morphologizer):
    """The morphologizer with a UPOS head next to the joint labels (see the docstring)."""

    def _resize_output(self, n_labels: int) -> None:
        self.model.resize(n_labels + len(POS_LIST) if n_labels else n_labels)

    def _pos_of_label(self, device: Any) -> torch.Tensor:
        return torch.tensor([POS_LIST.index(self.cfg["labels_pos"][k]) for k in self.labels], device=device)

    def get_loss(self, examples: Any, scores: Any) -> torch.Tensor:
        logits, mask = scores
        n = len(self.labels)
        targets = self._targets(examples, tuple(mask.shape), logits.device)[mask]
        if not bool((targets != IGNORE).any()):
            return logits.sum() * 0.0
        pos_targets = torch.where(targets >= 0, self._pos_of_label(logits.device)[targets.clamp(min=0)], IGNORE)
        smoothing = self.cfg.get("label_smoothing", 0.0)
        return (nn.functional.cross_entropy(logits[:, :n], targets, ignore_index=IGNORE, label_smoothing=smoothing)
                + nn.functional.cross_entropy(logits[:, n:], pos_targets, ignore_index=IGNORE,
                                              label_smoothing=smoothing))

    def _predictions(self, docs: Any, scores: Any) -> List[np.ndarray]:
        logits, mask = scores
        n = len(self.labels)
        pos_of = self._pos_of_label(logits.device)
        seen = torch.zeros(len(POS_LIST), dtype=torch.bool, device=logits.device)
        seen[pos_of] = True
        best_pos = logits[:, n:].masked_fill(~seen, float("-inf")).argmax(-1)
        allowed = pos_of.unsqueeze(0) == best_pos.unsqueeze(1)
        best = logits[:, :n].masked_fill(~allowed, float("-inf")).argmax(-1).to("cpu").numpy()
        return np.split(best, np.cumsum(mask.sum(dim=1).to("cpu").numpy())[:-1])


@registry.factory(FACTORY, default_config={"model": DEFAULT_MORPH_MODEL, "overwrite": True, "extend": False,
                                           "label_smoothing": 0.0,
                                           "scorer": {"@scorers": "heron.morphologizer_scorer.v1"}},
                  assigns=["token.morph", "token.pos"],
                  default_score_weights={"pos_acc": 0.5, "morph_acc": 0.5, "morph_per_feat": None})
def make_factored_morphologizer(nlp: Any, name: str, model: nn.Module, overwrite: bool = True,
                                extend: bool = False, label_smoothing: float = 0.0,
                                scorer: Any = None) -> FactoredMorphologizer:
    return FactoredMorphologizer(nlp.vocab, model, name, overwrite=overwrite, extend=extend,
                                 label_smoothing=label_smoothing, scorer=scorer)


def _dev_scores(model: Path) -> Dict[str, float]:
    performance = json.loads((model / "meta.json").read_text()).get("performance", {})
    return {k: performance[k] for k in KEYS if k in performance}


def main(argv: List[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from _common import EWT, EXPERIMENT_RESULTS, WORK, machine_info, markdown_table, require_data, write_results
    from _common.processes import measured
    from _common.seeds import STEPS

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("train")
    r = sub.add_parser("report")
    r.add_argument("--joint", type=Path, default=WORK / "lemma" / "heron-tml", help="lemma_ewt.py's joint run")
    args = ap.parse_args(argv)
    out = WORK / "morph_factored"
    if args.cmd == "train":
        require_data(EWT / "train.heron", "morph_factored (run bench/build_ewt_multitask.py)")
        out.mkdir(parents=True, exist_ok=True)
        cfg = out / "config.cfg"
        subprocess.check_call([sys.executable, "-m", "heron", "init", "config", str(cfg), "-p", PIPES, "--force"],
                              stdout=subprocess.DEVNULL)
        cfg.write_text(cfg.read_text().replace('factory = "morphologizer"', f'factory = "{FACTORY}"'))
        cmd = [sys.executable, "-m", "heron", "train", str(cfg), "-c", str(Path(__file__).resolve()),
               "-o", str(out / "model"), "--paths.train", str(EWT / "train.heron"),
               "--paths.dev", str(EWT / "dev.heron"), *STEPS["full"]]
        stats = measured(cmd, out / "train.log")
        (out / "made_by.json").write_text(json.dumps({"cmd": cmd, "train": stats}, indent=2) + "\n")
        print(json.dumps(stats))
        return stats["rc"]
    runs = {"joint (heron's morphologizer)": args.joint, "factored (+ UPOS head)": out}
    scores = {name: _dev_scores(require_data(run / "model" / "model-best", f"morph_factored ({run}: train it)"))
              for name, run in runs.items()}
    rows = [[name, *(f"{100 * scores[name].get(k, float('nan')):.2f}" for k in KEYS)] for name in runs]
    table = markdown_table(["run", "UPOS", "UFeats", "XPOS", "Lemma"], rows)
    write_results("morph_factored", {"machine": machine_info(), "scores": scores,
                                     "runs": {k: str(v) for k, v in runs.items()}},
                  f"# Joint vs factored morphologizer, UD English-EWT dev (model-best)\n\n{table}\n\n"
                  f"`heron init config -p {PIPES}`, {' '.join(STEPS['full'])}, one thread. Command: "
                  "`.venv/bin/python bench/experiments/morph_factored.py report"
                  + ("" if args.joint == WORK / "lemma" / "heron-tml" else f" --joint {args.joint}")
                  + "` after its `train` and "
                  "`bench/lemma_ewt.py train heron tml -p " + PIPES + "`.\n", folder=EXPERIMENT_RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
