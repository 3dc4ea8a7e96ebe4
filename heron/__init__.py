"""heron: PyTorch-native NLP pipelines built on transfer learning."""
from .about import __version__
from .errors import HeronError
from .registry import registry


def blank(lang: str, **kwargs):
    """Create an empty pipeline for a language code ("en", "xx", ...)."""
    from .language import blank as _blank

    return _blank(lang, **kwargs)


def load(path, **kwargs):
    """Load a pipeline saved with `nlp.to_disk(path)`."""
    from .language import load as _load

    return _load(path, **kwargs)


__all__ = ["__version__", "HeronError", "registry", "blank", "load"]
