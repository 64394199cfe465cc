"""The catalogue of named mistakes (quizzes.mistakes): each model against a hand-written formula, and the
variants of every numeric template kept able to tell each slip from the truth."""

from __future__ import annotations

import math
import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from quizzes import generate, grade
from quizzes.mistakes import MISTAKES, applicable, link_url, right
from quizzes.question import Choice, Numeric, Vector
from quizzes.registry import TEMPLATES
from quizzes.template import _with_slips

ROOT = Path(__file__).resolve().parents[2]
sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731


def test_every_mistake_explains_itself_and_links_a_page_that_exists() -> None:
    for m in MISTAKES.values():
        assert m.explanation.endswith(".") and len(m.explanation) < 300, m.id
        page, _, anchor = m.link.partition("#")
        assert (ROOT / "docs" / page).is_file(), m.id
        if anchor:  # a heading of that page, as MkDocs names its anchor
            headings = re.findall(r"^#+ (.+)$", (ROOT / "docs" / page).read_text(encoding="utf-8"), re.M)
            slugs = {re.sub(r"[^\w\s-]", "", h.lower()).strip().replace(" ", "-") for h in headings}
            assert anchor in slugs, (m.id, anchor)
    assert link_url("learn/gates.md#x") == "learn/gates.html#x"


# ---- each model against the formula written out by hand -------------------------------------------
def test_cell_update_slips_by_hand() -> None:
    i, f, g, o, c_prev = 0.3, 0.8, -0.6, 0.7, 1.5
    c = f * c_prev + i * g
    by_hand = {
        "c-prev-forgotten": (i * g, o * math.tanh(i * g)),
        "forget-as-one-minus": ((1 - f) * c_prev + i * g, o * math.tanh((1 - f) * c_prev + i * g)),
        "gate-order-f-i": (i * c_prev + f * g, o * math.tanh(i * c_prev + f * g)),
        "h-without-tanh": (c, o * c),
        "tanh-c-stored": (math.tanh(c), o * math.tanh(c)),
    }
    assert sorted(applicable("lstm-pointwise")) == sorted(by_hand)
    for mid, (c_wrong, h_wrong) in by_hand.items():
        got = MISTAKES[mid].wrong("lstm-pointwise", i=i, f=f, g=g, o=o, c_prev=c_prev)
        assert np.allclose(got, (c_wrong, h_wrong), rtol=1e-12), mid
    assert np.allclose(right("lstm-pointwise", i=i, f=f, g=g, o=o, c_prev=c_prev), (c, o * math.tanh(c)))


def _lstm_by_hand(x, h, c, W_ih, W_hh, b_ih, b_hh, *, order="ifgo", act_g=np.tanh, update=None):  # type: ignore[no-untyped-def]
    z = W_ih @ x + b_ih + W_hh @ h + b_hh
    H = h.shape[0]
    block = {gate: z[order.index(gate) * H : (order.index(gate) + 1) * H] for gate in "ifgo"}
    i, f, g, o = sig(block["i"]), sig(block["f"]), act_g(block["g"]), sig(block["o"])
    c_new, h_new = update(i, f, g, o, c) if update else (f * c + i * g, o * np.tanh(f * c + i * g))
    return h_new, c_new


def test_cell_slips_by_hand(rng: np.random.Generator) -> None:
    I, H = 3, 2
    x, h, c = rng.standard_normal(I), rng.standard_normal(H), rng.standard_normal(H)
    W_ih, W_hh = rng.standard_normal((4 * H, I)), rng.standard_normal((4 * H, H))
    b_ih, b_hh = rng.uniform(0.1, 0.5, 4 * H), rng.uniform(-0.5, -0.1, 4 * H)
    args = (x, h, c, W_ih, W_hh, b_ih, b_hh)
    by_hand = {
        "gate-order-tf1": _lstm_by_hand(*args, order="igfo"),
        "gate-order-cs231n": _lstm_by_hand(*args, order="ifog"),
        "gate-order-f-i": _lstm_by_hand(*args, order="figo"),
        "sigmoid-candidate": _lstm_by_hand(*args, act_g=sig),
        "h-without-tanh": _lstm_by_hand(*args, update=lambda i, f, g, o, c: (f * c + i * g, o * (f * c + i * g))),
        "c-prev-forgotten": _lstm_by_hand(*args, update=lambda i, f, g, o, c: (i * g, o * np.tanh(i * g))),
        "bias-hh-dropped": _lstm_by_hand(x, h, c, W_ih, W_hh, b_ih, 0 * b_hh),
        "bias-ih-dropped": _lstm_by_hand(x, h, c, W_ih, W_hh, 0 * b_ih, b_hh),
        "bias-doubled": _lstm_by_hand(x, h, c, W_ih, W_hh, 2 * b_ih, b_hh),
    }
    inputs = {"x": x[None], "h_prev": h[None], "c_prev": c[None], "W_ih": W_ih, "W_hh": W_hh, "b_ih": b_ih, "b_hh": b_hh}
    for mid, (h_wrong, c_wrong) in by_hand.items():
        got_h, got_c = MISTAKES[mid].wrong("lstm-cell", **inputs)
        assert np.allclose(got_h[0], h_wrong, rtol=1e-12) and np.allclose(got_c[0], c_wrong, rtol=1e-12), mid
    h_right, c_right = right("lstm-cell", **inputs)
    assert np.allclose(h_right[0], _lstm_by_hand(*args)[0], rtol=1e-12)


def test_gru_and_rnn_slips_by_hand(rng: np.random.Generator) -> None:
    x, h = rng.standard_normal(2), rng.standard_normal(1)
    W_ih, W_hh, b_ih, b_hh = rng.standard_normal((3, 2)), rng.standard_normal((3, 1)), rng.uniform(0.1, 0.5, 3), rng.uniform(-0.5, -0.1, 3)
    gx, gh = W_ih @ x + b_ih, W_hh @ h + b_hh
    r, z = sig(gx[0] + gh[0]), sig(gx[1] + gh[1])
    n_after, n_before = np.tanh(gx[2] + r * gh[2]), np.tanh(gx[2] + W_hh[2] @ (r * h) + b_hh[2])
    inputs = {"x": x[None], "h_prev": h[None], "W_ih": W_ih, "W_hh": W_hh, "b_ih": b_ih, "b_hh": b_hh}
    assert np.allclose(right("gru-cell", **inputs)[0], (1 - z) * n_after + z * h)
    assert np.allclose(MISTAKES["gru-reset-before"].wrong("gru-cell", **inputs)[0], (1 - z) * n_before + z * h)
    assert np.allclose(MISTAKES["gru-update-reversed"].wrong("gru-cell", **inputs)[0], z * n_after + (1 - z) * h)
    assert MISTAKES["gru-update-reversed"].wrong("gru-gate", gate="z", **inputs) == pytest.approx(1 - z, rel=1e-12)
    assert MISTAKES["gate-order-keras-gru"].wrong("gru-gate", gate="z", **inputs) == pytest.approx(r, rel=1e-12)
    assert MISTAKES["gru-update-reversed"].wrong("gru-keep", z=0.7, k=5) == pytest.approx(0.3**5, rel=1e-12)
    W1 = W_ih[:1]
    rnn = {"x": x[None], "h_prev": h[None], "W_ih": W1, "W_hh": W_hh[:1], "b_ih": b_ih[:1], "b_hh": b_hh[:1]}
    pre = W1 @ x + b_ih[0] + W_hh[0] @ h + b_hh[0]
    assert np.allclose(MISTAKES["wrong-nonlinearity"].wrong("rnn-cell", **rnn)[0], np.maximum(pre, 0))
    assert np.allclose(MISTAKES["recurrent-term-missing"].wrong("rnn-cell", **rnn)[0], np.tanh(W1 @ x + b_ih[0] + b_hh[0]))


def test_backward_counting_and_power_slips_by_hand() -> None:
    i, f, g, o, c_prev, dh, dc = 0.4, 0.9, 0.5, 0.6, -0.7, 0.3, -0.2
    tc = math.tanh(f * c_prev + i * g)
    total = dc + dh * o * (1 - tc**2)
    kw = {"i": i, "f": f, "g": g, "o": o, "c_prev": c_prev, "dh": dh, "dc": dc}
    assert right("lstm-dc-prev", **kw) == pytest.approx(total * f, rel=1e-12)
    assert MISTAKES["dc-without-h-path"].wrong("lstm-dc-prev", **kw) == pytest.approx(dc * f, rel=1e-12)
    assert MISTAKES["dc-prev-without-f"].wrong("lstm-dc-prev", **kw) == pytest.approx(total, rel=1e-12)
    I, H = 10, 20
    assert right("count", mode="lstm", I=I, H=H) == 4 * H * (I + H) + 8 * H
    assert MISTAKES["count-no-bias"].wrong("count", mode="lstm", I=I, H=H) == 4 * H * (I + H)
    assert MISTAKES["count-one-bias"].wrong("count", mode="gru", I=I, H=H) == 3 * H * (I + H) + 3 * H
    assert MISTAKES["count-h-rows"].wrong("count", mode="lstm", I=I, H=H) == H * (I + H) + 2 * H
    assert MISTAKES["count-layer-input"].wrong("count-stacked", I=I, H=H) == 4 * (4 * H * (I + H) + 8 * H)
    assert MISTAKES["transposed-weights"].wrong("shape", rows=80, cols=10, G=4) == [10, 80]
    assert MISTAKES["power-one-short"].wrong("power", base=0.9, k=10) == pytest.approx(0.9**9)
    assert MISTAKES["forget-as-one-minus"].wrong("forget-power", f=0.9, k=10) == pytest.approx(0.1**10)
    assert right("steps-below", base=0.5, threshold=0.01) == 7 and MISTAKES["power-one-short"].wrong("steps-below", base=0.5, threshold=0.01) == 6


# ---- variants that tell every slip from the truth ---------------------------------------------------
NUMERIC = [t for t in TEMPLATES if isinstance(generate(t, 0).answer, (Numeric, Vector))]


@pytest.mark.slow
@pytest.mark.parametrize("template_id", NUMERIC)
def test_variants_never_accept_a_slip(template_id: str) -> None:
    """1,000 seeds of a numeric template: no slip that applies is accepted by the variant's own rule.
    Prints how many slip values were tried, and how many of 250 first draws had to be drawn again."""
    t = TEMPLATES[template_id]
    first, slips = 0, 0
    for seed in range(1000):
        q = t.generate(seed)
        answer = q.answer
        assert not answer.confusable(), (q.variant_id, answer.confusable())
        slips += len(answer.mistakes)
        if seed < 250:  # how often the first draw could not tell a slip from the key
            d = t.build(np.random.default_rng([seed, zlib.crc32(template_id.encode())]))
            first += bool(_with_slips(d.answer, d.mistakes).confusable())
    print(f"\n{template_id}: 1,000 seeds, {slips} slip values, none accepted; {first} of 250 first draws drawn again")


def test_a_slips_value_is_graded_wrong_and_named() -> None:
    for template_id in NUMERIC:
        for seed in (0, 1):
            q = generate(template_id, seed)
            for mid, values in q.answer.mistakes:
                result = grade(q, ", ".join(repr(v) for v in values))
                assert result.score < 1 and result.mistake == mid, (q.variant_id, mid, result)
                assert MISTAKES[mid].explanation in result.feedback and link_url(MISTAKES[mid].link) in result.feedback


def test_choice_distractors_come_from_named_slips() -> None:
    for template_id in ("pytorch-gate-rows", "keras-gate-columns", "tf1-gate-blocks"):
        for seed in range(20):
            q = generate(template_id, seed)
            assert isinstance(q.answer, Choice)
            wrong = [k for k in range(len(q.answer.options)) if k not in q.answer.correct]
            assert sorted(k for k, _ in q.answer.mistakes) == wrong, q.variant_id  # every wrong option is a named slip
            for k, mid in q.answer.mistakes:
                assert f"({'abcdefgh'[k]}) is what this slip gives: {MISTAKES[mid].explanation}" in q.solution
                assert grade(q, "abcdefgh"[k]).mistake == mid
