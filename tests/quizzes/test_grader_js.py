"""The site's grader (docs/assets/quiz/grader.js) against the Python grader, run in Node.

Every template's answers (right, wrong, at the tolerance's edges) and one corpus of awkward
inputs (tests/data/awkward-answers.json: separators, invisible characters, other digits and
minus signs, long answers) go through both graders; every result (score, format error
message, entries, feedback) must be identical.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from quizzes import Choice, Numeric, Question, Vector, generate, grade, templates
from quizzes.grading import rule_from_dict

ROOT = Path(__file__).resolve().parents[2]
GRADER_JS = ROOT / "docs" / "assets" / "quiz" / "grader.js"
CORPUS = ROOT / "tests" / "data" / "awkward-answers.json"

RUNNER = """
const grader = require(process.argv[1]);
const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(([spec, text]) => grader.grade(spec, text))));
"""

JUNK = [
    "",
    "abc",
    "0,25",
    "1e999",
    "[1 2",
    "a, a",
    "z",
    "b c",
    ".5",
    "2.5e-1",
    "1, 2, 3",
    "(0.1; -0.2)",
    "ac",
    "A",
    "0,25 0,5",
    "1,5, 2",
    "0.1,0.2",
    "0.1,-0.2, 0.3",
]


def template_cases() -> list[tuple[dict, str]]:
    """(answer spec as the site embeds it, typed text) for every template: the key, junk, and the tolerance's edges."""
    cases = []
    for t in templates():
        for seed in (0, 1, 2):
            q = generate(t.id, seed)
            spec = q.to_dict()["answer"]
            cases += [(spec, q.answer.typed())] + [(spec, j) for j in JUNK]
            for _, slip in getattr(q.answer, "mistakes", ()):  # each named slip's value: feedback names it, in both graders
                cases.append((spec, ", ".join(repr(v) for v in slip)) if slip else (spec, "x"))
            if isinstance(q.answer, Choice):
                cases += [(spec, "abcdefghijklmnopqrstuvwxyz"[k]) for k, _ in q.answer.mistakes]
            if isinstance(q.answer, Numeric):
                v, w = q.answer.value, q.answer.rule.half_width(q.answer.value)
                cases += [(spec, repr(v + f * w)) for f in (-1.001, -0.999, 0.5, 0.999, 1.001)]
            elif isinstance(q.answer, Vector):
                vals = list(q.answer.values)
                vals[-1] += 2 * q.answer.rule.half_width(vals[-1]) + 1e-9
                cases.append((spec, ", ".join(repr(x) for x in vals)))
            else:
                cases += [(spec, ", ".join("abcd"[k] for k in range(n))) for n in (1, 2, 3)]
    return cases


def corpus_cases() -> list[tuple[dict, str]]:
    doc = json.loads(CORPUS.read_text(encoding="utf-8"))
    return [(spec, entry["text"]) for entry in doc["inputs"] for spec in doc["specs"]]


def python_grade(spec: dict, text: str) -> dict:
    """The Python grader on the answer that ``spec`` describes (rebuilt from the site's JSON, slips included)."""
    if spec["kind"] == "choice":
        answer: Any = Choice(tuple(spec["options"]), tuple(spec["correct"]), spec["multi"], tuple((m["option"], m["id"]) for m in spec.get("mistakes", [])))
    else:
        rule = rule_from_dict(spec["rule"])
        slips = tuple((m["id"], tuple(m["values"])) for m in spec.get("mistakes", []))
        kind = Numeric if spec["kind"] == "numeric" else Vector
        answer = kind(spec["values"][0] if kind is Numeric else tuple(spec["values"]), rule, spec["decimals"], slips)
    r = grade(Question("case", 0, "case", "case", "", answer, "", ""), text)
    return {"score": r.score, "format_error": r.format_error, "entries": list(r.entries), "feedback": r.feedback, "mistake": r.mistake}


def node_grade(node: str, cases: list[tuple[dict, str]]) -> list[dict]:
    done = subprocess.run([node, "-e", RUNNER, str(GRADER_JS)], input=json.dumps(cases), capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def disagreements(node: str, cases: list[tuple[dict, str]]) -> list[tuple[str, str, dict, dict]]:
    out = []
    for (spec, text), js in zip(cases, node_grade(node, cases), strict=True):
        py = python_grade(spec, text)
        js["entries"] = [bool(e) for e in js["entries"]]
        if py != js:
            out.append((spec["display"], text, py, js))
    return out


def test_every_template_is_graded_alike(node: str) -> None:
    cases = template_cases()
    assert len(cases) > 3000
    wrong = disagreements(node, cases)
    assert not wrong, f"{len(wrong)} disagreements, first: {wrong[:3]}"
    named = [python_grade(spec, text)["mistake"] for spec, text in cases]
    assert sum(m is not None for m in named) > 200  # the slips' own values are named, in both graders


def test_awkward_inputs_are_graded_alike(node: str) -> None:
    cases = corpus_cases()
    wrong = disagreements(node, cases)
    print(f"\nawkward inputs: {len(cases)} (input, spec) pairs through both graders, {len(wrong)} disagreements")
    assert not wrong, f"{len(wrong)} disagreements, first: {wrong[:3]}"


def test_invisible_separators_are_format_errors_not_dropped() -> None:
    """What Python's str.strip() once dropped and JavaScript's trim() did not (and the other way round)."""
    spec = json.loads(CORPUS.read_text(encoding="utf-8"))["specs"][0]
    for text in ("0.5\x1c", "0.5\x85", "\ufeff0.5", "0.5\u200b"):
        assert python_grade(spec, text)["format_error"], repr(text)
    for text in ("\u00a00.5", "\u30000.5", " 0.5\t\n", "\uff10.\uff15"):
        assert python_grade(spec, text)["score"] == 1.0, repr(text)
    assert "at most 1,000 are read" in python_grade(spec, "1" * 1001)["format_error"]
    assert python_grade(spec, "0.5\x1b[31m")["format_error"].startswith("'0.5\\u{001B}[31m'")
