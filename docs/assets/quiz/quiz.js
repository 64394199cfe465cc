/* lstm_ref self-check quizzes on the page: cards, feedback, progress in localStorage, export.
 * Grading is grader.js's (no DOM there; tested in Node against the Python grader). Every text from the
 * data is inserted with textContent, never as HTML. */
(function () {
  "use strict";

  // grading: grader.js (loaded before this script), the same rules as the Python grader
  var grader = window.lstmGrader;
  // the site's root, from this script's own address (assets/quiz/quiz.js): the slips' links are relative to it
  var SITE_ROOT = new URL("../../", document.currentScript.src).href;
  var grade = grader.grade;
  var LETTERS = grader.LETTERS;

  // ---- progress in localStorage ------------------------------------------------------------------
  var KEY = "lstm-ref-quiz/v1";
  var memory = { answers: {}, variantIndex: {} };
  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || { answers: {}, variantIndex: {} }; } catch (e) { return memory; }
  }
  function save(state) {
    memory = state;
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* storage disabled: keep it for this page */ }
  }

  // ---- DOM helpers: text only ---------------------------------------------------------------------
  var uid = 0;
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Text with subscripts and superscripts, from quizzes/mathml.py's parts: MathML built node by node.
  var MATHML = "http://www.w3.org/1998/Math/MathML";
  function mathTokens(tokens) {
    var nodes = tokens.map(function (t) { var n = document.createElementNS(MATHML, t[0]); n.textContent = t[1]; return n; });
    if (nodes.length === 1) return nodes[0];
    var row = document.createElementNS(MATHML, "mrow");
    nodes.forEach(function (n) { row.appendChild(n); });
    return row;
  }
  function withMath(node, parts) {
    parts.forEach(function (part) {
      if (typeof part === "string") { node.appendChild(document.createTextNode(part)); return; }
      var math = document.createElementNS(MATHML, "math");
      var script = document.createElementNS(MATHML, part.script);
      script.appendChild(mathTokens(part.base));
      script.appendChild(mathTokens(part.script_part));
      math.appendChild(script);
      node.appendChild(math);
    });
    return node;
  }

  function answerText(card, spec) {
    if (spec.kind !== "choice") return card.querySelector("input[type=text]").value;
    var picked = [];
    card.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input, k) { if (input.checked) picked.push(LETTERS[k]); });
    return picked.join(", ");
  }

  function noteRetry(card, first) {
    var times = first.retries === 1 ? "once" : first.retries + " times";
    card.querySelector(".lr-q-feedback").appendChild(el("p", { "class": "lr-retry" },
      "Retried " + times + ", not counted: your first answer, '" + grader.inert(first.answer, 200) + "', keeps its grade (" +
      Math.round(first.score * 100) / 100 + ") and is the one exported."));
  }

  function showResult(card, q, text, result) {
    var box = card.querySelector(".lr-q-feedback");
    box.textContent = "";
    box.className = "lr-q-feedback";
    if (result.format_error) {
      box.classList.add("lr-format");
      box.appendChild(el("p", {}, "Format: " + result.format_error + " (not counted; try again)"));
      return;
    }
    var slip = result.mistake ? (q.answer.mistakes || []).filter(function (m) { return m.id === result.mistake; })[0] : null;
    var feedback = slip ? result.feedback.slice(0, result.feedback.indexOf(". " + slip.explanation)) : result.feedback;  // the slip gets its own paragraph
    var verdict = result.score === 1 ? "✓ Correct" : result.score === 0 ? "✗ Incorrect: " + feedback : "Partly right (" + Math.round(result.score * 100) + "%): " + feedback;
    box.classList.add(result.score === 1 ? "lr-good" : "lr-bad");
    box.appendChild(el("p", { "class": "lr-verdict" }, verdict));
    if (slip) {  // a named slip: what it is, and where the site shows the right way
      var why = el("p", { "class": "lr-slip", "data-mistake": slip.id }, "That is a known slip. " + slip.explanation + " ");
      why.appendChild(el("a", { href: new URL(slip.link, SITE_ROOT).href }, "See how it is done."));
      box.appendChild(why);
    }
    if (q.answer.kind === "vector" || (q.answer.kind === "choice" && q.answer.multi)) {
      var list = el("ul", { "class": "lr-entries" });
      var labels = q.answer.kind === "vector" ? result.entries.map(function (_, k) { return "entry " + k; }) : text.split(", ").map(function (l) { return "(" + l + ")"; });
      result.entries.forEach(function (ok, k) { list.appendChild(el("li", {}, labels[k] + ": " + (ok ? "right" : "wrong"))); });
      box.appendChild(list);
    }
    var rule = q.answer.kind !== "choice" ? q.how_to_answer : q.answer.multi ? "every right option counts; each wrong pick cancels one right pick." : "one option is right.";
    box.appendChild(el("p", { "class": "lr-rule" }, "Rule: " + rule));
    var solution = card.querySelector(".lr-q-solution");
    solution.hidden = false;
    solution.open = true;
  }

  // A card's title is one level below the heading the block follows (h1 → h2, h2 → h3),
  // so the page outline skips no level.
  function titleLevel(block) {
    var level = 1;
    (block.closest("article") || document).querySelectorAll("h1, h2, h3, h4, h5, h6").forEach(function (h) {
      if (!block.contains(h) && (h.compareDocumentPosition(block) & Node.DOCUMENT_POSITION_FOLLOWING)) level = Number(h.tagName[1]);
    });
    return Math.min(6, level + 1);
  }

  function renderCard(block, card, group, state) {
    var index = (state.variantIndex[group[0].template] || 0) % group.length;
    var q = group[index];
    card.textContent = "";
    var id = "lr-q-" + (++uid);
    card.setAttribute("aria-labelledby", id + "-title");
    card.appendChild(el("h" + titleLevel(block), { id: id + "-title", "class": "lr-q-title" }, q.title));
    var meta = el("p", { "class": "lr-q-meta" }, "variant ");
    meta.appendChild(el("code", {}, q.variant));
    meta.appendChild(document.createTextNode(" · seed " + q.seed + " · "));
    var another = el("button", { type: "button", "class": "lr-new md-button" }, "New variant");
    meta.appendChild(another);
    card.appendChild(meta);
    card.appendChild(withMath(el("p", { "class": "lr-q-prompt" }), q.prompt_parts));
    var form = el("form", { "class": "lr-q-form", novalidate: "" });
    if (q.answer.kind === "choice") {
      var fieldset = el("fieldset");
      fieldset.appendChild(el("legend", {}, q.answer.multi ? "Choose every correct option" : "Choose one option"));
      q.answer.options.forEach(function (_, k) {
        var label = el("label", { "class": "lr-option" });
        var input = el("input", { type: q.answer.multi ? "checkbox" : "radio", name: id, value: LETTERS[k] });
        label.appendChild(input);
        label.appendChild(withMath(el("span", {}, " (" + LETTERS[k] + ") "), q.answer.option_parts[k]));
        fieldset.appendChild(label);
      });
      form.appendChild(fieldset);
      form.appendChild(el("p", { "class": "lr-q-how" }, q.answer.multi ? "Wrong picks cancel right ones." : "One option is right."));
    } else {
      form.appendChild(el("label", { "for": id + "-input" }, "Your answer"));
      form.appendChild(el("input", { type: "text", id: id + "-input", autocomplete: "off", spellcheck: "false", "class": "lr-input", "aria-describedby": id + "-how" }));
      form.appendChild(el("p", { "class": "lr-q-how", id: id + "-how" }, q.how_to_answer));
    }
    var buttons = el("p", { "class": "lr-q-buttons" });
    buttons.appendChild(el("button", { type: "submit", "class": "md-button md-button--primary" }, "Check"));
    var hintButton = el("button", { type: "button", "class": "md-button" }, "Hint");
    buttons.appendChild(hintButton);
    form.appendChild(buttons);
    card.appendChild(form);
    var hint = el("p", { "class": "lr-q-hint", hidden: "" }, "Hint: " + q.hint);
    card.appendChild(hint);
    card.appendChild(el("div", { "class": "lr-q-feedback", role: "status", "aria-live": "polite", tabindex: "-1" }));
    var solution = el("details", { "class": "lr-q-solution", hidden: "" });
    solution.appendChild(el("summary", {}, "Worked solution"));
    solution.appendChild(el("pre", {}, q.solution));
    card.appendChild(solution);

    hintButton.addEventListener("click", function () { hint.hidden = false; });
    another.addEventListener("click", function () {
      var s = load();
      s.variantIndex[q.template] = (index + 1) % group.length;
      save(s);
      renderCard(block, card, group, s);
      var title = card.querySelector(".lr-q-title");
      title.setAttribute("tabindex", "-1");
      title.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = answerText(card, q.answer);
      var result = grade(q.answer, text);
      showResult(card, q, text, result);
      if (!result.format_error) {
        var s = load();
        var first = s.answers[q.variant];
        if (first) {  // the first graded answer is the grade (and what is exported); a retry is practice
          first.retries = (first.retries || 0) + 1;
          save(s);
          noteRetry(card, first);
        } else {
          s.answers[q.variant] = { template: q.template, seed: q.seed, variant: q.variant, topic: q.topic, answer: text, score: result.score };
          save(s);
          updateScores();
        }
      }
      card.querySelector(".lr-q-feedback").focus();
    });

    var stored = state.answers[q.variant];
    if (stored) {  // a reload keeps the answer and its grade
      if (q.answer.kind === "choice") {
        var chosen = stored.answer.split(", ");
        card.querySelectorAll("input").forEach(function (input) { input.checked = chosen.indexOf(input.value) >= 0; });
      } else {
        card.querySelector("input[type=text]").value = stored.answer;
      }
      showResult(card, q, stored.answer, grade(q.answer, stored.answer));
      if (stored.retries) noteRetry(card, stored);
    }
  }

  function topicScores() {
    var scores = {};
    var answers = load().answers;
    Object.keys(answers).forEach(function (v) {
      var a = answers[v];
      var t = scores[a.topic] || (scores[a.topic] = { score: 0, count: 0 });
      t.score += a.score;
      t.count += 1;
    });
    return scores;
  }

  function updateScores() {
    var scores = topicScores();
    document.querySelectorAll(".lr-quiz-score").forEach(function (node) {
      var topics = node.getAttribute("data-topics").split(" ");
      var parts = topics.map(function (t) {
        var s = scores[t] || { score: 0, count: 0 };
        return t + ": " + (Math.round(s.score * 100) / 100) + " / " + s.count + " answered";
      });
      node.textContent = "Your score (all pages) · " + parts.join(" · ");
    });
  }

  function exportAnswers() {
    var state = load();
    var answers = state.answers;
    var doc = {
      format: "lstm-quiz-answers",
      version: 1,
      answers: Object.keys(answers).map(function (v) {
        var a = answers[v];
        return { template: a.template, seed: a.seed, variant: a.variant, answer: a.answer, retries: a.retries || 0 };
      }),
    };
    if (state.student) doc.student = state.student;  // for a teacher's class report; the file's name otherwise
    var blob = new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" });
    var link = el("a", { href: URL.createObjectURL(blob), download: "lstm-quiz-answers.json" });
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function renderBlock(block) {
    var data = JSON.parse(block.querySelector("script.lr-quiz-data").textContent);
    var state = load();
    var topics = [];
    data.questions.forEach(function (group) { if (topics.indexOf(group[0].topic) < 0) topics.push(group[0].topic); });
    var head = el("div", { "class": "lr-quiz-head admonition note" });
    head.appendChild(el("p", { "class": "admonition-title" }, "Self-check"));
    head.appendChild(el("p", {}, "Answers are graded in your browser, and this page contains the answer keys: it is a self-check, not an exam. " +
      "For an authoritative grade, export your answers and run: lstm-quiz grade lstm-quiz-answers.json"));
    head.appendChild(el("p", { "class": "lr-quiz-score", "data-topics": topics.join(" "), "aria-live": "polite" }));
    var nameId = "lr-student-" + (++uid);
    var who = el("p", { "class": "lr-quiz-student" });
    who.appendChild(el("label", { "for": nameId }, "Your name, for your teacher (optional, kept in this browser): "));
    var nameInput = el("input", { type: "text", id: nameId, autocomplete: "name", maxlength: "100", "class": "lr-student" });
    nameInput.value = state.student || "";
    nameInput.addEventListener("change", function () {
      var s = load();
      s.student = nameInput.value.trim();
      save(s);
    });
    who.appendChild(nameInput);
    head.appendChild(who);
    var tools = el("p", { "class": "lr-quiz-tools" });
    var exportButton = el("button", { type: "button", "class": "md-button lr-export" }, "Export my answers");
    var resetButton = el("button", { type: "button", "class": "md-button lr-reset" }, "Reset progress");
    tools.appendChild(exportButton);
    tools.appendChild(resetButton);
    head.appendChild(tools);
    block.appendChild(head);
    exportButton.addEventListener("click", exportAnswers);
    resetButton.addEventListener("click", function () {
      if (resetButton.getAttribute("data-armed") !== "yes") {
        resetButton.setAttribute("data-armed", "yes");
        resetButton.textContent = "Click again to erase all your answers";
        return;
      }
      save({ answers: {}, variantIndex: {} });
      window.location.reload();
    });
    data.questions.forEach(function (group) {
      var card = el("section", { "class": "lr-q" });
      block.appendChild(card);
      renderCard(block, card, group, state);
    });
  }

  function init() {
    document.querySelectorAll(".lr-quiz").forEach(renderBlock);
    updateScores();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
