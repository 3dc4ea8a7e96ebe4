"""heron_version ranges: parsing, membership, and the check every pipeline load makes."""
import json

import pytest

import heron
from heron.errors import HeronError, HeronWarning
from heron.packaging.versions import (
    check_saved_version,
    in_range,
    is_range,
    is_version,
    lower_bound,
    minor_range,
    parse_range,
    version_key,
)


def test_minor_range_of_a_version():
    assert minor_range("0.1.0") == ">=0.1.0,<0.2.0"
    assert minor_range("2.7.3") == ">=2.7.3,<2.8.0"
    assert minor_range("1") == ">=1,<1.1.0"
    assert minor_range() == minor_range(heron.__version__)


def test_versions_sort_as_pep_440():
    ordered = ["0.9", "1.0.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.0.1", "1.10"]
    assert sorted(reversed(ordered), key=version_key) == ordered
    assert version_key("1.0") == version_key("1.0.0")
    assert version_key("1.0.0+local.7") == version_key("1.0.0")
    assert not is_version("one") and not is_version("") and not is_version(None)


@pytest.mark.parametrize("version,constraint,expected", [
    ("0.1.0", ">=0.1.0,<0.2.0", True),
    ("0.1.9", ">=0.1.0,<0.2.0", True),
    ("0.2.0", ">=0.1.0,<0.2.0", False),
    ("0.0.9", ">=0.1.0,<0.2.0", False),
    ("0.2.0rc1", ">=0.1.0,<0.2.0", False),   # <V excludes V's own pre-releases (PEP 440)
    ("0.2.0rc1", ">=0.2.0rc1,<0.3.0", True),
    ("0.1.0.post1", ">0.1.0", False),        # >V excludes V's post-releases
    ("0.1.1", ">0.1.0", True),
    ("0.1.5", "~=0.1.2", True),
    ("0.2.0", "~=0.1.2", False),
    ("0.1.7", "==0.1.*", True),
    ("0.1.7", "!=0.1.*", False),
    ("0.1.0", "0.1.0", True),                # a plain version means ==
    ("0.1.0", "!=0.1.0", False),
    ("0.1.0", "<=0.1.0, >= 0.0.1", True),
])
def test_in_range(version, constraint, expected):
    assert in_range(version, constraint) is expected


@pytest.mark.parametrize("bad", ["=>0.1", ">=", ">=0.1,", "0.1.0,<0.2", ">=x.y", "~=1"])
def test_malformed_ranges_are_refused(bad):
    with pytest.raises(ValueError):
        parse_range(bad)


def test_lower_bound_and_is_range():
    assert lower_bound(">=0.1.0,<0.2.0") == "0.1.0"
    assert lower_bound("<0.2.0") is None and lower_bound("junk") is None
    assert is_range(">=0.1.0") and not is_range("0.1.0") and not is_range("") and not is_range(3)


def test_check_saved_version_outcomes(tmp_path, recwarn):
    check_saved_version({}, tmp_path, current="0.1.0")  # older folders: no version at all
    check_saved_version({"heron_version": ""}, tmp_path, current="0.1.0")
    check_saved_version({"heron_version": ">=0.1.0,<0.2.0"}, tmp_path, current="0.1.4")
    check_saved_version({"heron_version": "0.1.2"}, tmp_path, current="0.1.0")  # same minor series
    assert not [w for w in recwarn if issubclass(w.category, HeronWarning)]
    with pytest.warns(HeronWarning, match=r"\[W300\].*0\.3\.0"):
        check_saved_version({"heron_version": "0.3.0"}, tmp_path, current="0.1.0")
    with pytest.raises(HeronError) as e:
        check_saved_version({"heron_version": ">=0.2.0,<0.3.0"}, tmp_path, current="0.1.0")
    message = str(e.value)
    assert message.startswith("[E572]") and ">=0.2.0,<0.3.0" in message and "heron 0.2.0" in message
    assert "this is heron 0.1.0" in message and "Fix:" in message and str(tmp_path) in message
    for bad in ("latest", ">=0.1.0,<<0.2", 3):
        with pytest.raises(HeronError, match=r"\[E573\].*meta\.json"):
            check_saved_version({"heron_version": bad}, tmp_path, current="0.1.0")


def _saved_with(tmp_path, heron_version):
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "p")
    meta_path = tmp_path / "p" / "meta.json"
    meta = json.loads(meta_path.read_text())
    if heron_version is None:
        meta.pop("heron_version")
    else:
        meta["heron_version"] = heron_version
    meta_path.write_text(json.dumps(meta))
    return tmp_path / "p"


def test_folder_load_refuses_a_range_that_excludes_this_heron(tmp_path):
    path = _saved_with(tmp_path, ">=99.0.0,<99.1.0")
    with pytest.raises(HeronError) as e:
        heron.load(path)
    assert str(e.value).startswith("[E572]") and "99.0.0" in str(e.value) and heron.__version__ in str(e.value)


def test_folder_load_accepts_a_matching_range_or_none(tmp_path, recwarn):
    assert heron.load(_saved_with(tmp_path / "a", minor_range())).pipe_names == ["sentencizer"]
    assert heron.load(_saved_with(tmp_path / "b", None)).pipe_names == ["sentencizer"]
    assert not [w for w in recwarn if issubclass(w.category, HeronWarning)]  # no W300 for a range
