"""Parameter layout, PyTorch naming, initialisation and the forget-gate bias."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from lstm_ref import Params, RecurrentConfig, init_params, set_forget_bias


def test_names_and_order_follow_torch() -> None:
    cfg = RecurrentConfig("lstm", 3, 4, num_layers=2, bidirectional=True, proj_size=2)
    names = list(init_params(cfg).named())
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert names[5:10] == [n + "_reverse" for n in names[:5]]
    assert len(names) == 20 and names[-1] == "weight_hr_l1_reverse"


def test_shapes_for_every_mode() -> None:
    shapes = {m: {k: v.shape for k, v in init_params(RecurrentConfig(m, 3, 5, num_layers=2)).named().items()} for m in ("lstm", "gru", "rnn_tanh")}
    assert shapes["lstm"]["weight_ih_l0"] == (20, 3) and shapes["lstm"]["weight_ih_l1"] == (20, 5)
    assert shapes["gru"]["weight_hh_l1"] == (15, 5) and shapes["rnn_tanh"]["bias_hh_l1"] == (5,)
    no_bias = init_params(RecurrentConfig("gru", 3, 5, bias=False)).named()
    assert list(no_bias) == ["weight_ih_l0", "weight_hh_l0"]


def test_init_is_seeded_and_uniform_in_torch_bounds() -> None:
    cfg = RecurrentConfig("lstm", 3, 16)
    a, b, c = init_params(cfg, seed=5), init_params(cfg, seed=5), init_params(cfg, seed=6)
    for name, value in a.named().items():
        np.testing.assert_array_equal(value, b.named()[name])
        assert not np.array_equal(value, c.named()[name])
    values = np.concatenate([v.ravel() for v in a.named().values()])
    bound = 1 / np.sqrt(16)
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.9 * bound and values.max() > 0.9 * bound  # spans the interval
    assert abs(values.mean()) < 0.05 * bound * 4  # roughly centred (n = 1,344)


def test_forget_bias_sets_only_the_forget_block() -> None:
    cfg = RecurrentConfig("lstm", 3, 2, num_layers=2)
    base = init_params(cfg, seed=0)
    p = set_forget_bias(base, 1.0)
    for before, after in zip(base.layers, p.layers, strict=True):
        np.testing.assert_array_equal((after.b_ih + after.b_hh)[2:4], [1.0, 1.0])
        for block in (slice(0, 2), slice(4, 8)):
            np.testing.assert_array_equal(after.b_ih[block], before.b_ih[block])
            np.testing.assert_array_equal(after.b_hh[block], before.b_hh[block])
    assert np.array_equal(init_params(cfg, seed=0, forget_bias=1.0).layers[1].b_ih, p.layers[1].b_ih)
    with pytest.raises(ValueError, match="needs an LSTM"):
        set_forget_bias(init_params(RecurrentConfig("gru", 3, 2)))


def test_params_refuse_wrong_shapes_by_torch_name() -> None:
    p = init_params(RecurrentConfig("lstm", 3, 2, num_layers=2))
    bad = dataclasses.replace(p.layers[1], W_hh=np.zeros((8, 3)))
    with pytest.raises(ValueError, match=re.escape("weight_hh_l1: expected shape (8, 2), got (8, 3)")):
        Params(p.config, (p.layers[0], bad))
    with pytest.raises(KeyError, match="weight_hh_l1"):
        Params.from_named(p.config, {k: v for k, v in p.named().items() if k != "weight_hh_l1"})
    round_trip = Params.from_named(p.config, p.named())
    assert all(np.array_equal(a, b) for a, b in zip(round_trip.named().values(), p.named().values(), strict=True))
