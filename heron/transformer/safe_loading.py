"""The gate between model files and Hugging Face's loaders: loading a model or a saved
pipeline never runs code shipped with it, never unpickles and never reaches the network.

What transformers would otherwise do with files it is handed:

- import Python from the model folder: `auto_map` in config.json / tokenizer_config.json
  names a module beside them, imported when `trust_remote_code` is true (and with it
  unset, transformers asks on stdin);
- fetch and run compiled kernels from the hub: `attn_implementation = "org/repo"`;
- unpickle weights: pytorch_model.bin (torch.load), or any file config.json's
  `transformers_weights` names;
- download whatever is missing, unless told `local_files_only`.

So every heron call into transformers goes through `from_pretrained` below (local files
only, trust_remote_code=False, hub and hub kernels off), and before it:

- `check_tokenizer_config` / `check_transformer_config`: only an allowlist of known-safe
  settings from a config.cfg reaches from_pretrained: trust_remote_code (truthy) is E764,
  any other key E765, a bad value E766. Nothing is dropped silently.
- `check_model_folder`: E767 for auto_map or a truthy trust_remote_code anywhere in
  config.json / tokenizer_config.json, a model_type or tokenizer_class that isn't built
  into transformers, a hub-kernel implementation, a non-safetensors `transformers_weights`
  and, in folders heron wrote, any code file (heron never writes one).
- `check_safetensors_weights`: E769 for a folder whose weights exist only as pickles.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from ..errors import Errors, HeronValueError

CONFIG_FILE = "config.json"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"
# The JSON files transformers reads to pick classes (and so could be told to import code).
CLASS_FILES = (CONFIG_FILE, TOKENIZER_CONFIG_FILE)
# Heron writes JSON, text vocabularies, sentencepiece models and safetensors: never these.
CODE_SUFFIXES = (".py", ".pyc", ".pyo", ".pyd", ".pyw", ".so", ".dylib", ".dll")
PICKLE_WEIGHTS = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
SAFE_ATTENTION = ("eager", "sdpa")
# Set while transformers runs: the hub client refuses every request (HF_HUB_OFFLINE is read
# once at import, hence also the constant), and hub kernels are disabled.
_OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "USE_HUB_KERNELS": "NO",
                "HF_HUB_DISABLE_TELEMETRY": "1"}


def _bool(value: Any) -> bool:
    return isinstance(value, bool)


def _optional_bool(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _probability(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0


def _positive_float(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _one_of(*allowed: str) -> Callable[[Any], bool]:
    return lambda value: value in allowed


# key -> (check of the value, what the value must be). Tokenizer settings that change how
# text is split or how long inputs may be; nothing that names files, caches or code.
TOKENIZER_OPTIONS: Dict[str, Tuple[Callable[[Any], bool], str]] = {
    "use_fast": (_bool, "true or false"),
    "add_prefix_space": (_bool, "true or false"),
    "do_lower_case": (_bool, "true or false"),
    "strip_accents": (_optional_bool, "true, false or null"),
    "tokenize_chinese_chars": (_bool, "true or false"),
    "trim_offsets": (_bool, "true or false"),
    "clean_up_tokenization_spaces": (_bool, "true or false"),
    "model_max_length": (_positive_int, "an int >= 1"),
    "padding_side": (_one_of("left", "right"), '"left" or "right"'),
    "truncation_side": (_one_of("left", "right"), '"left" or "right"'),
}
# Config attribute overrides for AutoConfig: regularisation and outputs, never the shapes
# (the saved weights fix those) nor anything that picks code.
CONFIG_OPTIONS: Dict[str, Tuple[Callable[[Any], bool], str]] = {
    **{key: (_probability, "a number in 0..1") for key in (
        "hidden_dropout_prob", "attention_probs_dropout_prob", "dropout", "attention_dropout",
        "activation_dropout", "hidden_dropout", "classifier_dropout", "pooler_dropout",
        "summary_last_dropout", "layerdrop")},
    "layer_norm_eps": (_positive_float, "a number > 0"),
    "output_hidden_states": (_bool, "true or false"),
    "output_attentions": (_bool, "true or false"),
    "attn_implementation": (_one_of(*SAFE_ATTENTION), " or ".join(f'"{a}"' for a in SAFE_ATTENTION)),
}


def check_tokenizer_config(settings: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The tokenizer_config settings that may reach AutoTokenizer.from_pretrained (E764-E766)."""
    return _check_settings("tokenizer_config", settings, TOKENIZER_OPTIONS)


def check_transformer_config(settings: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The transformer_config overrides that may reach AutoConfig.from_pretrained (E764-E766)."""
    return _check_settings("transformer_config", settings, CONFIG_OPTIONS)


def _check_settings(where: str, settings: Optional[Dict[str, Any]],
                    options: Dict[str, Tuple[Callable[[Any], bool], str]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in dict(settings or {}).items():
        if key == "trust_remote_code":
            if value:
                raise HeronValueError(Errors.E764.format(where=where, value=value))
            continue  # false/null: what heron passes anyway
        if key not in options:
            raise HeronValueError(Errors.E765.format(where=where, key=key, allowed=", ".join(options)))
        check, expected = options[key]
        if not check(value):
            raise HeronValueError(Errors.E766.format(where=where, key=key, value=value, expected=expected))
        out[key] = value
    return out


# ---- model folders ------------------------------------------------------------------------------
def model_folder_problems(folder: Path, *, written_by_heron: bool) -> List[str]:
    """Why loading `folder` could run code: one 'file: detail' line per problem (empty: safe).

    Reads only the small JSON files transformers picks classes from; the built-in class
    checks need transformers and are skipped when it isn't installed (nothing can load then).
    """
    problems = []
    for name in CLASS_FILES:
        data = _read_json(folder / name)
        if data is None:
            continue
        problems += [f"{name}: {detail}" for detail in _json_problems(data, "")]
        problems += [f"{name}: {detail}" for detail in _class_problems(name, data)]
    if written_by_heron:
        problems += [f"{p.name}: a code file, which heron never writes into a model folder"
                     for p in sorted(folder.iterdir()) if p.suffix.lower() in CODE_SUFFIXES]
    return problems


def check_model_folder(folder: Path, *, written_by_heron: bool, shown_as: Optional[str] = None,
                       fix: Optional[str] = None) -> None:
    """E767 naming the file and key if loading `folder` could import or run code."""
    problems = model_folder_problems(folder, written_by_heron=written_by_heron)
    if problems:
        if fix is None:
            fix = SAVED_FIX if written_by_heron else NAME_FIX
        raise HeronValueError(Errors.E767.format(path=shown_as or folder, detail="; ".join(problems),
                                                 fix=fix))


SAVED_FIX = ("these files were not written by heron (it never writes auto_map, trust_remote_code, "
             "custom classes or code files): don't load a pipeline edited by someone you don't "
             "trust; re-create it from its config with a model transformers supports natively, "
             "train and save it again with nlp.to_disk")
NAME_FIX = ("use a model that transformers supports natively (its config.json has a built-in "
            "model_type such as bert, roberta, xlm-roberta, deberta-v2 or electra) and set `name` to "
            "it; if only a leftover auto_map is at fault and the model_type is built in, delete the "
            "auto_map entry from your copy of the file")


def _read_json(path: Path) -> Optional[Dict[str, Any]]:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError):
        return None  # transformers reports unreadable files itself (as E750/E754/E763)
    return data if isinstance(data, dict) else None


def _json_problems(node: Any, prefix: str) -> Iterator[str]:
    """auto_map, truthy trust_remote_code and hub-kernel implementations, at any depth."""
    if isinstance(node, list):
        for item in node:
            yield from _json_problems(item, prefix)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        path = f"{prefix}{key}"
        if key == "auto_map":
            yield f"{path} = {_short(value)} (it names Python classes to import from the folder)"
        elif key == "trust_remote_code" and value:
            yield f"{path} = {_short(value)}"
        elif str(key).lstrip("_").endswith("implementation") and _names_hub_repo(value):
            yield f"{path} = {_short(value)} (a hub repository of compiled kernels, not a built-in one)"
        elif key == "transformers_weights" and value is not None and \
                not str(value).endswith((".safetensors", ".safetensors.index.json")):
            yield f"{path} = {_short(value)} (only safetensors weights are loaded)"
        else:
            yield from _json_problems(value, f"{path}.")


def _names_hub_repo(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_names_hub_repo(v) for v in value.values())
    return isinstance(value, str) and "/" in value


def _class_problems(name: str, data: Dict[str, Any]) -> List[str]:
    """model_type / tokenizer_class naming something transformers doesn't ship."""
    try:
        from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES
        from transformers.models.auto.tokenization_auto import tokenizer_class_from_name
    except ImportError:
        return []
    out = []
    model_type = data.get("model_type") if name == CONFIG_FILE else None
    if model_type is not None and model_type not in CONFIG_MAPPING_NAMES:
        out.append(f"model_type = {_short(model_type)} is not a model type built into transformers")
    tokenizer_class = data.get("tokenizer_class")
    if tokenizer_class is not None and not _builtin_tokenizer(str(tokenizer_class), tokenizer_class_from_name):
        out.append(f"tokenizer_class = {_short(tokenizer_class)} is not a tokenizer class built into transformers")
    return out


def _builtin_tokenizer(name: str, lookup: Callable[[str], Any]) -> bool:
    # transformers looks a class name up in its own modules only (and among classes
    # registered in this process); "XFast" and "X" are aliases since v5.
    for candidate in (name, name[:-4] if name.endswith("Fast") else name + "Fast"):
        try:
            if lookup(candidate) is not None:
                return True
        except Exception:  # a broken optional dependency of a built-in class: not ours to judge
            return True
    return False


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_safetensors_weights(folder: Path, name: str) -> None:
    """E769 if `folder` holds pickle weights and no safetensors (heron never unpickles)."""
    files = [p.name for p in sorted(folder.iterdir()) if p.is_file()]
    if any(f.endswith((".safetensors", ".safetensors.index.json")) for f in files):
        return
    pickles = [f for f in files if f.lower().endswith(PICKLE_WEIGHTS)]
    if pickles:
        raise HeronValueError(Errors.E769.format(name=name, path=folder, files=pickles))


def local_model_folder(name: str) -> Optional[Path]:
    """The folder `name` loads from without network: a local folder, or the HF cache's
    snapshot of a hub id (None when neither is here)."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(name, CONFIG_FILE)
    except Exception:  # not a valid hub id, or no huggingface_hub: nothing cached to check
        return None
    return Path(cached).parent if isinstance(cached, str) else None


# ---- calling transformers -----------------------------------------------------------------------
@contextlib.contextmanager
def offline() -> Iterator[None]:
    """Hub requests off (they raise OfflineModeIsEnabled) and hub kernels disabled while
    transformers runs; the previous settings come back when the last user leaves (nested
    or concurrent loads in threads share one saved state, so none restores too early)."""
    from huggingface_hub import constants

    with _OFFLINE_LOCK:
        if _OFFLINE_STATE["depth"] == 0:
            _OFFLINE_STATE["env"] = {key: os.environ.get(key) for key in _OFFLINE_ENV}
            _OFFLINE_STATE["flag"] = constants.HF_HUB_OFFLINE
            os.environ.update(_OFFLINE_ENV)
            constants.HF_HUB_OFFLINE = True
        _OFFLINE_STATE["depth"] += 1
    try:
        yield
    finally:
        with _OFFLINE_LOCK:
            _OFFLINE_STATE["depth"] -= 1
            if _OFFLINE_STATE["depth"] == 0:
                constants.HF_HUB_OFFLINE = _OFFLINE_STATE["flag"]
                for key, value in _OFFLINE_STATE["env"].items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value


_OFFLINE_LOCK = threading.Lock()
_OFFLINE_STATE: Dict[str, Any] = {"depth": 0, "env": {}, "flag": False}


def from_pretrained(loader: Any, source: str, **kwargs: Any) -> Any:
    """`loader.from_pretrained(source, ...)` (AutoConfig / AutoTokenizer / AutoModel) from
    local files only, trusting no code, offline. `kwargs` must already be checked."""
    with offline():
        return loader.from_pretrained(source, local_files_only=True, trust_remote_code=False, **kwargs)


def resolve_name(name: str) -> str:
    """A local folder (~ expanded) as a path; anything else is a hub id for the HF cache."""
    path = Path(name).expanduser()
    return str(path) if path.exists() else name


def hf_cache_dir() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except Exception:  # very old/new hub layout: the env var is the documented override
        return os.environ.get("HF_HUB_CACHE", "~/.cache/huggingface/hub")


@contextlib.contextmanager
def quiet(transformers: Any) -> Iterator[None]:
    """Silence transformers' progress bars and info logs while loading/saving, then restore."""
    logging = transformers.utils.logging
    bars = logging.is_progress_bar_enabled()
    level = logging.get_verbosity()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(level)
        if bars:
            logging.enable_progress_bar()


__all__ = ["check_tokenizer_config", "check_transformer_config", "check_model_folder",
           "model_folder_problems", "check_safetensors_weights", "local_model_folder", "offline",
           "from_pretrained", "resolve_name", "hf_cache_dir", "quiet", "TOKENIZER_OPTIONS",
           "CONFIG_OPTIONS", "CODE_SUFFIXES"]
