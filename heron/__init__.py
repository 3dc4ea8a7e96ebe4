"""heron: PyTorch-native NLP pipelines built on transfer learning."""
from .about import __version__
from .errors import HeronError
from .gpu import prefer_gpu, require_cpu, require_gpu
from .registry import registry


def blank(lang: str, **kwargs):
    """Create an empty pipeline for a language code ("en", "xx", ...)."""
    from .language import blank as _blank

    return _blank(lang, **kwargs)


def load(path, **kwargs):
    """Load a pipeline saved with `nlp.to_disk(path)`, or an installed pipeline package by
    name (`heron package`; its code is not run), onto the GPU after require_gpu()."""
    from .gpu import to_current_device
    from .language import load as _load

    return to_current_device(_load(path, **kwargs))


def info(model=None):
    """heron's version, platform, Python and installed pipeline packages; with `model` (a
    folder or package name), that pipeline's meta. Returns a dict (as spacy.info())."""
    from .packaging.info import info as _info

    return _info(model)


def explain(term: str):
    """What a POS tag, fine-grained tag, dependency label or entity label means (None if unknown)."""
    from .glossary import explain as _explain

    return _explain(term)


def __getattr__(name: str):
    # heron.Vectors without importing the vectors package (numpy-heavy) on `import heron`.
    if name == "Vectors":
        from .vectors import Vectors

        return Vectors
    raise AttributeError(f"module 'heron' has no attribute {name!r}")


__all__ = ["__version__", "HeronError", "registry", "blank", "load", "info", "explain", "require_gpu", "prefer_gpu",
           "require_cpu", "Vectors"]
