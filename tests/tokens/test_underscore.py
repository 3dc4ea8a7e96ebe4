import pytest

from heron.errors import HeronError
from heron.tokens import Doc, Span, Token, Vocab


@pytest.fixture
def ext():
    """Register extensions for one test and remove them afterwards (the table is global)."""
    added = []

    def add(cls, name, **kwargs):
        cls.set_extension(name, **kwargs)
        added.append((cls, name))

    yield add
    for cls, name in added:
        if cls.has_extension(name):
            cls.remove_extension(name)


def test_doc_extension_default_and_user_data_key(ext):
    ext(Doc, "score", default=0.0)
    doc = Doc(Vocab(), ["a", "b"])
    assert doc._.score == 0.0 and doc._.get("score") == 0.0 and doc._.has("score")
    doc._.score = 1.5
    assert doc.user_data[("._.", "score", None, None)] == 1.5
    doc._.set("score", 2.0)
    assert doc._.score == 2.0


def test_token_and_span_keys(ext):
    ext(Token, "flag", default=False)
    ext(Span, "note", default=None)
    doc = Doc(Vocab(), ["ab", "cd", "e"])
    doc[1]._.flag = True
    doc[1:3]._.note = "x"
    assert doc.user_data[("._.", "flag", 3, None)] is True
    assert doc.user_data[("._.", "note", 3, 7)] == "x"
    assert doc[1]._.flag and not doc[0]._.flag and doc[1:3]._.note == "x" and doc[0:1]._.note is None


def test_getter_setter_method(ext):
    ext(Token, "upper", getter=lambda t: t.text.upper())
    ext(Doc, "n", getter=lambda d: d.user_data.get("n", 0), setter=lambda d, v: d.user_data.__setitem__("n", v))
    ext(Span, "contains", method=lambda span, word: word in span.text.split())
    doc = Doc(Vocab(), ["hi", "there"])
    assert doc[0]._.upper == "HI"
    doc._.n = 3
    assert doc._.n == 3 and doc.user_data["n"] == 3
    assert doc[0:2]._.contains("there") and not doc[0:1]._.contains("there")
    with pytest.raises(AttributeError, match=r"\[E022\]"):
        doc[0]._.upper = "X"


def test_mutable_default_is_per_object(ext):
    ext(Doc, "items", default=[])
    a, b = Doc(Vocab(), ["a"]), Doc(Vocab(), ["b"])
    a._.items.append(1)
    assert a._.items == [1] and b._.items == []


def test_unknown_extension_errors():
    doc = Doc(Vocab(), ["a"])
    with pytest.raises(AttributeError, match=r"\[E021\].*Doc.*'nope'"):
        doc._.nope
    with pytest.raises(AttributeError, match=r"\[E021\].*Token"):
        doc[0]._.nope = 1
    with pytest.raises(HeronError, match=r"\[E021\]"):
        Span.remove_extension("nope")


@pytest.mark.parametrize("kwargs", [{}, {"default": 1, "getter": len}, {"setter": print},
                                    {"getter": 3}, {"method": len, "default": None}])
def test_bad_extension_options(kwargs):
    with pytest.raises(HeronError, match=r"\[E022\]"):
        Doc.set_extension("bad_opts", **kwargs)
    assert not Doc.has_extension("bad_opts")


@pytest.mark.parametrize("name", ["_private", "get", "has space", "1x"])
def test_bad_extension_names(name):
    with pytest.raises(HeronError, match=r"\[E024\]"):
        Token.set_extension(name, default=None)


def test_force_and_get_remove(ext):
    ext(Doc, "twice", default=1)
    with pytest.raises(HeronError, match=r"\[E023\]"):
        Doc.set_extension("twice", default=2)
    Doc.set_extension("twice", default=2, force=True)
    assert Doc.get_extension("twice") == (2, None, None, None)
    assert Doc.remove_extension("twice") == (2, None, None, None)
    assert not Doc.has_extension("twice") and Doc.get_extension("twice") is None
