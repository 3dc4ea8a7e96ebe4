"""The issue's acceptance test: `heron package` -> `pip install` -> `heron.load("name")` in a
fresh virtual environment, and `heron info` there lists the package. Slow (a venv with
pip, then two interpreters importing torch): `pytest -m slow tests/packaging`.

The venv gets heron and its dependencies without a network through a .pth file naming
this checkout and this interpreter's site-packages; the pipeline package itself is
installed there by pip from the wheel, as a user would.
"""
import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import heron
from heron.packaging import package

pytestmark = pytest.mark.slow

SCRIPT = """
import json, sys, heron
nlp = heron.load("en_venv_demo")
doc = nlp("Heron Labs opened an office in Berlin. It is big.")
print(json.dumps({"ents": [[e.text, e.label_] for e in doc.ents], "sents": len(list(doc.sents)),
                  "imported": "en_venv_demo" in sys.modules, "prefix": sys.prefix,
                  "pipelines": heron.info()["pipelines"]}))
"""


def _python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _fresh_venv(env_dir: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = _python(env_dir)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    repo = Path(heron.__file__).resolve().parent.parent
    (Path(site) / "heron_checkout.pth").write_text(f"{repo}\n{sysconfig.get_paths()['purelib']}\n")
    return python


def test_package_pip_install_load_in_a_fresh_venv(tmp_path):
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Heron Labs"},
                                               {"label": "GPE", "pattern": "Berlin"}])
    nlp.to_disk(tmp_path / "pipe")
    result = package(tmp_path / "pipe", tmp_path / "out", name="venv_demo", version="0.3.0",
                     meta={"license": "MIT"}, progress=False)
    python = _fresh_venv(tmp_path / "env")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps",
                    "--disable-pip-version-check", str(result.wheel)], check=True)
    run = subprocess.run([str(python), "-c", SCRIPT], check=True, capture_output=True, text=True, cwd=tmp_path)
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["ents"] == [["Heron Labs", "ORG"], ["Berlin", "GPE"]] and out["sents"] == 2
    assert out["imported"] is False and Path(out["prefix"]) == tmp_path / "env"
    assert out["pipelines"] == {"en_venv_demo": "0.3.0"}
    listed = subprocess.run([str(python), "-m", "heron", "info"], check=True, capture_output=True, text=True)
    assert "en_venv_demo (0.3.0)" in listed.stdout


def test_package_folder_builds_with_setuptools(tmp_path):
    """The package folder's pyproject.toml gives an equivalent wheel with pip + setuptools
    (offline: no build isolation)."""
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "pipe")
    result = package(tmp_path / "pipe", tmp_path / "out", name="st_demo", version="1.0.0",
                     meta={"license": "MIT", "author": "Ada", "email": "ada@example.org"}, build_wheel=False,
                     progress=False)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(tmp_path / "wheels"), str(result.path)], check=True)
    wheel = next((tmp_path / "wheels").glob("en_st_demo-1.0.0-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "en_st_demo/en_st_demo-1.0.0/config.cfg" in names and "en_st_demo/__init__.py" in names
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "[heron_pipelines]" in archive.read(entry_points).decode()
