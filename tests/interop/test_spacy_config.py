"""translate_spacy_config on the configs spaCy 3.8's `init config` writes
(tests/fixtures/spacy_configs, made by make_spacy_configs.py there): every spaCy setting is
either translated or named in W540 with its reason, the warnings are exactly the expected
ones, and names heron can't translate are one coded error naming each section and key."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from confection import Config

from heron.config import fill_config, load_config_from_str
from heron.errors import ConfigError
from heron.interop.spacy_config import translate, translate_spacy_config
from heron.interop.spacy_names import COMPONENTS_WITHOUT_COUNTERPART, FUNCTIONS, GAPS, WITHOUT_COUNTERPART
from heron.registry import registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spacy_configs"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "usage" / "migrating-from-spacy.md"
ALL = sorted(p.name for p in FIXTURES.glob("*.cfg"))

# Left out of every init-config output (all at spaCy's default).
COMMON = {"nlp.vectors", "corpora.train.augmenter", "corpora.dev.augmenter", "initialize.vocab_data",
          "initialize.lookups"}
TAGGER = {"components.tagger.model.normalize", "components.tagger.neg_prefix"}
NER = {"components.ner.scorer", "components.ner.moves", "components.ner.update_with_oracle_cut_size",
       "components.ner.incorrect_spans_key"}
PARSER = {"components.parser.moves", "components.parser.learn_tokens"}
EXPECTED_DROPPED = {
    "tagger_ner_efficiency.cfg": COMMON | TAGGER | NER | {"pretraining"},
    "tagger_ner_accuracy.cfg": COMMON | TAGGER | NER | {"pretraining"},
    "tagger_parser_ner.cfg": COMMON | TAGGER | NER | PARSER | {"pretraining"},
    "textcat.cfg": COMMON | {"pretraining"},
    "tagger_ner_transformer.cfg": COMMON | TAGGER | NER | {"pretraining"},
    "all_components.cfg": COMMON | TAGGER | NER | PARSER | {"components.morphologizer.model.normalize",
                                                            "components.senter.model.normalize",
                                                            "components.trainable_lemmatizer.model.normalize"},
    "all_components_transformer.cfg": COMMON | TAGGER | NER | PARSER | {
        "pretraining", "components.morphologizer.model.normalize", "components.senter.model.normalize",
        "components.trainable_lemmatizer.model.normalize", "components.spancat_singlelabel.model.scorer.init_W",
        "components.spancat_singlelabel.model.scorer.init_b",
        "components.spancat_singlelabel.model.scorer.normalize_outputs",
        "components.spancat_singlelabel.model.scorer.temperature"},
}


def _text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf8")


def _leaves(node: Dict[str, Any], path: str = "") -> Iterator[Tuple[str, Any]]:
    """Every setting of a config: (dotted path, value); an empty section is a leaf."""
    for key, value in node.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict) and value:
            yield from _leaves(value, where)
        else:
            yield where, value


def _get(node: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        node = node[part]
    return node


def test_fixtures_are_present():
    assert {"tagger_ner_efficiency.cfg", "tagger_ner_accuracy.cfg", "tagger_parser_ner.cfg", "textcat.cfg",
            "tagger_ner_transformer.cfg"} <= set(ALL)
    assert set(EXPECTED_DROPPED) == set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_no_setting_is_dropped_silently(name):
    spacy_config = Config().from_str(_text(name), interpolate=False)
    result = translate(_text(name), source=name)
    dropped = [d.path for d in result.dropped]
    assert set(dropped) == EXPECTED_DROPPED[name] and len(dropped) == len(set(dropped))
    warning = result.warnings[0]
    for path, value in _leaves(spacy_config):
        covering = [d for d in dropped if path == d or path.startswith(d + ".")]
        assert (path in result.mapped) != bool(covering), path  # translated xor left out
        if path in result.mapped and not path.rpartition(".")[2].startswith("@"):
            assert _get(result.config, result.mapped[path]) == value, path
    for d in result.dropped:
        assert f"    {d.path} = " in warning and d.reason in warning
    # The translation is a complete heron config: filling it again changes nothing.
    assert fill_config(result.config) == result.config
    assert load_config_from_str(result.text) == result.config


@pytest.mark.parametrize("name", ALL)
def test_every_name_is_heron_and_registered(name):
    registry.ensure_populated()
    result = translate(_text(name), source=name)
    for path, value in _leaves(result.config):
        key = path.rpartition(".")[2]
        if key.startswith("@"):
            assert value.startswith("heron.") and registry.has(key[1:], value), (path, value)


def test_warning_text_is_exact():
    _, warnings = translate_spacy_config(_text("tagger_ner_accuracy.cfg"), source="spacy.cfg")
    assert warnings == [
        "[W540] spacy.cfg: 12 setting(s) have no heron counterpart and were left out of the heron config; 1 "
        "value(s) were kept that must exist on this machine.\n"
        "  At spaCy's default (nothing to do):\n"
        "    nlp.vectors = [@vectors = \"spacy.Vectors.v1\"]: heron's vocab always holds heron's Vectors table, "
        "filled by [initialize] vectors\n"
        "    corpora.train.augmenter = null: heron has no data augmentation; write augmented Docs into the "
        "training corpus instead\n"
        "    corpora.dev.augmenter = null: heron has no data augmentation; write augmented Docs into the training "
        "corpus instead\n"
        "    initialize.vocab_data = null: heron has no lexeme-attribute import (spaCy's JSONL vocab data)\n"
        "    initialize.lookups = null: heron reads lookup tables per component ([initialize.components.lemmatizer]"
        " or the installed spacy-lookups-data), not for the whole vocab\n"
        "    components.tagger.model.normalize = false: heron's tagger output is a plain linear layer + softmax "
        "(no normalised softmax)\n"
        "    components.tagger.neg_prefix = \"!\": heron's tagger learns from positive tags only: spaCy's negative "
        "tags (\"!TAG\" = not this tag) would be learned as ordinary tags\n"
        "    components.ner.scorer = [@scorers = \"spacy.ner_scorer.v1\"]: heron's ner always scores with its "
        "built-in scorer (spaCy's metric names)\n"
        "    components.ner.moves = null: heron builds NER actions (O, B/I/L/U per label) from the training "
        "data's labels\n"
        "    components.ner.update_with_oracle_cut_size = 100: heron's NER trains on whole documents (teacher "
        "forcing on the gold actions), so long documents are never cut into oracle segments\n"
        "    components.ner.incorrect_spans_key = null: heron's NER does not learn from known-incorrect spans\n"
        "    pretraining = {}: spaCy writes an empty [pretraining] section when pretraining is off; heron leaves "
        "it out (`heron init fill-config --pretraining` adds one)\n"
        "  Kept as they are, but must exist on this machine:\n"
        "    initialize.vectors = \"en_core_web_lg\" (from [paths] vectors): the spaCy pipeline package "
        "en_core_web_lg must be installed in this environment (heron reads its vectors files without importing "
        "spaCy: pip install --no-deps the en_core_web_lg wheel), or override the value with a local folder\n"
        "Fix: Install or point at the local files named above (override them on `heron train`'s command line)."]


def test_transformer_name_must_be_local():
    result = translate(_text("tagger_ner_transformer.cfg"))
    assert [(k.path, k.shown) for k in result.kept_local] == [("components.transformer.model.name", '"roberta-base"')]
    assert "--components.transformer.model.name PATH" in result.warnings[0]


def test_what_the_translation_keeps_and_changes():
    config = translate(_text("tagger_ner_transformer.cfg")).config
    trf = config["components"]["transformer"]["model"]
    assert trf["@architectures"] == "heron.TransformerModel.v1" and trf["name"] == "roberta-base"
    assert trf["get_spans"] == {"@span_getters": "heron.strided_spans.v1", "window": 128, "stride": 96}
    listener = config["components"]["ner"]["model"]["tok2vec"]
    assert listener["@architectures"] == "heron.TransformerListener.v1" and listener["upstream"] == "*"
    assert listener["pooling"] == {"@layers": "heron.reduce_mean.v1"}
    training = config["training"]
    assert training["accumulate_gradient"] == 3 and training["batcher"]["@batchers"] == "heron.batch_by_padded.v1"
    assert training["optimizer"]["learn_rate"]["@schedules"] == "heron.warmup_linear.v1"
    assert config["corpora"]["train"]["path"] == "${paths.train}"  # variables kept (a .spacy path stays one)
    cnn = translate(_text("tagger_ner_accuracy.cfg")).config["components"]["tok2vec"]["model"]
    assert cnn["embed"]["include_static_vectors"] is True and cnn["encode"]["width"] == 256
    assert translate(_text("tagger_ner_accuracy.cfg")).config["paths"]["vectors"] == "en_core_web_lg"
    assert "pretraining" not in translate(_text("textcat.cfg")).config


def test_textcat_cnn_becomes_mean_pooling_reduce():
    model = translate(_text("all_components_transformer.cfg")).config["components"]["textcat"]["model"]
    assert model["@architectures"] == "heron.TextCatReduce.v1"
    assert (model["use_reduce_mean"], model["use_reduce_max"], model["use_reduce_first"],
            model["use_reduce_last"]) == (True, False, False, False)


def test_changed_settings_are_listed_first():
    text = _text("tagger_ner_efficiency.cfg").replace("incorrect_spans_key = null", 'incorrect_spans_key = "bad"')
    text = text.replace("augmenter = null", 'augmenter = {"@augmenters": "spacy.lower_case.v1", "level": 0.1}', 1)
    warning = translate_spacy_config(text)[1][0]
    head, _, rest = warning.partition("  At spaCy's default (nothing to do):")
    assert "Set away from spaCy's default (check these):" in head
    assert 'components.ner.incorrect_spans_key = "bad"' in head
    assert 'corpora.train.augmenter = [@augmenters = "spacy.lower_case.v1"]' in head
    assert "incorrect_spans_key" not in rest and "choose heron's nearest setting" in warning


def _problems(text: str) -> List[str]:
    with pytest.raises(ConfigError) as info:
        translate_spacy_config(text, source="my.cfg")
    message = str(info.value)
    assert message.startswith("[E541] Can't translate my.cfg") and "Fix: " in message
    return [line for line in message.splitlines() if line.startswith("  - ")]


def test_untranslatable_names_are_one_error_naming_each_key():
    text = _text("tagger_ner_efficiency.cfg").replace('"spacy.MaxoutWindowEncoder.v2"', '"spacy.MaxoutWindowEncodr.v2"')
    text = text.replace('@optimizers = "Adam.v1"', '@optimizers = "RAdam.v1"')
    text = text.replace('factory = "ner"', 'factory = "entity_linker"')
    problems = _problems(text)
    assert len(problems) == 3
    linker, encoder, optimizer = sorted(problems)
    assert "[components.tok2vec.model.encode] @architectures = 'spacy.MaxoutWindowEncodr.v2'" in encoder
    assert "spacy.MaxoutWindowEncoder.v2" in encoder  # did you mean
    assert "[components.ner] factory = 'entity_linker': heron has no entity linker" in linker
    assert "[training.optimizer] @optimizers = 'RAdam.v1': heron has no counterpart" in optimizer


def test_sourced_and_custom_components_are_refused():
    text = _text("textcat.cfg").replace('factory = "textcat"', 'source = "en_core_web_sm"', 1)
    assert "[components.textcat] source = 'en_core_web_sm': heron can't load a component trained by spaCy" \
        in _problems(text)[0]
    text = _text("textcat.cfg").replace('factory = "textcat"', 'factory = "my_component"', 1)
    assert "factory = 'my_component' is not a heron component" in _problems(text)[0]


def test_variable_to_a_dropped_setting_is_named():
    text = _text("textcat.cfg").replace("max_steps = 20000", "max_steps = ${initialize.lookups}")
    assert "${initialize.lookups}: initialize.lookups was left out" in _problems(text)[0]


@pytest.mark.parametrize("text,detail", [
    ("[nlp\nlang = en", "can't be parsed"),
    ("[paths]\ntrain = null\n", "no [nlp] or no [components] section"),
])
def test_not_a_spacy_config_is_e540(text, detail):
    with pytest.raises(ConfigError, match=r"\[E540\]") as info:
        translate_spacy_config(text, source="x.cfg")
    assert detail in str(info.value) and "Fix: " in str(info.value)


def test_tables_are_consistent():
    registry.ensure_populated()
    for spacy_name, counterpart in FUNCTIONS.items():
        assert registry.has(counterpart.registry, counterpart.name), spacy_name
    assert not set(FUNCTIONS) & set(WITHOUT_COUNTERPART)
    for key, gap in GAPS.items():
        assert gap.reason and not gap.reason.endswith("."), key


def test_guide_lists_every_name_and_reason():
    text = GUIDE.read_text(encoding="utf8")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for spacy_name, counterpart in FUNCTIONS.items():
        assert any(f"| `{spacy_name}` | `{counterpart.name}` |" in row for row in rows), spacy_name
    for table in (WITHOUT_COUNTERPART, COMPONENTS_WITHOUT_COUNTERPART):
        for name, reason in table.items():
            assert any(row.startswith(f"| `{name}` |") for row in rows), name
            assert reason in text, name
    for key, gap in GAPS.items():
        assert gap.reason in text, key


def test_heron_names_in_a_spacy_config_are_kept():
    text = _text("textcat.cfg").replace('"spacy.TextCatBOW.v3"', '"heron.TextCatBOW.v3"')
    model = translate(text).config["components"]["textcat"]["model"]
    assert model["@architectures"] == "heron.TextCatBOW.v3" and model["length"] == 262144
