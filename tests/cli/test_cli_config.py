"""CLI: `heron init config`, `init fill-config`, `debug config`, `info`, `--help`."""
import json
import subprocess
import sys
import textwrap
from typing import Any, List, Optional

import catalogue
import pytest
from typer.testing import CliRunner

from heron.cli import app
from heron.config import fill_config, load_config
from heron.registry import registry

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def stand_ins():
    """Stand-ins for built-ins that may not be registered yet (real ones win)."""
    registry.ensure_populated()
    added = []

    def add(reg_name, name, func):
        if not registry.has(reg_name, name):
            getattr(registry, reg_name)(name, func=func)
            added.append((reg_name, name))

    def tokenizer():
        return lambda nlp: None

    def sentencizer(nlp, name, *, punct_chars: Optional[List[str]] = None, overwrite: bool = False):
        return None

    def entity_ruler(nlp, name, *, overwrite_ents: bool = False, ent_id_sep: str = "||"):
        return None

    def width_fn(*, width: int, depth: int = 4) -> Any:
        return width

    add("tokenizers", "heron.Tokenizer.v1", tokenizer)
    add("factories", "sentencizer", sentencizer)
    add("factories", "entity_ruler", entity_ruler)
    add("architectures", "test_cli.Width.v1", width_fn)
    yield
    for reg_name, name in added:
        catalogue._remove(("heron", reg_name, name))


PARTIAL = textwrap.dedent("""
    [paths]
    width = 32

    [nlp]
    lang = "en"
    pipeline = ["sentencizer"]

    [components]

    [components.sentencizer]
    factory = "sentencizer"

    [corpora]

    [training]
    max_epochs = 3

    [corpora.extra]
    @architectures = "test_cli.Width.v1"
    width = ${paths.width}
""")


def write(tmp_path, text, name="config.cfg"):
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return path


def test_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "debug", "info"):
        assert command in result.output
    result = runner.invoke(app, ["init", "--help"])
    assert "config" in result.output and "fill-config" in result.output


def test_console_script_entry_point_gives_clean_error(tmp_path):
    """`python -m heron` -> app_main: coded message on stderr, exit 1, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "heron", "debug", "config", str(tmp_path / "missing.cfg")],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "[E201]" in result.stderr and "missing.cfg" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_config_writes_a_config_fill_config_accepts(tmp_path):
    out = tmp_path / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(out), "--lang", "de",
                                 "--pipeline", "sentencizer,entity_ruler", "--optimize", "accuracy"])
    assert result.exit_code == 0, result.output
    config = load_config(out)
    assert config["nlp"]["lang"] == "de"
    assert config["nlp"]["pipeline"] == ["sentencizer", "entity_ruler"]
    assert config["components"]["entity_ruler"]["factory"] == "entity_ruler"
    assert config["components"]["sentencizer"]["punct_chars"] is None  # defaults filled
    assert config["initialize"]["vectors"] == "${paths.vectors}"  # variables kept
    assert fill_config(config) == config  # already complete
    # An existing file needs --force.
    result = runner.invoke(app, ["init", "config", str(out)])
    assert result.exit_code == 1 and "[E220]" in result.output
    assert runner.invoke(app, ["init", "config", str(out), "--force", "-pt"]).exit_code == 0
    assert "pretraining" in load_config(out)


def test_init_config_unknown_component_lists_available(tmp_path):
    result = runner.invoke(app, ["init", "config", "-", "-p", "sentencizer,entity_rulr"])
    assert result.exit_code == 1
    assert "[E221]" in result.output and "'entity_rulr'" in result.output
    assert "Did you mean 'entity_ruler'?" in result.output and "sentencizer" in result.output


def test_init_config_to_stdout():
    result = runner.invoke(app, ["init", "config", "-", "-l", "en"])
    assert result.exit_code == 0
    assert "[nlp]" in result.stdout and 'lang = "en"' in result.stdout


def test_fill_config_writes_config_that_loads_and_round_trips(tmp_path):
    src, out = write(tmp_path, PARTIAL), tmp_path / "filled.cfg"
    result = runner.invoke(app, ["init", "fill-config", str(src), str(out), "--diff"])
    assert result.exit_code == 0, result.output
    assert "+depth = 4" in result.output  # the diff shows what was added
    filled = load_config(out)
    assert filled["corpora"]["extra"] == {"@architectures": "test_cli.Width.v1", "width": "${paths.width}", "depth": 4}
    assert filled["training"]["max_steps"] == 20000
    again = tmp_path / "again.cfg"
    assert runner.invoke(app, ["init", "fill-config", str(out), str(again)]).exit_code == 0
    assert again.read_text(encoding="utf8") == out.read_text(encoding="utf8")


def test_fill_config_with_code_file(tmp_path):
    code = write(tmp_path, textwrap.dedent("""
        from heron.registry import registry

        @registry.misc("test_cli.user_fn.v1")
        def user_fn(*, scale: float = 0.5):
            return scale
    """), name="functions.py")
    src = write(tmp_path, PARTIAL + '\n[corpora.mine]\n@misc = "test_cli.user_fn.v1"\n')
    try:
        result = runner.invoke(app, ["init", "fill-config", str(src), "-", "--code", str(code)])
        assert result.exit_code == 0, result.output
        assert "scale = 0.5" in result.stdout
    finally:
        catalogue._remove(("heron", "misc", "test_cli.user_fn.v1"))
    result = runner.invoke(app, ["init", "fill-config", str(src), "-", "--code", str(tmp_path / "nope.py")])
    assert result.exit_code == 1 and "[E205]" in result.output and "nope.py" in result.output


# PARTIAL plus what `heron train` needs before reading data: corpus readers and paths.
TRAINABLE = PARTIAL.replace("[paths]\n", "[paths]\ntrain = null\ndev = null\n") + textwrap.dedent("""
    [corpora.train]
    @readers = "heron.Corpus.v1"
    path = ${paths.train}

    [corpora.dev]
    @readers = "heron.Corpus.v1"
    path = ${paths.dev}
""")


def tiny_corpus(tmp_path):
    import heron
    from heron.tokens import Doc, DocBin

    path = tmp_path / "tiny.heron"
    DocBin(docs=[Doc(heron.blank("en").vocab, words=["Hi", "."])]).to_disk(path)
    return ["--paths.train", str(path), "--paths.dev", str(path)]


def test_debug_config_valid_and_invalid(tmp_path):
    src = write(tmp_path, TRAINABLE)
    paths = tiny_corpus(tmp_path)
    result = runner.invoke(app, ["debug", "config", str(src), "--show-functions", "--show-variables", *paths])
    assert result.exit_code == 0, result.output
    assert "✔ Config is valid" in result.output
    assert "corpora.extra" in result.stdout and "test_cli.Width.v1" in result.stdout
    assert "${paths.width}" in result.stdout and "32" in result.stdout
    # Overrides are applied before validation; a mistyped one is reported by name, as
    # the override (it is in no line of the file).
    result = runner.invoke(app, ["debug", "config", str(src), "--paths.width", "abc",
                                 "--training.max_epoch", "2", *paths])
    assert result.exit_code == 1
    assert "[E207]" in result.output
    assert f"[E207] Invalid config in {src}" in result.output
    line = TRAINABLE.splitlines().index("width = ${paths.width}") + 1
    assert f"corpora.extra.width ({src}:{line}): expected int, got 'abc' (str)" in result.output
    assert "training.max_epoch (command-line override --training.max_epoch)" in result.output
    assert "Did you mean 'max_epochs'?" in result.output
    assert "Traceback" not in result.output


def test_debug_config_checks_what_train_needs_before_data(tmp_path):
    """A config whose settings are all well-typed but that train rejects fails here too."""
    src = write(tmp_path, PARTIAL)
    result = runner.invoke(app, ["debug", "config", str(src)])
    assert result.exit_code == 1 and "[E513]" in result.output and "corpora.train" in result.output
    src = write(tmp_path, TRAINABLE)
    result = runner.invoke(app, ["debug", "config", str(src)])  # paths left null
    assert result.exit_code == 1 and "[E508]" in result.output
    result = runner.invoke(app, ["debug", "config", str(src), "--paths.train", str(tmp_path / "nope.heron"),
                                 "--paths.dev", str(tmp_path / "nope.heron")])
    assert result.exit_code == 1 and "[E506]" in result.output and "nope.heron" in result.output


def test_debug_config_bad_override_syntax(tmp_path):
    src = write(tmp_path, PARTIAL)
    result = runner.invoke(app, ["debug", "config", str(src), "--paths", "x"])
    assert result.exit_code == 1 and "[E203]" in result.output


def test_info_environment_and_pipeline_meta(tmp_path):
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0 and "heron version" in result.stdout and "torch version" in result.stdout
    model = tmp_path / "my_pipeline"
    model.mkdir()
    meta = {"name": "demo", "version": "1.0.0", "lang": "en", "pipeline": ["ner"],
            "labels": {"ner": ["ORG", "PER"]}}
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf8")
    result = runner.invoke(app, ["info", str(model)])
    assert result.exit_code == 0, result.output
    assert "en_demo" in result.stdout and "labels: ner" in result.stdout and "ORG, PER" in result.stdout
    result = runner.invoke(app, ["info", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "[E222]" in result.output


def test_debug_config_reads_stdin_and_names_binary_input(tmp_path):
    paths = tiny_corpus(tmp_path)
    result = runner.invoke(app, ["debug", "config", "-", *paths], input=TRAINABLE.encode("utf8"))
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["debug", "config", "-", *paths], input=b"\x89PNG\r\n\x1a\n\x00\x00")
    assert result.exit_code == 1 and "[E224] Config file <stdin>:1" in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["debug", "config"], ["train"]])
def test_override_typo_is_reported_as_the_override(tmp_path, command):
    src = write(tmp_path, TRAINABLE)
    result = runner.invoke(app, [*command, str(src), "--training.max_stpes", "5", *tiny_corpus(tmp_path)])
    assert result.exit_code == 1
    assert "training.max_stpes (command-line override --training.max_stpes)" in result.output
    assert "Did you mean 'max_steps'?" in result.output and f"{src}:" not in result.output
    result = runner.invoke(app, [*command, str(src), "--trainning.max_steps", "5", *tiny_corpus(tmp_path)])
    assert result.exit_code == 1 and "[E204]" in result.output
    assert "Did you mean --training.max_steps?" in result.output
