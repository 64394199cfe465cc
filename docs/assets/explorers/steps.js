// One step of an LSTM, a GRU and a plain RNN, in PyTorch's layout: the live parts of the site.
//
// A port of lstm_ref's equations to plain JavaScript (no dependencies), so that
// a reader can move a value and watch the gates respond without Python. Every function here
// is checked against lstm_ref by the test suite (tests/site/test_explorers_js.py): seeded float64
// cases of several sizes with nonzero biases must agree to 1e-12.
//
// Shapes follow PyTorch: W_ih is (G*H) x I, W_hh is (G*H) x H, given as arrays of rows; the
// gate blocks are stacked in PyTorch's order (LSTM i, f, g, o; GRU r, z, n); both biases are
// added. Vectors are plain arrays of numbers.

// A classic script, not an ES module, so that it also runs opened from disk (file://), where
// browsers block modules: window.lstmSteps on a page, module.exports in Node (the tests).

(function (root) {
  "use strict";

  /** The logistic sigmoid, computed without overflow for either sign of z. */
  function sigmoid(z) {
    if (z >= 0) return 1 / (1 + Math.exp(-z));
    const e = Math.exp(z);
    return e / (1 + e);
  }

  /** W v + b, for W given as an array of rows (b may be omitted). */
  function affine(W, v, b) {
    return W.map((row, k) => row.reduce((sum, w, j) => sum + w * v[j], 0) + (b ? b[k] : 0));
  }

  /** The k-th block of H entries of a stacked vector. */
  function block(v, k, H) {
    return v.slice(k * H, (k + 1) * H);
  }

  /** z = W_ih x + b_ih + W_hh h + b_hh: the pre-activations of every gate block, stacked. */
  function preactivations(x, h, p) {
    const gx = affine(p.W_ih, x, p.b_ih);
    const gh = affine(p.W_hh, h, p.b_hh);
    return gx.map((v, k) => v + gh[k]);
  }

  /** The cell update from the gate values: c = f c_prev + i g, h = o tanh(c) (lstm_ref.pointwise). */
  function lstmPointwise(i, f, g, o, cPrev) {
    const c = cPrev.map((cp, k) => f[k] * cp + i[k] * g[k]);
    const tanhC = c.map(Math.tanh);
    return { c, tanhC, h: tanhC.map((t, k) => o[k] * t) };
  }

  /** One LSTM step: every named intermediate, {z, i, f, g, o, c, tanhC, h}. */
  function lstmStep(x, h, c, p) {
    const H = c.length;
    const z = preactivations(x, h, p);
    const i = block(z, 0, H).map(sigmoid);
    const f = block(z, 1, H).map(sigmoid);
    const g = block(z, 2, H).map(Math.tanh);
    const o = block(z, 3, H).map(sigmoid);
    return { z, i, f, g, o, ...lstmPointwise(i, f, g, o, c) };
  }

  /**
   * One GRU step, {r, z, n, h}. reset = "after" is PyTorch's GRU, r * (W_hn h + b_hn);
   * "before" is Cho et al. (2014, v3) and d2l, W_hn (r * h) + b_hn.
   */
  function gruStep(x, h, p, reset = "after") {
    const H = h.length;
    const gx = affine(p.W_ih, x, p.b_ih);
    const gh = affine(p.W_hh, h, p.b_hh);
    const r = block(gx, 0, H).map((v, k) => sigmoid(v + gh[k]));
    const z = block(gx, 1, H).map((v, k) => sigmoid(v + gh[H + k]));
    let candidate;
    if (reset === "after") {
      candidate = block(gh, 2, H).map((v, k) => r[k] * v);
    } else if (reset === "before") {
      const rh = h.map((v, k) => r[k] * v);
      candidate = affine(p.W_hh.slice(2 * H), rh, p.b_hh && p.b_hh.slice(2 * H));
    } else {
      throw new Error(`reset: expected "after" or "before", got ${JSON.stringify(reset)}`);
    }
    const n = block(gx, 2, H).map((v, k) => Math.tanh(v + candidate[k]));
    return { r, z, n, h: n.map((v, k) => (1 - z[k]) * v + z[k] * h[k]) };
  }

  /** One plain RNN step, {z, h}: h = tanh(z) or relu(z), z = W_ih x + b_ih + W_hh h + b_hh. */
  function rnnStep(x, h, p, nonlinearity = "tanh") {
    const z = preactivations(x, h, p);
    if (nonlinearity === "tanh") return { z, h: z.map(Math.tanh) };
    if (nonlinearity === "relu") return { z, h: z.map((v) => Math.max(v, 0)) };
    throw new Error(`nonlinearity: expected "tanh" or "relu", got ${JSON.stringify(nonlinearity)}`);
  }

  /**
   * The per-step gradient factor of a plain RNN, the Jacobian dh_t/dh_{t-1} = diag(phi'(z)) W_hh,
   * as an array of rows. Backpropagation through time multiplies one of these per step.
   */
  function rnnJacobian(x, h, p, nonlinearity = "tanh") {
    const { z, h: hNew } = rnnStep(x, h, p, nonlinearity);
    const slope = nonlinearity === "tanh" ? hNew.map((v) => 1 - v * v) : z.map((v) => (v > 0 ? 1 : 0));
    return p.W_hh.map((row, k) => row.map((w) => slope[k] * w));
  }

  /** The LSTM's factor along the cell state, dc_t/dc_{t-1} = diag(f): its diagonal, f. */
  function lstmCellFactor(x, h, c, p) {
    return lstmStep(x, h, c, p).f;
  }

  /** a^k for k = 1..K: the gradient factor after k steps of a one-unit recurrence with factor a. */
  function powers(a, K) {
    return Array.from({ length: K }, (_, k) => a ** (k + 1));
  }

  /** W^T v for W given as an array of rows: the gradient of W v with respect to v. */
  function transposeTimes(W, v) {
    const out = new Array(W[0].length).fill(0);
    W.forEach((row, k) => row.forEach((w, j) => (out[j] += w * v[k])));
    return out;
  }

  const add = (a, b) => a.map((v, k) => v + b[k]);

  /**
   * One backward step: from dL/dh_t (and dL/dc_t for an LSTM) and the step's forward values, the
   * gradients into x_t and into the previous state. The chain rule of lstm_ref's backward passes
   * (lstm_ref.kernels), written out for one sequence.
   */
  function backStep(mode, p, x, prev, step, dh, dc) {
    const H = dh.length;
    if (mode === "rnn_tanh") {
      const dz = dh.map((d, k) => d * (1 - step.h[k] * step.h[k]));
      return { dx: transposeTimes(p.W_ih, dz), dh: transposeTimes(p.W_hh, dz) };
    }
    if (mode === "lstm") {
      const { i, f, g, o, tanhC } = step;
      const dcTotal = dc.map((d, k) => d + dh[k] * o[k] * (1 - tanhC[k] * tanhC[k]));
      const dz = [
        ...dcTotal.map((d, k) => d * g[k] * i[k] * (1 - i[k])),
        ...dcTotal.map((d, k) => d * prev.c[k] * f[k] * (1 - f[k])),
        ...dcTotal.map((d, k) => d * i[k] * (1 - g[k] * g[k])),
        ...dh.map((d, k) => d * tanhC[k] * o[k] * (1 - o[k])),
      ];
      return { dx: transposeTimes(p.W_ih, dz), dh: transposeTimes(p.W_hh, dz), dc: dcTotal.map((d, k) => d * f[k]) };
    }
    if (mode === "gru") { // PyTorch's reset after the recurrent product
      const { r, z, n } = step;
      const ghN = block(affine(p.W_hh, prev.h, p.b_hh), 2, H);
      const daN = dh.map((d, k) => d * (1 - z[k]) * (1 - n[k] * n[k]));
      const daR = daN.map((d, k) => d * ghN[k] * r[k] * (1 - r[k]));
      const daZ = dh.map((d, k) => d * (prev.h[k] - n[k]) * z[k] * (1 - z[k]));
      const dgx = [...daR, ...daZ, ...daN];
      const dgh = [...daR, ...daZ, ...daN.map((d, k) => d * r[k])];
      return { dx: transposeTimes(p.W_ih, dgx), dh: add(dh.map((d, k) => d * z[k]), transposeTimes(p.W_hh, dgh)) };
    }
    throw new Error(`mode: expected "rnn_tanh", "lstm" or "gru", got ${JSON.stringify(mode)}`);
  }

  /**
   * ||dh_T/dx_t|| (Frobenius) for t = 1..T: how much the final state still depends on each input of
   * one sequence xs (an array of input vectors), from the state h0 (and c0 for an LSTM). One
   * backward pass per unit j of h_T, with dL/dh_T = e_j (lstm_ref.memory.input_gradient_norms).
   */
  function inputGradientNorms(mode, p, xs, h0, c0) {
    const H = h0.length;
    const forward = [];
    let prev = { h: h0, c: c0 };
    for (const x of xs) {
      const step = mode === "lstm" ? lstmStep(x, prev.h, prev.c, p) : mode === "gru" ? gruStep(x, prev.h, p) : rnnStep(x, prev.h, p);
      forward.push({ x, prev, step });
      prev = { h: step.h, c: step.c };
    }
    const squares = xs.map(() => 0);
    for (let j = 0; j < H; j++) {
      let dh = Array.from({ length: H }, (_, k) => (k === j ? 1 : 0));
      let dc = new Array(H).fill(0);
      for (let t = xs.length - 1; t >= 0; t--) {
        const { x, prev: before, step } = forward[t];
        const back = backStep(mode, p, x, before, step, dh, dc);
        squares[t] += back.dx.reduce((sum, v) => sum + v * v, 0);
        dh = back.dh;
        dc = back.dc || dc;
      }
    }
    return squares.map(Math.sqrt);
  }

  const api = { inputGradientNorms: inputGradientNorms, sigmoid: sigmoid, affine: affine, preactivations: preactivations, lstmPointwise: lstmPointwise, lstmStep: lstmStep, gruStep: gruStep, rnnStep: rnnStep, rnnJacobian: rnnJacobian, lstmCellFactor: lstmCellFactor, powers: powers };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.lstmSteps = api;
})(typeof window !== "undefined" ? window : this);
