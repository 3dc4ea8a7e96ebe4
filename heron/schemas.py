"""Schemas of the top-level config sections, and the checks that use them.

A section schema is a plain `confection.Schema` subclass: each annotated attribute is
one setting, its type annotation the accepted type and its value (if any) the
default that `heron.config.fill_config` writes in. A setting without a default is
required. `extra = "forbid"` means unknown settings are errors (with a "did you
mean" suggestion); free-form sections ([paths], [corpora], [components])
allow any key.

Settings typed `Callable` take a registered-function block, e.g.

    [nlp.tokenizer]
    @tokenizers = "heron.Tokenizer.v1"

whose own arguments are checked against the registered function's signature by
`heron.config.validate_config`.

Deliberately NOT pydantic: confection 1.3 ships its own light Schema and type
checker, and one validation engine is easier to keep consistent than two.
"""
# No `from __future__ import annotations` here: Schema reads the annotations at
# class creation, and string annotations would silently accept anything.
import difflib
from typing import Any, Callable, Dict, List, Optional, Tuple, Union, get_args, get_origin

from confection import Schema
from confection.typechecker import check_type
from confection.util import is_promise

FORBID = {"extra": "forbid", "arbitrary_types_allowed": True}
ALLOW = {"extra": "allow", "arbitrary_types_allowed": True}


class PathsSchema(Schema):
    """[paths]: free-form file locations, referenced elsewhere as ${paths.train}."""

    model_config = ALLOW
    train: Optional[str] = None
    dev: Optional[str] = None
    vectors: Optional[str] = None
    init_tok2vec: Optional[str] = None


class SystemSchema(Schema):
    """[system]: process-wide settings shared by training and inference."""

    model_config = FORBID
    seed: Optional[int] = 0
    gpu_allocator: Optional[str] = None


class NlpSchema(Schema):
    """[nlp]: how to build the Language object; `lang` is the only required setting."""

    model_config = FORBID
    lang: str
    pipeline: List[str] = []
    disabled: List[str] = []
    batch_size: int = 1000
    tokenizer: Callable = {"@tokenizers": "heron.Tokenizer.v1"}
    vectors: Optional[Callable] = None
    before_creation: Optional[Callable] = None
    after_creation: Optional[Callable] = None
    after_pipeline_creation: Optional[Callable] = None


class TrainingSchema(Schema):
    """[training]: the training loop. Read by `heron train`, ignored at inference."""

    model_config = FORBID
    seed: Optional[int] = "${system.seed}"
    gpu_allocator: Optional[str] = "${system.gpu_allocator}"
    dropout: float = 0.1
    accumulate_gradient: int = 1
    patience: int = 1600
    max_epochs: int = 0
    max_steps: int = 20000
    eval_frequency: int = 200
    frozen_components: List[str] = []
    annotating_components: List[str] = []
    before_to_disk: Optional[Callable] = None
    before_update: Optional[Callable] = None
    dev_corpus: str = "corpora.dev"
    train_corpus: str = "corpora.train"
    # Optional until the training package registers its batchers/optimizers/loggers;
    # then these become required with registered defaults (honest debt).
    batcher: Optional[Callable] = None
    optimizer: Optional[Callable] = None
    logger: Optional[Callable] = None
    score_weights: Dict[str, Optional[float]] = {}


class InitializeSchema(Schema):
    """[initialize]: settings used once, before training (vectors, labels, ...)."""

    model_config = FORBID
    # A path / package name, or what a function block (heron.lexeme_vectors.v1) returns.
    vectors: Optional[Any] = "${paths.vectors}"
    init_tok2vec: Optional[str] = "${paths.init_tok2vec}"
    before_init: Optional[Callable] = None
    after_init: Optional[Callable] = None
    components: Dict[str, Any] = {}
    tokenizer: Dict[str, Any] = {}


class PretrainingSchema(Schema):
    """[pretraining]: `heron pretrain` (tok2vec pretraining on raw text); read by no other
    command. Function blocks left null get heron.pretraining.loop's defaults."""

    model_config = FORBID
    max_epochs: int = 1000
    dropout: float = 0.2
    n_save_every: Optional[int] = None
    n_save_epoch: Optional[int] = None
    corpus: str = "corpora.pretrain"
    component: str = "tok2vec"
    layer: str = ""
    batcher: Optional[Callable] = None
    optimizer: Optional[Callable] = None
    objective: Optional[Callable] = None


class FreeSchema(Schema):
    """A section whose keys are user-chosen names ([corpora], [components])."""

    model_config = ALLOW


# Order matters: it is the order `fill_config` writes sections in.
SECTION_SCHEMAS: Dict[str, type] = {
    "paths": PathsSchema,
    "system": SystemSchema,
    "nlp": NlpSchema,
    "components": FreeSchema,
    "corpora": FreeSchema,
    "training": TrainingSchema,
    "pretraining": PretrainingSchema,
    "initialize": InitializeSchema,
}
# Sections `fill_config` adds when absent; [pretraining] only appears on request.
DEFAULT_SECTIONS = ("paths", "system", "nlp", "components", "corpora", "training", "initialize")


def section_defaults(section: str) -> Dict[str, Any]:
    """The default settings of one section (required settings are left out)."""
    schema = SECTION_SCHEMAS[section]
    return {
        name: _copy(field.default)
        for name, field in schema.model_fields.items()
        if not field.is_required()
    }


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# ---- type checks with human messages ------------------------------------------


def type_name(annotation: Any) -> str:
    """A short readable name for a type annotation: `list[str]`, `int | None`."""
    if annotation is Any:
        return "any value"
    if annotation is type(None) or annotation is None:
        return "null"
    origin = get_origin(annotation)
    if origin is Union:
        return " | ".join(type_name(a) for a in get_args(annotation))
    if origin is not None:
        if origin in (Callable.__origin__,):  # typing.Callable[...]
            return "registered function"
        args = ", ".join(type_name(a) for a in get_args(annotation))
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{args}]" if args else name
    if annotation is Callable:
        return "registered function"
    return getattr(annotation, "__name__", str(annotation))


_FIXES = {
    int: "set it to a whole number, e.g. 64",
    float: "set it to a number, e.g. 0.1",
    bool: "set it to true or false",
    str: 'set it to a quoted string, e.g. "text"',
    list: 'set it to a list, e.g. ["a", "b"]',
    dict: 'set it to a section or a JSON object, e.g. {"a": 1}',
}


_EXAMPLES = {str: '"a", "b"', int: "1, 2", float: "0.1, 0.5", bool: "true, false"}


def type_fix(annotation: Any) -> str:
    """How to write a value of this type in a config file."""
    branches = [a for a in get_args(annotation)] if get_origin(annotation) is Union else [annotation]
    allows_null = type(None) in branches
    branches = [b for b in branches if b is not type(None)]
    fixes = []
    for branch in branches:
        base = get_origin(branch) or branch
        if is_callable_type(branch):
            fixes.append('set it to a registered function block (@<registry> = "name")')
        elif base is list and get_args(branch) and get_args(branch)[0] in _EXAMPLES:
            example = _EXAMPLES[get_args(branch)[0]]
            fixes.append(f"set it to a list of {type_name(get_args(branch)[0])} values, e.g. [{example}]")
        elif base in _FIXES:
            fixes.append(_FIXES[base])
    fix = " or ".join(dict.fromkeys(fixes)) or f"set it to a {type_name(annotation)}"
    return fix + (" (or null)" if allows_null else "")


def is_callable_type(annotation: Any) -> bool:
    return annotation is Callable or get_origin(annotation) is Callable.__origin__


def check_value(value: Any, annotation: Any) -> Optional[str]:
    """None if `value` fits `annotation`, else "expected T, got V (type); fix"."""
    if is_promise(value):
        # A block resolves to whatever its function returns (a reader may return
        # the labels list); its own arguments are checked by heron.config.
        return None
    if is_callable_type(annotation) or (
        get_origin(annotation) is Union and all(
            is_callable_type(a) or a is type(None) for a in get_args(annotation)
        )
    ):
        if value is None and not is_callable_type(annotation):
            return None
        ok = callable(value)
    else:
        ok = check_type(value, annotation)
    if ok:
        return None
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return (
        f"expected {type_name(annotation)}, got {shown} ({type(value).__name__}); "
        f"{type_fix(annotation)}"
    )


def suggest(name: str, options: List[str]) -> str:
    """' Did you mean 'x'?' for the closest option, or ''."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_fields(
    values: Dict[str, Any], fields: Dict[str, Any], path: str, *, extra: bool, what: str
) -> List[Tuple[str, str]]:
    """Check `values` against `fields` (name -> confection FieldInfo).

    Returns (dotted path, message) pairs for unknown, missing and mistyped
    settings; `what` names the thing being configured, e.g. "[training]".
    """
    errors: List[Tuple[str, str]] = []
    allowed = sorted(fields)
    for key, value in values.items():
        where = f"{path}.{key}" if path else key
        if key.startswith("@") or key == "*":
            continue
        if key not in fields:
            if not extra:
                errors.append((where, (
                    f"unknown setting {key!r} in {what}.{suggest(key, allowed)} "
                    f"Allowed settings: {', '.join(allowed) or '(none)'}. "
                    f"Fix: rename or remove it."
                )))
            continue
        problem = check_value(value, fields[key].annotation)
        if problem:
            errors.append((where, problem))
    for key, field in fields.items():
        if key not in values and field.is_required():
            hint = type_fix(field.annotation)
            errors.append((f"{path}.{key}" if path else key, (
                f"missing required setting {key!r} in {what} (expected "
                f"{type_name(field.annotation)}); add `{key} = ...` there: {hint}"
            )))
    return errors


def check_section(name: str, values: Any) -> List[Tuple[str, str]]:
    """Check one top-level section against its schema (not the function blocks in it)."""
    schema = SECTION_SCHEMAS[name]
    if not isinstance(values, dict):
        return [(name, f"[{name}] must be a section, got {values!r}; write it as [{name}]")]
    extra = schema.model_config.get("extra") != "forbid"
    errors = check_fields(values, schema.model_fields, name, extra=extra, what=f"[{name}]")
    mistyped = {key for key, _ in errors}
    for key, (low, high, meaning) in RANGES.get(name, {}).items():
        value = values.get(key)
        where = f"{name}.{key}"
        if where in mistyped or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            errors.append((where, f"{value!r} is out of range; expected {meaning}"))
    return errors


# Ranges a type can't express: (lowest, highest, what the values mean); None = unbounded.
# Checked with the types, so a config `heron train` would only reject mid-run (a dropout
# of 1.5 fails in torch at step 0) is rejected by `heron debug config` as well.
RANGES: Dict[str, Dict[str, Tuple[Optional[float], Optional[float], str]]] = {
    "nlp": {"batch_size": (1, None, "a number of texts >= 1, e.g. 1000")},
    "training": {
        "dropout": (0.0, 1.0, "a dropout rate from 0 to 1, e.g. 0.1"),
        "accumulate_gradient": (1, None, "1 (no accumulation) or more sub-batches per step"),
        "patience": (0, None, "0 (no early stopping) or a number of steps, e.g. 1600"),
        "max_epochs": (-1, None, "-1 (stream the corpus), 0 (no limit) or a number of epochs"),
        "max_steps": (0, None, "0 (no limit) or a number of steps, e.g. 20000"),
        "eval_frequency": (1, None, "a number of steps >= 1 between evaluations, e.g. 200"),
    },
    "pretraining": {
        "dropout": (0.0, 1.0, "a dropout rate from 0 to 1, e.g. 0.2"),
        "max_epochs": (1, None, "a number of epochs >= 1"),
    },
}


__all__ = [
    "SECTION_SCHEMAS", "DEFAULT_SECTIONS", "NlpSchema", "TrainingSchema",
    "InitializeSchema", "SystemSchema", "PathsSchema", "PretrainingSchema",
    "section_defaults", "check_value", "check_fields", "check_section", "RANGES",
    "type_name", "type_fix", "suggest",
]
