"""Exports are well-formed XML, and the answers and tolerances they carry round-trip through our grader."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from quizzes import Choice, Numeric, Vector, generate, grade
from quizzes.export import ExportError, export

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
        if kind == "numerical":
            _accepts_bounds(template, seed, float(q.find("answer/text").text), float(q.find("answer/tolerance").text))
        elif kind == "cloze":
            blanks = re.findall(r"\{1:NUMERICAL:=([^:]+):([^}]+)\}", q.find("questiontext/text").text)
            assert len(blanks) == len(generate(template, seed).answer.values)
            for v, t in blanks:
                _accepts_bounds(template, seed, float(v), float(t))
        else:
            spec = generate(template, seed).answer
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
            for decl, equal in zip(decls, item.iter("{http://www.imsglobal.org/xsd/imsqti_v2p1}equal"), strict=True):
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
    assert f"{{#{float(q.answer.value)!r}:" in text and "$CATEGORY: $course$/lstm_ref/counting/count-gru" in text
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
