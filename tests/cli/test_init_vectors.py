"""`heron init vectors`: end to end through the CLI, pruning, floret mode, and no output on errors."""
import struct

import numpy as np
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers every command)
from heron.cli._app import app
from heron.vectors import Vectors

runner = CliRunner()
WORDS = ["the", "dog", "cat", "puppy", "kitten", "car"]
DATA = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.1, 0.9, 0.1, 0],
                 [0, 0.1, 0.95, 0], [0.2, 0, 0, 0.9]], dtype="float32")


def run(*args):
    return runner.invoke(app, ["init", "vectors", *map(str, args), "--no-progress"])


def vec_file(tmp_path, lines=None):
    path = tmp_path / "my.vectors.txt"
    rows = lines or [w + " " + " ".join(str(x) for x in row) for w, row in zip(WORDS, DATA)]
    path.write_text("\n".join([f"{len(rows)} 4", *rows]) + "\n", encoding="utf8")
    return path


def test_import_text_to_pipeline_folder(tmp_path):
    result = run("en", vec_file(tmp_path), tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "6 rows, dim 4, 6 keys" in result.stderr and "words/sec" in result.stderr
    nlp = heron.load(tmp_path / "out")
    table = nlp.vocab.vectors
    assert isinstance(table, Vectors) and table.name == "en_my_vectors" and table.shape == (6, 4)
    assert nlp.meta["vectors"]["name"] == "en_my_vectors" and nlp.meta["vectors"]["width"] == 4
    doc = nlp("the cat sat")
    np.testing.assert_allclose(doc[1].vector, DATA[2])
    assert doc[1].has_vector and not doc[2].has_vector
    assert doc[1].similarity(nlp("kitten")[0]) > 0.9


def test_prune_truncate_and_name(tmp_path):
    result = run("en", vec_file(tmp_path), tmp_path / "out", "--prune", "3", "--name", "tiny")
    assert result.exit_code == 0, result.output
    assert "3 words remapped" in result.stderr
    table = heron.load(tmp_path / "out").vocab.vectors
    assert table.shape == (3, 4) and table.n_keys == 6 and table.name == "tiny"
    # puppy -> dog's row, kitten -> cat's row, car -> the's row (nearest by cosine)
    assert [table.find(key=w) for w in ["puppy", "kitten", "car"]] == [1, 2, 0]
    result = run("en", vec_file(tmp_path), tmp_path / "trunc", "--truncate", "2")
    assert result.exit_code == 0, result.output
    assert heron.load(tmp_path / "trunc").vocab.vectors.n_keys == 2


def test_malformed_file_leaves_no_output(tmp_path):
    lines = [w + " " + " ".join(str(x) for x in row) for w, row in zip(WORDS, DATA)]
    lines[3] = "puppy 0.1 0.9 zero 0"
    result = run("en", vec_file(tmp_path, lines), tmp_path / "out")
    assert result.exit_code == 1
    assert "E612" in result.stderr and "my.vectors.txt:5" in result.stderr
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["my.vectors.txt"]  # no temp folder left


def test_existing_output_is_replaced_only_on_success(tmp_path):
    assert run("en", vec_file(tmp_path), tmp_path / "out").exit_code == 0
    bad = tmp_path / "bad.txt"
    bad.write_text("a 1 2\nb 1\n", encoding="utf8")
    assert run("en", bad, tmp_path / "out").exit_code == 1
    assert heron.load(tmp_path / "out").vocab.vectors.shape == (6, 4)


def test_bad_options(tmp_path):
    result = run("en", vec_file(tmp_path), tmp_path / "out", "--mode", "floret")
    assert result.exit_code == 1 and "E615" in result.stderr
    result = run("en", vec_file(tmp_path), tmp_path / "out", "--prune", "0")
    assert result.exit_code == 1 and "E616" in result.stderr
    result = run("en", tmp_path / "missing.txt", tmp_path / "out")
    assert result.exit_code == 1 and "E610" in result.stderr
    assert not (tmp_path / "out").exists()


def test_fasttext_bin_floret_mode(tmp_path):
    words, dim, bucket = ["sun", "moon"], 3, 7
    matrix = np.arange((2 + bucket) * dim, dtype="float32").reshape(-1, dim) / 10
    path = tmp_path / "ft.bin"
    with open(path, "wb") as f:
        args = struct.pack("<12id", dim, 5, 5, 1, 5, 1, 1, 2, bucket, 3, 3, 100, 1e-4)
        f.write(struct.pack("<ii", 793712314, 12) + args)
        f.write(struct.pack("<iiiqq", 2, 2, 0, 10, -1))
        for w in words:
            f.write(w.encode() + b"\x00" + struct.pack("<qb", 5, 0))
        f.write(struct.pack("<?qq", False, *matrix.shape) + matrix.tobytes())
    result = run("en", path, tmp_path / "out", "--mode", "floret")
    assert result.exit_code == 0, result.output
    nlp = heron.load(tmp_path / "out")
    assert nlp.vocab.vectors.mode == "fasttext" and nlp.vocab.vectors.shape == (9, 3)
    doc = nlp("sunny")
    assert doc[0].has_vector and doc[0].vector_norm > 0
