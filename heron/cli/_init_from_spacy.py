"""`heron init config --from-spacy spacy.cfg heron.cfg`: the CLI side of
heron/interop/spacy_config.py (read, translate, print W540, write)."""
from __future__ import annotations

from pathlib import Path

from .._config_errors import read_config_text
from ..errors import ConfigError, Errors, HeronValueError
from ..util import atomic_write_text
from ._util import echo, good, info, warn


def init_config_from_spacy(spacy_path: Path, output_file: Path, *, force: bool) -> None:
    """Translate the spaCy config at `spacy_path` and write it to `output_file` ('-': stdout)."""
    from ..interop.spacy_config import translate_spacy_config

    if str(output_file) != "-" and output_file.exists() and not force:
        raise HeronValueError(Errors.E220.format(path=output_file))
    if not spacy_path.is_file():
        raise ConfigError(Errors.E201.format(path=spacy_path, cwd=Path.cwd()))
    text, warnings = translate_spacy_config(read_config_text(spacy_path), source=str(spacy_path))
    for message in warnings:
        warn(message)
    if str(output_file) == "-":
        echo(text.rstrip("\n"))
        return
    atomic_write_text(output_file, text)
    good(f"Translated {spacy_path} to {output_file}")
    info(f"Next: heron debug config {output_file} --paths.train ./train.spacy --paths.dev ./dev.spacy")
