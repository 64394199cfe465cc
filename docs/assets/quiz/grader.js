/* lstm_ref's quiz grader, for the site: reading answers and applying the grading rules.
 * It mirrors quizzes/parsing.py, quizzes/grading.py and the answer kinds of quizzes/question.py, and knows
 * nothing of pages: no DOM, no storage. The test suite runs it in Node on every template and on a corpus
 * of awkward inputs (tests/data/awkward-answers.json) and requires the same results as the Python grader.
 * A classic script (it also runs opened from disk, where modules are blocked): window.lstmGrader in a
 * page, module.exports in Node. */
(function (root) {
  "use strict";

  var SLACK = 1e-9;
  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var MAX_ANSWER = 1000;  // characters (code points) of one answer
  var SPACE = " \t\n\r\f\v";  // what separates and is trimmed: nothing else (quizzes/parsing.py's _SPACE)
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  var DECIMAL_COMMA = /(^|[^\d.])\d+,\d+(?![\d.])/;  // 0,25 but not 0.1,0.2
  var SEPARATORS = /[,; \t\n\r\f\v]+/;

  function FormatError(message) { this.message = message; }

  function codePoints(text) { return Array.from(text); }

  // control, format and separator characters written as \u{001B}, as quizzes.untrusted.inert does
  function inert(text, limit) {
    var chars = codePoints(text);
    var cut = limit !== undefined && chars.length > limit ? "… (" + (chars.length - limit) + " more characters)" : "";
    if (cut) chars = chars.slice(0, limit);
    return chars.map(function (c) {
      return /^[\p{C}\u2028\u2029]$/u.test(c) ? "\\u{" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + "}" : c;
    }).join("") + cut;
  }

  function strip(text) {
    var start = 0, end = text.length;
    while (start < end && SPACE.indexOf(text[start]) >= 0) start++;
    while (end > start && SPACE.indexOf(text[end - 1]) >= 0) end--;
    return text.slice(start, end);
  }

  function quoted(text) { return "'" + inert(strip(text), 40) + "'"; }

  function clean(text) {
    var n = codePoints(text).length;
    if (n > MAX_ANSWER) {
      throw new FormatError("the answer is " + n.toLocaleString("en-US") + " characters long; at most " + MAX_ANSWER.toLocaleString("en-US") + " are read");
    }
    return strip(text.normalize("NFKC")).replace(/\u2212/g, "-").replace(/\u2013/g, "-");
  }

  function parseNumber(text) {
    var s = clean(text);
    if (!s) throw new FormatError("empty answer: type a number such as 0.25");
    if (/^[+-]?\d+,\d+$/.test(s)) {
      throw new FormatError(quoted(text) + ": use a decimal point, e.g. " + s.replace(",", ".") + " (commas separate vector entries)");
    }
    if (!NUMBER.test(s)) throw new FormatError(quoted(text) + " is not a number; type e.g. 0.25, .25 or 2.5e-1");
    var value = Number(s);
    if (!isFinite(value)) throw new FormatError(quoted(text) + " is too large");
    return value;
  }

  function parseVector(text, length) {
    var s = clean(text);
    if (DECIMAL_COMMA.test(s)) {
      throw new FormatError(quoted(text) + ": a comma between digits is ambiguous: use a decimal point (0.25), and a comma and a space or a semicolon between entries");
    }
    if ("[(".indexOf(s.slice(0, 1)) >= 0 && "])".indexOf(s.slice(-1)) >= 0) s = s.slice(1, -1);
    var parts = strip(s).split(SEPARATORS).filter(function (p) { return p; });
    if (!parts.length) {
      var example = [];
      for (var k = 0; k < length; k++) example.push("0.1");
      throw new FormatError("empty answer: type " + length + " numbers, e.g. " + example.join(", "));
    }
    if (parts.length !== length) {
      var hint = text.indexOf(",") >= 0 && parts.length === 2 * length ? " (a decimal comma? use a point: 0.25)" : "";
      throw new FormatError("expected " + length + " numbers, got " + parts.length + hint);
    }
    return parts.map(parseNumber);
  }

  function parseChoices(text, nOptions, multi) {
    var letters = clean(text).toLowerCase().split(SEPARATORS).join("");
    var valid = LETTERS.slice(0, nOptions);
    var last = valid.slice(-1);
    if (!letters) throw new FormatError("empty answer: type a letter from a to " + last);
    var chars = codePoints(letters);
    for (var i = 0; i < chars.length; i++) {
      if (valid.indexOf(chars[i]) < 0) throw new FormatError(quoted(text) + ": choose letters from a to " + last);
    }
    if (new Set(chars).size !== chars.length) throw new FormatError(quoted(text) + ": a letter is repeated");
    if (!multi && chars.length !== 1) throw new FormatError("choose exactly one letter");
    return chars.map(function (ch) { return valid.indexOf(ch); }).sort(function (a, b) { return a - b; });
  }

  function halfWidth(rule, expected) {
    if (rule.kind === "tolerance") return rule.atol + rule.rtol * Math.abs(expected);
    if (rule.kind === "sigfigs") {
      if (expected === 0) return 0.5 * Math.pow(10, -rule.n);
      return 0.5 * Math.pow(10, Math.floor(Math.log10(Math.abs(expected))) - rule.n + 1);
    }
    if (rule.kind === "decimals") return 0.5 * Math.pow(10, -rule.n);
    throw new Error("unknown rule " + rule.kind);
  }

  function accepts(rule, answer, expected) {
    var bound = halfWidth(rule, expected) * (1 + SLACK) + (rule.kind === "tolerance" ? 1e-300 : 0);
    return Math.abs(answer - expected) <= bound;
  }

  // The feedback on a wrong answer, and the named slip (quizzes/mistakes.py) that gives it, if one does.
  function explained(spec, slip) {
    if (!slip) return { feedback: "expected " + spec.display, mistake: null };
    return { feedback: "expected " + spec.display + ". " + slip.explanation + " (See " + slip.link + " on the site.)", mistake: slip.id };
  }

  function result(score, entries, feedback, mistake) {
    return { score: score, format_error: null, entries: entries, feedback: feedback, mistake: mistake || null };
  }

  // spec: an answer's to_dict() (quizzes/question.py); the result has the fields of quizzes.grading.Result
  function grade(spec, text) {
    var slips = spec.mistakes || [];
    try {
      if (spec.kind === "numeric") {
        var answer = parseNumber(text);
        if (accepts(spec.rule, answer, spec.values[0])) return result(1, [true], "correct");
        var hit = explained(spec, slips.filter(function (s) { return accepts(spec.rule, answer, s.values[0]); })[0]);
        return result(0, [false], hit.feedback, hit.mistake);
      }
      if (spec.kind === "vector") {
        var values = parseVector(text, spec.values.length);
        var oks = values.map(function (v, k) { return accepts(spec.rule, v, spec.values[k]); });
        var wrong = [];
        oks.forEach(function (o, k) { if (!o) wrong.push(String(k)); });
        if (!wrong.length) return result(1, oks, "all entries correct");
        var slip = slips.filter(function (s) { return values.every(function (v, k) { return accepts(spec.rule, v, s.values[k]); }); })[0];
        var why = explained(spec, slip);
        return result(oks.filter(Boolean).length / oks.length, oks, "entries " + wrong.join(", ") + " off; " + why.feedback, why.mistake);
      }
      var picked = parseChoices(text, spec.options.length, spec.multi);
      var hits = picked.filter(function (k) { return spec.correct.indexOf(k) >= 0; }).length;
      var score = Math.max(0, (hits - (picked.length - hits)) / spec.correct.length);
      var entries = picked.map(function (k) { return spec.correct.indexOf(k) >= 0; });
      if (score === 1) return result(score, entries, "correct");
      var named = picked.map(function (k) { return slips.filter(function (s) { return s.option === k; })[0]; }).filter(Boolean)[0];
      var said = explained(spec, named);
      return result(score, entries, said.feedback, said.mistake);
    } catch (e) {
      if (e instanceof FormatError) return { score: 0, format_error: e.message, entries: [], feedback: "", mistake: null };
      throw e;
    }
  }

  var api = { grade: grade, parseNumber: parseNumber, parseVector: parseVector, parseChoices: parseChoices, inert: inert, LETTERS: LETTERS };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.lstmGrader = api;
})(typeof window !== "undefined" ? window : this);
