""".floret tables (floret's `save_floret_vectors`, spaCy's `init vectors --mode floret`):
heron's MurmurHash3_x64_128 against an independent port of the reference and published
values, every word's vector against spaCy's floret algorithm written out here, the
reader's coded errors (file:line) and `heron init vectors --mode floret`."""
from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers every command)
from heron.cli._app import app
from heron.errors import HeronError
from heron.vectors import Vectors, read_vectors
from heron.vectors.io import detect_format
from heron.vectors.murmur import murmurhash3_keys32, murmurhash3_x64_128

# ---- an independent MurmurHash3_x64_128: SMHasher's MurmurHash3.cpp, line by line ----------
MASK = (1 << 64) - 1
C1, C2 = 0x87C37B91114253D5, 0x4CF5AD432745937F


def rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & MASK


def fmix64(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & MASK
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & MASK
    return k ^ (k >> 33)


def reference_murmur3(key: bytes, seed: int) -> Tuple[int, int]:
    n_blocks = len(key) // 16
    h1 = h2 = seed
    for i in range(n_blocks):
        k1 = int.from_bytes(key[16 * i:16 * i + 8], "little")
        k2 = int.from_bytes(key[16 * i + 8:16 * i + 16], "little")
        k1 = (rotl((k1 * C1) & MASK, 31) * C2) & MASK
        h1 ^= k1
        h1 = (rotl(h1, 27) + h2) & MASK
        h1 = (h1 * 5 + 0x52DCE729) & MASK
        k2 = (rotl((k2 * C2) & MASK, 33) * C1) & MASK
        h2 ^= k2
        h2 = (rotl(h2, 31) + h1) & MASK
        h2 = (h2 * 5 + 0x38495AB5) & MASK
    tail, rest = key[16 * n_blocks:], len(key) & 15
    k1 = k2 = 0
    # The reference's switch falls through from case `rest` down to case 1.
    for i in range(rest - 1, -1, -1):
        if i >= 8:
            k2 ^= tail[i] << (8 * (i - 8))
            if i == 8:
                h2 ^= (rotl((k2 * C2) & MASK, 33) * C1) & MASK
        else:
            k1 ^= tail[i] << (8 * i)
            if i == 0:
                h1 ^= (rotl((k1 * C1) & MASK, 31) * C2) & MASK
    h1 ^= len(key)
    h2 ^= len(key)
    h1 = (h1 + h2) & MASK
    h2 = (h2 + h1) & MASK
    h1, h2 = fmix64(h1), fmix64(h2)
    h1 = (h1 + h2) & MASK
    h2 = (h2 + h1) & MASK
    return h1, h2


def smhasher_verification(hash128) -> int:
    """SMHasher's VerificationTest: hash keys {}, {0}, {0, 1}, ... {0..254} with seed 256 - len,
    hash the 256 concatenated digests with seed 0, first 4 bytes little-endian."""
    key = bytes(range(256))
    digests = b"".join(h1.to_bytes(8, "little") + h2.to_bytes(8, "little")
                       for h1, h2 in (hash128(key[:i], 256 - i) for i in range(256)))
    h1, _ = hash128(digests, 0)
    return h1 & 0xFFFFFFFF


def heron_murmur3(key: bytes, seed: int) -> Tuple[int, int]:
    h1, h2 = murmurhash3_x64_128([key], seed)[0]
    return int(h1), int(h2)


def test_murmur3_reference_verification_value():
    # SMHasher lists 0x6384BA69 for MurmurHash3_x64_128 ("Murmur3F").
    assert smhasher_verification(reference_murmur3) == 0x6384BA69
    assert smhasher_verification(heron_murmur3) == 0x6384BA69


def test_murmur3_published_values():
    assert heron_murmur3(b"", 0) == (0, 0)
    # mmh3's README: hash64("foo", signed=False), hash128("foo", 42), hash_bytes("foo").
    assert heron_murmur3(b"foo", 0) == (16316970633193145697, 9128664383759220103)
    h1, h2 = heron_murmur3(b"foo", 42)
    assert h1 | h2 << 64 == 215966891540331383248189432718888555506
    h1, h2 = heron_murmur3(b"foo", 0)
    assert h1.to_bytes(8, "little") + h2.to_bytes(8, "little") == b"aE\xf5\x01W\x86q\xe2\x87}\xba+\xe4\x87\xaf~"
    h1, h2 = heron_murmur3(b"The quick brown fox jumps over the lazy dog", 0)
    assert (h1.to_bytes(8, "little") + h2.to_bytes(8, "little")).hex() == "6c1b07bc7bbc4be347939ac4a93c437a"


def test_murmur3_batch_equals_reference_for_every_length_and_seed():
    rng = np.random.default_rng(0)
    keys = [bytes(rng.integers(0, 256, n % 70, dtype=np.uint8)) for n in range(300)]
    for seed in (0, 1, 2166136261, 0xFFFFFFFF):
        got = murmurhash3_x64_128(keys, seed)
        assert [tuple(map(int, row)) for row in got] == [reference_murmur3(k, seed) for k in keys]
    keys32 = murmurhash3_keys32(keys[:20], 5)
    for key, row in zip(keys[:20], keys32):
        h1, h2 = reference_murmur3(key, 5)
        assert row.tolist() == [h1 & 0xFFFFFFFF, h1 >> 32, h2 & 0xFFFFFFFF, h2 >> 32]


# ---- spaCy's floret vectors, written out from spaCy's Vectors.get_batch -------------------
BUCKET, DIM, MINN, MAXN, HASH_COUNT, SEED = 97, 5, 2, 4, 2, 2166136261
WORDS = ["cat", "naïve", "東京", "a", "unbelievably-long-word", "🙂x", "<tag>", "Über"]


def spacy_floret_vector(data: np.ndarray, word: str, *, minn=MINN, maxn=MAXN, hash_count=HASH_COUNT,
                        seed=SEED, bow="<", eow=">") -> np.ndarray:
    if word == "":
        return np.zeros(data.shape[1], dtype=np.float32)
    key = bow + word + eow
    ngrams = [key] + [key[start:start + size] for size in range(minn, maxn + 1)
                      for start in range(0, len(key) - size + 1)]
    rows: List[int] = []
    for ngram in ngrams:
        h1, h2 = reference_murmur3(ngram.encode("utf8"), seed)
        rows += [h % data.shape[0] for h in [h1 & 0xFFFFFFFF, h1 >> 32, h2 & 0xFFFFFFFF, h2 >> 32][:hash_count]]
    return data[rows].mean(axis=0)


def table_data() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(BUCKET, DIM)).astype(np.float32)


def write_floret(path: Path, data: np.ndarray, header: str = "") -> Path:
    """A .floret file as floret writes it: header, then `i v1 ... vD ` (trailing space)."""
    header = header or f"{len(data)} {data.shape[1]} {MINN} {MAXN} {HASH_COUNT} {SEED} < >"
    rows = [f"{i} " + "".join(f"{v:.9g} " for v in row) for i, row in enumerate(data)]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf8")
    return path


def test_spacy_floret_table_gives_spacys_vector_for_every_word():
    data = table_data()
    table = Vectors(data=data, mode="spacy_floret", minn=MINN, maxn=MAXN, hash_count=HASH_COUNT, seed=SEED)
    got = table.get_batch(WORDS + ["cat", ""])
    expected = np.stack([spacy_floret_vector(data, w) for w in WORDS + ["cat", ""]])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(table["naïve"], expected[1], rtol=1e-5, atol=1e-6)
    assert "never-seen" in table
    # Other settings: hash_count 1 and 4, other markers, minn = maxn.
    for kw in ({"hash_count": 1}, {"hash_count": 4, "bow": "^", "eow": "$"}, {"minn": 3, "maxn": 3, "seed": 0}):
        settings = {"minn": MINN, "maxn": MAXN, "hash_count": HASH_COUNT, "seed": SEED, **kw}
        other = Vectors(data=data, mode="spacy_floret", **settings)
        spacy_kw = dict(settings)
        np.testing.assert_allclose(other.get_batch(WORDS), np.stack([spacy_floret_vector(data, w, **spacy_kw)
                                                                     for w in WORDS]), rtol=1e-5, atol=1e-6)


def test_read_floret_file_and_detect_format(tmp_path):
    data = table_data()
    path = write_floret(tmp_path / "vectors.floret", data)
    assert detect_format(path) == "floret"
    result = read_vectors(path, mode="floret")
    assert result.fmt == "floret" and result.words == []
    assert result.cfg == {"mode": "spacy_floret", "minn": MINN, "maxn": MAXN, "hash_count": HASH_COUNT,
                          "seed": SEED, "bow": "<", "eow": ">"}
    np.testing.assert_array_equal(result.data, data)


def test_init_vectors_mode_floret_end_to_end(tmp_path):
    data = table_data()
    path = write_floret(tmp_path / "vectors.floret", data)
    result = CliRunner().invoke(app, ["init", "vectors", "en", str(path), str(tmp_path / "out"), "--mode", "floret",
                                      "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"Read {BUCKET} rows" in result.stderr and "spacy_floret" in result.stderr
    nlp = heron.load(tmp_path / "out")
    table = nlp.vocab.vectors
    assert table.mode == "spacy_floret" and table.shape == (BUCKET, DIM) and table.name == "en_vectors"
    doc = nlp("naïve cat visits 東京")
    for token in doc:
        np.testing.assert_allclose(token.vector, spacy_floret_vector(data, token.text), rtol=1e-5, atol=1e-6)
    # Saved and reloaded, the settings (seed included) and so the vectors are the same.
    nlp.to_disk(tmp_path / "again")
    again = heron.load(tmp_path / "again")("unseenword")[0].vector
    np.testing.assert_allclose(again, spacy_floret_vector(data, "unseenword"), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("header, message", [
    ("97 5 2 4 2 2166136261 <", "7 fields, expected 8"),
    ("97 5 2 4 5 0 < >", "hash_count = 5"),
    ("97 5 4 2 2 0 < >", "minn = 4 > maxn = 2"),
    ("97 5 2 4 2 4294967296 < >", "hash_seed = 4294967296"),
    ("97 five 2 4 2 0 < >", "dim must be unsigned integers"),
])
def test_bad_floret_headers(tmp_path, header, message):
    path = write_floret(tmp_path / "bad.floret", table_data(), header=header)
    with pytest.raises(HeronError, match="E619") as err:
        read_vectors(path, fmt="floret", mode="floret")
    assert f"{path}:1:" in str(err.value) and message in str(err.value)


def _lines(path: Path) -> List[str]:
    return path.read_text(encoding="utf8").splitlines()


@pytest.mark.parametrize("edit, line, message", [
    (lambda lines: lines[:3 + 1] + [lines[4] + " 0.5"] + lines[5:], 5, "6 values after the bucket number, expected 5"),
    (lambda lines: lines[:3] + ["2 0.1 0.2 x 0.4 0.5"] + lines[4:], 4, "'x' is not a number"),
    (lambda lines: lines[:3] + ["2"] + lines[4:], 4, "only one column"),
    (lambda lines: lines[:-1], 98, "ends after 96 rows, but the header says bucket = 97"),
    (lambda lines: lines + ["97 1 2 3 4 5"], 99, "more rows than the header's bucket = 97"),
])
def test_malformed_floret_rows_name_file_and_line(tmp_path, edit, line, message):
    path = write_floret(tmp_path / "bad.floret", table_data())
    path.write_text("\n".join(edit(_lines(path))) + "\n", encoding="utf8")
    with pytest.raises(HeronError, match="E612") as err:
        read_vectors(path, mode="floret")
    assert f"{path}:{line}:" in str(err.value) and message in str(err.value)


def test_floret_file_needs_mode_floret(tmp_path):
    path = write_floret(tmp_path / "vectors.floret", table_data())
    with pytest.raises(HeronError, match="E620"):
        read_vectors(path)
    result = CliRunner().invoke(app, ["init", "vectors", "en", str(path), str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 1 and "E620" in result.stderr and "--mode floret" in result.stderr
    assert not (tmp_path / "out").exists()
