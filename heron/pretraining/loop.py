"""The pretraining loop: teach the trunk to predict words from their contexts in raw text.

    for info in pretrain_steps(setup, epochs):    # one step per batch
        ...                                       # info: epoch, step, batch, words, loss
    pretrain(config, "out/")                      # builds, runs, saves (what the CLI calls)

One step = featurize the batch's Docs, run the trunk (`embed_docs`, the path every
head uses), the objective's loss on the real tokens' vectors, ONE backward, ONE
optimizer step. `pretrain()` adds what a user of `heron pretrain` sees: a progress bar
(words/sec, loss) when stderr is a terminal, else a progress line on stdout every LOG_EVERY
steps, OUT/model{epoch}.safetensors after every epoch (every n_save_epoch
epochs if set), OUT/model{epoch}_temp.safetensors every n_save_every batches (spaCy's
names), OUT/model-last.safetensors at every save and OUT/log.jsonl, all written
atomically. Ctrl-C saves model-last before stopping.
"""
from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Union

import torch
from confection import Config
from torch import nn

from ..errors import ConfigError, Errors, HeronValueError, Warnings, warn
from ..registry import registry
from ..util import atomic_write_text
from .init_tok2vec import (
    check_settings,
    get_trunk,
    load_trunk_weights,
    read_pretrained,
    save_pretrained,
    trunk_settings,
)

LOG_FILE = "log.jsonl"
LAST_FILE = "model-last.safetensors"
LOG_EVERY = 100  # steps between log.jsonl rows (plus one at every save), and progress lines
# on stdout when stderr is not a terminal (no bar): a redirected run's log shows progress.
DEFAULT_BATCHER = {"@batchers": "heron.batch_by_words.v1", "size": 3000, "tolerance": 0.2,
                   "discard_oversize": False}
DEFAULT_OPTIMIZER = {"@optimizers": "heron.Adam.v1", "learn_rate": 0.001, "beta1": 0.9, "beta2": 0.999,
                     "eps": 1e-8, "L2": 0.01, "grad_clip": 1.0, "use_averages": False}
DEFAULT_OBJECTIVE = {"@architectures": "heron.PretrainCharacters.v1", "maxout_pieces": 3,
                     "hidden_size": 300, "n_characters": 4}


class PretrainingInterrupted(Exception):
    """Raised by `pretrain()` after Ctrl-C, once model-last is saved; `.path` is where."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


@dataclass
class PretrainSetup:
    """Everything a pretraining run needs, built from a config by `setup_pretraining`."""

    nlp: Any
    trunk: nn.Module
    objective: nn.Module
    optimizer: Any
    corpus: Callable
    batcher: Callable
    settings: Dict[str, Any]  # the resolved [pretraining] section
    device: torch.device


# ---- building ------------------------------------------------------------------------


def pretraining_config(config: Any) -> Config:
    """The filled config with [pretraining] completed from its schema and loop defaults."""
    from ..config import fill_config
    from ..schemas import section_defaults

    config = config if isinstance(config, Config) else Config(config)
    if "pretraining" not in config:
        raise ConfigError(Errors.E811)
    section = {**section_defaults("pretraining"), **dict(config["pretraining"])}
    for key, block in (("batcher", DEFAULT_BATCHER), ("optimizer", DEFAULT_OPTIMIZER),
                       ("objective", DEFAULT_OBJECTIVE)):
        if section.get(key) is None:
            section[key] = dict(block)
    config = Config(config, is_interpolated=False)
    config["pretraining"] = section
    return fill_config(config)


def setup_pretraining(config: Any, *, use_gpu: int = -1) -> PretrainSetup:
    """Build nlp from the config, find the trunk, load vectors, size the objective, and
    create the optimizer over the trunk's and objective's parameters."""
    from ..language import Language
    from ..nn.layers import set_dropout_rate
    from ..pipeline.listener import bind_listeners
    from ..training.initialize import fix_random_seed, interpolated, select_device

    raw = pretraining_config(config)
    config = interpolated(raw)
    P = _resolve({"pretraining": config["pretraining"]})["pretraining"]
    fix_random_seed(config.get("training", {}).get("seed", config.get("system", {}).get("seed")))
    device = select_device(use_gpu)
    nlp = Language.from_config(raw)
    _load_vectors(nlp, config.get("initialize", {}).get("vectors"))
    bind_listeners(nlp, strict=False)
    trunk = get_trunk(nlp, P["component"], P["layer"] or "")
    _size_static_vectors(nlp, trunk, P["component"])
    objective = P["objective"]
    objective.initialize(width=int(trunk.width), vocab=nlp.vocab)
    trunk.to(device)
    objective.to(device)
    set_dropout_rate(trunk, float(P["dropout"]))
    set_dropout_rate(objective, float(P["dropout"]))
    optimizer = P["optimizer"](list(trunk.parameters()) + list(objective.parameters()))
    corpus = _pretrain_corpus(config, P["corpus"])
    return PretrainSetup(nlp, trunk, objective, optimizer, corpus, P["batcher"], P, device)


def _resolve(block: Dict[str, Any]) -> Dict[str, Any]:
    from ..config import format_config_error
    from ..errors import HeronError

    try:
        return registry.resolve(block, validate=True)
    except HeronError:
        raise
    except Exception as e:  # confection/catalogue errors: one coded message
        raise ConfigError(format_config_error(e)) from None


def _pretrain_corpus(config: Config, dotted: str) -> Callable:
    """The reader [pretraining] corpus names; [corpora.pretrain] missing falls back to
    heron.JsonlCorpus.v1 on [paths] raw_text (W801), so older configs keep working."""
    from .corpus import PRETRAIN_CORPUS

    section, _, name = str(dotted).partition(".")
    corpora = config.get("corpora") or {}
    if section == "corpora" and name in corpora:
        return _resolve({"reader": corpora[name]})["reader"]
    raw_text = (config.get("paths") or {}).get("raw_text")
    if section == "corpora" and name == "pretrain" and raw_text:
        warn(Warnings.W801.format(path=raw_text))
        return _resolve({"reader": {**PRETRAIN_CORPUS, "path": raw_text}})["reader"]
    raise ConfigError(Errors.E807.format(
        key="[pretraining] corpus", value=dotted,
        detail=f"no such corpus (available: {', '.join(f'corpora.{k}' for k in corpora) or 'none'})",
        fix="add a [corpora.pretrain] block with @readers = \"heron.JsonlCorpus.v1\" and path = "
            "${paths.raw_text} (heron init config --pretraining writes one), then set --paths.raw_text."))


def _load_vectors(nlp: Any, path: Any) -> None:
    if not path:
        return
    from ..vectors import load_vectors_into
    from ..vectors.init import resolve_vectors_setting

    load_vectors_into(nlp, resolve_vectors_setting(path))  # a path, or a block such as heron.lexeme_vectors.v1


def _size_static_vectors(nlp: Any, trunk: nn.Module, component: str) -> None:
    """A trunk reading static vectors needs them loaded; size its projection from them."""
    from ..nn.static_vectors import set_vectors_dim, vectors_attr
    from .objectives import vectors_shape

    if vectors_attr(trunk) is None:
        return
    shape = vectors_shape(nlp.vocab)
    if shape is None:
        raise HeronValueError(Errors.E356.format(name=component))
    set_vectors_dim(trunk, shape[1])


# ---- stepping ------------------------------------------------------------------------


def train_step(trunk: nn.Module, objective: nn.Module, optimizer: Any, docs: List[Any]) -> float:
    """One batch: trunk, objective loss on the real tokens, ONE backward, ONE step."""
    from ..pipeline.listener import embed_docs

    trunk.train()
    objective.train()
    X, mask = embed_docs(trunk, docs)  # (B, T, W), (B, T)
    loss = objective(X[mask], docs)  # X[mask]: (N, W), tokens in reading order
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return float(loss.detach())


def pretrain_steps(setup: PretrainSetup, first_epoch: int, *, max_steps: int = 0,
                   max_words: int = 0, max_seconds: float = 0.0) -> Iterator[Dict[str, Any]]:
    """Yield one info dict per step: epoch, step, batch (index in the epoch), words
    (total so far), loss (this batch), epoch_end (True on a sentinel after each epoch's
    last batch). Stops after [pretraining] max_epochs or any of the given limits (0 = none)."""
    step, words, start = 0, 0, time.perf_counter()
    for epoch in range(first_epoch, int(setup.settings["max_epochs"])):
        n_batches = -1
        for n_batches, batch in enumerate(setup.batcher(setup.corpus(setup.nlp))):
            docs = [getattr(eg, "predicted", eg) for eg in batch]
            n_words = sum(len(doc) for doc in docs)
            if not n_words:
                continue
            loss = train_step(setup.trunk, setup.objective, setup.optimizer, docs)
            step, words = step + 1, words + n_words
            yield {"epoch": epoch, "step": step, "batch": n_batches, "words": words, "loss": loss,
                   "seconds": time.perf_counter() - start, "epoch_end": False}
            if _limit_reached(step, words, time.perf_counter() - start, max_steps, max_words, max_seconds):
                return
        if n_batches < 0:
            raise HeronValueError(Errors.E812.format(corpus=setup.corpus, detail=f" in epoch {epoch}"))
        yield {"epoch": epoch, "step": step, "batch": n_batches, "words": words, "loss": None,
               "seconds": time.perf_counter() - start, "epoch_end": True}


def _limit_reached(step: int, words: int, seconds: float, max_steps: int, max_words: int,
                   max_seconds: float) -> bool:
    return bool((max_steps and step >= max_steps) or (max_words and words >= max_words)
                or (max_seconds and seconds >= max_seconds))


# ---- the run -------------------------------------------------------------------------


def resume_epoch(resume_path: Union[str, Path], epoch_resume: Optional[int]) -> int:
    """The epoch to continue from: --epoch-resume, else model<N>.safetensors -> N + 1."""
    if epoch_resume is not None:
        return int(epoch_resume)
    found = re.fullmatch(r"model(\d+)\.safetensors", Path(resume_path).name)
    if found is None:
        raise HeronValueError(Errors.E810.format(path=resume_path))
    return int(found.group(1)) + 1


def load_resume(setup: PretrainSetup, path: Union[str, Path]) -> Dict[str, Any]:
    """Load a saved trunk (and the objective head, if it fits) to continue a run."""
    tensors, meta = read_pretrained(path)
    component, layer = setup.settings["component"], setup.settings["layer"] or ""
    check_settings(meta["settings"], trunk_settings(setup.trunk, setup.nlp.vocab), path=path,
                   component=component, layer=layer)
    load_trunk_weights(setup.trunk, tensors, prefix="trunk.", path=path, component=component, layer=layer)
    head = {k[len("objective."):]: v for k, v in tensors.items() if k.startswith("objective.")}
    own = setup.objective.state_dict()
    if meta.get("objective") == type(setup.objective).__name__ and set(head) == set(own) \
            and all(head[k].shape == own[k].shape for k in own):
        setup.objective.load_state_dict(head)
    return meta


class _Saver:
    """Writes weights files and log.jsonl (atomically) into the output folder."""

    def __init__(self, setup: PretrainSetup, output_dir: Path, keep_log: bool):
        self.setup, self.output_dir = setup, output_dir
        self.settings = trunk_settings(setup.trunk, setup.nlp.vocab)
        log = output_dir / LOG_FILE
        self.rows: List[Dict[str, Any]] = []
        if keep_log and log.exists():
            self.rows = [json.loads(line) for line in log.read_text(encoding="utf8").splitlines() if line.strip()]

    def save(self, name: str, info: Dict[str, Any], epoch_complete: bool) -> Path:
        from ..about import __version__

        S = self.setup
        meta = {"component": S.settings["component"], "layer": S.settings["layer"] or "",
                "settings": self.settings, "objective": type(S.objective).__name__,
                "epoch": info["epoch"], "epoch_complete": epoch_complete, "step": info["step"],
                "words": info["words"], "heron_version": __version__}
        for filename in (name, LAST_FILE):
            save_pretrained(self.output_dir / filename, S.trunk, S.objective, meta)
        return self.output_dir / name

    def log(self, row: Dict[str, Any]) -> None:
        self.rows.append(row)
        text = "".join(json.dumps(r) + "\n" for r in self.rows)
        atomic_write_text(self.output_dir / LOG_FILE, text)


def pretrain(config: Any, output_dir: Union[str, Path], *, resume_path: Optional[Union[str, Path]] = None,
             epoch_resume: Optional[int] = None, use_gpu: int = -1, max_steps: int = 0, max_words: int = 0,
             max_seconds: float = 0.0, stdout: IO = sys.stdout, stderr: IO = sys.stderr) -> Path:
    """Pretrain the [pretraining] component's trunk on raw text; returns model-last's path.

    config: a config with [pretraining] and a corpus for it (see `heron init config
    --pretraining`). resume_path / epoch_resume: continue from saved weights, the
    epoch count continuing at epoch_resume (default: N + 1 for a model<N> file).
    use_gpu: CUDA device id, -1 = CPU. max_steps / max_words / max_seconds: stop early
    (0 = no limit; the run then ends with model-last). Raises PretrainingInterrupted
    after Ctrl-C (model-last saved first).
    """
    setup = setup_pretraining(config, use_gpu=use_gpu)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    first_epoch = 0
    if resume_path is not None:
        first_epoch = resume_epoch(resume_path, epoch_resume)
        load_resume(setup, resume_path)
        stdout.write(f"ℹ Resumed from {resume_path}; continuing at epoch {first_epoch}\n")
    else:
        existing = sorted(p.name for p in output_dir.glob("model*.safetensors"))
        if existing:
            warn(Warnings.W800.format(path=output_dir, files=", ".join(existing[:3])
                                      + (", ..." if len(existing) > 3 else "")))
    saver = _Saver(setup, output_dir, keep_log=resume_path is not None)
    steps = pretrain_steps(setup, first_epoch, max_steps=max_steps, max_words=max_words, max_seconds=max_seconds)
    return _run(setup, steps, saver, stdout=stdout, stderr=stderr)


def _run(setup: PretrainSetup, steps: Iterator[Dict[str, Any]], saver: _Saver, *, stdout: IO,
         stderr: IO) -> Path:
    from tqdm import tqdm

    P = setup.settings
    n_save_every, n_save_epoch = P.get("n_save_every") or 0, P.get("n_save_epoch") or 0
    # disable=None: a bar only when stderr is a terminal; otherwise progress is printed as lines.
    bar = tqdm(total=None, unit=" words", unit_scale=True, file=stderr, disable=None, dynamic_ncols=True)
    progress_lines = stdout if bar.disable else None
    info: Dict[str, Any] = {"epoch": 0, "step": 0, "words": 0, "seconds": 0.0}
    losses: List[float] = []
    unsaved = False  # steps taken since the last weights file was written
    try:
        for info in steps:
            if info["epoch_end"]:
                last = int(P["max_epochs"]) - 1
                name = f"model{info['epoch']}.safetensors"
                if n_save_epoch and info["epoch"] % n_save_epoch and info["epoch"] != last:
                    name = LAST_FILE  # between n_save_epoch saves: only model-last
                saver.save(name, info, epoch_complete=True)
                _log(saver, info, losses, stdout, f"saved {name}")
                unsaved = False
                continue
            losses.append(info["loss"])
            unsaved = True
            bar.update(info["words"] - bar.n)
            bar.set_postfix(loss=f"{info['loss']:.3f}", wps=f"{_wps(info):,.0f}", epoch=info["epoch"], refresh=False)
            if n_save_every and (info["batch"] + 1) % n_save_every == 0:
                saver.save(f"model{info['epoch']}_temp.safetensors", info, epoch_complete=False)
                _log(saver, info, losses, stdout, f"saved model{info['epoch']}_temp.safetensors")
                unsaved = False
            elif info["step"] % LOG_EVERY == 0:
                _log(saver, info, losses, progress_lines, "")
    except KeyboardInterrupt:
        bar.close()
        saver.save(LAST_FILE, info, epoch_complete=False)
        raise PretrainingInterrupted(f"Pretraining interrupted at step {info['step']}; saved "
                                     f"{saver.output_dir / LAST_FILE}.", saver.output_dir / LAST_FILE) from None
    bar.close()
    if unsaved or not (saver.output_dir / LAST_FILE).exists():  # stopped by a limit mid-epoch
        saver.save(LAST_FILE, info, epoch_complete=False)
        _log(saver, info, losses, stdout, f"saved {LAST_FILE}")
    stdout.write(f"✔ Pretrained weights: {saver.output_dir / LAST_FILE}\n")
    return saver.output_dir / LAST_FILE


def _wps(info: Dict[str, Any]) -> float:
    return info["words"] / info["seconds"] if info.get("seconds") else 0.0


def _log(saver: _Saver, info: Dict[str, Any], losses: List[float], stdout: Optional[IO], note: str) -> None:
    """One log.jsonl row: the mean loss of the steps since the last row."""
    loss = sum(losses) / len(losses) if losses else None
    row = {"epoch": info["epoch"], "step": info["step"], "words": info["words"],
           "loss": None if loss is None else round(loss, 5), "wps": round(_wps(info), 1),
           "seconds": round(info.get("seconds", 0.0), 2)}
    saver.log(row)
    losses.clear()
    if stdout is not None:
        shown = "-" if loss is None else f"{loss:.4f}"
        stdout.write(f"epoch {row['epoch']}  step {row['step']}  words {row['words']:,}  loss {shown}  "
                     f"wps {row['wps']:,.0f}  {note}\n")
        stdout.flush()


__all__ = ["pretrain", "pretrain_steps", "setup_pretraining", "train_step", "pretraining_config", "resume_epoch",
           "load_resume", "PretrainSetup", "PretrainingInterrupted", "LOG_FILE", "LAST_FILE"]
