"""heron.Tok2VecListener.v1 may leave `width` out: it is taken from its upstream trunk
(as heron.TransformerListener.v1 does), and written into the component's config."""
import pytest

import heron
from heron.errors import HeronValueError

from fakes import trunk_model

LISTENER = {"@architectures": "heron.Tok2VecListener.v1"}


def test_width_is_taken_from_the_trunk_and_stored():
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": trunk_model(width=24)})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": dict(LISTENER)}})
    assert nlp.config["components"]["tagger"]["model"]["tok2vec"]["width"] == 24
    assert nlp.get_pipe("tagger").model.width == 24
    rebuilt = heron.language.Language.from_config(nlp.config)
    assert rebuilt.get_pipe("tagger").model.width == 24


def test_no_trunk_before_it_is_a_coded_error():
    nlp = heron.blank("en")
    with pytest.raises(HeronValueError, match=r"\[E373\].*tok2vec"):
        nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": dict(LISTENER)}})


def test_an_explicit_wrong_width_is_still_refused():
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": trunk_model(width=24)})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1",
                                             "tok2vec": dict(LISTENER, width=16)}})
    with pytest.raises(HeronValueError, match="E353"):  # checked when the listeners bind
        heron.language.Language.from_config(nlp.config)
