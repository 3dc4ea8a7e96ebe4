"""DocBin files from others: bounded decompression, declared sizes checked, errors name the file.

Format 2 puts a small uncompressed msgpack header (n_docs, n_tokens, n_attrs, size of
the decompressed body) before the zlib body; reading inflates at most `size + 1`
bytes, so a decompression bomb stops at the size its header admits to. Format 1
files (no header) still load, inflated up to a bounded size.
"""
import zlib

import msgpack
import numpy as np
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, DocBin, Vocab, _docbin_format
from heron.tokens import docbin as docbin_module


def _docs():
    vocab = Vocab()
    return [Doc(vocab, ["Ada", "met", "Bo"], [True, True, False], tags=["N", "V", "N"], heads=[1, 1, 1]),
            Doc(vocab, ["Hi", "\ud800"], [True, False], ents=["O", "U-X"])]


TEXTS = ["Ada met Bo", "Hi \ud800"]


def _split(data: bytes):
    """(header dict, body msg dict) of a format 2 DocBin."""
    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed(data)
    header = unpacker.unpack()
    body = zlib.decompress(data[unpacker.tell():])
    return header, msgpack.unpackb(body, raw=False, strict_map_key=False, unicode_errors="surrogatepass")


def _join(header: dict, msg: dict, *, keep_size: bool = False) -> bytes:
    body = msgpack.packb(msg, use_bin_type=True, unicode_errors="surrogatepass")
    if not keep_size:
        header = dict(header, size=len(body))
    return msgpack.packb(header, use_bin_type=True) + zlib.compress(body)


def _texts(db):
    return [d.text for d in db.get_docs(Vocab())]


@pytest.fixture
def spy_inflate(monkeypatch):
    """Records how many bytes each decompress call produced."""
    produced = []
    real = zlib.decompressobj

    class Spy:
        def __init__(self, *args, **kwargs):
            self._d = real(*args, **kwargs)

        def decompress(self, data, max_length=0):
            out = self._d.decompress(data, max_length)
            produced.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self._d, name)

    monkeypatch.setattr(_docbin_format.zlib, "decompressobj", Spy)
    return produced


def test_header_declares_the_sizes():
    header, msg = _split(DocBin(docs=_docs()).to_bytes())
    assert header["format"] == "heron.DocBin" and header["version"] == 2
    assert (header["n_docs"], header["n_tokens"], header["n_attrs"]) == (2, 5, len(msg["attrs"]))
    assert header["size"] == len(msgpack.packb(msg, use_bin_type=True, unicode_errors="surrogatepass"))
    assert _texts(DocBin().from_bytes(DocBin(docs=_docs()).to_bytes())) == TEXTS


def test_bomb_stops_at_the_declared_size(tmp_path, spy_inflate):
    header, _ = _split(DocBin(docs=_docs()).to_bytes())
    header["size"] = 4000
    path = tmp_path / "bomb.heron"
    path.write_bytes(msgpack.packb(header) + zlib.compress(b"\0" * (8 << 20), 9))  # 8 MB -> 8 KB
    with pytest.raises(HeronError) as e:
        DocBin().from_disk(path)
    assert str(e.value).startswith(f"[E044] {path}:") and "more than the 4000 bytes" in str(e.value)
    assert sum(spy_inflate) <= 4001  # never inflated past what the header admits to


def test_declared_size_over_the_cap_is_refused_before_inflating(tmp_path, spy_inflate):
    header, msg = _split(DocBin(docs=_docs()).to_bytes())
    header["size"] = 1 << 50
    path = tmp_path / "huge.heron"
    path.write_bytes(_join(header, msg, keep_size=True))
    with pytest.raises(HeronError, match=r"^\[E042\] .*huge\.heron.*1125899906842624 bytes"):
        DocBin().from_disk(path)
    assert spy_inflate == []
    data = DocBin(docs=_docs()).to_bytes()
    with pytest.raises(HeronError, match=r"^\[E042\]"):
        DocBin().from_bytes(data, max_size=10)  # a caller may lower the cap


def test_file_larger_than_the_cap_is_not_read(tmp_path):
    path = tmp_path / "big.heron"
    path.write_bytes(b"\0" * 2000)
    with pytest.raises(HeronError, match=r"^\[E042\] .*big\.heron"):
        DocBin().from_disk(path, max_size=1000)


@pytest.mark.parametrize("key,value,problem", [
    ("n_docs", 3, "declares 3 docs"),
    ("n_tokens", 6, "declares 6 tokens"),
    ("n_attrs", 2, "declares 2 attrs"),
    ("n_docs", -1, "n_docs"),
    ("n_tokens", True, "n_tokens"),
    ("version", 9, "unsupported format version 9"),
])
def test_header_must_match_the_body(tmp_path, key, value, problem):
    header, msg = _split(DocBin(docs=_docs()).to_bytes())
    header[key] = value
    path = tmp_path / "lie.heron"
    path.write_bytes(_join(header, msg))
    with pytest.raises(HeronError) as e:
        DocBin().from_disk(path)
    assert str(e.value).startswith(f"[E028] Cannot read DocBin from {path}") and problem in str(e.value)


def test_declared_tokens_must_fit_the_declared_size(tmp_path, spy_inflate):
    header, msg = _split(DocBin(docs=_docs()).to_bytes())
    header["n_tokens"] = 10**9  # 10**9 tokens cannot fit in a body of a few hundred bytes
    path = tmp_path / "lie.heron"
    path.write_bytes(_join(header, msg))
    with pytest.raises(HeronError, match=r"^\[E028\] .*lie\.heron.*cannot hold"):
        DocBin().from_disk(path)
    assert spy_inflate == []


def test_negative_lengths_are_refused(tmp_path):
    header, msg = _split(DocBin(docs=_docs()).to_bytes())
    msg["lengths"] = np.array([6, -1], dtype="<i8").tobytes()
    path = tmp_path / "neg.heron"
    path.write_bytes(_join(header, msg))
    with pytest.raises(HeronError, match=r"^\[E028\] .*neg\.heron.*negative"):
        DocBin().from_disk(path)


@pytest.mark.parametrize("cut", [1, 10, -5])
def test_truncated_file_names_the_file(tmp_path, cut):
    data = DocBin(docs=_docs()).to_bytes()
    path = tmp_path / "cut.heron"
    path.write_bytes(data[:cut])
    with pytest.raises(HeronError, match=rf"^\[E0(28|44)\] .*{path}"):
        DocBin().from_disk(path)


def test_missing_string_names_file_and_doc(tmp_path):
    header, msg = _split(DocBin(docs=_docs()).to_bytes())
    msg["strings"] = [s for s in msg["strings"] if s != "Hi"]
    path = tmp_path / "nostr.heron"
    path.write_bytes(_join(header, msg))
    db = DocBin().from_disk(path)
    with pytest.raises(HeronError) as e:
        _texts(db)
    assert str(e.value).startswith(f"[E043] {path}: doc 1 of the DocBin is invalid") and "[E002]" in str(e.value)


def test_bad_head_names_file_and_doc(tmp_path):
    db = DocBin(docs=_docs())
    heads = db.attrs.index(docbin_module.IDS["HEAD"])
    db.tokens[0][0, heads] = np.uint64(40)  # token 0's head 40 tokens away, outside the doc
    path = tmp_path / "head.heron"
    db.to_disk(path)
    with pytest.raises(HeronError) as e:
        _texts(DocBin().from_disk(path))
    assert str(e.value).startswith(f"[E043] {path}: doc 0 of the DocBin is invalid") and "[E009]" in str(e.value)


def _v1_bytes(docs) -> bytes:
    """A format 1 file: one zlib stream holding the msgpack map, no header."""
    _, msg = _split(DocBin(docs=docs).to_bytes())
    msg.update(format="heron.DocBin", version=1)
    return zlib.compress(msgpack.packb(msg, use_bin_type=True, unicode_errors="surrogatepass"))


def test_format_1_files_still_load(tmp_path):
    path = tmp_path / "old.heron"
    path.write_bytes(_v1_bytes(_docs()))
    assert _texts(DocBin().from_disk(path)) == TEXTS


def test_format_1_inflation_is_bounded(tmp_path, spy_inflate):
    path = tmp_path / "old_bomb.heron"
    path.write_bytes(zlib.compress(b"\0" * (8 << 20), 9))
    with pytest.raises(HeronError, match=r"^\[E042\] .*old_bomb\.heron"):
        DocBin().from_disk(path, max_size=100_000)
    assert sum(spy_inflate) <= 100_001


def test_honest_header_with_a_bomb_ratio_is_refused_before_inflating(tmp_path, spy_inflate):
    header, _ = _split(DocBin(docs=_docs()).to_bytes())
    payload = zlib.compress(b"\0" * (80 << 20), 9)  # 80 MiB -> ~80 KB: 1000-fold
    header["size"] = 80 << 20  # the truth, over the 64 MiB read whatever the ratio
    path = tmp_path / "honest_bomb.heron"
    path.write_bytes(msgpack.packb(header) + payload)
    with pytest.raises(HeronError, match=rf"^\[E042\] .*honest_bomb\.heron.*from {len(payload)} compressed bytes"):
        DocBin().from_disk(path)
    assert spy_inflate == []


def test_repetitive_corpus_within_the_ratio_loads(tmp_path):
    vocab = Vocab()
    docs = [Doc(vocab, ["Hello", "world", "."] * 7, tags=["NN"] * 21) for _ in range(3000)]
    data = DocBin(docs=docs).to_bytes()
    header, _ = _split(data)
    assert header["size"] / len(data) > 100  # a real, very repetitive corpus
    assert len(list(DocBin().from_bytes(data).get_docs(Vocab()))) == 3000
    with pytest.raises(HeronError, match=r"^\[E042\]"):
        DocBin().from_bytes(data, max_size=header["size"] - 1)  # an explicit cap is exact
    assert len(DocBin().from_bytes(data, max_size=header["size"])) == 3000
