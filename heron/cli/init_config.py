"""`heron init config` (write a starter config) and `heron init fill-config`.

`init config` assembles a config from each component's template: the factory's own
default config (from its `@registry.factory(default_config=...)`), with the model's
`tok2vec` replaced by a listener to the shared `tok2vec` when the pipeline has one
(like spaCy), else by an inline CNN sized for the optimisation goal. A new component
file is offered here with no edit to this module; COMPONENTS holds only the components
whose block depends on the options (the trunk). The assembled config is then passed through
`fill_config`, so every default is written out and the result is validated.

`--transformer NAME` (a local model folder or a cached Hugging Face hub id) puts a
`transformer` component first and makes every head listen to it; training then uses
AdamW with warm-up, a 20x lower rate for the transformer than for the heads
([training.optimizer.component_learn_rates]) and padded-size batches.

`--from-spacy spacy.cfg` translates a spaCy v3 config instead (heron/interop/spacy_config.py).
"""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import typer
from confection import Config

from ..about import __version__
from ..config import config_to_str, errors_in_file, fill_config, import_code, load_config, save_config
from ..errors import ConfigError, Errors, HeronValueError
from ..pretraining.corpus import PRETRAIN_CORPUS
from ..registry import registry
from ..schemas import suggest
from ..util import atomic_write_text
from ._app import init_cli
from ._util import CODE_OPTION, echo, good, info, split_list, warn


class Optimize(str, Enum):
    efficiency = "efficiency"
    accuracy = "accuracy"


@dataclass(frozen=True)
class Options:
    """What the user asked `heron init config` for; templates read these."""

    lang: str
    pipeline: List[str]
    optimize: Optimize
    gpu: bool
    pretraining: bool
    transformer: Optional[str] = None  # model folder or hub id: the trunk is a transformer


@dataclass(frozen=True)
class ComponentTemplate:
    """How one component contributes to a generated config.

    block: Options -> the [components.<name>] settings (factory + anything that
        differs from the factory's defaults; fill_config writes the rest).
    help: one line shown when a user asks for an unknown component.
    """

    block: Callable[[Options], Dict[str, Any]]
    help: str


# Trunk sizes per goal: efficiency = width 128, depth 4 (spaCy's quickstart has 96: 128
# measured better on EWT, see bench/results/default_config.md); accuracy = width 256,
# depth 8 (about 3x slower; static vectors are left off until a pipeline has some: turn
# on include_static_vectors after `heron init vectors`).
_TRUNK = {Optimize.efficiency: {"width": 128, "depth": 4}, Optimize.accuracy: {"width": 256, "depth": 8}}
# A head's own inline CNN (no shared tok2vec): spaCy's quickstart sizes, not re-measured.
_INLINE_TRUNK = {Optimize.efficiency: {"width": 96, "depth": 4}, Optimize.accuracy: {"width": 256, "depth": 8}}
_T2V_WIDTH = "${components.tok2vec.model.encode.width}"
# The trunk's embed: per-word character embeddings (the first and last 4 UTF-8 bytes) +
# a LOWER hash embedding (spaCy's CharacterEmbed.v2 settings). Chosen over the hashed
# NORM/PREFIX/SUFFIX/SHAPE embedding by the dev score on EWT (bench/default_config.py).
_CHAR_EMBED = {"@architectures": "heron.CharacterEmbed.v1", "width": _T2V_WIDTH, "rows": 7000,
               "nM": 64, "nC": 8, "include_static_vectors": False}
# Languages whose tok2vec also reads heron.lexeme_vectors.v1 (spacy-lookups-data's word
# frequencies and Brown clusters, built at initialize and saved with the pipeline):
# measured on English only (bench/lemma_ewt.py; de and es have the tables but no
# measurement yet). The 200k most frequent words: 19 MB in the saved pipeline.
LEXEME_LANGS = ("en",)
LEXEME_ROWS = 200_000
# Settings that differ from a component's own defaults in generated configs (measured in
# bench/default_config.py): the tagger's label smoothing; the morphologizer's is spaCy's
# (bench/lemma_ewt.py: dev POS +0.17, test UPOS level, one seed).
_TUNED_SETTINGS: Dict[str, Dict[str, Any]] = {"tagger": {"label_smoothing": 0.05},
                                              "morphologizer": {"label_smoothing": 0.05}}
# [components.X.model] settings for -o accuracy: the parser at spaCy's `init config`
# sizes (bench/parser_ewt.py: 0.85 LAS better on EWT dev than the factory's 64 / 2, 30%
# slower).
_ACCURACY_MODEL_SETTINGS: Dict[str, Dict[str, Any]] = {"parser": {"hidden_width": 128, "maxout_pieces": 3}}
# [components.X.model] for -o efficiency where spaCy's quickstart differs from the factory
# default: text classification as a bag of n-grams, no trunk. -o accuracy and --transformer
# keep the default ensemble, whose tok2vec becomes the listener / inline CNN.
_EFFICIENCY_MODELS: Dict[str, Callable[[], Dict[str, Any]]] = {
    "textcat": lambda: _bow_model(exclusive=True), "textcat_multilabel": lambda: _bow_model(exclusive=False)}


def _bow_model(*, exclusive: bool) -> Dict[str, Any]:
    from ..pipeline.textcat import bow_model

    return bow_model(exclusive=exclusive)


def _tok2vec_model(opts: Options) -> Dict[str, Any]:
    """The shared trunk: character + LOWER embeddings and a maxout window CNN."""
    trunk = _TRUNK[opts.optimize]
    return {
        "@architectures": "heron.Tok2Vec.v1",
        "embed": dict(_CHAR_EMBED),
        "encode": {
            "@architectures": "heron.MaxoutWindowEncoder.v1", "width": trunk["width"],
            "depth": trunk["depth"], "window_size": 1, "maxout_pieces": 3,
        },
    }


def _head_tok2vec(opts: Options) -> Dict[str, Any]:
    """A head's input: a listener to the shared transformer or `tok2vec` if the pipeline
    has one (its gradients train the trunk together with the other heads), else a
    private inline CNN."""
    if opts.transformer:
        from ._init_transformer import transformer_listener

        return transformer_listener()
    if "tok2vec" in opts.pipeline:
        return {"@architectures": "heron.Tok2VecListener.v1", "width": _T2V_WIDTH, "upstream": "*"}
    trunk = _INLINE_TRUNK[opts.optimize]
    return {
        "@architectures": "heron.HashEmbedCNN.v1", "width": trunk["width"], "depth": trunk["depth"],
        "embed_size": 2000, "window_size": 1, "maxout_pieces": 3, "subword_features": True,
        "pretrained_vectors": None,
    }


def _factory_block(factory: str) -> Callable[[Options], Dict[str, Any]]:
    """[components.X] from the factory's default config; a model's `tok2vec` (a head's
    input) becomes a listener or an inline CNN for these options."""
    def block(opts: Options) -> Dict[str, Any]:
        settings = copy.deepcopy(registry.get_factory_meta(factory).default_config)
        settings.update(copy.deepcopy(_TUNED_SETTINGS.get(factory, {})))
        if opts.optimize == Optimize.efficiency and not opts.transformer and factory in _EFFICIENCY_MODELS:
            settings["model"] = _EFFICIENCY_MODELS[factory]()
        model = settings.get("model")
        if isinstance(model, dict) and opts.optimize == Optimize.accuracy:
            model.update(copy.deepcopy(_ACCURACY_MODEL_SETTINGS.get(factory, {})))
        if isinstance(model, dict) and "tok2vec" in model:
            model["tok2vec"] = _head_tok2vec(opts)
        return {"factory": factory, **settings}
    return block


def _factory_help(factory: str) -> str:
    doc = (getattr(registry.factories.get(factory), "__doc__", None) or "").strip()
    return doc.splitlines()[0].rstrip(".") if doc else factory


# Components whose block depends on the options beyond a head's input (the trunk), and
# factories `-p` doesn't take (the transformer trunk comes from --transformer).
COMPONENTS: Dict[str, ComponentTemplate] = {
    "tok2vec": ComponentTemplate(
        block=lambda opts: {"factory": "tok2vec", "model": _tok2vec_model(opts)},
        help="shared token-to-vector trunk that tagger/ner/senter listen to",
    ),
}
NOT_IN_PIPELINE_OPTION = {"transformer": "use --transformer NAME"}


def component_templates() -> Dict[str, ComponentTemplate]:
    """Every component `init config -p` offers: COMPONENTS + each registered factory."""
    registry.ensure_populated()
    templates = dict(COMPONENTS)
    for factory in registry.get_names("factories"):
        if factory not in templates and factory not in NOT_IN_PIPELINE_OPTION:
            templates[factory] = ComponentTemplate(block=_factory_block(factory), help=_factory_help(factory))
    return templates

# Training-loop blocks written only once every function they name is registered: the
# training package lands after this command, and a config naming an unregistered
# function would not validate. (setting in [training], block). Values are spaCy's
# efficiency defaults: batches grow from 100 to 1000 words, Adam at 0.001.
TRAINING_BLOCKS = (
    ("batcher", {
        "@batchers": "heron.batch_by_words.v1", "discard_oversize": False, "tolerance": 0.2,
        "size": {"@schedules": "heron.compounding.v1", "start": 100, "stop": 1000, "compound": 1.001},
    }),
    ("optimizer", {
        "@optimizers": "heron.Adam.v1", "learn_rate": 0.001, "beta1": 0.9, "beta2": 0.999,
        # Parameter averaging: the saved model uses the running average of the weights
        # (measured better on EWT dev, bench/default_config.py).
        "eps": 1e-8, "L2": 0.01, "grad_clip": 1.0, "use_averages": True,
    }),
    # A bar when stderr is a terminal, table lines only when it's redirected (the logger decides).
    ("logger", {"@loggers": "heron.ConsoleLogger.v1", "progress_bar": True}),
)
CORPUS_READER = {"@readers": "heron.Corpus.v1", "max_length": 0, "gold_preproc": False, "limit": 0}


def _registered(block: Any) -> bool:
    """True when every `@registry` function named in `block` (recursively) exists."""
    if not isinstance(block, dict):
        return True
    for key, value in block.items():
        if key.startswith("@") and not registry.has(key[1:], value):
            return False
    return all(_registered(v) for v in block.values())


@init_cli.command("config")
def init_config_cli(
    output_file: Path = typer.Argument(..., help="Where to write the config ('-' for stdout).", allow_dash=True),
    lang: str = typer.Option("en", "--lang", "-l", help="Two-letter language code, e.g. en."),
    pipeline: str = typer.Option(
        "sentencizer", "--pipeline", "-p", help="Comma-separated components: any registered factory, e.g. tok2vec,tagger,ner (a wrong name lists them)."
    ),
    optimize: Optimize = typer.Option(
        Optimize.efficiency, "--optimize", "-o",
        help="efficiency: smaller and faster; accuracy: larger and slower.",
    ),
    gpu: bool = typer.Option(False, "--gpu", "-G", help="Configure for training on a GPU."),
    pretraining: bool = typer.Option(False, "--pretraining", "-pt", help="Add a [pretraining] section."),
    transformer: Optional[str] = typer.Option(
        None, "--transformer", "-T",
        help="Hugging Face model (local folder, or hub id already in the local cache) used as the "
             "shared trunk instead of a CNN tok2vec, e.g. --transformer roberta-base.",
    ),
    force: bool = typer.Option(False, "--force", "-F", help="Overwrite an existing output file."),
    from_spacy: Optional[Path] = typer.Option(
        None, "--from-spacy", help="Translate this spaCy v3 config instead (the other options are ignored)."),
) -> None:
    """Write a complete starter config for a language and pipeline, every default filled in."""
    if from_spacy is not None:
        from ._init_from_spacy import init_config_from_spacy

        return init_config_from_spacy(from_spacy, output_file, force=force)
    if str(output_file) != "-" and output_file.exists() and not force:
        raise HeronValueError(Errors.E220.format(path=output_file))
    opts = Options(lang, split_list(pipeline), optimize, gpu, pretraining, transformer)
    # Not interpolated: keeps ${paths.vectors} & co. as variables in the output.
    config = fill_config(Config(build_config(opts), is_interpolated=False))
    text = _header(opts) + config_to_str(config)
    _write(text, output_file)
    if str(output_file) != "-":
        good(f"Saved config to {output_file}")
        info(f"Next: heron train {output_file} --paths.train ./train.heron --paths.dev ./dev.heron")


def build_config(opts: Options) -> Dict[str, Any]:
    """The config for `opts` before defaults are filled in (raises E221 for unknown components)."""
    if opts.transformer is not None:
        from ._init_transformer import check_transformer_options

        opts = check_transformer_options(opts)
    templates = component_templates()
    for name in opts.pipeline:
        if name not in templates:
            raise ConfigError(Errors.E221.format(
                name=name, hint=suggest(name, list(templates)),
                available=", ".join(f"{k} ({t.help})" for k, t in templates.items()),
            ))
    config: Dict[str, Any] = {
        "paths": {"train": None, "dev": None, "vectors": None, "init_tok2vec": None},
        "system": {"gpu_allocator": "pytorch" if opts.gpu else None, "seed": 0},
        "nlp": {"lang": opts.lang, "pipeline": list(opts.pipeline), "batch_size": 1000},
        "components": {name: templates[name].block(opts) for name in opts.pipeline},
        "corpora": _corpora(),
        "training": _training(),
        "initialize": {"vectors": "${paths.vectors}", "init_tok2vec": "${paths.init_tok2vec}"},
    }
    if opts.transformer:
        from ._init_transformer import add_transformer

        add_transformer(config, opts, cnn_trunk=_tok2vec_model(opts))
    elif "tok2vec" in opts.pipeline and opts.lang in LEXEME_LANGS:
        add_lexeme_vectors(config)
    if opts.pretraining:
        config["paths"]["raw_text"] = None
        config["corpora"]["pretrain"] = dict(PRETRAIN_CORPUS)
        config["pretraining"] = _pretraining(opts)
    return config


def add_lexeme_vectors(config: Dict[str, Any]) -> None:
    """The tok2vec reads heron.lexeme_vectors.v1, built at initialize unless
    ${paths.vectors} names your own vectors (which then take their place)."""
    config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] = True
    config["initialize"]["vectors"] = {"@misc": "heron.lexeme_vectors.v1", "lang": "${nlp.lang}",
                                       "rows": LEXEME_ROWS, "path": "${paths.vectors}"}


def _corpora() -> Dict[str, Any]:
    registry.ensure_populated()
    if not _registered(CORPUS_READER):
        return {}
    return {split: _corpus_reader(split) for split in ("train", "dev")}


def _corpus_reader(name: str) -> Dict[str, Any]:
    return {**CORPUS_READER, "path": f"${{paths.{name}}}"}


def with_default_corpora(config: Config) -> Config:
    """A copy of `config` with a reader (heron.Corpus.v1 on ${paths.NAME}, as `init config`
    writes) for each corpus [training] train_corpus / dev_corpus names that [corpora] lacks,
    so a filled config trains (E513 otherwise); readers the config has are kept as they are."""
    from ..schemas import section_defaults

    registry.ensure_populated()
    config = config.copy()
    if not _registered(CORPUS_READER):
        return config
    training = {**section_defaults("training"), **(config.get("training") or {})}
    for key in ("train_corpus", "dev_corpus"):
        section, _, name = str(training[key]).partition(".")
        if section != "corpora" or not name or name in (config.get("corpora") or {}):
            continue
        config.setdefault("corpora", {})[name] = _corpus_reader(name)
        config.setdefault("paths", {}).setdefault(name, None)
    return config


def _training() -> Dict[str, Any]:
    training: Dict[str, Any] = {"dev_corpus": "corpora.dev", "train_corpus": "corpora.train"}
    registry.ensure_populated()
    for key, block in TRAINING_BLOCKS:
        if _registered(block):
            training[key] = copy.deepcopy(block)
    return training


def _pretraining(opts: Options) -> Dict[str, Any]:
    if "tok2vec" not in opts.pipeline:
        warn("--pretraining: the pipeline has no tok2vec component yet, so `heron pretrain` "
             "will have nothing to pretrain; the section is written for later use.")
    # spaCy's pretraining defaults; the [corpora.pretrain] reader it names is
    # heron.pretraining.corpus.PRETRAIN_CORPUS (read from ${paths.raw_text}).
    from ..pretraining.loop import DEFAULT_BATCHER, DEFAULT_OBJECTIVE, DEFAULT_OPTIMIZER

    return {
        "max_epochs": 1000, "dropout": 0.2, "n_save_every": None, "n_save_epoch": None,
        "component": "tok2vec", "layer": "", "corpus": "corpora.pretrain",
        "batcher": dict(DEFAULT_BATCHER), "optimizer": dict(DEFAULT_OPTIMIZER),
        "objective": dict(DEFAULT_OBJECTIVE),
    }


def _header(opts: Options) -> str:
    return (
        f"# Generated by `heron init config` (heron {__version__}).\n"
        f"# lang = {opts.lang}, pipeline = {', '.join(opts.pipeline) or '(empty)'}, "
        f"optimize = {opts.optimize.value}, gpu = {str(opts.gpu).lower()}, "
        f"pretraining = {str(opts.pretraining).lower()}"
        + (f", transformer = {opts.transformer}" if opts.transformer else "") + "\n\n"
    )


def _write(text: str, output_file: Path) -> None:
    if str(output_file) == "-":
        echo(text.rstrip("\n"))
    else:
        atomic_write_text(output_file, text)


@init_cli.command("fill-config")
def init_fill_config_cli(
    base_path: Path = typer.Argument(..., help="Config to fill ('-' reads stdin).", allow_dash=True),
    output_file: Path = typer.Argument(
        Path("-"), help="Where to write the filled config ('-' for stdout).", allow_dash=True
    ),
    code: Optional[Path] = CODE_OPTION,
    pretraining: bool = typer.Option(False, "--pretraining", "-pt", help="Add a [pretraining] section."),
    diff: bool = typer.Option(False, "--diff", "-D", help="Print the lines that filling added or changed."),
) -> None:
    """Fill every default into a partial config (e.g. one exported from a quickstart).

    Variables (${...}) are kept. A corpus [training] names but [corpora] lacks gets the
    reader `init config` writes (path ${paths.train} / ${paths.dev}). The result is
    validated: a config that fills is a config `heron train` accepts (as far as settings go).
    """
    import_code(code)
    config = load_config(base_path)
    if pretraining and "pretraining" not in config:
        config.setdefault("paths", {}).setdefault("raw_text", None)
        config.setdefault("corpora", {}).setdefault("pretrain", dict(PRETRAIN_CORPUS))
        config["pretraining"] = _pretraining(Options(
            config.get("nlp", {}).get("lang", "xx"), list(config.get("nlp", {}).get("pipeline", [])),
            Optimize.efficiency, False, True,
        ))
    with errors_in_file(base_path):
        filled = fill_config(with_default_corpora(config))
    before, after = config_to_str(config), config_to_str(filled)
    if diff:
        lines = difflib.unified_diff(
            before.splitlines(), after.splitlines(), str(base_path), str(output_file), lineterm=""
        )
        typer.echo("\n".join(lines) or "(no changes)", err=str(output_file) == "-")
    save_config(filled, output_file)
    if str(output_file) != "-":
        good(f"Saved filled config to {output_file}")
    elif before == after:
        info("The config was already complete.")
