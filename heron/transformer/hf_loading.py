"""Loading and saving a Hugging Face model + fast tokenizer, and what their configs tell us.

Nothing is downloaded and no code shipped with a model runs, ever: every call into
transformers goes through `safe_loading` (local files only, trust_remote_code=False, hub
offline, an allowlist of tokenizer_config/transformer_config keys, model folders checked
for auto_map & co. first, safetensors weights only). `transformers` itself is imported
only inside these functions: it is slow and an optional extra (heron[transformers]).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from ..errors import Errors, HeronError, HeronValueError
from ..featurize.span_pieces import require_fast_tokenizer
from .safe_loading import (
    check_model_folder,
    check_safetensors_weights,
    from_pretrained,
    hf_cache_dir,
    local_model_folder,
    quiet,
    resolve_name,
)

# RoBERTa-family position ids start after padding_idx: max_position_embeddings - 2 usable.
_OFFSET_POSITION_MODELS = ("roberta", "xlm-roberta", "camembert", "longformer", "bart", "mpnet")


class MissingTransformersError(HeronError, ImportError):
    """The optional `transformers` package is not installed."""


def require_transformers(what: str = "The transformer component") -> Any:
    """Import `transformers` (slow: seconds), or raise E700 naming pip install heron[transformers]."""
    try:
        import transformers
    except ImportError as e:
        raise MissingTransformersError(Errors.E700.format(what=what, err=e)) from None
    return transformers


def peek_config(name: str, transformer_config: Dict[str, Any]) -> Optional[Any]:
    """Only config.json of `name`, if it is available locally (cheap), else None.
    A folder that would need code shipped with it is refused here already (E767)."""
    transformers = require_transformers()
    folder = local_model_folder(name)
    if folder is None:
        return None  # not here (e.g. a saved pipeline elsewhere): from_disk or initialize tells
    check_model_folder(folder, written_by_heron=False)
    try:
        return from_pretrained(transformers.AutoConfig, resolve_name(name), **transformer_config)
    except (OSError, ValueError):
        return None  # unreadable: load_pretrained reports it with the details (E750)


def load_pretrained(name: str, path: Optional[Path], *, tokenizer_config: Dict[str, Any],
                    transformer_config: Dict[str, Any]) -> Tuple[Any, Any, Any]:
    """(config, fast tokenizer, model) from `path` (a saved copy) or else `name`.
    The folder is checked first (E767: code it would need; E769: pickle-only weights);
    E750/E754 if it can't be read, E701 if the tokenizer is not a fast one."""
    transformers = require_transformers()
    saved = path is not None
    source = str(path) if path is not None else resolve_name(name)
    folder = Path(path) if path is not None else local_model_folder(name)
    if folder is not None:
        check_model_folder(folder, written_by_heron=saved)
        check_safetensors_weights(folder, name)
    with quiet(transformers):
        try:
            config = from_pretrained(transformers.AutoConfig, source, **transformer_config)
            tokenizer = from_pretrained(transformers.AutoTokenizer, source, **tokenizer_config)
            model = from_pretrained(transformers.AutoModel, source, config=config, use_safetensors=True)
        except (OSError, ValueError) as e:
            raise _load_error(name, source, saved, e) from None
    require_fast_tokenizer(tokenizer)
    return config, tokenizer, model


def _load_error(name: str, source: str, saved: bool, e: Exception) -> HeronError:
    detail = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    if saved:
        return HeronValueError(Errors.E754.format(path=source, detail=detail))
    where = "a folder" if Path(source).expanduser().exists() else "not a folder here; looked in the HF cache"
    return HeronValueError(Errors.E750.format(name=name, where=where, detail=detail, cache=hf_cache_dir()))


def save_pretrained(model: Any, tokenizer: Any, path: Path) -> None:
    """Write config.json, model.safetensors and the tokenizer files into folder `path`."""
    transformers = require_transformers()
    with quiet(transformers):
        model.save_pretrained(str(path))
        tokenizer.save_pretrained(str(path))


def hidden_width(config: Any) -> Optional[int]:
    """The hidden size a config declares (under any of the usual names), or None."""
    if config is None:
        return None
    for key in ("hidden_size", "d_model", "n_embd", "dim"):
        value = getattr(config, key, None)
        if isinstance(value, int):
            return value
    return None


def max_window_length(config: Any, tokenizer: Any) -> int:
    """Wordpieces per forward window, special tokens included: the smaller of the
    tokenizer's model_max_length and the model's position embeddings (512 if neither says)."""
    limits = []
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and 0 < tok_max < 1_000_000:
        limits.append(tok_max)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        model_type = str(getattr(config, "model_type", ""))
        offset = 0
        if model_type in _OFFSET_POSITION_MODELS:
            offset = int(getattr(config, "pad_token_id", 1) or 1) + 1
        limits.append(positions - offset)
    return min(limits) if limits else 512


__all__ = ["MissingTransformersError", "require_transformers", "peek_config", "load_pretrained",
           "save_pretrained", "hidden_width", "max_window_length"]
