"""The package meta (layers, names, versions, types) and the generated model card."""
import json

import pytest

from heron.errors import HeronError
from heron.packaging.meta import (
    build_meta,
    check_meta,
    check_package_name,
    check_package_version,
    derived_requirements,
    package_name,
    read_meta_file,
)
from heron.packaging.readme import generate_readme
from heron.packaging.versions import minor_range

SAVED = {"lang": "en", "name": "pipeline", "version": "0.0.0", "heron_version": "0.1.0",
         "requirements": ["heron>=0.0.1,<0.0.2", "regex>=2020"], "performance": {"ents_f": 0.875},
         "files": {"vocab": ["vocab/strings.json"]}, "author": "Ada"}
LIVE = {"lang": "en", "pipeline": ["ner"], "components": ["ner", "extra"], "disabled": ["extra"],
        "labels": {"ner": ["ORG", "PER"], "extra": []}}
PLAIN_CONFIG = '[components.ner]\nfactory = "ner"\n'


def test_package_name_prefixes_the_language_once():
    assert package_name({"lang": "en", "name": "core_sm"}) == "en_core_sm"
    assert package_name({"lang": "en", "name": "en_core_sm"}) == "en_core_sm"
    assert package_name({}) == "xx_pipeline"


@pytest.mark.parametrize("name", ["en-core", "1en", "en core", "en_ü", "class", "json", "heron", "en__sm",
                                  "en_sm_", "_en"])
def test_bad_package_names(name):
    with pytest.raises(HeronError) as e:
        check_package_name(name, "--name")
    assert str(e.value).startswith("[E570]") and repr(name) in str(e.value) and "--name" in str(e.value)


def test_good_package_names_and_versions():
    for name in ("en_core_sm", "xx_Demo2", "de_news"):
        check_package_name(name, "--name")
    for version in ("1.0.0", "0.2", "3.0.0rc1", "1.0.0.post2", "2.1.0.dev3"):
        check_package_version(version, "--version")
    for version in ("1.0.0-beta", "v1.0", "1.0.0+local", "latest", 1, None):
        with pytest.raises(HeronError, match=r"\[E571\]"):
            check_package_version(version, "--version")


def test_build_meta_layers():
    meta = build_meta(SAVED, LIVE, config_text=PLAIN_CONFIG,
                      overrides={"description": "News NER", "license": "MIT", "pipeline": ["lie"], "files": {}},
                      name="core_sm", version="1.2.0")
    assert package_name(meta) == "en_core_sm" and meta["version"] == "1.2.0"
    assert meta["heron_version"] == minor_range()  # derived, not the folder's plain version
    assert meta["pipeline"] == ["ner"] and meta["labels"]["ner"] == ["ORG", "PER"]  # from the pipeline
    assert meta["files"] == SAVED["files"]  # the saved-file record survives; overrides can't replace it
    assert meta["description"] == "News NER" and meta["license"] == "MIT" and meta["author"] == "Ada"
    # The folder's old heron requirement gives way to this heron's range; others are kept.
    assert meta["requirements"] == [f"heron{minor_range()}", "regex>=2020"]
    assert meta["performance"] == {"ents_f": 0.875}
    assert meta["vectors"] == {"width": 0, "vectors": 0, "keys": 0, "name": None}
    overridden = build_meta(SAVED, LIVE, config_text=PLAIN_CONFIG, overrides={"heron_version": ">=0.1.0"})
    assert overridden["heron_version"] == ">=0.1.0"


def test_requirements_follow_the_config():
    assert derived_requirements(PLAIN_CONFIG) == [f"heron{minor_range()}"]
    assert derived_requirements('[components.trf]\nfactory = "transformer"\n') == [
        f"heron[transformers]{minor_range()}"]
    assert derived_requirements(PLAIN_CONFIG, require_parent=False) == []
    meta = build_meta(SAVED, LIVE, config_text=PLAIN_CONFIG, require_parent=False)
    assert meta["requirements"] == ["regex>=2020"]


@pytest.mark.parametrize("key,value", [("sources", "CoNLL"), ("sources", [3]), ("requirements", "torch"),
                                       ("requirements", [""]), ("license", ["MIT"]), ("performance", [0.9]),
                                       ("name", 7)])
def test_meta_types_are_checked(key, value):
    with pytest.raises(HeronError) as e:
        build_meta(SAVED, LIVE, config_text=PLAIN_CONFIG, overrides={key: value}, overrides_from="m.json")
    assert str(e.value).startswith("[E578]") and repr(key) in str(e.value) and "m.json" in str(e.value)


def test_bad_heron_version_and_name_in_meta():
    with pytest.raises(HeronError, match=r"\[E573\]"):
        check_meta({**SAVED, "heron_version": "soon"}, "meta.json")
    with pytest.raises(HeronError, match=r"\[E570\]"):
        build_meta(SAVED, LIVE, config_text=PLAIN_CONFIG, name="core-sm")
    with pytest.raises(HeronError, match=r"\[E571\]"):
        build_meta(SAVED, LIVE, config_text=PLAIN_CONFIG, version="one")


def test_read_meta_file(tmp_path):
    good = tmp_path / "meta.json"
    good.write_text(json.dumps({"license": "MIT"}))
    assert read_meta_file(good) == {"license": "MIT"}
    for name, text in (("list.json", "[1]"), ("broken.json", "{")):
        (tmp_path / name).write_text(text)
        with pytest.raises(HeronError, match=r"\[E577\].*" + name):
            read_meta_file(tmp_path / name)
    with pytest.raises(HeronError, match=r"\[E577\]"):
        read_meta_file(tmp_path / "missing.json")


def test_readme_from_meta():
    meta = build_meta(SAVED, LIVE, config_text=PLAIN_CONFIG, name="core_sm", version="1.0.0", overrides={
        "description": "Entities in news.", "license": "CC BY-SA 4.0", "url": "https://example.org",
        "sources": [{"name": "OntoNotes", "url": "https://onto.example", "license": "LDC"}, "My notes"],
        "notes": "Trained on a laptop.", "performance": {"ents_f": 0.875, "ner_loss": 12.5, "speed": 900}})
    readme = generate_readme(meta)
    assert readme.startswith("# en_core_sm\n\nEntities in news.")
    assert "| **Version** | `1.0.0` |" in readme and f"| **heron** | `{minor_range()}` |" in readme
    assert "| **License** | `CC BY-SA 4.0` |" in readme and "[Ada](https://example.org)" in readme
    assert "[OntoNotes](https://onto.example) (LDC)<br>My notes" in readme
    assert "| **`ner`** | `ORG`, `PER` |" in readme and "(2 labels for 1 component)" in readme
    assert "| `ENTS_F` | 87.50 |" in readme and "NER_LOSS" not in readme and "SPEED" not in readme
    assert "Trained on a laptop." in readme and 'heron.load("en_core_sm")' in readme
    bare = generate_readme({"lang": "xx", "name": "x", "version": "1.0.0", "labels": {"a": ["x|y"]}})
    assert "| **License** | n/a |" in bare and "`x\\|y`" in bare and "### Accuracy" not in bare
