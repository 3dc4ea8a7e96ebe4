"""Translate a spaCy v3 config into a heron config (`heron init config --from-spacy`).

    text, warnings = translate_spacy_config(open("spacy.cfg").read())

heron mirrors spaCy's config layout: the same sections, component names and settings,
and registered functions with the same arguments under heron's names. The translation
walks the spaCy config and

- renames each registered function to its heron counterpart (spacy_names.FUNCTIONS; a name
  that is already heron's stays) and keeps the arguments heron's function takes (read from
  its signature);
- keeps each section's and component's settings that heron's schema or factory has;
- leaves out every other setting with its reason (spacy_names.GAPS, or "heron's X has no
  setting Y"), collected in ONE warning, W540, which also names the values kept that must
  exist on this machine (a spaCy vectors package, a transformer model);
- raises ONE error, E541, listing every name it can't translate (an unknown function or
  component, one heron has no counterpart for, a component sourced from a spaCy pipeline).

Variables (${components.tok2vec.model.encode.width}, ${paths.train}) are kept: heron's
paths are spaCy's. The result is filled with heron's defaults and validated, so it is a
config `heron train` and `heron debug config` accept. `.spacy` corpus paths and a vectors
package name in [initialize] vectors stay as they are (heron reads both).
"""
from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from confection import Config

from ..about import __version__
from ..config import config_to_str, fill_config
from ..errors import ConfigError, Errors, HeronError, Warnings
from ..registry import registry
from ..schemas import SECTION_SCHEMAS, suggest
from .spacy_names import (
    COMPONENTS_WITHOUT_COUNTERPART,
    FUNCTIONS,
    GAPS,
    NO_DEFAULT,
    WITHOUT_COUNTERPART,
    Counterpart,
    Gap,
)

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# A value naming an installed package rather than a path: en_core_web_lg.
_PACKAGE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Sections translated key by key against heron's schema ([paths] and [corpora] are free-form).
_SCHEMA_SECTIONS = ("system", "nlp", "training", "initialize", "pretraining")
# Architectures whose `name` is a pretrained model heron must find on this machine.
_PRETRAINED = ("heron.TransformerModel.v1", "heron.TransformerTok2Vec.v1")


@dataclass(frozen=True)
class Dropped:
    """A spaCy setting left out: its config path, value and why."""

    path: str
    value: Any
    reason: str
    at_default: bool  # still spaCy's default: nothing is lost that the user asked for


@dataclass(frozen=True)
class KeptLocal:
    """A value kept as it is that heron reads from this machine (a package, a model)."""

    path: str
    shown: str  # the value as the warning shows it
    why: str


@dataclass
class Translation:
    """What `translate` made of a spaCy config.

    config: the heron config, filled with heron's defaults (variables kept).
    text: that config as text, with a header naming the source and what was left out.
    mapped: spaCy path of each kept value -> its path in the heron config.
    dropped: the settings left out; kept_local: values that must exist locally.
    warnings: W540 when anything was left out or must exist locally, else empty.
    """

    config: Config
    text: str
    mapped: Dict[str, str] = field(default_factory=dict)
    dropped: List[Dropped] = field(default_factory=list)
    kept_local: List[KeptLocal] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)


def translate_spacy_config(
    text_or_config: Union[str, Config, Dict[str, Any]], *, source: str = "the spaCy config"
) -> Tuple[str, List[str]]:
    """(heron config text, warnings) for a spaCy v3 config (its text, or the parsed config).

    source (str): names the config in messages, e.g. its file path. Raises E540 for text
    that isn't a config, E541 listing every name that can't be translated.
    """
    translation = translate(text_or_config, source=source)
    return translation.text, translation.warnings


def translate(text_or_config: Union[str, Config, Dict[str, Any]], *, source: str = "the spaCy config") -> Translation:
    """The full record of a translation (see Translation); translate_spacy_config's engine."""
    spacy_config = _parse(text_or_config, source)
    registry.ensure_populated()
    walker = _Walker()
    heron: Dict[str, Any] = {}
    for section, values in spacy_config.items():
        translated = walker.section(section, values)
        if translated is not None:
            heron[section] = translated
    walker.check_variables(heron)
    if walker.problems:
        raise ConfigError(Errors.E541.format(source=source, n=len(walker.problems),
                                             problems="\n".join(f"  - {p}" for p in walker.problems)))
    walker.note_local_values(heron)
    try:
        filled = fill_config(Config(heron, is_interpolated=False))
    except HeronError as e:
        raise ConfigError(Errors.E542.format(source=source, detail=str(e))) from None
    result = Translation(config=filled, text="", mapped=walker.mapped, dropped=walker.dropped,
                         kept_local=walker.kept_local)
    result.warnings = [_warning(result, source)] if walker.dropped or walker.kept_local else []
    result.text = _header(result, source) + config_to_str(filled)
    return result


def _parse(text_or_config: Union[str, Config, Dict[str, Any]], source: str) -> Dict[str, Any]:
    if isinstance(text_or_config, str):
        try:
            parsed: Dict[str, Any] = Config().from_str(text_or_config, interpolate=False)
        except Exception as e:  # confection raises configparser's and its own errors
            detail = "it can't be parsed: " + " ".join(str(e).split())
            raise ConfigError(Errors.E540.format(source=source, detail=detail)) from None
    else:
        parsed = Config(text_or_config, is_interpolated=False)
    if not isinstance(parsed.get("nlp"), dict) or "components" not in parsed:
        raise ConfigError(Errors.E540.format(source=source, detail="it has no [nlp] or no [components] section"))
    return parsed


def _signature(func: Any) -> List[str]:
    """The keyword arguments `func` takes."""
    return [p.name for p in inspect.signature(func).parameters.values()
            if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _registry_key(block: Dict[str, Any]) -> Optional[str]:
    return next((k for k in block if k.startswith("@")), None)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Walker:
    """One pass over a spaCy config: the heron values, and what was mapped, dropped or refused."""

    def __init__(self) -> None:
        self.mapped: Dict[str, str] = {}
        self.dropped: List[Dropped] = []
        self.kept_local: List[KeptLocal] = []
        self.problems: List[str] = []
        self.model_names: List[str] = []  # heron paths of transformer model names (read from this machine)

    # ---- sections ----

    def section(self, name: str, values: Any) -> Optional[Dict[str, Any]]:
        if name == "pretraining" and values == {}:
            self.drop(name, values, GAPS["[pretraining]"])
            return None
        if name not in ("paths", "corpora", "components", *_SCHEMA_SECTIONS):
            self.drop(name, values, Gap(f"heron's configs have no [{name}] section"))
            return None
        if not values:
            return self.leaf(values, name, name)
        if name in ("paths", "corpora"):
            return self.value(values, name, name)
        if name == "components":
            return {key: block for key, block in ((k, self.component(k, v)) for k, v in values.items())
                    if block is not None}
        fields = list(getattr(SECTION_SCHEMAS[name], "model_fields"))  # typed as a bare `type` there
        return self.settings(values, name, name, fields, gap_prefix=f"[{name}]", owner=f"[{name}]")

    def settings(self, values: Dict[str, Any], spath: str, hpath: str, allowed: List[str], *,
                 gap_prefix: str, owner: str) -> Dict[str, Any]:
        """Keys of a section or component block: kept when heron has them, else dropped."""
        out: Dict[str, Any] = {}
        for key, value in values.items():
            gap = GAPS.get(f"{gap_prefix}.{key}")
            if gap is None and key in allowed:
                if spath == "initialize" and key == "components":
                    out[key] = self.initialize_components(value)
                else:
                    out[key] = self.value(value, _join(spath, key), _join(hpath, key))
            else:
                self.drop(_join(spath, key), value, gap or Gap(f"{owner} has no setting {key!r} in heron"))
        return out

    def component(self, name: str, block: Any) -> Optional[Dict[str, Any]]:
        where = f"[components.{name}]"
        if not isinstance(block, dict):
            self.problems.append(f"{where}: expected a block with a factory, got {block!r}")
            return None
        if "source" in block:
            self.problems.append(
                f"{where} source = {block['source']!r}: heron can't load a component trained by spaCy; "
                "remove `source` and give the block a factory to train it in heron, or source it from a "
                "heron pipeline after translating")
            return None
        factory = block.get("factory")
        if factory in COMPONENTS_WITHOUT_COUNTERPART:
            self.problems.append(f"{where} factory = {factory!r}: {COMPONENTS_WITHOUT_COUNTERPART[factory]}; "
                                 "remove the component from [nlp] pipeline and [components]")
            return None
        if not isinstance(factory, str) or not registry.has("factories", factory):
            hint = suggest(str(factory), sorted(registry.get_names("factories")))
            self.problems.append(f"{where} factory = {factory!r} is not a heron component.{hint} A custom "
                                 "spaCy component must be written for heron and registered (--code)")
            return None
        self.mapped[f"components.{name}.factory"] = f"components.{name}.factory"
        allowed = _signature(registry.get("factories", factory))[2:]  # after (nlp, name)
        settings = {k: v for k, v in block.items() if k != "factory"}
        body = self.settings(settings, f"components.{name}", f"components.{name}", allowed,
                             gap_prefix=f"factory:{factory}", owner=f"component {factory!r}")
        return {"factory": factory, **body}

    def initialize_components(self, values: Dict[str, Any]) -> Dict[str, Any]:
        """[initialize.components.NAME] settings: kept, except spaCy's label files."""
        if not values:
            return self.leaf(values, "initialize.components", "initialize.components")
        out: Dict[str, Any] = {}
        for name, settings in values.items():
            base = f"initialize.components.{name}"
            if not isinstance(settings, dict) or not settings:
                out[name] = self.value(settings, base, base)
                continue
            out[name] = {}
            for key, value in settings.items():
                if isinstance(value, dict) and value.get("@readers") == "spacy.read_labels.v1":
                    self.drop(f"{base}.{key}", value, Gap(WITHOUT_COUNTERPART["spacy.read_labels.v1"]))
                else:
                    out[name][key] = self.value(value, f"{base}.{key}", f"{base}.{key}")
        return out

    # ---- values and registered functions ----

    def value(self, value: Any, spath: str, hpath: str) -> Any:
        if isinstance(value, dict) and value and _registry_key(value):
            return self.function(value, spath, hpath)
        if isinstance(value, dict) and value:
            return {k: self.value(v, _join(spath, k), _join(hpath, k)) for k, v in value.items()}
        return self.leaf(value, spath, hpath)

    def leaf(self, value: Any, spath: str, hpath: str) -> Any:
        self.mapped[spath] = hpath
        return value

    def function(self, block: Dict[str, Any], spath: str, hpath: str) -> Optional[Dict[str, Any]]:
        key = _registry_key(block)
        assert key is not None
        name = block[key]
        counterpart = FUNCTIONS.get(name)
        if counterpart is None and isinstance(name, str) and registry.has(key[1:], name):
            counterpart = Counterpart(key[1:], name)  # already heron's (a config edited by hand): kept
        if counterpart is None:
            self.problems.append(self.unknown_function(spath, key, name))
            return None
        heron_key = f"@{counterpart.registry}"
        self.mapped[_join(spath, key)] = _join(hpath, heron_key)
        allowed = _signature(registry.get(counterpart.registry, counterpart.name))
        out: Dict[str, Any] = {heron_key: counterpart.name}
        for arg, value in block.items():
            if arg == key:
                continue
            gap = GAPS.get(f"{name}.{arg}")
            if gap is not None or arg not in allowed:
                self.drop(_join(spath, arg), value, gap or Gap(f"heron's {counterpart.name} has no argument {arg!r}"))
                continue
            value = self.value(value, _join(spath, arg), _join(hpath, arg))
            out[arg] = counterpart.convert[arg](value) if arg in counterpart.convert else value
        out.update(counterpart.fixed)
        if counterpart.name in _PRETRAINED and "name" in out:
            self.model_names.append(_join(hpath, "name"))
        return out

    def unknown_function(self, spath: str, key: str, name: Any) -> str:
        where = f"[{spath}] {key} = {name!r}"
        if name in WITHOUT_COUNTERPART:
            return f"{where}: heron has no counterpart: {WITHOUT_COUNTERPART[name]}"
        known = sorted(n for n in list(FUNCTIONS) + list(WITHOUT_COUNTERPART))
        return (f"{where} is not a spaCy, spacy-transformers or thinc function heron knows.{suggest(str(name), known)} "
                "A function of your own must be written for heron and registered (--code)")

    def drop(self, path: str, value: Any, gap: Gap) -> None:
        at_default = gap.default is not NO_DEFAULT and value == gap.default
        self.dropped.append(Dropped(path, value, gap.reason, at_default))

    # ---- checks on the result ----

    def check_variables(self, heron: Dict[str, Any]) -> None:
        """A ${section.key} whose target was left out would break interpolation: say which."""
        dropped = [d.path for d in self.dropped]
        for path, value in _leaves(heron, ""):
            for target in _VARIABLE.findall(value) if isinstance(value, str) else []:
                if _lookup(heron, target) is _MISSING and any(
                        target == d or target.startswith(d + ".") for d in dropped):
                    self.problems.append(f"[{path.rpartition('.')[0]}] {path.rpartition('.')[2]} = "
                                         f"${{{target}}}: {target} was left out of the heron config; "
                                         "set the value itself instead of the variable")

    def note_local_values(self, heron: Dict[str, Any]) -> None:
        vectors = (heron.get("initialize") or {}).get("vectors")
        shown = _shown(vectors)
        variable = _VARIABLE.fullmatch(vectors) if isinstance(vectors, str) else None
        if variable:
            target = variable.group(1)
            vectors = _lookup(heron, target)
            shown = f"{_shown(vectors)} (from [{target.rpartition('.')[0]}] {target.rpartition('.')[2]})"
        if isinstance(vectors, str) and _PACKAGE_NAME.match(vectors) and not Path(vectors).exists():
            self.kept_local.append(KeptLocal("initialize.vectors", shown,
                                             f"the spaCy pipeline package {vectors} must be installed in this "
                                             "environment (heron reads its vectors files without importing spaCy: "
                                             f"pip install --no-deps the {vectors} wheel), or override the value "
                                             "with a local folder"))
        for path in self.model_names:
            value = _lookup(heron, path)
            if isinstance(value, str) and not Path(value).exists():
                self.kept_local.append(KeptLocal(
                    path, _shown(value), "heron loads transformer weights from a local folder or the local Hugging "
                    f"Face cache only; override --{path} PATH"))


_MISSING = object()


def _leaves(node: Dict[str, Any], path: str) -> List[Tuple[str, Any]]:
    out: List[Tuple[str, Any]] = []
    for key, value in node.items():
        if isinstance(value, dict) and value:
            out.extend(_leaves(value, _join(path, key)))
        else:
            out.append((_join(path, key), value))
    return out


def _lookup(node: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


# ---- messages ----


def _shown(value: Any) -> str:
    if isinstance(value, dict) and _registry_key(value):
        key = _registry_key(value)
        return f'[{key} = "{value[key]}"]'
    try:
        text = json.dumps(value, ensure_ascii=False)  # the config file's syntax: "text", null, true
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _warning(result: Translation, source: str) -> str:
    changed = [d for d in result.dropped if not d.at_default]
    default = [d for d in result.dropped if d.at_default]
    parts = []
    if changed:
        parts.append("  Set away from spaCy's default (check these):\n"
                     + "\n".join(f"    {d.path} = {_shown(d.value)}: {d.reason}" for d in changed))
    if default:
        parts.append("  At spaCy's default (nothing to do):\n"
                     + "\n".join(f"    {d.path} = {_shown(d.value)}: {d.reason}" for d in default))
    if result.kept_local:
        parts.append("  Kept as they are, but must exist on this machine:\n"
                     + "\n".join(f"    {k.path} = {k.shown}: {k.why}" for k in result.kept_local))
    fix = []
    if changed:
        fix.append("for the settings set away from spaCy's default, choose heron's nearest setting "
                   "(docs/usage/migrating-from-spacy.md)")
    if result.kept_local:
        fix.append("install or point at the local files named above (override them on `heron train`'s command line)")
    fix_text = "; ".join(fix) if fix else "nothing: every setting left out is at spaCy's default"
    return Warnings.W540.format(source=source, n=len(result.dropped), n_local=len(result.kept_local),
                                details="\n".join(parts), fix=fix_text[0].upper() + fix_text[1:])


def _header(result: Translation, source: str) -> str:
    lines = [f"# Translated from {source} by `heron init config --from-spacy` (heron {__version__})."]
    if result.dropped:
        lines.append("# Left out (no heron counterpart; why: warning W540, docs/usage/migrating-from-spacy.md):")
        lines += [f"#   {d.path} = {_shown(d.value)}" for d in result.dropped]
    for kept in result.kept_local:
        lines.append(f"# Must exist on this machine: {kept.path}")
    return "\n".join(lines) + "\n\n"
