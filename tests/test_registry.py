"""heron.registry: registration, lookup, find() and "did you mean" suggestions."""
import catalogue
import pytest
from confection import Config

from heron.registry import registry


@pytest.fixture
def scratch_names():
    """Names registered by a test are removed afterwards (registries are global)."""
    added = []
    yield added
    for reg_name, func_name in added:
        catalogue._remove(("heron", reg_name, func_name))


def test_registries_exist_and_are_listed():
    for name in registry.names():
        assert isinstance(getattr(registry, name), catalogue.Registry)
    assert "architectures" in registry.names() and "factories" in registry.names()


def test_register_get_and_resolve(scratch_names):
    @registry.architectures("test_registry.Scale.v1")
    def scale(*, factor: float = 2.0, values: list = [1, 2]) -> list:
        return [v * factor for v in values]

    scratch_names.append(("architectures", "test_registry.Scale.v1"))
    assert registry.has("architectures", "test_registry.Scale.v1")
    assert registry.get("architectures", "test_registry.Scale.v1") is scale
    config = Config({"x": {"@architectures": "test_registry.Scale.v1", "factor": 3}})
    assert registry.resolve(config)["x"] == [3, 6]


def test_find_reports_file_line_and_docstring(scratch_names):
    @registry.misc("test_registry.documented.v1")
    def documented() -> int:
        """Returns one."""
        return 1

    scratch_names.append(("misc", "test_registry.documented.v1"))
    found = registry.find("misc", "test_registry.documented.v1")
    assert found["file"].endswith("test_registry.py")
    assert isinstance(found["line_no"], int) and found["line_no"] > 0
    assert found["docstring"] == "Returns one."


def test_suggest_prefers_same_name_other_version(scratch_names):
    for name in ("test_registry.Tagger.v1", "test_registry.Tagger.v2", "test_registry.Parser.v1"):
        registry.architectures(name)(lambda: None)
        scratch_names.append(("architectures", name))
    close = registry.suggest("architectures", "test_registry.Tagger.v9")
    assert close[:2] == ["test_registry.Tagger.v1", "test_registry.Tagger.v2"]
    assert registry.suggest("architectures", "zzzz") == []
    assert registry.get_names("not_a_registry") == []


def test_ensure_populated_is_idempotent():
    registry.ensure_populated()
    registry.ensure_populated()
