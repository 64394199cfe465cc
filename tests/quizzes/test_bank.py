"""Authoring tests for every template and many seeds (as PrairieLearn's), and independent
oracles for the answer keys: plain math from the numbers shown, and PyTorch for the counts."""

from __future__ import annotations

import math
from typing import Any

import pytest

from quizzes import TOPICS, Choice, Decimals, Numeric, SigFigs, Tolerance, Vector, generate, grade, templates

SEEDS = range(12)
ALL = [t.id for t in templates()]


def test_every_topic_has_templates_and_every_template_a_topic() -> None:
    assert set(TOPICS) == {t.topic for t in templates()}


def test_the_registry_holds_every_template_of_the_bank_once_and_is_read_only() -> None:
    """A fresh ``import quizzes`` sees every template of the bank, none lost to a repeated id; the
    index cannot be changed from outside."""
    import subprocess
    import sys

    from quizzes.bank import BANK

    code = "import quizzes; print(len(quizzes.TEMPLATES))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == str(len(BANK)) == str(len({t.id for t in BANK}))
    from quizzes import TEMPLATES

    with pytest.raises(TypeError):
        TEMPLATES["x"] = None  # type: ignore[index]
    assert "x" not in TEMPLATES and len(TEMPLATES) == len(BANK)


def test_one_selector_for_exports_and_site() -> None:
    from quizzes.registry import select

    assert [t.id for t in select(None, ["count-gru", "lstm-input-gate", "count-gru"])] == ["count-gru", "lstm-input-gate"]  # given order, once
    assert [t.id for t in select(["counting"], ["count-gru", "lstm-input-gate"])] == ["count-gru"]
    assert {t.topic for t in select(["memory"], exclude=["rnn-vanish-or-explode"])} == {"memory"}
    with pytest.raises(ValueError, match=r"unknown template\(s\) \['nope'\]"):
        select(None, exclude=["nope"])
    with pytest.raises(ValueError, match="no templates selected"):
        select(["counting"], ["lstm-input-gate"])
    with pytest.raises(ValueError, match="topics: unknown"):
        select(["nope"])


def _just_outside(spec: Numeric | Vector, value: float) -> float:
    return value + 1.5 * spec.rule.half_width(value) + 1e-9


@pytest.mark.parametrize("template_id", ALL)
def test_authoring_rules_hold_for_many_seeds(template_id: str) -> None:
    for seed in SEEDS:
        q = generate(template_id, seed)
        assert q.prompt and q.hint and q.solution, (template_id, seed)
        spec = q.answer
        # the correct answer as a learner would type it grades 1
        assert grade(q, spec.typed()).score == 1.0, (q.variant_id, spec.typed())
        if isinstance(spec, Numeric):
            assert math.isfinite(spec.value)
            assert grade(q, repr(_just_outside(spec, spec.value))).score == 0.0, q.variant_id
            assert grade(q, "abc").format_error and grade(q, "").format_error
        elif isinstance(spec, Vector):
            assert all(math.isfinite(v) for v in spec.values)
            off = list(spec.values)
            off[0] = _just_outside(spec, off[0])
            r = grade(q, ", ".join(repr(v) for v in off))
            assert r.entries[0] is False and r.score == (len(off) - 1) / len(off)
            assert grade(q, "1 2 3 4 5 6 7").format_error
        else:
            assert len(set(spec.options)) == len(spec.options), q.variant_id  # choices are distinct
            named = len(spec.mistakes) == len(spec.options) - len(spec.correct)  # every distractor a named slip: as many as there are slips
            assert len(spec.options) >= (2 if named else 3) and spec.correct
            wrong = next(k for k in range(len(spec.options)) if k not in spec.correct)
            assert grade(q, "abcdefgh"[wrong]).score < 1.0
            assert grade(q, "z").format_error


@pytest.mark.parametrize("template_id", ALL)
def test_same_seed_same_variant_and_different_seeds_vary(template_id: str) -> None:
    a, b = generate(template_id, 7), generate(template_id, 7)
    assert a == b and a.variant_id == b.variant_id
    assert len({generate(template_id, s).variant_id for s in SEEDS}) >= 2


def test_variant_id_is_a_content_hash() -> None:
    q = generate("lstm-forget-gate", 1)
    assert q.variant_id.startswith("lstm-forget-gate#1-") and len(q.variant_id.split("-")[-1]) == 8


# ---- independent oracles: recompute the key from the numbers in the question -------------
def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("template_id", "act"), [("lstm-forget-gate", _sig), ("lstm-input-gate", _sig), ("lstm-output-gate", _sig), ("lstm-candidate", math.tanh)]
)
def test_gate_keys_from_the_shown_numbers(template_id: str, act: Any, seed: int) -> None:
    q = generate(template_id, seed)
    p = q.params
    z = sum(w * x for w, x in zip(p["W_x"], p["x"], strict=True)) + p["b_i"] + p["W_h"] * p["h_prev"][0] + p["b_h"]
    assert q.answer.value == pytest.approx(act(z), rel=1e-12)
    assert f"{p['b_i']:.1f}" in q.prompt  # the numbers used are the numbers shown


@pytest.mark.parametrize("seed", SEEDS)
def test_cell_and_hidden_state_keys(seed: int) -> None:
    q = generate("lstm-hidden-state", seed)
    p = {k: v[0] for k, v in q.params.items()}
    c = p["f"] * p["c_prev"] + p["i"] * p["g"]
    assert q.answer.value == pytest.approx(p["o"] * math.tanh(c), rel=1e-12)
    v = generate("lstm-cell-vector", seed)
    expected = [f * cp + i * g for f, cp, i, g in zip(v.params["f"], v.params["c_prev"], v.params["i"], v.params["g"], strict=True)]
    assert v.answer.values == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_rnn_and_gru_keys(seed: int) -> None:
    q = generate("rnn-step-relu", seed)
    p = q.params
    z = sum(w * x for w, x in zip(p["W_ih"], p["x"], strict=True)) + p["W_hh"] * p["h_prev"][0]
    b = [float(s) for s in q.prompt.split("b_ih = ")[1].split(",")[0:1]] + [float(q.prompt.split("b_hh = ")[1].split(".\n")[0])]
    assert q.answer.value == pytest.approx(max(0.0, z + sum(b)), abs=1e-12)
    g = generate("gru-update-gate", seed).params
    z_gate = _sig(g["W_ih"][1] * g["x"][0] + g["b_ih"][1] + g["W_hh"][1] * g["h_prev"][0] + g["b_hh"][1])
    assert generate("gru-update-gate", seed).answer.value == pytest.approx(z_gate, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_memory_keys(seed: int) -> None:
    q = generate("memory-forget-product", seed)
    assert q.answer.value == pytest.approx(math.prod(q.params["f"]), rel=1e-12)
    q = generate("rnn-gradient-factor", seed)
    assert q.answer.value == pytest.approx(q.params["w"] ** q.params["k"], rel=1e-12)
    q = generate("rnn-steps-to-vanish", seed)
    w, thr, k = q.params["w"], q.params["threshold"], int(q.answer.value)
    assert w**k < thr <= w ** (k - 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_counting_keys_against_torch(torch: Any, seed: int) -> None:
    for template_id, make in [
        ("count-lstm", lambda I, H: torch.nn.LSTM(I, H)),
        ("count-gru", lambda I, H: torch.nn.GRU(I, H)),
        ("count-rnn-no-bias", lambda I, H: torch.nn.RNN(I, H, bias=False)),
        ("count-stacked-bidirectional", lambda I, H: torch.nn.LSTM(I, H, num_layers=2, bidirectional=True)),
    ]:
        q = generate(template_id, seed)
        module = make(q.params["I"], q.params["H"])
        assert q.answer.value == sum(p.numel() for p in module.parameters()), template_id
    q = generate("weight-shape", seed)
    cls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN": torch.nn.RNN}[q.prompt.split("torch.nn.")[1].split("(")[0]]
    shape = tuple(getattr(cls(q.params["I"], q.params["H"]), q.params["name"]).shape)
    assert q.answer.values == tuple(float(s) for s in shape)


def test_choice_questions_shuffle_with_the_seed() -> None:
    firsts = {generate("pytorch-gate-order", s).answer.correct for s in range(20)}
    assert len(firsts) > 1  # the right option is not always in the same place


def test_rules_used_by_the_bank_are_the_three_documented() -> None:
    kinds = {type(generate(t, 0).answer.rule) for t in ALL if not isinstance(generate(t, 0).answer, Choice)}
    assert kinds <= {Tolerance, SigFigs, Decimals} and len(kinds) == 3


@pytest.mark.parametrize("seed", range(5))
def test_the_whole_step_solution_shows_every_gate_and_adds_up(seed: int) -> None:
    """Each gate line, σ((w)(x) + (u)(h) + b) = σ(z) = v, recomputes from its own shown numbers."""
    import re

    q = generate("lstm-full-step", seed)
    act = {"σ": lambda v: 1 / (1 + math.exp(-v)), "tanh": math.tanh}
    lines = q.solution.split("\n")
    for gate, line in zip("ifgo", lines[:4], strict=True):
        m = re.fullmatch(rf"{gate} = (σ|tanh)\((.+)\) = \1\((-?[\d.]+)\) = (-?[\d.]+)", line)
        assert m, line
        z = eval(m.group(2).replace(")(", ")*("), {"__builtins__": {}})  # only numbers, parentheses, + and *
        assert z == pytest.approx(float(m.group(3)), abs=1e-4) and act[m.group(1)](z) == pytest.approx(float(m.group(4)), abs=1e-4)
    assert lines[-1].endswith(f"= {q.answer.value:.4f}")


def test_multi_select_solutions_say_why_each_wrong_option_is_wrong() -> None:
    multi = [t for t in ALL if isinstance(generate(t, 0).answer, Choice) and generate(t, 0).answer.multi]
    assert len(multi) >= 2
    for template_id in multi:
        for seed in SEEDS:
            q = generate(template_id, seed)
            for k in range(len(q.answer.options)):
                named = f"\n({'abcdefgh'[k]}) is wrong: " in q.solution
                assert named == (k not in q.answer.correct), (q.variant_id, k)


def test_a_multi_select_template_without_reasons_is_refused() -> None:
    import numpy as np

    from quizzes.bank._common import choice

    with pytest.raises(TypeError, match="must say why each distractor is wrong"):
        choice(np.random.default_rng(0), "?", ["yes"], ["no", "nope", "never"], hint="", solution="", multi=True)


# ---- Keras and TensorFlow conventions: Keras itself, and the orders as their sources write them ----
KERAS_BLOCKS = {"LSTM": ["input gate", "forget gate", "candidate", "output gate"], "GRU": ["update gate", "reset gate", "candidate"]}  # i f c o; z r h
TORCH_BLOCKS = {"LSTM": ["input gate", "forget gate", "candidate", "output gate"], "GRU": ["reset gate", "update gate", "candidate"]}  # i f g o; r z n


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_weight_shape_keys_against_keras(keras: Any, seed: int) -> None:
    q = generate("keras-weight-shape", seed)
    cls = q.prompt.split("keras.layers.")[1].split("(")[0]
    layer = getattr(keras.layers, cls)(q.params["H"])
    layer.build((None, None, q.params["I"]))
    assert q.answer.values == tuple(float(s) for s in getattr(layer.cell, q.params["name"]).shape)


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_column_and_tf1_block_keys_follow_the_documented_orders(seed: int) -> None:
    q = generate("keras-gate-columns", seed)
    cls = q.prompt.split("keras.layers.")[1].split("(")[0]
    H = int(q.prompt.split(f"keras.layers.{cls}(")[1].split(")")[0])
    k = int(q.prompt.split("Columns ")[1].split(" ")[0]) // H
    gate = KERAS_BLOCKS[cls][k]
    row = TORCH_BLOCKS[cls].index(gate) * H
    assert q.answer.options[q.answer.correct[0]] == f"the {gate}, rows {row} to {row + H - 1} of PyTorch's weight_ih_l0"
    q = generate("tf1-gate-blocks", seed)
    H = int(q.prompt.split("LSTMCell(")[1].split(")")[0])
    k = int(q.prompt.split("Columns ")[1].split(" ")[0]) // H
    gate = ["input gate", "candidate", "forget gate", "output gate"][k]  # i, j, f, o
    assert q.answer.options[q.answer.correct[0]].startswith(f"the {gate}: PyTorch's block {TORCH_BLOCKS['LSTM'].index(gate)}")


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_bias_port_key_is_the_sum(seed: int) -> None:
    q = generate("keras-bias-port", seed)
    k = q.params["k"]
    assert q.answer.value == pytest.approx(q.params["b_ih"][k] + q.params["b_hh"][k], abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_keras_unit_forget_bias_key_against_a_fresh_keras_lstm(keras: Any, seed: int) -> None:
    import numpy as np

    q = generate("keras-unit-forget-bias", seed)
    layer = keras.layers.LSTM(1, return_state=True, dtype="float64")
    layer.build((None, None, 1))
    layer.cell.kernel.assign(np.zeros((1, 4)))
    layer.cell.recurrent_kernel.assign(np.zeros((1, 4)))  # only the freshly initialised bias reaches the gates
    _, _, c = layer(np.zeros((1, 1, 1)), initial_state=[np.zeros((1, 1)), np.array([[q.params["c_prev"]]])])
    assert q.answer.value == pytest.approx(float(keras.ops.convert_to_numpy(c)[0, 0]), rel=1e-12)
