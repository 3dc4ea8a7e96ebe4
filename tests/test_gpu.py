"""heron.require_gpu / prefer_gpu / require_cpu, and `heron train --gpu-id` going through them.

CUDA is faked where the machine has none (torch.cuda.is_available & co. patched); the
"meta" device stands in for a GPU to check that pipelines are moved there."""
import pytest
import torch

import heron
from heron import gpu
from heron.errors import HeronValueError


@pytest.fixture(autouse=True)
def _reset_device():
    yield
    heron.require_cpu()


@pytest.fixture
def fake_cuda(monkeypatch):
    """Two visible CUDA devices; set_device calls are recorded, not made."""
    calls = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "set_device", calls.append)
    return calls


def test_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a CPU-only machine
    with pytest.raises(HeronValueError, match=r"E853.*require_gpu\(0\).*CUDA is not available"):
        heron.require_gpu(0)
    assert heron.prefer_gpu() is False
    assert gpu.current_device() == torch.device("cpu")


def test_require_gpu_selects_the_device(fake_cuda):
    assert heron.require_gpu(1) is True
    assert fake_cuda == [1] and gpu.current_device() == torch.device("cuda", 1)
    assert heron.prefer_gpu(0) is True and gpu.current_device() == torch.device("cuda", 0)
    assert heron.require_cpu() is True and gpu.current_device() == torch.device("cpu")


@pytest.mark.parametrize("gpu_id,message", [(2, "only 2 GPU"), (-1, "int >= 0"), ("0", "int >= 0")])
def test_bad_ids(fake_cuda, gpu_id, message):
    with pytest.raises(HeronValueError, match=f"E853.*{message}"):
        heron.require_gpu(gpu_id)
    assert heron.prefer_gpu(gpu_id) is False and fake_cuda == []


def test_train_gpu_id_goes_through_require_gpu(fake_cuda):
    from heron.training.initialize import select_device

    assert select_device(1) == torch.device("cuda", 1)
    assert fake_cuda == [1] and gpu.current_device() == torch.device("cuda", 1)
    assert select_device(-1) == torch.device("cpu")


def _tiny_pipeline():
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "heron.HashEmbedCNN.v1", "width": 8, "depth": 1, "embed_size": 50,
        "window_size": 1, "maxout_pieces": 2, "subword_features": False, "pretrained_vectors": None}})
    return nlp


def test_load_moves_the_pipeline_to_the_chosen_device(tmp_path, monkeypatch):
    _tiny_pipeline().to_disk(tmp_path / "p")
    assert next(heron.load(tmp_path / "p").get_pipe("tok2vec").model.parameters()).device.type == "cpu"
    monkeypatch.setattr(gpu, "_current", torch.device("meta"))  # stands in for cuda:N
    nlp = heron.load(tmp_path / "p")
    assert {p.device.type for p in nlp.get_pipe("tok2vec").model.parameters()} == {"meta"}


@pytest.mark.gpu  # deselected by default; `pytest -m gpu` on a machine with CUDA
def test_real_gpu_runs_a_pipeline(tmp_path):
    _tiny_pipeline().to_disk(tmp_path / "p")
    assert heron.require_gpu(0)
    nlp = heron.load(tmp_path / "p")
    doc = nlp("A short text on the GPU .")
    assert next(nlp.get_pipe("tok2vec").model.parameters()).is_cuda and doc.tensor.shape == (7, 8)
