// The explorers: labelled controls on top of the tables and drawings that lstm_ref filled in
// when the site was built (lstm_docs/explorers.py), recomputed live with steps.js.
//
// Without JavaScript a reader sees the static values; with it, every element data-lr-value="KEY"
// is rewritten from the same keys (its text as displayed, data-exact the full float64 value),
// bars and curves are redrawn, and a polite live region says what changed. The browser tests
// (tests/site/test_explorers_browser.py) drive the controls and compare the page with lstm_ref.
// A classic script (steps.js, loaded before it, provides window.lstmSteps), so that the explorers
// also work opened from disk, where browsers block ES modules.

(function () {
  "use strict";

  const { lstmStep, gruStep, rnnStep, powers, inputGradientNorms } = window.lstmSteps;

  // ---- formatting, as Python formats the static page ------------------------------------------

  /** Python's f"{v:.3e}": at least two digits of exponent. */
  function exp3(v) {
    const [mantissa, exponent] = v.toExponential(3).split("e");
    const e = Number(exponent);
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }

  const FORMATS = { f4: (v) => v.toFixed(4), e3: exp3, int: String };

  const vector = (values, name, n) => Array.from({ length: n }, (_, k) => Number(values[`${name}.${k}`]));
  const named = (prefix, result, names) =>
    Object.fromEntries(names.flatMap((name) => result[name].map((v, k) => [`${prefix}${name}.${k}`, v])));
  const round = (v) => FORMATS.f4(v);
  const list = (vs) => `[${vs.map(round).join(", ")}]`;

  // ---- the four explorers: inputs -> {values, summary} ----------------------------------------

  function lstmValues(x, h, c, p, prefix = "") {
    const step = lstmStep(x, h, c, p);
    const kept = step.f.map((f, k) => f * c[k]);
    const written = step.i.map((i, k) => i * step.g[k]);
    return { step, values: named(prefix, { ...step, kept, written }, ["i", "f", "g", "o", "kept", "written", "c", "h"]) };
  }

  /** x, h_prev and c_prev from the controls, at the sizes the page's data gives. */
  function cellInputs(values, sizes) {
    return [vector(values, "x", sizes.I), vector(values, "h", sizes.H), vector(values, "c", sizes.H)];
  }

  const EXPLORERS = {
    "lstm-cell"(values, weights) {
      const [x, h, c] = cellInputs(values, weights.sizes);
      const p = structuredClone(weights.lstm[String(values.seed)]);
      const H = weights.sizes.H;
      ["i", "f", "g", "o"].forEach((gate, k) => { // each gate's bias shift, on every unit of its block
        for (let u = 0; u < H; u++) p.b_ih[k * H + u] += Number(values[`b${gate}`]);
      });
      const { step, values: out } = lstmValues(x, h, c, p);
      c.forEach((v, k) => (out[`in.c.${k}`] = v));
      return {
        values: out,
        summary: `Gates i ${list(step.i)}, f ${list(step.f)}, o ${list(step.o)}; candidate g ${list(step.g)}; ` +
          `cell state c ${list(step.c)}; hidden state h ${list(step.h)}.`,
      };
    },

    "lstm-vs-gru"(values, weights) {
      const [x, h, c] = cellInputs(values, weights.sizes);
      const { step, values: out } = lstmValues(x, h, c, weights.lstm, "lstm.");
      const gru = gruStep(x, h, weights.gru, values.reset);
      Object.assign(out, named("gru.", gru, ["r", "z", "n", "h"]));
      return { values: out, summary: `LSTM h ${list(step.h)} (c ${list(step.c)}); GRU h ${list(gru.h)}.` };
    },

    decay(values, weights) {
      const K = weights.plot.lags;
      const rnn = powers(Number(values.w), K);
      const lstm = powers(Number(values.f), K);
      const out = {};
      rnn.forEach((v, k) => (out[`rnn.${k + 1}`] = v));
      lstm.forEach((v, k) => (out[`lstm.${k + 1}`] = v));
      const sign = Number(values.w) < 0 ? " w is negative: the sign of w^k alternates with each step; the plot shows its size |w|^k." : "";
      return {
        values: out,
        curves: { rnn: rnn.map(Math.abs), lstm }, // a log scale shows sizes
        summary: `After ${K} steps: RNN w^${K} = ${exp3(rnn[K - 1])}, LSTM f^${K} = ${exp3(lstm[K - 1])}.${sign}`,
      };
    },

    /** ||dh_T/dx_t|| of an RNN, an LSTM and a GRU reading the same sequence, by steps.js's backward pass. */
    memory(values, weights) {
      const { H, T: maxT } = weights.sizes;
      const T = Number(values.T);
      const xs = weights.x.slice(0, T);
      const rnn = structuredClone(weights.rnn);
      rnn.W_hh = rnn.W_hh.map((row) => row.map((w) => w * Number(values.rho))); // radius 1, scaled by the control
      const lstm = structuredClone(weights.lstm);
      for (let u = 0; u < H; u++) {
        lstm.b_ih[H + u] = Number(values.bf); // the forget block, all in b_ih (as set_forget_bias puts it)
        lstm.b_hh[H + u] = 0;
      }
      const zeros = new Array(H).fill(0);
      const norms = {
        rnn: inputGradientNorms("rnn_tanh", rnn, xs, zeros),
        lstm: inputGradientNorms("lstm", lstm, xs, zeros, zeros),
        gru: inputGradientNorms("gru", weights.gru, xs, zeros),
      };
      const out = {}, shades = {};
      // log scale: 1 at the network's largest value, 0 six decades below (as lstm_docs.explorers.memory_shade)
      const shade = (v, peak) => (v > 0 && peak > 0 ? Math.max(0, 1 + Math.log10(v / peak) / weights.plot.decades) : 0);
      for (const [key, series] of Object.entries(norms)) {
        const peak = Math.max(...series);
        for (let t = 1; t <= maxT; t++) {
          out[`${key}.${t}`] = t <= T ? series[t - 1] : 0;
          shades[`${key}.${t}`] = t <= T ? shade(series[t - 1], peak) : 0;
        }
      }
      const first = (key) => exp3(norms[key][0]);
      return {
        values: out,
        shades,
        summary: `T = ${T}: the final state's dependence on the first input is RNN ${first("rnn")}, LSTM ${first("lstm")}, ` +
          `GRU ${first("gru")}; on the last, RNN ${exp3(norms.rnn[T - 1])}, LSTM ${exp3(norms.lstm[T - 1])}, GRU ${exp3(norms.gru[T - 1])}.`,
      };
    },

    sequence(values, weights, player) {
      const T = weights.steps;
      const lstm = structuredClone(weights.lstm);
      lstm.b_ih[1] = Number(values.bf); // forget block of i, f, g, o (H = 1)
      const rnn = structuredClone(weights.rnn);
      rnn.W_hh[0][0] = Number(values.w);
      const series = { x: [0], "lstm.c": [0], "lstm.h": [0], "rnn.h": [0] };
      let hL = [0], cL = [0], hR = [0];
      for (let t = 1; t <= T; t++) {
        const x = [t === 1 ? Number(values.pulse) : 0];
        ({ h: hL, c: cL } = lstmStep(x, hL, cL, lstm));
        ({ h: hR } = rnnStep(x, hR, rnn));
        series.x.push(x[0]);
        series["lstm.c"].push(cL[0]);
        series["lstm.h"].push(hL[0]);
        series["rnn.h"].push(hR[0]);
      }
      const out = {};
      for (const [key, vs] of Object.entries(series)) vs.forEach((v, t) => (out[`${key}.${t}`] = v));
      const t = player.t;
      for (const key of Object.keys(series)) out[`now.${key}`] = series[key][t];
      out["now.t"] = t;
      return {
        values: out,
        curves: series,
        summary: `Step ${t} of ${T}: input ${round(series.x[t])}; LSTM c ${round(series["lstm.c"][t])}, ` +
          `h ${round(series["lstm.h"][t])}; RNN h ${round(series["rnn.h"][t])}.`,
      };
    },
  };

  // ---- drawing -----------------------------------------------------------------------------

  function setValue(el, v) {
    // the controls' ranges keep every value finite; should one ever overflow, it says so instead of "Infinity"
    el.textContent = Number.isFinite(v) ? FORMATS[el.dataset.lrFormat || "f4"](v) : "too large to show";
    el.dataset.exact = String(v);
  }

  function setBar(el, v) {
    const [lo, hi] = el.dataset.lrSpan.split(" ").map(Number);
    const x = Number(el.dataset.x), width = Number(el.dataset.width);
    const clamp = Math.min(Math.max(v, lo), hi);
    const zero = x + (width * (0 - lo)) / (hi - lo);
    const end = x + (width * (clamp - lo)) / (hi - lo);
    el.setAttribute("x", Math.min(zero, end).toFixed(2));
    el.setAttribute("width", Math.abs(end - zero).toFixed(2));
  }

  /** Screen coordinates of the plots, as docs/extensions/explorers.py draws them. */
  const AXES = {
    decay: (plot) => ({
      x: (k) => plot.left + (k / plot.lags) * (plot.right - plot.left),
      y: (v) => {
        const log = Math.min(Math.max(v > 0 ? Math.log10(v) : plot.logMin, plot.logMin), plot.logMax);
        return plot.top + ((plot.logMax - log) / (plot.logMax - plot.logMin)) * (plot.bottom - plot.top);
      },
      first: 1, // lag 1 is the first point
    }),
    sequence: (plot) => ({
      x: (t) => plot.left + (t / plot.steps) * (plot.right - plot.left),
      y: (v) => plot.top + ((1 - Math.min(Math.max(v, -1), 1)) / 2) * (plot.bottom - plot.top),
      first: 0, // step 0, the initial state
    }),
  };

  const points = (axes, values) => values.map((v, n) => `${axes.x(n + axes.first).toFixed(2)},${axes.y(v).toFixed(2)}`).join(" ");

  // ---- controls ----------------------------------------------------------------------------

  let counter = 0;

  function element(tag, attributes = {}, text = "") {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    if (text) el.textContent = text;
    return el;
  }

  /**
   * Why ``text`` is not a value of ``spec`` (a message for the reader), or null when it is one. A number
   * is written with digits, an optional point and an optional exponent: "1,5" and "abc" are refused,
   * not read as 15 or 0; a value outside the control's stated range is refused too.
   */
  function invalid(text, spec) {
    const t = text.trim();
    const range = `from ${spec.min} to ${spec.max}`;
    if (t === "") return `Enter a number ${range}.`;
    if (/^[+-]?\d+,\d+$/.test(t)) return `Write decimals with a point (${t.replace(",", ".")}), a number ${range}.`;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return `"${t}" is not a number: enter a number ${range}.`;
    const v = Number(t);
    if (!Number.isFinite(v) || v < Number(spec.min) || v > Number(spec.max)) return `${t} is outside the range: enter a number ${range}.`;
    return null;
  }

  /** A labelled slider with a number box beside it, kept in step; calls onChange(value) with valid values only. */
  function rangeControl(spec, id, onChange) {
    const row = element("div", { class: "lr-control" });
    const label = element("label", { for: `${id}-range`, id: `${id}-label` }, spec.label);
    const range = element("input", { type: "range", id: `${id}-range`, min: spec.min, max: spec.max, step: spec.step, value: spec.value, "data-lr-input": spec.name });
    const number = element("input", {
      type: "text", id: `${id}-number`, value: spec.value, "aria-labelledby": `${id}-label`, "aria-describedby": `${id}-message`,
      "data-lr-number": spec.name, inputmode: "decimal", autocomplete: "off", spellcheck: "false",
    });
    const message = element("p", { class: "lr-control__message", id: `${id}-message`, "aria-live": "polite" });
    const accept = () => {
      number.removeAttribute("aria-invalid");
      message.textContent = "";
    };
    range.addEventListener("input", () => {
      number.value = range.value;
      accept();
      onChange(Number(range.value));
    });
    number.addEventListener("input", () => {
      const why = invalid(number.value, spec);
      if (why) { // nothing is recomputed from it: the drawing and tables keep the last good value
        number.setAttribute("aria-invalid", "true");
        message.textContent = why;
        return;
      }
      accept();
      const v = Number(number.value);
      range.value = String(v);
      onChange(v);
    });
    row.append(label, range, number, message);
    return row;
  }

  function selectControl(spec, id, onChange) {
    const row = element("div", { class: "lr-control" });
    const label = element("label", { for: id }, spec.label);
    const select = element("select", { id, "data-lr-input": spec.name });
    for (const [value, text] of spec.options) {
      const option = element("option", { value: String(value) }, text);
      if (String(value) === String(spec.value)) option.selected = true;
      select.append(option);
    }
    select.addEventListener("change", () => onChange(select.value));
    row.append(label, select);
    return row;
  }

  function describe(spec, value) {
    if (!spec.options) return `${spec.label} = ${value}`;
    const found = spec.options.find(([v]) => String(v) === String(value));
    return `${spec.label} = ${found ? found[1] : value}`;
  }

  /** The step player of the sequence explorer: back, play/pause, step, and a step slider. */
  function playerControls(root, id, player, steps, redraw) {
    const bar = element("div", { class: "lr-player", role: "group", "aria-label": "Step through the sequence" });
    const back = element("button", { type: "button", class: "md-button", "data-lr-action": "back" }, "◀ Back");
    const play = element("button", { type: "button", class: "md-button", "data-lr-action": "play", "aria-pressed": "false" }, "▶ Play");
    const step = element("button", { type: "button", class: "md-button", "data-lr-action": "step" }, "Step ▶");
    const label = element("label", { for: `${id}-t` }, "step t");
    const slider = element("input", { type: "range", id: `${id}-t`, min: 0, max: steps, step: 1, value: player.t, "data-lr-input": "t" });
    const now = element("p", { class: "lr-player__now" });
    const value = (key) => element("span", { "data-lr-value": key });
    now.append(
      "Step ", element("strong", { "data-lr-value": "now.t", "data-lr-format": "int" }), ": input ", value("now.x"),
      ", LSTM c ", value("now.lstm.c"), ", LSTM h ", value("now.lstm.h"), ", RNN h ", value("now.rnn.h"),
    );
    let timer = null;
    const go = (t) => {
      player.t = Math.min(Math.max(t, 0), steps);
      slider.value = String(player.t);
      redraw(true);
    };
    const stop = () => {
      clearInterval(timer);
      timer = null;
      play.textContent = "▶ Play";
      play.setAttribute("aria-pressed", "false");
    };
    back.addEventListener("click", () => go(player.t - 1));
    step.addEventListener("click", () => go(player.t + 1));
    slider.addEventListener("input", () => go(Number(slider.value)));
    play.addEventListener("click", () => {
      if (timer) return stop();
      if (player.t >= steps) go(0);
      play.textContent = "❚❚ Pause";
      play.setAttribute("aria-pressed", "true");
      timer = setInterval(() => (player.t >= steps ? stop() : go(player.t + 1)), 600);
    });
    bar.append(back, play, step, label, slider);
    root.querySelector(".lr-explorer__figure").before(bar, now);
  }

  function setUp(root) {
    const kind = root.dataset.explorer;
    const compute = EXPLORERS[kind];
    if (!compute) return;
    const config = JSON.parse(root.dataset.config);
    const values = Object.fromEntries(config.inputs.map((spec) => [spec.name, spec.value]));
    const id = `lr-x${++counter}`;
    const player = { t: 0 };
    const axes = AXES[kind] && AXES[kind](config.weights.plot);
    const played = "steps" in config.weights; // an explorer over steps has a player, and draws the part played so far

    const fieldset = element("fieldset", { class: "lr-explorer__controls" });
    fieldset.append(element("legend", {}, "Inputs"));
    const live = element("p", { class: "lr-explorer__live", role: "status", "aria-live": "polite" });
    const inputsLine = root.querySelector("[data-lr-inputs]");
    const source = root.querySelector("[data-lr-source]");
    let announce = null;

    const redraw = (now = false) => {
      const result = compute(values, config.weights, player);
      for (const el of root.querySelectorAll("[data-lr-value]")) {
        const v = result.values[el.dataset.lrValue];
        if (v !== undefined) setValue(el, v);
      }
      for (const el of root.querySelectorAll("[data-lr-bar]")) setBar(el, result.values[el.dataset.lrBar]);
      for (const el of root.querySelectorAll("[data-lr-shade]")) el.setAttribute("fill-opacity", result.shades[el.dataset.lrShade].toFixed(3));
      for (const el of root.querySelectorAll("[data-lr-upto]")) el.hidden = Number(el.dataset.lrUpto) > Number(values.T); // rows past the sequence
      for (const el of root.querySelectorAll("[data-lr-curve]")) {
        const series = result.curves[el.dataset.lrCurve];
        el.setAttribute("points", points(axes, played ? series.slice(0, player.t + 1) : series));
      }
      for (const el of root.querySelectorAll("[data-lr-curve-whole]")) { // the whole run, dimmed behind the played part
        el.setAttribute("points", points(axes, result.curves[el.dataset.lrCurveWhole]));
      }
      if (played) {
        const marker = root.querySelector("[data-lr-now]");
        marker.setAttribute("x1", axes.x(player.t).toFixed(2));
        marker.setAttribute("x2", axes.x(player.t).toFixed(2));
        for (const row of root.querySelectorAll("tr[data-lr-step]")) {
          const current = Number(row.dataset.lrStep) === player.t;
          row.classList.toggle("lr-current", current);
          if (current) row.setAttribute("aria-current", "step");
          else row.removeAttribute("aria-current");
        }
      }
      for (const el of root.querySelectorAll("[data-lr-when]")) {
        const [name, value] = el.dataset.lrWhen.split("=");
        el.hidden = String(values[name]) !== value;
      }
      if (inputsLine) inputsLine.textContent = `Inputs: ${config.inputs.map((spec) => describe(spec, values[spec.name])).join("; ")}.`;
      clearTimeout(announce); // a slider being dragged announces once, when it rests; a step of the player at once
      if (now) live.textContent = result.summary;
      else announce = setTimeout(() => (live.textContent = result.summary), 250);
      root.dataset.lrSummary = result.summary;
    };

    config.inputs.forEach((spec, n) => {
      const onChange = (v) => {
        values[spec.name] = v;
        redraw();
      };
      fieldset.append(spec.options ? selectControl(spec, `${id}-${n}`, onChange) : rangeControl(spec, `${id}-${n}`, onChange));
    });
    root.querySelector(".lr-explorer__title").after(fieldset);
    if (played) playerControls(root, id, player, config.weights.steps, redraw);
    root.append(live);
    if (source) source.textContent = "Computed in your browser by steps.js, a port of lstm_ref checked against it by the test suite.";
    redraw();
    root.dataset.lrReady = "true";
  }

  for (const root of document.querySelectorAll(".lr-explorer[data-explorer]")) setUp(root);
})();
