"""heron.config: loading, overrides, --code, validation errors, filling, resolving."""
import textwrap
from typing import Any, List

import catalogue
import pytest
from confection import Config

from heron.config import (
    config_to_str,
    fill_config,
    import_code,
    load_config,
    load_config_from_str,
    parse_cli_overrides,
    resolve_config,
    save_config,
    validate_config,
)
from heron.errors import ConfigError, HeronWarning
from heron.registry import registry


@pytest.fixture(scope="module", autouse=True)
def throwaway_functions():
    """Register test-only functions; built-ins that don't exist yet get stand-ins."""
    registry.ensure_populated()
    added = []

    def add(reg_name, name, func):
        if not registry.has(reg_name, name):
            getattr(registry, reg_name)(name, func=func)
            added.append((reg_name, name))

    def tagger(*, hidden_width: int, depth: int = 2, labels: List[str] = []) -> dict:
        return {"hidden_width": hidden_width, "depth": depth, "labels": labels}

    def fake_tokenizer():
        return lambda nlp: None

    def fake_factory(nlp, name, *, model: Any, overwrite: bool = False):
        return None

    add("architectures", "test_config.Tagger.v1", tagger)
    add("tokenizers", "heron.Tokenizer.v1", fake_tokenizer)
    add("factories", "test_config_comp", fake_factory)
    yield
    for reg_name, name in added:
        catalogue._remove(("heron", reg_name, name))


GOOD = textwrap.dedent("""
    [paths]
    train = "train.heron"
    width = 64

    [nlp]
    lang = "en"
    pipeline = ["tagger"]

    [components]

    [components.tagger]
    factory = "test_config_comp"

    [components.tagger.model]
    @architectures = "test_config.Tagger.v1"
    hidden_width = ${paths.width}
""")


def errors_of(excinfo):
    return dict(excinfo.value.errors)


def test_load_config_keeps_or_interpolates_variables(tmp_path):
    path = tmp_path / "config.cfg"
    path.write_text(GOOD, encoding="utf8")
    raw = load_config(path)
    assert raw["components"]["tagger"]["model"]["hidden_width"] == "${paths.width}"
    done = load_config(path, interpolate=True)
    assert done["components"]["tagger"]["model"]["hidden_width"] == 64


def test_overrides_apply_and_reach_variables():
    config = load_config_from_str(GOOD, {"paths.width": 128, "nlp.lang": "de"}, interpolate=True)
    assert config["components"]["tagger"]["model"]["hidden_width"] == 128
    assert config["nlp"]["lang"] == "de"


def test_override_of_missing_section_names_it_and_suggests():
    with pytest.raises(ConfigError) as excinfo:
        load_config_from_str(GOOD, {"patsh.train": "x"})
    message = str(excinfo.value)
    assert "[E204]" in message and "--patsh.train" in message and "Did you mean --paths.train?" in message


def test_override_adding_a_new_key_warns_with_suggestion():
    with pytest.warns(HeronWarning, match=r"--paths.trian.*Did you mean 'train'"):
        load_config_from_str(GOOD, {"paths.trian": "x"})


def test_parse_cli_overrides_reads_values_like_config_values():
    args = ["--paths.train", "corpus/train.heron", "--training.max_epochs=5",
            "--training.dropout", "0.25", "--nlp.pipeline", '["a", "b"]',
            "--system.gpu_allocator", "null", "--training.flag", "--training.max-steps", "7"]
    assert parse_cli_overrides(args) == {
        "paths.train": "corpus/train.heron", "training.max_epochs": 5,
        "training.dropout": 0.25, "nlp.pipeline": ["a", "b"],
        "system.gpu_allocator": None, "training.flag": True, "training.max_steps": 7,
    }


@pytest.mark.parametrize("args,bad", [(["paths.train", "x"], "paths.train"), (["--paths", "x"], "--paths")])
def test_parse_cli_overrides_names_the_bad_argument(args, bad):
    with pytest.raises(ConfigError, match=r"\[E203\].*" + bad):
        parse_cli_overrides(args)


def test_import_code_registers_functions_used_by_a_config(tmp_path):
    code = tmp_path / "my_functions.py"
    code.write_text(textwrap.dedent("""
        from heron.registry import registry

        @registry.misc("test_config.user_fn.v1")
        def user_fn(*, n: int = 2):
            return n * 10
    """), encoding="utf8")
    try:
        import_code(code)
        config = load_config_from_str('[x]\n[x.y]\n@misc = "test_config.user_fn.v1"\nn = 4')
        assert resolve_config(config, sections=False)["x"]["y"] == 40
    finally:
        catalogue._remove(("heron", "misc", "test_config.user_fn.v1"))


def test_import_code_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(ConfigError, match=r"\[E205\].*nope\.py"):
        import_code(tmp_path / "nope.py")
    broken = tmp_path / "broken.py"
    broken.write_text("x = 1\nraise RuntimeError('boom')\n", encoding="utf8")
    with pytest.raises(ConfigError, match=r"\[E206\].*broken\.py \(line 2\).*boom"):
        import_code(broken)
    import_code(None)  # no --code: nothing to do


def test_one_error_names_every_offending_setting():
    text = GOOD.replace("hidden_width = ${paths.width}", 'hidden_width = "abc"\ndepthh = 3')
    text += "\n[training]\nmax_epoch = 3\ndropout = \"high\"\n\n[trainig]\nx = 1\n"
    text = text.replace('lang = "en"\n', "")
    with pytest.raises(ConfigError) as excinfo:
        validate_config(load_config_from_str(text))
    errors = errors_of(excinfo)
    message = str(excinfo.value)
    assert message.startswith("[E207]")
    assert "expected int, got 'abc' (str); set it to a whole number" in errors["components.tagger.model.hidden_width"]
    assert "Did you mean 'depth'?" in errors["components.tagger.model.depthh"]
    assert "Allowed settings: depth, hidden_width, labels" in errors["components.tagger.model.depthh"]
    assert "Did you mean 'max_epochs'?" in errors["training.max_epoch"]
    assert "expected float" in errors["training.dropout"]
    assert "Did you mean 'training'?" in errors["trainig"] and "Allowed sections" in errors["trainig"]
    assert "missing required setting 'lang'" in errors["nlp.lang"]
    for key in errors:
        assert f"- {key}: " in message  # every error is in the one message


def test_missing_required_function_argument_is_named():
    text = GOOD.replace("hidden_width = ${paths.width}", "")
    with pytest.raises(ConfigError) as excinfo:
        fill_config(load_config_from_str(text))
    assert "missing required setting 'hidden_width'" in errors_of(excinfo)["components.tagger.model.hidden_width"]


def test_unknown_registered_function_suggests_close_names():
    text = GOOD.replace("test_config.Tagger.v1", "test_config.Tagger.v9")
    with pytest.raises(ConfigError) as excinfo:
        fill_config(load_config_from_str(text))
    message = errors_of(excinfo)["components.tagger.model.@architectures"]
    # The closest name comes first; other close names (e.g. heron.Tagger.v1) may follow.
    assert "'test_config.Tagger.v9' is not registered; did you mean 'test_config.Tagger.v1'" in message
    assert "--code" in message


def test_unknown_registry_and_factory_are_named():
    text = GOOD.replace("@architectures", "@architecture").replace('"test_config_comp"', '"test_config_cmop"')
    with pytest.raises(ConfigError) as excinfo:
        validate_config(load_config_from_str(text))
    errors = errors_of(excinfo)
    assert "Did you mean 'architectures'?" in errors["components.tagger.model.@architecture"]
    assert "Did you mean 'test_config_comp'?" in errors["components.tagger.factory"]


def test_pipeline_names_must_have_component_blocks():
    text = GOOD.replace('pipeline = ["tagger"]', 'pipeline = ["tagger", "ner"]\ndisabled = ["parser"]')
    with pytest.raises(ConfigError) as excinfo:
        validate_config(load_config_from_str(text))
    message = str(excinfo.value)
    assert "component 'ner' has no [components.ner] block" in message
    assert "nlp.disabled: 'parser' is not in nlp.pipeline" in message


@pytest.mark.parametrize("text,line", [
    ("[nlp]\nlang = \"en\"\n[components\n", "line 3"),
    ("[nlp]\nlang = \"en\"\nlang = \"de\"\n", "line 3"),
    ("lang = \"en\"\n", "line 1"),
])
def test_parse_errors_name_the_file_and_line(tmp_path, text, line):
    path = tmp_path / "broken.cfg"
    path.write_text(text, encoding="utf8")
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith("[E202]") and str(path) in message and line in message


def test_missing_file_and_bad_variable_are_coded(tmp_path):
    with pytest.raises(ConfigError, match=r"\[E201\].*missing\.cfg"):
        load_config(tmp_path / "missing.cfg")
    with pytest.raises(ConfigError, match=r"\[E208\].*paths\.nope"):
        load_config_from_str("[paths]\n[nlp]\nlang = ${paths.nope}\n", interpolate=True)


def test_fill_config_writes_defaults_keeps_variables_and_round_trips(tmp_path):
    filled = fill_config(load_config_from_str(GOOD))
    model = filled["components"]["tagger"]["model"]
    assert model["hidden_width"] == "${paths.width}" and model["depth"] == 2
    assert filled["nlp"]["batch_size"] == 1000
    assert filled["nlp"]["tokenizer"] == {"@tokenizers": "heron.Tokenizer.v1"}
    assert filled["training"]["seed"] == "${system.seed}"
    assert list(filled)[:3] == ["paths", "system", "nlp"]
    path = tmp_path / "filled.cfg"
    save_config(filled, path)
    text = path.read_text(encoding="utf8")
    assert text.index("[components.tagger]") < text.index("[components.tagger.model]") < text.index("[corpora]")
    reloaded = load_config(path)
    assert reloaded == filled
    assert fill_config(reloaded) == filled  # filling is idempotent
    assert config_to_str(reloaded) == text


def test_resolve_config_calls_registered_functions():
    resolved = resolve_config(load_config_from_str(GOOD))
    assert resolved["components"]["tagger"]["model"] == {"hidden_width": 64, "depth": 2, "labels": []}
    assert resolved["training"]["seed"] == 0


def test_fragment_validation_skips_section_schemas():
    fragment = Config({"model": {"@architectures": "test_config.Tagger.v1", "hidden_width": 8}})
    assert fill_config(fragment, sections=False)["model"]["depth"] == 2
    with pytest.raises(ConfigError):
        fill_config(fragment)  # as a whole config, [model] is an unknown section


def test_fill_config_accepts_plain_interpolated_dicts():
    config = {"nlp": {"lang": "en"}, "system": {"seed": 7}}
    filled = fill_config(config)
    assert filled["training"]["seed"] == 7 and filled["nlp"]["pipeline"] == []


def test_resolve_without_validation_still_names_unknown_functions():
    config = load_config_from_str('[x]\n[x.y]\n@misc = "test_config.nothing.v1"\n')
    with pytest.raises(ConfigError, match=r"@misc = 'test_config.nothing.v1' is not registered"):
        resolve_config(config, validate=False, sections=False)


# ---- raw-text problems get a code, the file and the line (issue 13 items 6 and 12) -------


def test_unclosed_variable_names_file_line_and_setting(tmp_path):
    path = tmp_path / "config.cfg"
    path.write_text(GOOD + "\n[corpora]\n\n[corpora.train]\nlimit = 0\npath = ${paths.train\n", encoding="utf8")
    line = (GOOD + "\n[corpora]\n\n[corpora.train]\nlimit = 0\n").count("\n") + 1
    for overrides in (None, {"paths.train": "x.heron"}):
        with pytest.raises(ConfigError) as excinfo:
            load_config(path, overrides=overrides)
        message = str(excinfo.value)
        assert message.startswith("[E225]"), message
        assert f"{path}:{line}" in message and "corpora.train.path" in message
        assert "'${paths.train'" in message and "Fix:" in message


def test_escaped_dollar_is_not_an_unclosed_variable():
    config = load_config_from_str('[paths]\nprice = "$${cheap"\n[nlp]\nlang = "en"\n', interpolate=True)
    assert config["paths"]["price"] == "${cheap"


@pytest.mark.parametrize("data,line,what", [
    (b'[nlp]\nlang = "en"\n\x00\x01\x02\xff\xfe binary', 3, "binary"),
    (b'[nlp]\nlang = "en"\n# caf\xe9 in latin-1\n', 3, "UTF-8"),
    (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', 1, "binary"),
])
def test_binary_or_non_utf8_config_is_a_coded_error(tmp_path, data, line, what):
    path = tmp_path / "config.cfg"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith("[E224]") and f"{path}:{line}" in message and what in message
    assert "Fix:" in message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "config.cfg"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf8"))
    assert load_config(path)["nlp"]["lang"] == "en"


def test_heron_load_of_folder_with_binary_config_is_coded(tmp_path):
    import heron

    heron.blank("en").to_disk(tmp_path / "pipe")
    (tmp_path / "pipe" / "config.cfg").write_bytes(b"\x00\xff\x00\xfe")
    with pytest.raises(ConfigError, match=r"\[E224\].*pipe.config\.cfg:1"):
        heron.load(tmp_path / "pipe")


def test_misspelt_parent_section_is_named_with_line_and_suggestion(tmp_path):
    text = GOOD.replace("[components.tagger.model]", "[components.tagger.modle]")
    text += "\n[components.tagger.model.extra]\n@architectures = \"test_config.Tagger.v1\"\nhidden_width = 2\n"
    path = tmp_path / "config.cfg"
    path.write_text(text, encoding="utf8")
    lines = text.splitlines()
    typo = lines.index("[components.tagger.modle]") + 1
    orphan = lines.index("[components.tagger.model.extra]") + 1
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith("[E226]"), message
    assert f"{path}:{orphan}" in message and "[components.tagger.model]" in message
    assert f"[components.tagger.modle] (line {typo})" in message
    assert "did you mean [components.tagger.model]?" in message


def test_misspelt_section_without_children_gets_line_and_suggestion(tmp_path):
    from heron.config import errors_in_file

    text = GOOD.replace("[components.tagger.model]", "[components.tagger.modle]")
    path = tmp_path / "config.cfg"
    path.write_text(text, encoding="utf8")
    typo = text.splitlines().index("[components.tagger.modle]") + 1
    with pytest.raises(ConfigError) as excinfo, errors_in_file(path):
        fill_config(load_config(path))
    message = str(excinfo.value)
    assert f"components.tagger.modle ({path}:{typo})" in message and "Did you mean 'model'?" in message


def test_empty_config_says_so_and_how_to_make_one(tmp_path):
    path = tmp_path / "config.cfg"
    for text in ("", "\n\n# only a comment\n"):
        path.write_text(text, encoding="utf8")
        for overrides in (None, {"paths.train": "x.heron"}):
            with pytest.raises(ConfigError) as excinfo:
                load_config(path, overrides=overrides)
            message = str(excinfo.value)
            assert message.startswith("[E227]") and str(path) in message
            assert "heron init config" in message and "expected str" not in message
    with pytest.raises(ConfigError, match=r"\[E227\].*heron init config"):
        fill_config(Config())


def test_config_without_nlp_section_says_so():
    with pytest.raises(ConfigError) as excinfo:
        fill_config(load_config_from_str("[training]\nmax_steps = 3\n"))
    errors = errors_of(excinfo)
    assert "has no [nlp] section" in errors["nlp"] and "heron init config" in errors["nlp"]
    assert "nlp.lang" not in errors and "got None" not in str(excinfo.value)
    with pytest.raises(ConfigError) as excinfo:
        fill_config(load_config_from_str("[nlp]\npipeline = []\n"))
    assert "missing required setting 'lang'" in errors_of(excinfo)["nlp.lang"]
    assert "got None" not in str(excinfo.value)


def test_errors_from_overrides_name_the_override_not_the_file(tmp_path):
    from heron.config import errors_in_file

    path = tmp_path / "config.cfg"
    path.write_text(GOOD + "\n[training]\nmax_steps = 3\n", encoding="utf8")
    args = ["--training.max_stpes", "5", "--components.tagger.model.depth=x"]
    overrides = parse_cli_overrides(args)
    with pytest.raises(ConfigError) as excinfo, errors_in_file(path, overrides=args):
        fill_config(load_config(path, overrides=overrides))
    message = str(excinfo.value)
    assert "training.max_stpes (command-line override --training.max_stpes)" in message
    assert "Did you mean 'max_steps'?" in message
    assert "components.tagger.model.depth (command-line override --components.tagger.model.depth)" in message
    assert f"{path}:" not in message


def test_override_typo_in_section_suggests_the_whole_override():
    with pytest.raises(ConfigError) as excinfo:
        load_config_from_str(GOOD + "\n[training]\nmax_steps = 3\n", {"trainning.max_steps": 5})
    message = str(excinfo.value)
    assert message.startswith("[E204]") and "--trainning.max_steps" in message
    assert message.index("Did you mean --training.max_steps?") < message.index("Existing sections")


def test_override_typo_in_a_strict_section_is_not_a_warning_too(recwarn):
    load_config_from_str(GOOD + "\n[training]\nmax_steps = 3\n", {"training.max_stpes": 5})
    assert not [w for w in recwarn if "W201" in str(w.message)]  # validation reports it as an error
