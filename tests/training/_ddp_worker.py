"""One process of the data-parallel tests (tests/training/test_distributed.py).

    python tests/training/_ddp_worker.py equal OUT      # torchrun env: a rank; else one process
    python tests/training/_ddp_worker.py fail OUT       # rank 1 raises at step 1

`equal`: a tiny tok2vec + tagger + ner pipeline (seeded, so every process builds the same
one) trains on fixed batches of generated sentences. Under torchrun each rank gets every
other batch (`shard_batches`); in one process step s trains on batches 2s and 2s+1 together
(the same global batch). Rank 0 / the single process writes each variant's weights and
per-step counts and losses to OUT/{ddp,single}-{variant}.safetensors/.json for the test to
compare, and the pipeline to OUT/{ddp,single}-{variant}-model.
Variants: "a": sentences of different lengths, accumulate_gradient 1 (the word-weighted
loss scale); "b": equal lengths, accumulate_gradient 2 (no_sync) with ner frozen; "c": both
listeners at grad_factor 0, so the trunk's weights get no gradient at all.
"""
from __future__ import annotations

import contextlib
import json
import random
import socket
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

from heron.pipeline.update import trainable_parameter_groups  # noqa: E402
from heron.tokens import Doc  # noqa: E402
from heron.training.distributed import DistributedRun, distributed_training  # noqa: E402
from heron.training.example import Example  # noqa: E402
from heron.training.loop import train_while_improving  # noqa: E402
from heron.training.optim import Adam  # noqa: E402

from fakes import listener_model, make_nlp, ner_config  # noqa: E402

WORDS = {"cat": "NN", "dog": "NN", "sees": "VBZ", "the": "DT", "a": "DT", "big": "JJ", "runs": "VBZ"}
NAMES = ["Alice", "Paris", "Acme", "Bob"]
LABELS = {"Alice": "PER", "Bob": "PER", "Paris": "LOC", "Acme": "ORG"}
# variant: (sentence lengths, examples per batch, accumulate_gradient, frozen components,
# the listeners' grad_factor)
VARIANTS = {"a": ([3, 5, 4, 7, 2, 6] * 3, 3, 1, [], 1.0), "b": ([5] * 24, 4, 2, ["ner"], 1.0),
            "c": ([4, 6] * 4, 2, 1, [], 0.0)}


def sentences(lengths: List[int], seed: int) -> List[Tuple[List[str], List[str], List[str]]]:
    """(words, tags, BILUO entity tags) with every token annotated; one name per sentence."""
    rng = random.Random(seed)
    out = []
    for n in lengths:
        words = [rng.choice(list(WORDS)) for _ in range(n - 1)]
        name = rng.choice(NAMES)
        words.insert(rng.randrange(n), name)
        tags = ["NNP" if w in LABELS else WORDS[w] for w in words]
        ents = [f"U-{LABELS[w]}" if w in LABELS else "O" for w in words]
        out.append((words, tags, ents))
    return out


def build(lengths: List[int], grad_factor: float) -> Tuple[Any, List[Example]]:
    torch.manual_seed(0)
    nlp = make_nlp(("tagger",), grad_factors={"tagger": grad_factor})
    nlp.add_pipe("ner", config=ner_config(shared=True, hidden_width=16,
                                          tok2vec=listener_model(grad_factor=grad_factor)))
    examples = []
    for words, tags, ents in sentences(lengths, seed=len(lengths)):
        ref = Doc(nlp.vocab, words=words, spaces=[True] * len(words), tags=tags, ents=ents)
        examples.append(Example(nlp.make_doc(" ".join(words) + " "), ref))
    nlp.initialize(lambda: examples)
    return nlp, examples


def run_variant(name: str, out: Path, run: Any, *, merge: int = 2, fail_at: int = -1) -> None:
    """Train variant `name`: on this rank's shard (run), or in one process with `merge`
    consecutive batches per step (the global batch of `merge` ranks)."""
    lengths, per_batch, accumulate, frozen, grad_factor = VARIANTS[name]
    nlp, examples = build(lengths, grad_factor)
    batches = [examples[i:i + per_batch] for i in range(0, len(examples), per_batch)]
    if run is not None:
        data = run.shard((0, batch) for batch in batches)
    else:  # the global batch of step s: what the ranks train on together
        data = iter([(0, sum(batches[i:i + merge], [])) for i in range(0, len(batches), merge)])
    optimizer = Adam(learn_rate=0.01)(trainable_parameter_groups(nlp, exclude=frozen))

    def before_update(nlp: Any, info: Dict[str, Any]) -> None:
        if run is not None and run.rank == 1 and info["step"] == fail_at:
            raise RuntimeError("deliberate failure of rank 1")

    infos = [info for _, info, _ in train_while_improving(
        nlp, optimizer, data, lambda: (0.5, {}), dropout=0.0, eval_frequency=2, accumulate_gradient=accumulate,
        patience=0, max_steps=0, exclude=frozen, annotating_components=[], before_update=before_update,
        distributed=run)]
    if run is None or run.is_main:
        weights = {f"{comp}.{key}": value.detach().clone().contiguous()
                   for comp, proc in nlp.components for key, value in proc.model.state_dict().items()}
        kind = "single" if run is None else "ddp"
        save_file(weights, str(out / f"{kind}-{name}.safetensors"))
        record = {"words": [i["words"] for i in infos], "examples": [i["examples"] for i in infos],
                  "scores": [i["score"] for i in infos], "losses": [i["losses"] for i in infos]}
        (out / f"{kind}-{name}.json").write_text(json.dumps(record))
        nlp.to_disk(out / f"{kind}-{name}-model")


@contextlib.contextmanager
def one_rank_group() -> Iterator[DistributedRun]:
    """A real gloo process group of one rank in this process, and its DistributedRun:
    the DDP code path without starting processes."""
    import torch.distributed as dist

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=0, world_size=1,
                            timeout=timedelta(seconds=60))
    try:
        yield DistributedRun(rank=0, world_size=1, local_rank=0, backend="gloo", timeout_s=60, gpu_id=-1)
    finally:
        dist.destroy_process_group()


def main(mode: str, out: Path) -> None:
    torch.set_num_threads(1)
    with distributed_training(timeout_s=60) as run:
        if mode == "equal":
            for name in VARIANTS:
                run_variant(name, out, run)
        else:
            run_variant("a", out, run, fail_at=1)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
