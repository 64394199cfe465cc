"""Canvas: a QTI 1.2 package as Canvas's quiz importer reads it (the layout text2qti also writes).

The zip holds ``imsmanifest.xml`` (IMS Common Cartridge), the assessment
``lstm_ref_quiz/lstm_ref_quiz.xml`` (``questestinterop``) and Canvas's quiz settings
``lstm_ref_quiz/assessment_meta.xml``. Each template is a question group (a ``section``):

* a template with one item per variant (a number or a choice) picks **one variant
  per student**, worth 1 point;
* a vector template cannot be picked that way (Canvas would mix entries of
  different variants), so its section lists every variant, each entry a
  ``numerical_question`` worth ``1/n`` points, titled "entry k".

Items are named ``TEMPLATE.SEED`` (``TEMPLATE.SEED.K`` for entry K of a vector).

Numbers are graded as ranges (``vargte``/``varlte``) equal to the rule's
accepted interval, so Canvas accepts what lstm-quiz accepts. A named slip
(:mod:`quizzes.mistakes`) gets a condition of its own, the range of its value (or the
distractor it gives), which shows its explanation as that answer's comment. Single choices are
``multiple_choice_question``; multi-select are ``multiple_answers_question``,
which Canvas scores with partial credit, wrong picks subtracting, as lstm-quiz
does. The worked solution is the general feedback.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from ..question import LETTERS, Choice, Numeric, Question, Vector
from ._xml import Pool, el, html, num, paragraphs, xml_document

__all__ = ["canvas", "items"]

_QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_CC = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
_META = "http://canvas.instructure.com/xsd/cccv1p0"
QUIZ = "lstm_ref_quiz"


def _fields(**fields: str) -> ET.Element:
    meta = el("qtimetadata")
    meta.extend(el("qtimetadatafield", None, el("fieldlabel", text=k), el("fieldentry", text=v)) for k, v in fields.items())
    return el("itemmetadata", None, meta)


def _material(content: str) -> ET.Element:
    return el("material", None, el("mattext", {"texttype": "text/html"}, text=content))


def _solution(q: Question) -> tuple[ET.Element, ET.Element]:
    """The general feedback (shown after any answer) and the condition that shows it."""
    show = el(
        "respcondition",
        {"continue": "Yes"},
        el("conditionvar", None, el("other")),
        el("displayfeedback", {"feedbacktype": "Response", "linkrefid": "general_fb"}),
    )
    feedback = el("itemfeedback", {"ident": "general_fb"}, el("flow_mat", None, _material(html(el("pre", text=q.solution)))))
    return show, feedback


def _slips(pairs: list[tuple[str, list[ET.Element]]], ident: str) -> tuple[list[ET.Element], list[ET.Element]]:
    """For each named slip (id, the condition an answer meets when it makes it): the condition that
    shows its explanation, and that feedback. Canvas shows it beside the answer's score."""
    from ..mistakes import MISTAKES, link_url

    conditions, feedback = [], []
    for mid, test in pairs:
        ref = f"{ident}-{mid}"
        display = el("displayfeedback", {"feedbacktype": "Response", "linkrefid": ref})
        conditions.append(el("respcondition", {"continue": "Yes"}, el("conditionvar", None, *test), display))
        text = f"{MISTAKES[mid].explanation} (See {link_url(MISTAKES[mid].link)} on the site.)"
        feedback.append(el("itemfeedback", {"ident": ref}, el("flow_mat", None, _material(html(el("p", text=text))))))
    return conditions, feedback


def _processing(*conditions: ET.Element) -> ET.Element:
    outcomes = el("outcomes", None, el("decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"}))
    return el("resprocessing", None, outcomes, *conditions)


def _range(spec: Numeric | Vector, value: float) -> list[ET.Element]:
    low, high = spec.rule.bounds(value)
    return [el("vargte", {"respident": "response1"}, text=num(low)), el("varlte", {"respident": "response1"}, text=num(high))]


def _numerical(
    q: Question, ident: str, title: str, prompt: list[ET.Element], value: float, spec: Numeric | Vector, points: float, slips: list[tuple[str, float]]
) -> ET.Element:
    rule = el("p", None, el("em", text=f"Graded {spec.rule.describe()}."))
    presentation = el(
        "presentation",
        None,
        _material(html(*prompt, rule)),
        el(
            "response_str",
            {"ident": "response1", "rcardinality": "Single"},
            el("render_fib", {"fibtype": "Decimal"}, el("response_label", {"ident": "answer1"})),
        ),
    )
    correct = el(
        "respcondition", {"continue": "No"}, el("conditionvar", None, *_range(spec, value)), el("setvar", {"action": "Set", "varname": "SCORE"}, text="100")
    )
    show, feedback = _solution(q)
    slip_shows, slip_feedback = _slips([(mid, _range(spec, v)) for mid, v in slips], ident)
    meta = _fields(question_type="numerical_question", points_possible=num(points), original_answer_ids=f"{ident}-answer")
    return el("item", {"ident": ident, "title": title}, meta, presentation, _processing(show, *slip_shows, correct), feedback, *slip_feedback)


def _choice(q: Question, ident: str, spec: Choice) -> ET.Element:
    ids = [f"{ident}-{LETTERS[k]}" for k in range(len(spec.options))]
    labels = [el("response_label", {"ident": i}, _material(html(el("p", text=option)))) for i, option in zip(ids, spec.options, strict=True)]
    response = el("response_lid", {"ident": "response1", "rcardinality": "Multiple" if spec.multi else "Single"}, el("render_choice", None, *labels))
    presentation = el("presentation", None, _material(html(*paragraphs(q.prompt))), response)
    if spec.multi:  # all right ones picked and no wrong one: full marks (Canvas gives partial credit itself)
        picks = [
            el("varequal", {"respident": "response1"}, text=i) if k in spec.correct else el("not", None, el("varequal", {"respident": "response1"}, text=i))
            for k, i in enumerate(ids)
        ]
        condition = el("conditionvar", None, el("and", None, *picks))
    else:
        condition = el("conditionvar", None, el("varequal", {"respident": "response1"}, text=ids[spec.correct[0]]))
    correct = el("respcondition", {"continue": "No"}, condition, el("setvar", {"action": "Set", "varname": "SCORE"}, text="100"))
    show, feedback = _solution(q)
    slip_shows, slip_feedback = _slips([(mid, [el("varequal", {"respident": "response1"}, text=ids[k])]) for k, mid in spec.mistakes], ident)
    kind = "multiple_answers_question" if spec.multi else "multiple_choice_question"
    meta = _fields(question_type=kind, points_possible="1", original_answer_ids=",".join(ids))
    title = f"{q.title} · {q.variant_id}"
    return el("item", {"ident": ident, "title": title}, meta, presentation, _processing(show, *slip_shows, correct), feedback, *slip_feedback)


def items(q: Question, variants: int = 1) -> list[ET.Element]:
    """The Canvas items of one variant: one, or one per entry of a vector (its section holding ``variants`` of them)."""
    spec = q.answer
    ident = f"{q.template}.{q.seed}"  # template ids have no dots
    title = f"{q.title} · {q.variant_id}"
    if isinstance(spec, Numeric):
        return [_numerical(q, ident, title, paragraphs(q.prompt), spec.value, spec, 1.0, [(mid, v) for mid, (v,) in spec.mistakes])]
    if isinstance(spec, Vector):
        n = len(spec.values)
        return [
            _numerical(
                q,
                f"{ident}.{k}",
                f"{title} · entry {k}",
                [*paragraphs(q.prompt), el("p", None, el("strong", text=f"Entry {k} of {n} (counting from 0)."))],
                v,
                spec,
                1.0 / (n * variants),
                [(mid, slip[k]) for mid, slip in spec.mistakes],
            )
            for k, v in enumerate(spec.values)
        ]
    return [_choice(q, ident, spec)]


def _assessment(pool: Pool) -> ET.Element:
    root = el("section", {"ident": "root_section"})
    for t, questions in pool:
        section = el("section", {"ident": f"group-{t.id}", "title": t.title})
        if not any(isinstance(q.answer, Vector) for q in questions):
            picking = el("selection", None, el("selection_number", text="1"), el("selection_extension", None, el("points_per_item", text="1")))
            section.append(el("selection_ordering", None, picking))
        for q in questions:
            section.extend(items(q, len(questions)))
        root.append(section)
    settings = el("qtimetadata", None, el("qtimetadatafield", None, el("fieldlabel", text="cc_maxattempts"), el("fieldentry", text="1")))
    assessment = el("assessment", {"ident": QUIZ, "title": "lstm_ref quiz"}, settings, root)
    return el("questestinterop", {"xmlns": _QTI}, assessment)


def _points(pool: Pool) -> float:
    return float(len(pool))  # one point per template


def _meta(pool: Pool) -> ET.Element:
    def text(tag: str, value: str) -> ET.Element:
        return el(tag, text=value)

    return el(
        "quiz",
        {"xmlns": _META, "identifier": QUIZ},
        text("title", "lstm_ref quiz"),
        text("description", "Generated by lstm-quiz: every answer computed by lstm_ref."),
        text("shuffle_answers", "false"),
        text("quiz_type", "assignment"),
        text("points_possible", num(_points(pool))),
        text("show_correct_answers", "true"),
        text("allowed_attempts", "1"),
        text("available", "false"),
    )


def _manifest() -> ET.Element:
    quiz = el(
        "resource",
        {"identifier": QUIZ, "type": "imsqti_xmlv1p2"},
        el("file", {"href": f"{QUIZ}/{QUIZ}.xml"}),
        el("dependency", {"identifierref": f"{QUIZ}-meta"}),
    )
    meta = el(
        "resource",
        {"identifier": f"{QUIZ}-meta", "type": "associatedcontent/imscc_xmlv1p1/learning-application-resource", "href": f"{QUIZ}/assessment_meta.xml"},
        el("file", {"href": f"{QUIZ}/assessment_meta.xml"}),
    )
    metadata = el("metadata", None, el("schema", text="IMS Content"), el("schemaversion", text="1.1.3"))
    return el("manifest", {"xmlns": _CC, "identifier": f"{QUIZ}-manifest"}, metadata, el("organizations"), el("resources", None, quiz, meta))


def canvas(pool: Pool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", xml_document(_manifest()))
        z.writestr(zipfile.ZipInfo("non_cc_assessments/"), b"")  # as Canvas's own exports have it
        z.writestr(f"{QUIZ}/{QUIZ}.xml", xml_document(_assessment(pool)))
        z.writestr(f"{QUIZ}/assessment_meta.xml", xml_document(_meta(pool)))
    return buffer.getvalue()
