"""Config mistakes found in the raw text, and where each setting's error points.

confection parses a config only once it is UTF-8 text with closed `${...}` variables
and every [a.b.c] section below an [a.b]; otherwise Python-level errors escape
(UnicodeDecodeError, configparser's ValueError for "${paths.train", "Section 'model'
is not defined") with no file, line or fix. `heron.config` runs these checks on the
raw text first, so each such mistake gets a coded error naming file:line.

`errors_in_file` then places every setting named by a ConfigError: at its line in the
config file, or at the command-line override that set it.
"""
from __future__ import annotations

import configparser
import contextlib
import difflib
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from .errors import ConfigError, Errors

ErrorList = List[Tuple[str, str]]
_HEADER_RE = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY_RE = re.compile(r"^\s*([^=:#;\s][^=:]*?)\s*[=:]")


# ---- reading ---------------------------------------------------------------------


def read_config_text(path: Path) -> str:
    """The text of config file `path`; E224 (with the line) if it isn't UTF-8 text."""
    return decode_config_bytes(path.read_bytes(), str(path))


def decode_config_bytes(data: bytes, source: str) -> str:
    """UTF-8 text of `data` (a leading BOM, as Windows editors write, is dropped).

    NUL never occurs in a text config, but decodes as UTF-8: check it explicitly so a
    binary file (a corpus, a model) passed by mistake is named as such.
    """
    bad = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        text, bad = None, e.start
    nul = data.find(b"\x00")
    if text is not None and nul < 0:
        return text
    first = min(pos for pos in (bad, nul) if pos is not None and pos >= 0)
    line = data.count(b"\n", 0, first) + 1
    detail = (f"byte {first} is 0x{data[first]:02x}"
              + ("; the file holds NUL bytes, so it looks like a binary file" if nul >= 0
                 else ", which is not UTF-8 (was the file saved in another encoding, e.g. Latin-1?)"))
    raise ConfigError(Errors.E224.format(path=source, line=line, detail=detail))


# ---- checks of the raw text ------------------------------------------------------


def check_config_text(text: str, parser: configparser.ConfigParser, source: str) -> None:
    """E225 for an unclosed ${variable}, E226 for a section whose parent is missing."""
    for section in parser.sections():
        for key, value in parser.items(section, raw=True):
            found = unclosed_variable(value)
            if found is not None:
                line = locate_setting(text, f"{section}.{key}") or "?"
                raise ConfigError(Errors.E225.format(
                    path=source, line=line, key=f"{section}.{key}", found=found))
    problems = orphan_sections(text, parser.sections(), source)
    if problems:
        raise ConfigError(Errors.E226.format(problems=" ".join(problems)))


def unclosed_variable(value: str) -> Optional[str]:
    """The first "${..." in `value` without its closing brace ("$$" is a literal $)."""
    i = 0
    while True:
        i = value.find("$", i)
        if i < 0 or i + 1 >= len(value):
            return None
        if value[i + 1] == "$":
            i += 2
        elif value[i + 1] == "{":
            end = value.find("}", i)
            if end < 0:
                return value[i:].rstrip('"\' ')
            i = end + 1
        else:
            i += 1


def orphan_sections(text: str, sections: List[str], source: str) -> List[str]:
    """One sentence per section [a.b.c] whose parent [a.b] is not in the config.

    A misspelt parent ([components.tagger.modle] above [components.tagger.model.tok2vec])
    is the usual cause, so a sibling with a close name is offered as the fix.
    """
    lines = section_lines(text)
    present = set(sections)
    problems = []
    for section in sections:
        parent, _, _ = section.rpartition(".")
        if parent.endswith(".*"):  # [a.*.name]: positional arguments of [a]; [a.*] is never written
            parent = parent[:-2]
        if not parent or parent in present:
            continue
        grandparent, _, missing = parent.rpartition(".")
        prefix = f"{grandparent}." if grandparent else ""
        siblings = {s[len(prefix):]: s for s in sections
                    if s.startswith(prefix) and "." not in s[len(prefix):]}
        close = difflib.get_close_matches(missing, list(siblings), n=1, cutoff=0.6)
        hint = ""
        if close:
            typo = siblings[close[0]]
            hint = (f" The config has [{typo}] (line {lines.get(typo, '?')}): "
                    f"did you mean [{parent}]?")
        problems.append(f"{source}:{lines.get(section, '?')}: section [{section}] has no parent "
                        f"section [{parent}].{hint}")
    return problems


def section_lines(text: str) -> Dict[str, int]:
    """{section name: 1-based line of its [header]} (the first, if repeated)."""
    found: Dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_RE.match(line)
        if header:
            found.setdefault(header.group(1).strip(), i)
    return found


def empty_config_error(source: Optional[str] = None) -> ConfigError:
    return ConfigError(Errors.E227.format(where=f" {source}" if source else ""))


NO_NLP = ("the config has no [nlp] section, so heron can't tell which language and pipeline to "
          "build; add [nlp] with lang = \"en\" and pipeline = [...], or create a complete config "
          "with `heron init config config.cfg --lang en --pipeline tagger,ner`")
NO_LANG = ("missing required setting 'lang' in [nlp] (expected str); add `lang = \"en\"` there "
           "(the language code of the tokenizer rules, \"xx\" for multi-language)")


def missing_nlp(config: Dict[str, Any]) -> ErrorList:
    """The error for a config without [nlp] or without nlp.lang, checked before defaults
    are filled in (which would turn it into the puzzling 'nlp.lang: got None')."""
    nlp = config.get("nlp")
    if not isinstance(nlp, dict):
        return [("nlp", NO_NLP)]
    return [] if "lang" in nlp else [("nlp.lang", NO_LANG)]


# ---- placing errors ----------------------------------------------------------------


def config_error(errors: ErrorList, where: str = "", places: Optional[Dict[str, str]] = None
                 ) -> ConfigError:
    """ONE E207 listing every (setting, message); `places` adds "(file:line)" per setting."""
    errors = list(dict.fromkeys(errors))
    places = places or {}
    lines = "\n".join(
        f"  - {key}{' (' + places[key] + ')' if key in places else ''}: {msg}" for key, msg in errors
    )
    n = len(errors)
    message = Errors.E207.format(where=where, n=n, s="" if n == 1 else "s", errors=lines)
    return ConfigError(message, errors=errors)


@contextlib.contextmanager
def errors_in_file(path: Union[str, Path], overrides: Union[Iterable[str], Dict[str, Any], None] = None
                   ) -> Iterator[None]:
    """Re-raise a ConfigError about `path`'s config naming, for each setting, its line in
    the file or the command-line override that set it.

    overrides: the command's `--section.key value` arguments (or their parsed dict), so
    a typo there (--training.max_stpes) is reported as the override, not as a line of
    the file that never held it.
    """
    try:
        yield
    except ConfigError as e:
        if not e.errors or str(path) == "-" or not Path(path).is_file():
            raise
        try:
            text = read_config_text(Path(path))
        except ConfigError:
            raise e from None
        from_command_line = _override_keys(overrides)
        places = {}
        for key, _ in e.errors:
            if key in from_command_line:
                places[key] = f"command-line override --{key}"
                continue
            line = locate_setting(text, key)
            places[key] = f"{path}:{line}" if line else str(path)
        raise config_error(list(e.errors), where=f" in {path}", places=places) from None


def _override_keys(overrides: Union[Iterable[str], Dict[str, Any], None]) -> List[str]:
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return list(overrides)
    from .config import parse_cli_overrides

    try:
        return list(parse_cli_overrides(list(overrides)))
    except ConfigError:  # a malformed argument was reported already, when it was parsed
        return []


def locate_setting(text: str, dotted: str) -> Optional[int]:
    """1-based line of setting `dotted` ("a.b.key") in config text, else of its section."""
    section, _, key = dotted.rpartition(".")
    best = None
    current = None
    for i, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_RE.match(line)
        if header:
            current = header.group(1).strip()
            if current == dotted or (current == section and best is None):
                best = i
            continue
        match = _KEY_RE.match(line)
        if match and current == section and match.group(1) == key:
            return i
    return best


__all__ = ["read_config_text", "decode_config_bytes", "check_config_text", "unclosed_variable",
           "orphan_sections", "section_lines", "empty_config_error", "missing_nlp", "config_error",
           "errors_in_file", "locate_setting"]
