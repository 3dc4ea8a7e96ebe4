"""Resuming `heron apply`: a run killed after k partitions goes on without duplicates;
a rerun whose inputs, pipeline or settings differ is refused (E594) unless --force; the
work folder's lock and files. A real SIGKILL of a subprocess is the slow test at the end.
The .spacy outputs (spaCy's DocBin) resume through the same code as .heron and .jsonl.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest

import heron
from heron.apply import apply, outputs
from heron.errors import HeronError
from heron.tokens import DocBin
from heron.tokens.spacy_docbin import SpacyDocBin

from fakes import trained_tagger_ner

N_DOCS = 11


class SimulatedKill(BaseException):
    """Raised where a kill would stop the run (a BaseException, like KeyboardInterrupt)."""


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("apply_resume") / "model"
    trained_tagger_ner(steps=0).to_disk(path)
    return path


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    rows = [{"text": f"Alice met Bob in Paris on day {i} .", "i": i} for i in range(N_DOCS)]
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf8")
    (folder / "b.txt").write_text("The river Thames runs through London", encoding="utf8")
    return folder


def jsonl_rows(path: Path) -> List[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def texts_and_metas(path: Path) -> List[tuple]:
    """(text, meta) of each document in a .jsonl or .spacy output file."""
    if path.suffix == ".jsonl":
        return [(r["text"], r.get("meta")) for r in jsonl_rows(path)]
    return [(d.text, d.user_data.get("meta")) for d in SpacyDocBin().from_disk(path).get_docs(heron.blank("en").vocab)]


def fail_after(monkeypatch, k: int, name: str = "write_partition") -> None:
    """Make outputs.<name> raise on its (k+1)-th call, as a crash after k partitions would."""
    real = getattr(outputs, name)
    calls = []

    def flaky(*args, **kwargs):
        if len(calls) == k:
            raise SimulatedKill()
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(outputs, name, flaky)


@pytest.mark.parametrize("suffix", ["jsonl", "spacy"])
def test_resume_after_kill_continues_without_duplicates(model_dir, data, tmp_path, monkeypatch, suffix):
    apply(model_dir, data, tmp_path / f"whole.{suffix}", partition_size=3, progress=False)
    out = tmp_path / f"out.{suffix}"
    fail_after(monkeypatch, 2)
    with pytest.raises(SimulatedKill):
        apply(model_dir, data, out, partition_size=3, progress=False)
    work = tmp_path / f"out.{suffix}.parts"
    assert sorted(p.name for p in (work / "done").iterdir()) == ["part-00000.json", "part-00001.json"]
    assert sorted(p.name for p in work.glob("part-*")) == [f"part-00000.{suffix}", f"part-00001.{suffix}"]
    assert not out.exists() and not (work / "apply.lock").exists()
    monkeypatch.undo()
    result = apply(model_dir, data, out, partition_size=3, progress=False)
    assert (result.n_resumed, result.n_partitions, result.n_docs) == (2, 4, N_DOCS + 1)
    assert out.read_bytes() == (tmp_path / f"whole.{suffix}").read_bytes()
    metas = [meta for _, meta in texts_and_metas(out)]
    assert [m.get("i") for m in metas] == list(range(N_DOCS)) + [None]
    assert not work.exists()


@pytest.mark.parametrize("file_type", ["jsonl", "spacy"])
def test_part_written_but_not_recorded_is_redone_once(model_dir, data, tmp_path, monkeypatch, file_type):
    out = tmp_path / "out"
    fail_after(monkeypatch, 1, "write_done")  # partition 1's file lands, its record doesn't
    with pytest.raises(SimulatedKill):
        apply(model_dir, data, out, partition_size=5, file_type=file_type, progress=False)
    assert (out / f"part-00001.{file_type}").exists() and not (out / "done" / "part-00001.json").exists()
    monkeypatch.undo()
    result = apply(model_dir, data, out, partition_size=5, file_type=file_type, progress=False)
    assert (result.n_resumed, result.n_docs) == (1, N_DOCS + 1)
    assert sorted(p.name for p in out.glob("part-*")) == [f"part-0000{i}.{file_type}" for i in range(3)]
    texts = [text for p in sorted(out.glob("part-*")) for text, _ in texts_and_metas(p)]
    assert len(texts) == N_DOCS + 1 and len(set(texts)) == N_DOCS + 1
    with pytest.raises(HeronError, match="E594"):  # the file type is part of the manifest
        apply(model_dir, data, out, partition_size=5, progress=False)


def test_rerun_of_finished_folder_does_nothing(model_dir, data, tmp_path):
    out = tmp_path / "out"
    apply(model_dir, data, out, partition_size=4, progress=False)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")}
    result = apply(model_dir, data, out, partition_size=4, n_process=2, batch_size=7, progress=False)
    assert (result.n_resumed, result.n_partitions, result.n_docs) == (3, 3, N_DOCS + 1)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")} == before


@pytest.mark.parametrize("change", ["input bytes", "input added", "setting", "pipeline"])
def test_mismatched_rerun_is_refused_until_force(model_dir, data, tmp_path, change):
    out = tmp_path / "out"
    model = tmp_path / "model"
    heron.load(model_dir).to_disk(model)
    apply(model, data, out, partition_size=4, progress=False)
    kwargs = {"partition_size": 4}
    if change == "input bytes":
        (data / "b.txt").write_text("The river Thames runs through Oxford", encoding="utf8")
    elif change == "input added":
        (data / "c.txt").write_text("A new file.", encoding="utf8")
    elif change == "setting":
        kwargs["partition_size"] = 5
    else:
        meta = json.loads((model / "meta.json").read_text(encoding="utf8"))
        (model / "meta.json").write_text(json.dumps({**meta, "version": "9.9.9"}), encoding="utf8")
    with pytest.raises(HeronError, match="E594") as info:
        apply(model, data, out, progress=False, **kwargs)
    assert "Fix:" in str(info.value)
    result = apply(model, data, out, force=True, progress=False, **kwargs)
    assert result.n_resumed == 0


def test_same_bytes_with_new_mtime_still_resume(model_dir, data, tmp_path):
    out = tmp_path / "out"
    apply(model_dir, data, out, partition_size=4, progress=False)
    later = time.time() + 100
    os.utime(data / "a.jsonl", (later, later))
    assert apply(model_dir, data, out, partition_size=4, progress=False).n_resumed == 3


def test_work_folder_checks(model_dir, data, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "part-00000.heron").write_bytes(b"left by someone")
    (out / "part-00001.spacy").write_bytes(b"left by someone")
    (out / "notes.txt").write_text("the user's own file", encoding="utf8")
    with pytest.raises(HeronError, match="E593"):
        apply(model_dir, data, out, progress=False)
    apply(model_dir, data, out, force=True, partition_size=100, progress=False)
    assert (out / "notes.txt").exists()  # --force deletes only heron apply's own files
    assert not (out / "part-00001.spacy").exists()  # of every file type
    (out / "manifest.json").write_text("{not json", encoding="utf8")
    with pytest.raises(HeronError, match="E593"):
        apply(model_dir, data, out, partition_size=100, progress=False)
    # A lock held by a live process (this one) refuses a second run; a dead one's is taken over.
    (out / "apply.lock").write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}))
    with pytest.raises(HeronError, match="E595"):
        apply(model_dir, data, out, force=True, progress=False)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / "apply.lock").write_text(json.dumps({"host": socket.gethostname(), "pid": dead.pid}))
    assert apply(model_dir, data, out, force=True, progress=False).n_docs == N_DOCS + 1
    assert not (out / "apply.lock").exists()


@pytest.mark.slow
def test_sigkill_then_rerun_completes(model_dir, data, tmp_path):
    """A real kill: the CLI in a subprocess, SIGKILLed once two partitions are recorded."""
    out = tmp_path / "out.heron"
    work = tmp_path / "out.heron.parts"
    big = [{"text": f"Carol and Dave Jones met at Globex number {i} ."} for i in range(400)]
    (data / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in big), encoding="utf8")
    args = [str(model_dir), str(data), str(out), "--partition-size", "2", "--batch-size", "1", "--no-progress"]
    proc = subprocess.Popen([sys.executable, "-m", "heron", "apply", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and len(list((work / "done").glob("*.json")) if (work / "done").is_dir() else []) < 2:
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    n_done = len(list((work / "done").glob("*.json")))
    assert 2 <= n_done < 207 and not out.exists()
    result = apply(model_dir, data, out, partition_size=2, batch_size=1, progress=False)
    assert result.n_resumed >= n_done and result.n_docs == N_DOCS + 1 + len(big)
    texts = [doc.text for doc in DocBin().from_disk(out).get_docs(heron.blank("en").vocab)]
    assert len(texts) == len(set(texts)) == N_DOCS + 1 + len(big)


def test_run_started_by_another_heron_version_warns(model_dir, data, tmp_path):
    out = tmp_path / "out"
    apply(model_dir, data, out, partition_size=4, progress=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf8"))
    (out / "manifest.json").write_text(json.dumps({**manifest, "heron_version": "0.0.1"}), encoding="utf8")
    with pytest.warns(UserWarning, match="W590"):
        assert apply(model_dir, data, out, partition_size=4, progress=False).n_resumed == 3
