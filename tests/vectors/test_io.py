"""Vector file readers: text (header or not, compressed), word2vec binary, fastText binary
(written by hand here, following fastText's format), detection and malformed input."""
import bz2
import gzip
import struct
import zipfile

import numpy as np
import pytest

from heron.errors import HeronError, HeronWarning
from heron.tokens.strings import StringStore
from heron.vectors import Vectors
from heron.vectors.io import detect_format, read_vectors

WORDS = ["the", "river", "bank", "café", "New York"]
RNG = np.random.default_rng(7)
DATA = RNG.normal(size=(5, 6)).astype("float32")


def text_lines(header=True, words=WORDS, data=DATA, trailing=""):
    lines = [f"{len(words)} {data.shape[1]}"] if header else []
    lines += [w + " " + " ".join(f"{x:.6f}" for x in row) + trailing for w, row in zip(words, data)]
    return "\n".join(lines) + "\n"


def write(path, text):
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf8") as f:
            f.write(text)
    elif path.suffix == ".bz2":
        with bz2.open(path, "wt", encoding="utf8") as f:
            f.write(text)
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("vectors.txt", text)
    else:
        path.write_text(text, encoding="utf8")
    return path


@pytest.mark.parametrize("name", ["v.txt", "v.vec", "v.txt.gz", "v.vec.bz2", "v.zip"])
@pytest.mark.parametrize("header", [True, False])
def test_text_formats(tmp_path, name, header):
    path = write(tmp_path / name, text_lines(header=header, trailing=" " if name.endswith("vec") else ""))
    assert detect_format(path) == "text"
    result = read_vectors(path)
    words = WORDS if header else WORDS[:-1] + ["New York"]
    assert result.words == words and result.fmt == "text"
    np.testing.assert_allclose(result.data, DATA, atol=1e-6)


def write_w2v_bin(path, words, data):
    with open(path, "wb") as f:
        f.write(f"{len(words)} {data.shape[1]}\n".encode())
        for w, row in zip(words, data):
            f.write(w.encode("utf8") + b" " + row.astype("<f4").tobytes() + b"\n")
    return path


def test_word2vec_binary(tmp_path):
    path = write_w2v_bin(tmp_path / "w.bin", WORDS[:4], DATA[:4])
    assert detect_format(path) == "word2vec_bin"
    result = read_vectors(path)
    assert result.words == WORDS[:4]
    np.testing.assert_array_equal(result.data, DATA[:4])
    assert read_vectors(path, truncate=2).words == WORDS[:2]
    path.write_bytes(path.read_bytes()[:-10])  # truncated file
    with pytest.raises(HeronError, match=r"E612.*w\.bin:5.*ends inside"):
        read_vectors(path)


def test_truncate_and_duplicates(tmp_path):
    words = ["a", "b", "a", "c"]
    path = write(tmp_path / "d.txt", text_lines(words=words, data=DATA[:4]))
    with pytest.warns(HeronWarning, match="W600.*1 duplicated"):
        result = read_vectors(path)
    assert result.words == ["a", "b", "c"] and result.n_duplicates == 1
    np.testing.assert_allclose(result.data, DATA[[0, 1, 3]], atol=1e-6)  # first "a" wins
    assert read_vectors(path, truncate=2).words == ["a", "b"]


@pytest.mark.parametrize("bad_line, message", [
    ("oops 1.0 2.0", r"bad\.txt:3: the word 'oops' is followed by 2 values, expected 6"),
    ("oops 1 2 3 x 5 6", r"bad\.txt:3: 'x' after the word 'oops' is not a number"),
    ("5 6", r"bad\.txt:3: a second `N D` header"),
])
def test_malformed_rows_name_file_and_line(tmp_path, bad_line, message):
    lines = text_lines().splitlines()
    lines.insert(2, bad_line)
    path = write(tmp_path / "bad.txt", "\n".join(lines) + "\n")
    with pytest.raises(HeronError, match=message):
        read_vectors(path)


def test_unknown_and_missing(tmp_path):
    with pytest.raises(HeronError, match="E610"):
        read_vectors(tmp_path / "nope.txt")
    path = write(tmp_path / "v.txt", text_lines())
    with pytest.raises(HeronError, match="E611"):
        read_vectors(path, fmt="glove2")
    with pytest.raises(HeronError, match="E615"):
        read_vectors(path, mode="floret")


# ---- fastText binary, written by hand -----------------------------------------------------
def write_fasttext_bin(path, words, matrix, *, dim, bucket, minn, maxn):
    args = [dim, 5, 5, 1, 5, 1, 1, 2, bucket, minn, maxn, 100]  # dim ws epoch ... lrUpdateRate
    with open(path, "wb") as f:
        f.write(struct.pack("<ii", 793712314, 12))
        f.write(struct.pack("<12id", *args, 1e-4))
        f.write(struct.pack("<iiiqq", len(words), len(words), 0, 1000, -1))
        for i, w in enumerate(words):
            f.write(w.encode("utf8") + b"\x00" + struct.pack("<qb", 100 - i, 0))
        f.write(struct.pack("<?", False))
        f.write(struct.pack("<qq", *matrix.shape))
        f.write(matrix.astype("<f4").tobytes())
        out = np.zeros((len(words), dim), dtype="<f4")  # output matrix (not read)
        f.write(struct.pack("<?", False) + struct.pack("<qq", *out.shape) + out.tobytes())
    return path


def ref_fnv(text):
    """fastText's hash, written out plainly: bytes as signed chars."""
    h = 2166136261
    for b in text.encode("utf8"):
        h = (h ^ ((b - 256) & 0xFFFFFFFF if b >= 128 else b)) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def ref_vector(word, words, matrix, bucket, minn, maxn):
    text = f"<{word}>"
    grams = [text[i:i + n] for i in range(len(text)) for n in range(minn, maxn + 1)
             if i + n <= len(text) and not (n == 1 and (i == 0 or i + n == len(text)))]
    rows = ([words.index(word)] if word in words else []) + [len(words) + ref_fnv(g) % bucket for g in grams]
    return matrix[rows].mean(axis=0)


@pytest.fixture
def fasttext_model(tmp_path):
    words, dim, bucket, minn, maxn = ["sun", "moon", "star", "über"], 4, 11, 2, 4
    matrix = RNG.normal(size=(len(words) + bucket, dim)).astype("float32")
    path = write_fasttext_bin(tmp_path / "ft.bin", words, matrix, dim=dim, bucket=bucket, minn=minn, maxn=maxn)
    return path, words, matrix, bucket, minn, maxn


def test_fasttext_bin_word_vectors(fasttext_model):
    path, words, matrix, bucket, minn, maxn = fasttext_model
    assert detect_format(path) == "fasttext_bin"
    result = read_vectors(path)
    assert result.words == words and result.data.shape == (4, 4)
    for i, w in enumerate(words):
        np.testing.assert_allclose(result.data[i], ref_vector(w, words, matrix, bucket, minn, maxn), rtol=1e-5)


def test_fasttext_bin_subword_mode_gives_oov_vectors(fasttext_model, tmp_path):
    path, words, matrix, bucket, minn, maxn = fasttext_model
    result = read_vectors(path, mode="floret")
    cfg = dict(result.cfg)
    table = Vectors(strings=StringStore(), data=result.data, keys=result.words, mode=cfg.pop("mode"), **cfg)
    assert table.mode == "fasttext" and table.shape == (15, 4)
    queries = ["suns", "Moonlight", "straße", "sun", "über"]
    expected = np.stack([ref_vector(w, words, matrix, bucket, minn, maxn) for w in queries])
    np.testing.assert_allclose(table.get_batch(queries), expected, rtol=1e-5)
    table.to_disk(tmp_path / "t")
    loaded = Vectors(strings=table.strings).from_disk(tmp_path / "t")
    np.testing.assert_allclose(loaded.get_batch(queries), expected, rtol=1e-5)
    assert "anything" in loaded


def test_fasttext_bin_refuses_quantized_and_old(fasttext_model):
    path = fasttext_model[0]
    raw = bytearray(path.read_bytes())
    old = path.with_name("old.bin")
    old.write_bytes(struct.pack("<i", 300) + bytes(raw[4:]))
    with pytest.raises(HeronError, match="E613"):
        read_vectors(old, fmt="fasttext_bin")
    path.write_bytes(bytes(raw[:100]))
    with pytest.raises(HeronError, match="E612"):
        read_vectors(path)


def test_gensim_only_when_asked(tmp_path, monkeypatch):
    """gensim itself is slow to import and not a dependency: a stand-in module records the call."""
    import sys
    import types

    loaded = []

    class KeyedVectors:
        @staticmethod
        def load(path):
            loaded.append(path)
            return types.SimpleNamespace(index_to_key=WORDS[:3], vectors=DATA[:3].astype("float64"))

    fake = types.ModuleType("gensim.models")
    fake.KeyedVectors = KeyedVectors
    monkeypatch.setitem(sys.modules, "gensim", types.ModuleType("gensim"))
    monkeypatch.setitem(sys.modules, "gensim.models", fake)
    path = tmp_path / "kv.model"
    path.write_bytes(b"\x80\x04\x95 not text")  # gensim files are pickles
    with pytest.raises(HeronError, match="E611.*--format gensim"):
        read_vectors(path)  # a pickle is never opened by auto-detection
    assert loaded == []
    with pytest.warns(HeronWarning, match="W601"):
        result = read_vectors(path, fmt="gensim", truncate=2)
    assert loaded == [str(path)] and result.words == WORDS[:2]
    assert result.data.dtype == np.float32
    np.testing.assert_allclose(result.data, DATA[:2])
    monkeypatch.setitem(sys.modules, "gensim.models", None)  # not installed
    with pytest.raises(HeronError, match="E614"):
        read_vectors(path, fmt="gensim")


def test_zip_with_several_members_and_short_header(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", text_lines())
        z.writestr("b.txt", text_lines())
    with pytest.raises(HeronError, match="E617.*2 members"):
        read_vectors(path)
    lines = text_lines().splitlines()
    path = write(tmp_path / "short.txt", "\n".join(["9 6", *lines[1:]]) + "\n")
    with pytest.warns(HeronWarning, match="W602.*9 rows.*holds 5"):
        assert len(read_vectors(path).words) == 5
