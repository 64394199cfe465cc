"""Exports are well-formed XML, and the answers and tolerances they carry round-trip through our grader."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest

from quizzes import Choice, Numeric, Vector, generate, grade
from quizzes.export import ExportError, export
from quizzes.mistakes import MISTAKES
from tests.conftest import require, without_root_override

MIX = ["lstm-forget-gate", "lstm-cell-vector", "memory-constant-forget", "count-lstm", "concept-cell-vs-hidden", "pytorch-gate-order", "weight-shape"]


def _accepts_bounds(template: str, seed: int, value: float, tol: float) -> None:
    """What the LMS accepts (value ± tol) is what lstm-quiz accepts."""
    q = generate(template, seed)
    spec = q.answer
    keys = [spec.value] if isinstance(spec, Numeric) else list(spec.values)
    assert any(abs(k - value) <= 1e-12 * max(1.0, abs(k)) for k in keys), (template, value, keys)
    rule = spec.rule
    assert rule.accepts(value + 0.999 * tol, value) and rule.accepts(value - 0.999 * tol, value)
    assert not rule.accepts(value + 1.001 * tol + 1e-12, value)


def test_moodle_xml_round_trip(tmp_path: Path) -> None:
    (out,) = export("moodle", tmp_path / "pool.xml", template_ids=MIX, variants=3, seed=10)
    root = ET.parse(out).getroot()
    assert root.tag == "quiz"
    categories = [q.find("category/text").text for q in root.findall("question[@type='category']")]
    assert len(categories) == len(MIX) and all(c.startswith("$course$/lstm_ref/") for c in categories)
    checked = 0
    for q in root.findall("question"):
        kind = q.get("type")
        if kind == "category":
            continue
        variant = q.find("name/text").text
        template, seed = variant.split("#")[0], int(variant.split("#")[1].split("-")[0])
        assert generate(template, seed).variant_id == variant
        spec = generate(template, seed).answer
        if kind == "numerical":
            right, *slips = q.findall("answer")
            _accepts_bounds(template, seed, float(right.find("text").text), float(right.find("tolerance").text))
            assert right.get("fraction") == "100" and all(a.get("fraction") == "0" for a in slips)  # Moodle takes the first match: the right one
            assert [(float(a.find("text").text), a.find("feedback/text").text.split(" (See")[0]) for a in slips] == [
                (pytest.approx(v, rel=1e-6), MISTAKES[mid].explanation) for mid, (v,) in spec.mistakes
            ]
        elif kind == "cloze":
            blanks = re.findall(r"\{1:NUMERICAL:=([^:]+):([^~}]+)((?:~%0%[^~}]*)*)\}", q.find("questiontext/text").text)
            assert len(blanks) == len(spec.values)
            for k, (v, t, slips) in enumerate(blanks):
                _accepts_bounds(template, seed, float(v), float(t))
                assert [float(s.split(":")[0]) for s in slips.split("~%0%")[1:]] == [pytest.approx(values[k], rel=1e-6) for _, values in spec.mistakes]
        else:
            fractions = [float(a.get("fraction")) for a in q.findall("answer")]
            right = [k for k, f in enumerate(fractions) if f > 0]
            assert tuple(right) == spec.correct and sum(f for f in fractions if f > 0) == pytest.approx(100)
            assert q.find("single").text == ("false" if spec.multi else "true")
        checked += 1
    assert checked == 3 * len(MIX)


def test_qti_package_round_trip(tmp_path: Path) -> None:
    (out,) = export("qti", tmp_path / "pool.zip", template_ids=MIX, variants=2)
    ns = {"q": "http://www.imsglobal.org/xsd/imsqti_v2p1"}
    with zipfile.ZipFile(out) as z:
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        hrefs = [r.get("href") for r in manifest.iter("{http://www.imsglobal.org/xsd/imscp_v1p1}resource")]
        assert len(hrefs) == 2 * len(MIX)
        for href in hrefs:
            item = ET.fromstring(z.read(href))
            template, seed = href[len("item-") : -len(".xml")].rsplit("-", 1)
            spec = generate(template, int(seed)).answer
            decls = item.findall("q:responseDeclaration", ns)
            if isinstance(spec, Choice):
                correct = [v.text for v in decls[0].findall("q:correctResponse/q:value", ns)]
                assert correct == ["ABCDEFGH"[k] for k in spec.correct]
                continue
            keys = [e for e in item.iter("{http://www.imsglobal.org/xsd/imsqti_v2p1}equal") if e.find("q:correct", ns) is not None]  # not a slip's
            for decl, equal in zip(decls, keys, strict=True):
                value = float(decl.find("q:correctResponse/q:value", ns).text)
                tol = float(equal.get("tolerance").split()[0])
                if equal.get("toleranceMode") == "relative":
                    tol = abs(value) * tol / 100
                _accepts_bounds(template, int(seed), value, tol)


def test_gift_refuses_vectors_and_writes_the_rest(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"GIFT cannot represent.*lstm-cell-vector"):
        export("gift", tmp_path / "x.gift", template_ids=MIX)
    (out,) = export("gift", tmp_path / "ok.gift", template_ids=["count-gru", "pytorch-gate-order", "concept-applications"], variants=2)
    text = out.read_text()
    q = generate("count-gru", 0)
    assert f"{{#\n={float(q.answer.value)!r}:" in text and "$CATEGORY: $course$/lstm_ref/counting/count-gru" in text
    for mid, (v,) in q.answer.mistakes:  # a named slip: an answer worth 0 % with its explanation as feedback
        assert f"=%0%{float(v)!r}:" in text and MISTAKES[mid].explanation.replace(":", "\\:").replace("=", "\\=") in text
    assert text.count("::") == 2 * 3 * 2


def test_worksheet_and_separate_answer_key(tmp_path: Path) -> None:
    files = export("worksheet", tmp_path / "ws", template_ids=MIX, variants=1, seed=3)
    names = sorted(p.name for p in files)
    assert names == ["answer-key.html", "answer-key.md", "worksheet.html", "worksheet.md"]
    sheet = (tmp_path / "ws" / "worksheet.md").read_text()
    key = (tmp_path / "ws" / "answer-key.md").read_text()
    for t in MIX:
        q = generate(t, 3)
        assert q.answer.display() in key
        if not isinstance(q.answer, Choice):  # a choice's text is listed on the sheet; numbers must not be
            assert q.answer.display() not in sheet
    page = (tmp_path / "ws" / "worksheet.html").read_text()
    assert page.startswith("<!doctype html>") and page.count("<h2>") == len(MIX) and "<script" not in page
    for t in MIX:  # the key gives the interval the rule accepts, computed here from the rule's formula
        spec = generate(t, 3).answer
        if isinstance(spec, Numeric):
            w = spec.rule.half_width(spec.value)
            assert f"accepted: {spec.value - w:.10g} to {spec.value + w:.10g} (" in key, t
        elif isinstance(spec, Vector):
            assert "; ".join(f"entry {k}: {v - spec.rule.half_width(v):.10g} to {v + spec.rule.half_width(v):.10g}" for k, v in enumerate(spec.values)) in key
    html_key = ET.fromstring(
        (tmp_path / "ws" / "answer-key.html").read_text().removeprefix("<!doctype html>\n").replace('<meta charset="utf-8">', '<meta charset="utf-8"/>')
    )
    assert len(html_key.findall("body/pre")) == len(MIX) and sum("accepted:" in (p.findtext("em") or "") for p in html_key.iter("p")) == len(MIX)


def test_export_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown template"):
        export("moodle", tmp_path / "x.xml", template_ids=["nope"])
    with pytest.raises(ExportError, match="unknown template"):
        export("moodle", tmp_path / "x.xml", exclude=["nope"])
    with pytest.raises(ExportError, match="format: expected one of"):
        export("pdf", tmp_path / "x.pdf")
    for variants in (0, 1001):
        with pytest.raises(ExportError, match=f"variants: expected 1 to 1000, got {variants}"):
            export("moodle", tmp_path / "x.xml", template_ids=["count-gru"], variants=variants)


def test_gift_leaves_out_what_it_is_told_to(tmp_path: Path) -> None:
    vectors = [t for t in MIX if isinstance(generate(t, 0).answer, Vector)]
    with pytest.raises(ExportError) as refused:
        export("gift", tmp_path / "x.gift", template_ids=MIX)
    assert " ".join(f"--exclude {t}" for t in sorted(vectors)) in str(refused.value)
    (out,) = export("gift", tmp_path / "x.gift", template_ids=MIX, exclude=vectors, variants=1)
    assert out.read_text().count("::") == 2 * (len(MIX) - len(vectors))


@pytest.mark.parametrize("fmt", ["moodle", "qti", "gift", "worksheet"])
def test_export_never_replaces_a_file_unasked(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / ("ws" if fmt == "worksheet" else "pool")
    (first,) = export(fmt, out, template_ids=["count-gru"], variants=1)[:1]
    before = first.read_bytes()
    with pytest.raises(ExportError, match="exists?; add --force to replace"):
        export(fmt, out, template_ids=["count-gru"], variants=1, seed=7)
    assert first.read_bytes() == before
    export(fmt, out, template_ids=["count-gru"], variants=1, seed=7, force=True)
    assert first.read_bytes() != before
    assert not list(tmp_path.rglob("*.partial"))


def test_export_out_of_the_wrong_kind(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=f"--out: {tmp_path} is a directory; give a file name, e.g. {tmp_path / 'pool.xml'}"):
        export("moodle", tmp_path, template_ids=["count-gru"])
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is a file; a worksheet is written into a directory"):
        export("worksheet", tmp_path / "file", template_ids=["count-gru"])


def test_graded_answers_in_exports_match_the_grader() -> None:
    q = generate("lstm-hidden-vector", 1)
    assert isinstance(q.answer, Vector)
    assert grade(q, q.answer.typed()).score == 1.0


# ---- response processing, run: what each LMS would score is what lstm-quiz scores -------------------
def _answers_to_try(spec: Numeric | Vector | Choice, rng: np.random.Generator) -> list[list[float] | set[int]]:
    """Right, wrong, each named slip's answer, and at the edges of the accepted interval (inside and outside)."""
    if isinstance(spec, Choice):
        n = len(spec.options)
        if not spec.multi:
            return [{k} for k in range(n)]
        return [set(spec.correct), *({int(k) for k in np.flatnonzero(rng.random(n) < 0.5)} | {int(rng.integers(n))} for _ in range(8))]
    values = [spec.value] if isinstance(spec, Numeric) else list(spec.values)
    tries = [values, *(list(slip) for _, slip in spec.mistakes)]
    for factor in (0.99, 1.01, -1.0, 0.5):
        tries.append([v + factor * spec.rule.half_width(v) * sign for v, sign in zip(values, rng.choice([-1, 1], len(values)), strict=True)])
    tries.append([v + rng.normal() for v in values])
    return tries


def _typed(spec: Numeric | Vector | Choice, answer: list[float] | set[int]) -> str:
    if isinstance(spec, Choice):
        return ", ".join("abcdefgh"[k] for k in sorted(answer))
    return ", ".join(repr(float(v)) for v in answer)  # type: ignore[union-attr]


Q = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"


def _qti_score(item: ET.Element, answer: list[float] | set[int]) -> tuple[float, str | None, str | None]:
    """A QTI 2.1 response processor for the expressions our items use (equal, match, member, lt, and, mapResponse, sum)."""
    decls = {d.get("identifier"): d for d in item.iter(f"{Q}responseDeclaration")}
    responses: dict[str, object] = {}
    if any(d.get("baseType") == "identifier" for d in decls.values()):
        responses["RESPONSE"] = {"ABCDEFGH"[k] for k in answer}  # type: ignore[union-attr]
    else:
        responses.update(zip(decls, answer, strict=True))  # type: ignore[arg-type]
    outcomes: dict[str, object] = {
        o.get("identifier"): float(o.find(f"{Q}defaultValue/{Q}value").text) if o.get("baseType") == "float" else None
        for o in item.iter(f"{Q}outcomeDeclaration")
    }

    def value(e: ET.Element) -> object:
        tag = e.tag[len(Q) :]
        if tag == "baseValue":
            return float(e.text) if e.get("baseType") == "float" else e.text
        if tag == "variable":
            ident = e.get("identifier")
            return responses[ident] if ident in responses else outcomes[ident]
        if tag == "correct":
            decl = decls[e.get("identifier")]
            values = [v.text for v in decl.findall(f"{Q}correctResponse/{Q}value")]
            return float(values[0]) if decl.get("baseType") == "float" else set(values)
        if tag == "sum":
            return sum(value(c) for c in e)  # type: ignore[misc]
        if tag == "equal":
            a, b = (value(c) for c in e)
            t = float(e.get("tolerance").split()[0])
            width = t if e.get("toleranceMode") == "absolute" else abs(b) * t / 100  # type: ignore[arg-type]
            return abs(a - b) <= width * (1 + 1e-9)  # type: ignore[operator]
        if tag == "match":  # identifiers, as sets
            a, b = (value(c) for c in e)
            return a == b
        if tag == "member":  # an identifier among the picked ones
            a, b = (value(c) for c in e)
            return a in b  # type: ignore[operator]
        if tag == "lt":
            a, b = (value(c) for c in e)
            return a < b  # type: ignore[operator]
        if tag == "and":
            return all(value(c) for c in e)
        if tag == "mapResponse":
            mapping = decls[e.get("identifier")].find(f"{Q}mapping")
            entries = {m.get("mapKey"): float(m.get("mappedValue")) for m in mapping}
            total = sum(entries.get(k, float(mapping.get("defaultValue"))) for k in responses[e.get("identifier")])  # type: ignore[union-attr]
            return min(float(mapping.get("upperBound")), max(float(mapping.get("lowerBound")), total))
        raise AssertionError(f"unexpected expression {tag}")

    def run(rules: ET.Element) -> None:
        for rule in rules:
            tag = rule.tag[len(Q) :]
            if tag == "setOutcomeValue":
                outcomes[rule.get("identifier")] = value(rule[0])
            elif tag == "responseCondition":
                branch = rule[0]
                if value(branch[0]):
                    run_list(list(branch)[1:])
            else:
                raise AssertionError(f"unexpected rule {tag}")

    def run_list(rules: list[ET.Element]) -> None:
        holder = ET.Element("x")
        holder.extend(rules)
        run(holder)

    run(item.find(f"{Q}responseProcessing"))
    return outcomes["SCORE"], outcomes["FEEDBACK"], outcomes.get("SLIP")  # type: ignore[return-value]


def test_qti21_items_score_as_lstm_quiz_and_always_show_the_solution(tmp_path: Path) -> None:
    (out,) = export("qti", tmp_path / "pool.zip", topics=None, variants=2, seed=5)
    rng = np.random.default_rng(0)
    checked = named = 0
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name == "imsmanifest.xml":
                continue
            item = ET.fromstring(z.read(name))
            template, seed = name[len("item-") : -len(".xml")].rsplit("-", 1)
            q = generate(template, int(seed))
            outcomes = {o.get("identifier"): o.get("baseType") for o in item.iter(f"{Q}outcomeDeclaration")}
            slips = {"SLIP": "identifier"} if q.answer.mistakes else {}
            assert outcomes == {"SCORE": "float", "MAXSCORE": "float", "FEEDBACK": "identifier", **slips}
            modal = item.find(f"{Q}modalFeedback")
            assert outcomes[modal.get("outcomeIdentifier")] == "identifier" and modal.get("showHide") == "show"
            assert item.find(f"{Q}responseProcessing").get("template") is None  # written out, not a template
            shown = {m.get("identifier") for m in item.iter(f"{Q}modalFeedback") if m.get("outcomeIdentifier") == "SLIP"}
            for answer in _answers_to_try(q.answer, rng):
                score, feedback, slip = _qti_score(item, answer)
                graded = grade(q, _typed(q.answer, answer))
                assert score == pytest.approx(graded.score, abs=1e-9), (name, answer)
                assert feedback == modal.get("identifier") and slip == graded.mistake and (slip is None or slip in shown), (name, answer, slip, graded.mistake)
                checked += 1
                named += slip is not None
    assert checked > 300 and named > 30


def _canvas_full_marks(item: ET.Element, answer: list[float] | set[int], entry: int, slips: list[str] | None = None) -> bool:
    """Canvas's condition for SCORE = 100, evaluated: ranges for numbers, picks for choices. ``slips``
    collects the slips whose comment this answer shows."""
    ids = [label.get("ident") for label in item.iter("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}response_label")]

    def holds(c: ET.Element) -> bool:
        tag = c.tag.split("}")[1]
        if tag == "conditionvar" or tag == "and":
            return all(holds(x) for x in c)
        if tag == "not":
            return not holds(c[0])
        if tag == "vargte":
            return answer[entry] >= float(c.text)  # type: ignore[index]
        if tag == "varlte":
            return answer[entry] <= float(c.text)  # type: ignore[index]
        if tag == "varequal":
            return ids.index(c.text) in answer
        raise AssertionError(tag)

    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    for r in item.iter(f"{ns}respcondition"):
        shown = r.find(f"{ns}displayfeedback")
        if slips is not None and shown is not None and shown.get("linkrefid") != "general_fb" and holds(r.find(f"{ns}conditionvar")):
            slips.append(shown.get("linkrefid")[len(item.get("ident")) + 1 :])  # linkrefid is ITEM-MISTAKE
    scoring = [r for r in item.iter(f"{ns}respcondition") if r.find(f"{ns}setvar") is not None]
    assert len(scoring) == 1 and scoring[0].find(f"{ns}setvar").text == "100"
    return holds(scoring[0].find(f"{ns}conditionvar"))


def _canvas_package(tmp_path: Path, **kwargs: object) -> tuple[zipfile.ZipFile, ET.Element]:
    (out,) = export("canvas", tmp_path / "canvas.zip", **kwargs)  # type: ignore[arg-type]
    z = zipfile.ZipFile(out)
    return z, ET.fromstring(z.read("lstm_ref_quiz/lstm_ref_quiz.xml"))


def test_canvas_scores_as_lstm_quiz(tmp_path: Path) -> None:
    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    _, quiz = _canvas_package(tmp_path, variants=2, seed=9)
    rng = np.random.default_rng(1)
    checked = named = 0
    for item in quiz.iter(f"{ns}item"):  # ident TEMPLATE.SEED, or TEMPLATE.SEED.ENTRY for a vector's entries
        template, seed, *entry = item.get("ident").split(".")
        q = generate(template, int(seed))
        k = int(entry[0]) if entry else 0
        for answer in _answers_to_try(q.answer, rng):
            slips: list[str] = []
            graded = grade(q, _typed(q.answer, answer))
            if entry:
                expected = q.answer.rule.accepts(answer[k], q.answer.values[k])  # type: ignore[union-attr, index]
            else:
                expected = graded.score == 1.0
            assert _canvas_full_marks(item, answer, k, slips) == expected, (item.get("ident"), answer)
            if graded.mistake and not entry:  # the slip the grader names shows its comment in Canvas too
                assert graded.mistake in slips, (item.get("ident"), answer, slips)
                named += 1
            checked += 1
    assert checked > 300 and named > 20


# ---- Canvas, compared with what text2qti writes for the same questions -----------------------------
_KEEP = {"rcardinality", "fibtype", "texttype", "continue", "action", "varname", "vartype", "feedbacktype", "maxvalue", "minvalue", "type"}


def _shape(node: ET.Element) -> tuple:
    """An element's structure: tags, attribute names (values where they carry meaning), children; no texts or ids."""
    tag = node.tag.split("}")[-1]
    attrs = tuple(sorted((k, v if k in _KEEP else "") for k, v in node.attrib.items()))
    children = list(node)
    if tag == "qtimetadata":  # fields as a set; assessment_question_identifierref only links text2qti's own bank
        fields = {f.findtext("{*}fieldlabel"): f.findtext("{*}fieldentry") for f in children}
        fields.pop("assessment_question_identifierref", None)
        return (tag, tuple(sorted((k, v if k == "question_type" else "") for k, v in fields.items())))
    return (tag, attrs, tuple(_shape(c) for c in children))


def _without_slips(item: ET.Element) -> tuple[list[tuple], list[ET.Element]]:
    """Remove from ``item`` the conditions and feedbacks of its named slips; returns their condition shapes (with the
    condition's test left out) and the feedbacks removed."""
    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    processing = item.find(f"{ns}resprocessing")
    shapes, removed = [], []
    for condition in list(processing.findall(f"{ns}respcondition")):
        shown = condition.find(f"{ns}displayfeedback")
        if shown is not None and shown.get("linkrefid") != "general_fb":
            test = condition.find(f"{ns}conditionvar")
            condition.remove(test)
            condition.insert(0, ET.Element(f"{ns}conditionvar", {}))
            condition.find(f"{ns}conditionvar").append(ET.Element(f"{ns}other"))
            shapes.append(_shape(condition))
            processing.remove(condition)
    for feedback in list(item.findall(f"{ns}itemfeedback")):
        if feedback.get("ident") != "general_fb":
            item.remove(feedback)
            removed.append(feedback)
    return shapes, removed


def _text2qti_source(questions: list) -> str:
    """The same questions in text2qti's plain-text format (texts are placeholders: only structure is compared)."""
    lines = ["Quiz title: lstm_ref quiz", "", "GROUP", "pick: 1", "points per question: 1", ""]
    for n, q in enumerate(questions, 1):
        lines += [f"{n}.  Question {n}?", "... The worked solution."]
        spec = q.answer
        if isinstance(spec, Numeric):
            low, high = spec.rule.bounds(spec.value)
            lines.append(f"=   [{low!r}, {high!r}]")
        elif spec.multi:
            lines += [f"[{'*' if k in spec.correct else ' '}] option {k}" for k in range(len(spec.options))]
        else:
            lines += [f"{'*' if k in spec.correct else ''}{'abcdefgh'[k]}) option {k}" for k in range(len(spec.options))]
        lines.append("")
    return "\n".join([*lines, "END_GROUP", ""])


@pytest.mark.parametrize("template_id", ["count-gru", "pytorch-gate-order", "concept-cell-vs-hidden"])
def test_canvas_items_have_text2qti_s_structure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template_id: str) -> None:
    require("text2qti", "pip install -e '.[test]' (`make test` installs it)")
    monkeypatch.setenv("HOME", str(tmp_path))  # text2qti may keep a config file in the home directory
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    kinds = {"count-gru": "numerical_question", "pytorch-gate-order": "multiple_choice_question", "concept-cell-vs-hidden": "multiple_answers_question"}
    questions = [generate(template_id, seed) for seed in (1, 2)]
    assert isinstance(questions[0].answer, Numeric) or questions[0].answer.multi == (template_id == "concept-cell-vs-hidden")
    theirs = zipfile.ZipFile(io.BytesIO(QTI(Quiz(_text2qti_source(questions), config=Config(), source_name="lstm_ref")).zip_bytes()))
    ours, quiz = _canvas_package(tmp_path, template_ids=[template_id], variants=2, seed=1)
    their_quiz = ET.fromstring(next(theirs.read(n) for n in theirs.namelist() if n.endswith(".xml") and "/text2qti_assessment_" in n and "meta" not in n))
    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    mine, theirs_items = list(quiz.iter(f"{ns}item")), list(their_quiz.iter(f"{ns}item"))
    slips = [_without_slips(i) for i in mine]  # a named slip's comment: a condition and a feedback of the general feedback's own shape
    assert all(shape == _shape(i.find(f"{ns}resprocessing/{ns}respcondition")) for s, i in zip(slips, mine, strict=True) for shape in s[0])
    assert [_shape(i) for i in mine] == [_shape(i) for i in theirs_items]
    assert all(dict(_shape(i.find(f"{ns}itemmetadata/{ns}qtimetadata"))[1])["question_type"] == kinds[template_id] for i in mine)

    def group(root: ET.Element) -> tuple:
        return _shape(next(s for s in root.iter(f"{ns}section") if s.get("ident") != "root_section").find(f"{ns}selection_ordering"))

    def manifest(z: zipfile.ZipFile) -> list:
        resources = ET.fromstring(z.read("imsmanifest.xml")).iter("{*}resource")
        return sorted((r.get("type"), len(r.findall("{*}file")), len(r.findall("{*}dependency"))) for r in resources)

    assert group(quiz) == group(their_quiz)  # one variant per student, 1 point each
    assert manifest(ours) == manifest(theirs)
    assert sorted(n.rsplit("/", 1)[-1] for n in ours.namelist() if "/" in n and not n.endswith("/")) == ["assessment_meta.xml", "lstm_ref_quiz.xml"]
    assert "non_cc_assessments/" in ours.namelist() and "non_cc_assessments/" in theirs.namelist()


def test_canvas_keeps_a_vector_s_entries_together(tmp_path: Path) -> None:
    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    _, quiz = _canvas_package(tmp_path, template_ids=["lstm-cell-vector", "count-lstm"], variants=3)
    sections = {s.get("ident"): s for s in quiz.iter(f"{ns}section")}
    vector, scalar = sections["group-lstm-cell-vector"], sections["group-count-lstm"]
    n = len(generate("lstm-cell-vector", 0).answer.values)
    assert vector.find(f"{ns}selection_ordering") is None and len(vector.findall(f"{ns}item")) == 3 * n
    points = [float(f.findtext(f"{ns}fieldentry")) for f in vector.iter(f"{ns}qtimetadatafield") if f.findtext(f"{ns}fieldlabel") == "points_possible"]
    assert sum(points) == pytest.approx(1.0)  # every template is worth one point, a vector's three variants together too
    assert scalar.find(f"{ns}selection_ordering/{ns}selection/{ns}selection_extension/{ns}points_per_item").text == "1"
    assert scalar.find(f"{ns}selection_ordering/{ns}selection/{ns}selection_number").text == "1" and len(scalar.findall(f"{ns}item")) == 3


def test_force_replaces_only_a_regular_file(tmp_path: Path) -> None:
    """--force never turns a device, a pipe or a link into a file (tried as root on copies of /dev/null)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link.xml"
    link.symlink_to(tmp_path / "elsewhere.xml")
    targets = [fifo, link] + ([Path("/dev/null")] if os.geteuid() == 0 else [])
    for target in targets:
        with pytest.raises(ExportError, match="exists and is not a regular file"):
            export("moodle", target, template_ids=["count-lstm"], variants=1, force=True)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink() and not (tmp_path / "elsewhere.xml").exists()
    assert not Path("/dev/null.partial").exists() and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    plain = tmp_path / "pool.xml"
    plain.write_text("old")
    export("moodle", plain, template_ids=["count-lstm"], variants=1, force=True)
    assert plain.read_text().startswith("<?xml")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="file permissions as Linux has them")
def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    code = "import sys\nfrom quizzes.cli import main\nsys.exit(main(['export', '--format', 'gift', '--template', 'count-lstm', '--out', sys.argv[1]]))"
    run = subprocess.run([sys.executable, "-c", code, str(folder / "pool.gift")], capture_output=True, text=True, preexec_fn=without_root_override, timeout=120)
    assert run.returncode == 2 and f"cannot write {folder / 'pool.gift'} (Permission denied)" in run.stderr and "Traceback" not in run.stderr


def test_seeds_past_the_range_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"the seeds 9223372036854775806 to 9223372036854775810 must lie in 0 to 2\*\*63 - 1"):
        export("gift", tmp_path / "p.gift", template_ids=["count-lstm"], variants=5, seed=2**63 - 2)


def test_every_export_command_of_the_teachers_guide_runs(tmp_path: Path) -> None:
    """The guide's commands, as a teacher would paste them (in an empty folder)."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "teachers.md").read_text(encoding="utf-8")
    commands = [line.split("#")[0].split() for line in guide.splitlines() if line.startswith("lstm-quiz export ")]
    assert {c[c.index("--format") + 1] for c in commands} == {"moodle", "qti", "canvas", "gift", "worksheet"}
    for argv in commands:
        done = subprocess.run([sys.executable, "-m", "quizzes.cli", *argv[1:]], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, (argv, done.stderr)
        assert (tmp_path / argv[argv.index("--out") + 1]).exists()
