"""HashEmbed / MultiHashEmbed: hashing determinism and spread, shapes, coded errors."""
import subprocess
import sys

import pytest
import torch

from heron.errors import HeronTypeError, HeronValueError
from heron.featurize import TokenBatch
from heron.nn import HashEmbed, MultiHashEmbed
from heron.nn.embed import hash_keys, hash_salts

M64 = (1 << 64) - 1


def _fmix64_py(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & M64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & M64
    return k ^ (k >> 33)


def _keys_py(uid: int, seed: int, n_rows: int) -> list:
    """Reference: uint64 arithmetic in plain Python ints."""
    out = []
    for salt in hash_salts(seed):
        h = _fmix64_py((uid ^ salt) & M64)
        out += [(h & 0xFFFFFFFF) % n_rows, (h >> 32) % n_rows]
    return out


def _as_int64(u: int) -> int:
    return u - (1 << 64) if u >= 1 << 63 else u


IDS = [0, 1, 2, 12345, (1 << 63) - 1, 1 << 63, M64, 0x9E3779B97F4A7C15]


def test_hash_matches_uint64_reference():
    embed = HashEmbed(8, 997, seed=3)
    keys = embed.keys(torch.tensor([_as_int64(u) for u in IDS]))
    assert keys.shape == (len(IDS), 4)
    assert keys.tolist() == [_keys_py(u, 3, 997) for u in IDS]


def test_hash_is_stable_across_versions():
    # Saved models depend on these exact keys: changing the hash breaks every trained model.
    assert hash_salts(8) == (6764836397866521095, -9186087665489710237)
    keys = hash_keys(torch.tensor([12345, -1, 0]), torch.tensor(hash_salts(8)), torch.tensor(5000))
    assert keys.tolist() == [[213, 4953, 3977, 2021], [1502, 3870, 2370, 3935], [901, 3085, 635, 1319]]


def test_hash_is_deterministic_across_processes():
    code = ("import torch; from heron.nn import HashEmbed; "
            "print(HashEmbed(4, 1000, seed=11).keys(torch.arange(-5, 5)).tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    here = HashEmbed(4, 1000, seed=11).keys(torch.arange(-5, 5)).tolist()
    assert out.strip() == str(here)


def test_hash_spreads_over_rows_and_seeds_differ():
    n_rows = 500
    ids = torch.arange(20000) * 7919  # structured ids: the hash must still spread them
    keys = HashEmbed(4, n_rows, seed=1).keys(ids)
    assert int(keys.min()) >= 0 and int(keys.max()) < n_rows
    counts = torch.bincount(keys.flatten(), minlength=n_rows).float()
    expected = keys.numel() / n_rows  # 160 per row
    assert counts.min() > 0.6 * expected and counts.max() < 1.4 * expected
    # The 4 hash functions are different functions of the id.
    assert all((keys[:, i] != keys[:, j]).float().mean() > 0.99 for i in range(4) for j in range(i + 1, 4))
    other = HashEmbed(4, n_rows, seed=2).keys(ids)
    assert (other != keys).float().mean() > 0.99


def test_hash_embed_forward_sums_four_rows():
    embed = HashEmbed(6, 50, seed=0)
    ids = torch.tensor([[3, -9], [1 << 40, 0]])
    out = embed(ids)
    assert out.shape == (2, 2, 6)
    keys = embed.keys(ids)
    assert torch.allclose(out[1, 0], embed.weight[keys[1, 0]].sum(0))
    assert float(embed.weight.detach().abs().max()) <= 0.1  # thinc's uniform(-0.1, 0.1) init


def test_hash_embed_rejects_bad_input():
    with pytest.raises(HeronTypeError, match="E155"):
        HashEmbed(4, 10)(torch.tensor([1, 2], dtype=torch.int32))
    with pytest.raises(HeronValueError, match="E152.*n_rows"):
        HashEmbed(4, 0)


def _batch(B=3, T=5, attrs=("NORM", "PREFIX", "SUFFIX", "SHAPE"), vectors=None):
    torch.manual_seed(0)
    lengths = torch.tensor([5, 2, 0][:B])
    mask = torch.arange(T)[None] < lengths[:, None]
    ids = torch.randint(-(1 << 62), 1 << 62, (B, T, len(attrs))) * mask[..., None]
    return TokenBatch(ids=ids, mask=mask, lengths=lengths, attrs=tuple(attrs), vectors=vectors)


def test_multi_hash_embed_shapes_and_padding():
    embed = MultiHashEmbed(16, ["NORM", "PREFIX", "SUFFIX", "SHAPE"], [100, 50, 50, 50])
    batch = _batch()
    out = embed(batch)
    assert out.shape == (3, 5, 16) and embed.width == 16
    assert embed.attrs == ("NORM", "PREFIX", "SUFFIX", "SHAPE")
    assert not out[~batch.mask].any()
    # Distinct seeds per table (spaCy: 8, 9, 10, 11).
    assert [e.seed for e in embed.embeds] == [8, 9, 10, 11]
    assert [e.n_rows for e in embed.embeds] == [100, 50, 50, 50]


def test_multi_hash_embed_selects_columns_by_name():
    embed = MultiHashEmbed(8, ["SUFFIX", "NORM"], [20, 30])
    batch = _batch()  # columns NORM, PREFIX, SUFFIX, SHAPE
    sub = TokenBatch(ids=batch.ids[..., [2, 0]].contiguous(), mask=batch.mask, lengths=batch.lengths,
                     attrs=("SUFFIX", "NORM"))
    assert torch.equal(embed(batch), embed(sub))
    with pytest.raises(HeronValueError, match="E154"):
        MultiHashEmbed(8, ["LOWER"], [20])(batch)


def test_multi_hash_embed_attrs_rows_mismatch():
    with pytest.raises(HeronValueError, match="E150"):
        MultiHashEmbed(8, ["NORM", "PREFIX"], [100])


def test_static_vectors_need_vectors_in_batch():
    embed = MultiHashEmbed(8, ["NORM"], [20], include_static_vectors=True)
    with pytest.raises(HeronValueError, match="E151"):
        embed(_batch(attrs=("NORM",)))
    with pytest.warns(Warning, match="W650"):  # unsized: sized from the first batch, with a warning
        out = embed(_batch(attrs=("NORM",), vectors=torch.randn(3, 5, 7)))
    assert out.shape == (3, 5, 8)
