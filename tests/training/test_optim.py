"""Schedules and optimizers."""
import pytest
import torch

from heron.errors import HeronValueError
from heron.registry import registry
from heron.training import optim


def test_schedules_values():
    assert optim.constant(rate=0.5)(1000) == 0.5
    comp = optim.compounding(start=1.0, stop=10.0, compound=2.0)
    assert [comp(i) for i in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]  # increasing, capped
    down = optim.compounding(start=10.0, stop=1.0, compound=0.5)
    assert down(10) == 1.0
    flat = optim.compounding(start=1000.0, stop=1000.0, compound=1.001)  # a constant batch size
    assert flat(0) == flat(5000) == 1000.0
    warm = optim.warmup_linear(initial_rate=1.0, warmup_steps=4, total_steps=12)
    assert [warm(i) for i in (0, 2, 4, 8, 12, 20)] == [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    dec = optim.decaying(base_rate=1.0, decay=0.5)
    assert dec(0) == 1.0 and dec(2) == 0.5
    slanted = optim.slanted_triangular(max_rate=1.0, num_steps=100)
    rates = [slanted(i) for i in range(100)]
    assert max(rates) == pytest.approx(1.0) and rates.index(max(rates)) == 9
    assert rates[-1] < rates[50] < rates[9]
    cyc = optim.cyclic_triangular(min_lr=0.0, max_lr=1.0, period=2)
    assert [cyc(i) for i in range(5)] == [0.0, 0.5, 1.0, 0.5, 0.0]


def test_schedules_are_registered():
    sched = registry.resolve({"s": {"@schedules": "heron.compounding.v1", "start": 100,
                                    "stop": 1000, "compound": 1.001}})["s"]
    assert sched(0) == 100 and sched(10 ** 6) == 1000
    assert "compounding" in repr(sched)


def _quadratic_setup():
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.tensor([3.0, -2.0]))
    return w


def test_adam_steps_reduce_loss_and_count():
    w = _quadratic_setup()
    opt = optim.Adam(learn_rate=0.1, L2=0.0)([w])
    losses = []
    for _ in range(50):
        loss = (w ** 2).sum()
        losses.append(float(loss.detach()))
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert losses[-1] < losses[0] / 10
    assert opt.step_count == 50 and w.grad is None
    assert opt.learn_rate == pytest.approx(0.1)


def test_learn_rate_schedule_and_param_groups():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    sched = optim.warmup_linear(initial_rate=1.0, warmup_steps=2, total_steps=10)
    opt = optim.AdamW(learn_rate=sched)([{"params": [a]}, {"params": [b], "learn_rate": 0.01}])
    (a.sum() + b.sum()).backward()
    opt.step()  # step 0 of the schedule: rate 0 -> no change (weight decay is lr-scaled too)
    assert torch.equal(a.detach(), torch.ones(2))
    assert opt.param_groups[1]["lr"] == 0.01
    (a.sum() + b.sum()).backward()
    opt.step()
    assert opt.learn_rate == 0.5 and not torch.equal(a.detach(), torch.ones(2))


def test_grad_clip():
    w = torch.nn.Parameter(torch.zeros(4))
    opt = optim.Adam(learn_rate=0.1, grad_clip=1.0)([w])
    (w * torch.tensor([100.0, 0.0, 0.0, 0.0])).sum().backward()
    torch_grad_before = w.grad.clone()
    opt.step()
    assert torch_grad_before.norm() == 100.0
    assert w.grad.norm() == pytest.approx(1.0)  # clipped in place before the update


def test_averages_and_use_params():
    w = torch.nn.Parameter(torch.zeros(1))
    opt = optim.Adam(learn_rate=1.0, L2=0.0, use_averages=True)([w])
    for _ in range(5):
        (-w).sum().backward()  # pushes w up by ~1 per step
        opt.step()
        opt.zero_grad()
    current = w.detach().clone()
    with opt.use_params():
        averaged = w.detach().clone()
        assert averaged.item() < current.item()  # the average lags behind
    assert torch.equal(w.detach(), current)  # restored
    plain = optim.Adam()([torch.nn.Parameter(torch.zeros(1))])
    assert plain.averages is None
    with plain.use_params():
        pass


def test_optimizer_errors_and_empty_params():
    with pytest.raises(HeronValueError, match="E504"):
        optim.Adam(learn_rate=-1.0)
    with pytest.raises(HeronValueError, match="E503"):
        optim.Adam()(["not a tensor"])
    opt = optim.Adam()([])  # a pipeline with nothing to train still gets an optimizer
    opt.step()
    assert opt.step_count == 1


def test_registered_optimizer_factory_with_defaults():
    make = registry.get("optimizers", "heron.Adam.v1")()
    opt = make([torch.nn.Parameter(torch.zeros(2))])
    assert isinstance(opt.torch_optimizer, torch.optim.AdamW)  # L2 is decoupled weight decay
    assert opt.learn_rate == 0.001
