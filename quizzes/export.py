"""Exports for teachers: Moodle XML, QTI 2.1, GIFT, and a printable worksheet with an answer key.

Each template becomes a category (Moodle) or a group of items holding
``variants`` variants (seeds ``seed, seed+1, ...``). Tolerances are converted
per variant: Moodle, GIFT and QTI get the absolute half-width
``rule.half_width(answer)`` of the rule, so the LMS accepts exactly the answers
lstm-quiz accepts (QTI keeps a purely relative tolerance as ``relative``).
What a format cannot represent is refused with a message naming the templates,
never silently dropped or approximated: GIFT has no question with several
numeric blanks, so vector answers cannot be exported to GIFT.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in export("moodle", out / "pool.xml", template_ids=["count-lstm"], variants=2)]
['pool.xml']
"""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .question import LETTERS, Choice, Numeric, Question, Vector
from .registry import Template, select

__all__ = ["FORMATS", "ExportError", "export", "tolerance"]

FORMATS = ("moodle", "qti", "gift", "worksheet")
MAX_VARIANTS = 1000  # per template


class ExportError(ValueError):
    """The requested export is impossible; the message says why and what to do."""


def tolerance(spec: Numeric | Vector, value: float) -> float:
    """The absolute half-width of the accepted interval around ``value``."""
    return spec.rule.half_width(value)


def _num(x: float) -> str:
    return repr(float(x)) if abs(x) >= 1e-4 or x == 0 else f"{x:.6e}"


def _html_text(text: str) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())


# ---- Moodle XML -------------------------------------------------------------------
def _moodle_question(q: Question) -> str:
    name = f"<name><text>{escape(q.variant_id)}</text></name>"
    feedback = f'<generalfeedback format="html"><text><![CDATA[<pre>{html.escape(q.solution)}</pre>]]></text></generalfeedback>'
    hint = f'<hint format="html"><text>{escape(q.hint)}</text></hint>'
    text = _html_text(q.prompt)
    spec = q.answer
    if isinstance(spec, Numeric):
        body = f'<answer fraction="100"><text>{_num(spec.value)}</text><tolerance>{_num(tolerance(spec, spec.value))}</tolerance></answer>'
        rule = f"<p><em>Graded {escape(spec.rule.describe())}.</em></p>"
        return (
            f'<question type="numerical">{name}<questiontext format="html"><text><![CDATA[{text}{rule}]]></text></questiontext>'
            f"{feedback}<defaultgrade>1</defaultgrade>{body}{hint}</question>"
        )
    if isinstance(spec, Vector):  # Cloze: one NUMERICAL blank per entry, each worth 1
        blanks = " ".join(f"{{1:NUMERICAL:={_num(v)}:{_num(tolerance(spec, v))}}}" for v in spec.values)
        rule = f"<p><em>Each entry graded {escape(spec.rule.describe())}.</em></p>"
        return f'<question type="cloze">{name}<questiontext format="html"><text><![CDATA[{text}<p>{blanks}</p>{rule}]]></text></questiontext>{feedback}{hint}</question>'
    right = len(spec.correct)
    answers = "".join(
        f'<answer fraction="{(100.0 / right if k in spec.correct else (-100.0 / right if spec.multi else 0.0)):.5f}" format="html"><text>{escape(opt)}</text></answer>'
        for k, opt in enumerate(spec.options)
    )
    single = "false" if spec.multi else "true"
    return (
        f'<question type="multichoice">{name}<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>{feedback}'
        f"<defaultgrade>1</defaultgrade><single>{single}</single><shuffleanswers>0</shuffleanswers><answernumbering>abc</answernumbering>{answers}{hint}</question>"
    )


def _moodle(pool: list[tuple[Template, list[Question]]]) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for t, questions in pool:
        parts.append(f'<question type="category"><category><text>$course$/lstm_ref/{escape(t.topic)}/{escape(t.id)}</text></category></question>')
        parts += [_moodle_question(q) for q in questions]
    parts.append("</quiz>")
    return "\n".join(parts) + "\n"


# ---- QTI 2.1 ------------------------------------------------------------------------
_QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
_MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
_MAP_RESPONSE = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"


def _qti_equal(spec: Numeric | Vector, value: float, response: str) -> str:
    rule = spec.rule
    if type(rule).__name__ == "Tolerance" and getattr(rule, "atol", 1) == 0:
        t = f"{100 * rule.rtol:g}"  # type: ignore[union-attr]
        mode = "relative"
    else:
        t, mode = _num(tolerance(spec, value)), "absolute"
    return f'<equal toleranceMode="{mode}" tolerance="{t} {t}"><variable identifier="{response}"/><correct identifier="{response}"/></equal>'


def _qti_item(q: Question, ident: str) -> str:
    spec = q.answer
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem xmlns="{_QTI_NS}" identifier={quoteattr(ident)} '
        f'title={quoteattr(q.title + " · " + q.variant_id)} adaptive="false" timeDependent="false">'
    )
    outcome = '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"><defaultValue><value>0</value></defaultValue></outcomeDeclaration>'
    prompt = "".join(f"<p>{escape(line)}</p>" for line in q.prompt.split("\n") if line.strip())
    feedback = f'<modalFeedback outcomeIdentifier="SCORE" showHide="hide" identifier="never"><pre>{escape(q.solution)}</pre></modalFeedback>'
    if isinstance(spec, (Numeric, Vector)):
        values = [spec.value] if isinstance(spec, Numeric) else list(spec.values)
        ids = ["RESPONSE"] if isinstance(spec, Numeric) else [f"RESPONSE_{k}" for k in range(len(values))]
        decl = "".join(
            f'<responseDeclaration identifier="{r}" cardinality="single" baseType="float"><correctResponse><value>{_num(v)}</value></correctResponse></responseDeclaration>'
            for r, v in zip(ids, values, strict=True)
        )
        blanks = " ".join(f'<textEntryInteraction responseIdentifier="{r}" expectedLength="10"/>' for r in ids)
        share = _num(1.0 / len(ids))
        conditions = "".join(
            f'<responseCondition><responseIf>{_qti_equal(spec, v, r)}<setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/>'
            f'<baseValue baseType="float">{share}</baseValue></sum></setOutcomeValue></responseIf></responseCondition>'
            for r, v in zip(ids, values, strict=True)
        )
        body = f"<itemBody>{prompt}<p>{blanks}</p><p>Graded {escape(spec.rule.describe())}.</p></itemBody>"
        return f"{head}{decl}{outcome}{body}<responseProcessing>{conditions}</responseProcessing>{feedback}</assessmentItem>\n"
    cardinality = "multiple" if spec.multi else "single"
    correct = "".join(f"<value>{LETTERS[k].upper()}</value>" for k in spec.correct)
    mapping = ""
    if spec.multi:
        right = len(spec.correct)
        entries = "".join(
            f'<mapEntry mapKey="{LETTERS[k].upper()}" mappedValue="{_num((1 if k in spec.correct else -1) / right)}"/>' for k in range(len(spec.options))
        )
        mapping = f'<mapping lowerBound="0" upperBound="1" defaultValue="0">{entries}</mapping>'
    decl = f'<responseDeclaration identifier="RESPONSE" cardinality="{cardinality}" baseType="identifier"><correctResponse>{correct}</correctResponse>{mapping}</responseDeclaration>'
    choices = "".join(f'<simpleChoice identifier="{LETTERS[k].upper()}">{escape(opt)}</simpleChoice>' for k, opt in enumerate(spec.options))
    body = f'<itemBody>{prompt}<choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="{0 if spec.multi else 1}">{choices}</choiceInteraction></itemBody>'
    processing = f'<responseProcessing template="{_MAP_RESPONSE if spec.multi else _MATCH_CORRECT}"/>'
    return f"{head}{decl}{outcome}{body}{processing}{feedback}</assessmentItem>\n"


def _qti(pool: list[tuple[Template, list[Question]]]) -> bytes:
    items = [(f"item-{q.template}-{q.seed}", q) for _, questions in pool for q in questions]
    resources = "".join(f'<resource identifier={quoteattr(i)} type="imsqti_item_xmlv2p1" href="{i}.xml"><file href="{i}.xml"/></resource>' for i, _ in items)
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="lstm-ref-quiz">'
        f"<metadata><schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion></metadata><organizations/><resources>{resources}</resources></manifest>\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", manifest)
        for ident, q in items:
            z.writestr(f"{ident}.xml", _qti_item(q, ident))
    return buffer.getvalue()


# ---- GIFT -----------------------------------------------------------------------------
def _gift_escape(text: str) -> str:
    for ch in "\\~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _gift(pool: list[tuple[Template, list[Question]]]) -> str:
    vectors = sorted({t.id for t, qs in pool for q in qs if isinstance(q.answer, Vector)})
    if vectors:
        raise ExportError(
            f"GIFT cannot represent answers with several numbers (templates {vectors}); use --format moodle or qti, "
            f"or leave them out: {' '.join('--exclude ' + v for v in vectors)}"
        )
    lines = []
    for t, questions in pool:
        lines.append(f"$CATEGORY: $course$/lstm_ref/{t.topic}/{t.id}\n")
        for q in questions:
            title = f"::{_gift_escape(q.variant_id)}::"
            text = _gift_escape(q.prompt)
            spec = q.answer
            if isinstance(spec, Numeric):
                answer = f"{{#{_num(spec.value)}:{_num(tolerance(spec, spec.value))}}}"
            else:
                assert isinstance(spec, Choice)
                right = len(spec.correct)
                if spec.multi:
                    opts = [f"~%{(100 / right if k in spec.correct else -100 / right):.5f}%{_gift_escape(o)}" for k, o in enumerate(spec.options)]
                else:
                    opts = [f"{'=' if k in spec.correct else '~'}{_gift_escape(o)}" for k, o in enumerate(spec.options)]
                answer = "{\n" + "\n".join(opts) + "\n}"
            lines.append(f"{title}{text} {answer}\n")
    return "\n".join(lines)


# ---- worksheet ----------------------------------------------------------------------
def _worksheet(pool: list[tuple[Template, list[Question]]], out: Path) -> dict[Path, str]:
    questions = [q for _, qs in pool for q in qs]
    sheet, key = ["# Worksheet: RNNs and LSTMs", ""], ["# Answer key", ""]
    for n, q in enumerate(questions, 1):
        sheet += [f"## {n}. {q.title}", "", *[line + "  " for line in q.prompt.split("\n")], ""]
        if isinstance(q.answer, Choice):
            sheet += [f"- ({LETTERS[k]}) {opt}" for k, opt in enumerate(q.answer.options)] + [""]
        sheet += [f"*{q.how_to_answer()}*", "", "Answer: ______________________", "", f"<small>{q.variant_id}</small>", ""]
        key += [f"## {n}. {q.variant_id}", "", f"**{q.answer.display()}**", "", "```text", q.solution, "```", ""]
    files = {}
    for name, lines in (("worksheet", sheet), ("answer-key", key)):
        files[out / f"{name}.md"] = "\n".join(lines)
        files[out / f"{name}.html"] = _markdown_to_html(lines, name.replace("-", " ").capitalize())
    return files


def _markdown_to_html(lines: list[str], title: str) -> str:
    """Just enough Markdown for the worksheet (headings, items, code, emphasis), every text escaped."""
    body, in_code = [], False
    for line in lines:
        if line.startswith("```"):
            body.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
        elif in_code:
            body.append(html.escape(line))
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("- "):
            body.append(f"<p style='margin-left:2em'>{html.escape(line[2:])}</p>")
        elif line.startswith("<small>"):
            body.append(f"<p><small>{html.escape(line[7:-8])}</small></p>")
        elif line.strip():
            text = html.escape(line.strip().strip("*"))
            body.append(f"<p><strong>{text}</strong></p>" if line.startswith("**") else f"<p><em>{text}</em></p>" if line.startswith("*") else f"<p>{text}</p>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:48em;margin:2em auto;line-height:1.5} h2{page-break-after:avoid} pre{background:#f4f4f4;padding:.5em}"
    )
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{style}</style></head><body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def export(
    fmt: str,
    out: Path,
    *,
    topics: list[str] | None = None,
    template_ids: list[str] | None = None,
    exclude: list[str] | None = None,
    variants: int = 5,
    seed: int = 0,
    force: bool = False,
) -> list[Path]:
    """Write ``variants`` variants of each selected template in format ``fmt``; returns the files written.

    ``out`` is a file (a directory for ``worksheet``). An existing file is replaced only with
    ``force``; each file is written whole or not at all.
    """
    if fmt not in FORMATS:
        raise ExportError(f"format: expected one of {FORMATS}, got {fmt!r}")
    if not 1 <= variants <= MAX_VARIANTS:
        raise ExportError(f"variants: expected 1 to {MAX_VARIANTS}, got {variants}")
    try:
        chosen = select(topics, template_ids, exclude)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    pool = [(t, [t.generate(seed + k) for k in range(variants)]) for t in chosen]
    files: dict[Path, str | bytes]
    if fmt == "worksheet":
        if out.exists() and not out.is_dir():
            raise ExportError(f"--out: {out} is a file; a worksheet is written into a directory")
        files = dict(_worksheet(pool, out))
    else:
        if out.is_dir():
            raise ExportError(
                f"--out: {out} is a directory; give a file name, e.g. {out / ('pool.zip' if fmt == 'qti' else 'pool.xml' if fmt == 'moodle' else 'pool.gift')}"
            )
        files = {out: _qti(pool) if fmt == "qti" else _moodle(pool) if fmt == "moodle" else _gift(pool)}
    existing = [str(path) for path in files if path.exists()]
    if existing and not force:
        raise ExportError(f"--out: {', '.join(existing)} exist{'s' * (len(existing) == 1)}; add --force to replace")
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    return list(files)
