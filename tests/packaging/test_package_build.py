"""`heron package` end to end in this process: the package folder, the wheel (checked
against the wheel spec), `pip install --target`, heron.load("name") without importing the
package, heron.info() / `heron info`, and the errors along the way. The same flow in a
fresh virtual environment is test_package_install.py (slow)."""
import base64
import csv
import hashlib
import io
import json
import subprocess
import sys
import warnings
import zipfile

import pytest
from typer.testing import CliRunner

import heron
from heron.cli import app
from heron.errors import HeronError, HeronWarning
from heron.language import Language
from heron.packaging import package
from heron.packaging.versions import minor_range

runner = CliRunner()
TEXT = "Heron Labs opened an office in Berlin. It is big."


def make_pipeline(path):
    """A tiny pipeline that annotates without training: sentences and rule-based entities."""
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Heron Labs"}, {"label": "GPE", "pattern": "Berlin"}])
    nlp.meta["performance"] = {"ents_f": 0.5}
    nlp.to_disk(path)
    return path


def annotations(nlp):
    doc = nlp(TEXT)
    return [(e.text, e.label_) for e in doc.ents], len(list(doc.sents))


EXPECTED = ([("Heron Labs", "ORG"), ("Berlin", "GPE")], 2)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("pkg")
    result = package(make_pipeline(root / "pipe"), root / "out", name="demo_pkg", version="1.0.0",
                     meta={"license": "MIT", "description": "A demo."}, progress=False)
    return root, result


@pytest.fixture(scope="module")
def site(built):
    """The wheel installed with pip into a folder of its own (not this venv)."""
    root, result = built
    target = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
                    "--disable-pip-version-check", "--target", str(target), str(result.wheel)], check=True)
    return target


def test_package_folder_layout(built):
    root, result = built
    assert result.name == "en_demo_pkg" and result.path == root / "out" / "en_demo_pkg-1.0.0"
    data = result.path / "en_demo_pkg" / "en_demo_pkg-1.0.0"
    for path in ("pyproject.toml", "README.md", "meta.json", "en_demo_pkg/__init__.py", "en_demo_pkg/meta.json",
                 "dist/en_demo_pkg-1.0.0-py3-none-any.whl"):
        assert (result.path / path).is_file(), path
    assert (data / "config.cfg").is_file() and (data / "README.md").is_file()
    meta = json.loads((data / "meta.json").read_text())
    assert meta["heron_version"] == minor_range() and meta["requirements"] == [f"heron{minor_range()}"]
    assert meta["labels"]["entity_ruler"] == ["GPE", "ORG"] and meta["performance"] == {"ents_f": 0.5}
    assert meta["files"]["entity_ruler"] == ["entity_ruler/cfg.json", "entity_ruler/patterns.jsonl"]
    assert annotations(heron.load(data)) == EXPECTED  # the copied folder loads as a folder too
    compile((result.path / "en_demo_pkg" / "__init__.py").read_text(), "__init__.py", "exec")


def test_wheel_follows_the_spec(built):
    _, result = built
    with zipfile.ZipFile(result.wheel) as wheel:
        names = wheel.namelist()
        info = "en_demo_pkg-1.0.0.dist-info"
        assert names[-1] == f"{info}/RECORD"
        assert {f"{info}/{n}" for n in ("METADATA", "WHEEL", "entry_points.txt", "top_level.txt")} <= set(names)
        assert "en_demo_pkg/__init__.py" in names and "en_demo_pkg/en_demo_pkg-1.0.0/config.cfg" in names
        rows = list(csv.reader(io.StringIO(wheel.read(f"{info}/RECORD").decode())))
        assert sorted(r[0] for r in rows) == sorted(names)
        for path, digest, size in rows:
            if path.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = wheel.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data), path
        metadata = wheel.read(f"{info}/METADATA").decode()
        assert "Name: en_demo_pkg\nVersion: 1.0.0\n" in metadata and "License: MIT" in metadata
        assert f"Requires-Dist: heron{minor_range()}" in metadata and "\n\n# en_demo_pkg" in metadata
        assert wheel.read(f"{info}/entry_points.txt").decode() == "[heron_pipelines]\nen_demo_pkg = en_demo_pkg\n"
        assert "Tag: py3-none-any" in wheel.read(f"{info}/WHEEL").decode()


def test_wheels_are_reproducible_and_force_replaces(built, tmp_path):
    root, result = built
    first = result.wheel.read_bytes()
    with pytest.raises(HeronError, match=r"\[E576\]"):
        package(root / "pipe", root / "out", name="demo_pkg", version="1.0.0", meta={"license": "MIT"},
                progress=False)
    again = package(root / "pipe", tmp_path, name="demo_pkg", version="1.0.0",
                    meta={"license": "MIT", "description": "A demo."}, progress=False)
    assert again.wheel.read_bytes() == first
    package(root / "pipe", tmp_path, name="demo_pkg", version="1.0.0", meta={"license": "MIT"}, force=True,
            build_wheel=False, progress=False)
    assert not (tmp_path / "en_demo_pkg-1.0.0" / "dist").exists()


def test_load_installed_package_by_name_without_importing_it(site, monkeypatch):
    monkeypatch.syspath_prepend(str(site))
    nlp = heron.load("en_demo_pkg")
    assert "en_demo_pkg" not in sys.modules  # located by metadata and find_spec, never imported
    assert annotations(nlp) == EXPECTED
    assert nlp.meta["version"] == "1.0.0" and nlp.meta["heron_version"] == minor_range()
    assert heron.info()["pipelines"] == {"en_demo_pkg": "1.0.0"}
    assert heron.info("en_demo_pkg")["location"] == str(site / "en_demo_pkg" / "en_demo_pkg-1.0.0")
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0 and "en_demo_pkg (1.0.0)" in result.stdout
    result = runner.invoke(app, ["info", "en_demo_pkg"])
    assert result.exit_code == 0 and "labels: entity_ruler" in result.stdout and "A demo." in result.stdout
    try:  # spaCy's other way: import the package and call its load()
        import en_demo_pkg

        assert en_demo_pkg.__version__ == "1.0.0" and annotations(en_demo_pkg.load()) == EXPECTED
        assert en_demo_pkg.load(disable=["entity_ruler"]).disabled == ["entity_ruler"]
    finally:
        sys.modules.pop("en_demo_pkg", None)


def test_config_sources_a_component_from_an_installed_package_by_name(site, monkeypatch):
    monkeypatch.syspath_prepend(str(site))
    config = heron.blank("en").config
    config["nlp"]["pipeline"] = ["sentencizer", "entity_ruler"]
    config["components"] = {"sentencizer": {"factory": "sentencizer"},
                            "entity_ruler": {"source": "en_demo_pkg"}}
    nlp = Language.from_config(config)
    assert "en_demo_pkg" not in sys.modules and annotations(nlp) == EXPECTED
    config["components"]["entity_ruler"] = {"source": "en_not_installed_pkg"}
    with pytest.raises(OSError, match=r"\[E574\].*en_not_installed_pkg"):
        Language.from_config(config)


def test_unknown_names_list_the_installed_pipelines(site, monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OSError) as e:  # an OSError like a missing path, and a HeronError
        heron.load("en_missing_pkg")
    assert str(e.value).startswith("[E574]") and "en_demo_pkg" in str(e.value) and str(tmp_path) in str(e.value)
    assert isinstance(e.value, HeronError)
    with pytest.raises(HeronError, match=r"\[E316\]"):  # a path stays a path
        heron.load(tmp_path / "en_missing_pkg")
    with pytest.raises(HeronError, match=r"\[E575\].*'json'"):  # installed, but not a pipeline
        heron.load("json")
    with pytest.raises(HeronError, match=r"\[E575\].*module"):
        heron.load("csv")


def test_entry_points_that_need_imports_are_refused(tmp_path, monkeypatch):
    dist_info = tmp_path / "bad_dist-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: bad_dist\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[heron_pipelines]\nbad_pipe = some.module:thing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(HeronError, match=r"\[E579\].*bad_dist.*'some\.module'"):
        heron.load("bad_pipe")
    assert "some" not in sys.modules


def test_package_cli(tmp_path):
    make_pipeline(tmp_path / "pipe")
    (tmp_path / "meta.json").write_text(json.dumps({"name": "cli_pkg", "version": "2.0.0", "license": "MIT"}))
    result = runner.invoke(app, ["package", str(tmp_path / "pipe"), str(tmp_path / "out"), "--meta",
                                 str(tmp_path / "meta.json"), "--version", "2.1.0", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "en_cli_pkg-2.1.0" / "dist" / "en_cli_pkg-2.1.0-py3-none-any.whl").is_file()
    assert 'heron.load("en_cli_pkg")' in result.output
    result = runner.invoke(app, ["package", str(tmp_path / "pipe"), str(tmp_path / "out"), "--meta",
                                 str(tmp_path / "meta.json"), "--version", "2.1.0"])
    assert result.exit_code == 1 and "[E576]" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["package", str(tmp_path / "pipe"), str(tmp_path / "out"), "--name", "bad-name"])
    assert result.exit_code == 1 and "[E570]" in result.output
    result = runner.invoke(app, ["package", str(tmp_path / "nothing"), str(tmp_path / "out")])
    assert result.exit_code == 1 and "[E316]" in result.output


def test_packaging_without_a_license_warns(tmp_path):
    make_pipeline(tmp_path / "pipe")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        package(tmp_path / "pipe", tmp_path / "out", build_wheel=False, progress=False)
    assert any(issubclass(w.category, HeronWarning) and "[W570]" in str(w.message) for w in caught)
    assert (tmp_path / "out" / "en_pipeline-0.0.0" / "en_pipeline" / "__init__.py").is_file()


def test_packaging_refuses_a_pipeline_for_another_heron(tmp_path):
    path = make_pipeline(tmp_path / "pipe")
    meta = json.loads((path / "meta.json").read_text())
    (path / "meta.json").write_text(json.dumps({**meta, "heron_version": ">=99.0,<99.1"}))
    with pytest.raises(HeronError, match=r"\[E572\]"):
        package(path, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
