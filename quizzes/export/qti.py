"""IMS QTI 2.1: a content package (zip) with one assessmentItem per variant.

Scoring is written out in each item (no response-processing templates), so
every item declares the same outcomes: ``SCORE`` (float, 0 to 1), ``MAXSCORE``
(1) and ``FEEDBACK`` (an identifier), which response processing sets to
``solution`` so that the worked solution shows as modal feedback after any
answer. Numbers are matched with ``equal`` and the rule's tolerance (relative
when the rule is purely relative, absolute otherwise); vectors give each entry
an equal share; multi-select maps right picks to ``+1/right`` and wrong ones to
``-1/right``, bounded below by 0, as lstm-quiz grades them.

An item with named slips (:mod:`quizzes.mistakes`) also declares ``SLIP`` (an identifier):
an answer that matches a slip's value (every entry, for a vector) or picks the distractor a
slip gives, and scores below 1, sets it to the slip's id, and that slip's explanation shows
as a second modal feedback.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from ..grading import Tolerance
from ..question import LETTERS, Choice, Numeric, Question, Vector
from ._xml import Pool, el, num, paragraphs, tolerance, xml_document

__all__ = ["NS", "qti"]

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
_CP = "http://www.imsglobal.org/xsd/imscp_v1p1"


def _float(value: str) -> ET.Element:
    return el("baseValue", {"baseType": "float"}, text=value)


def _set(outcome: str, value: ET.Element) -> ET.Element:
    return el("setOutcomeValue", {"identifier": outcome}, value)


def _outcomes(slips: bool) -> list[ET.Element]:
    def declare(ident: str, base: str, default: str | None) -> ET.Element:
        node = el("outcomeDeclaration", {"identifier": ident, "cardinality": "single", "baseType": base})
        if default is not None:
            node.append(el("defaultValue", None, el("value", text=default)))
        return node

    out = [declare("SCORE", "float", "0"), declare("MAXSCORE", "float", "1"), declare("FEEDBACK", "identifier", None)]
    return out + ([declare("SLIP", "identifier", None)] if slips else [])


def _equal(spec: Numeric | Vector, value: float, response: str, to: ET.Element | None = None) -> ET.Element:
    """``response`` within the rule's tolerance of ``value`` (``to``: what it is compared with; default, the correct response)."""
    rule = spec.rule
    if isinstance(rule, Tolerance) and rule.atol == 0:
        t, mode = f"{100 * rule.rtol:g}", "relative"
    else:
        t, mode = num(tolerance(spec, value)), "absolute"
    other = to if to is not None else el("correct", {"identifier": response})
    return el("equal", {"toleranceMode": mode, "tolerance": f"{t} {t}"}, el("variable", {"identifier": response}), other)


def _slip_ids(spec: Numeric | Vector | Choice) -> list[str]:
    return [mid for _, mid in spec.mistakes] if isinstance(spec, Choice) else [mid for mid, _ in spec.mistakes]


def _slip_rules(spec: Numeric | Vector | Choice) -> list[ET.Element]:
    """Set ``SLIP`` to the slip that explains a wrong answer."""
    below = el("lt", None, el("variable", {"identifier": "SCORE"}), _float("1"))
    rules = []
    if isinstance(spec, Choice):
        for k, mid in spec.mistakes:
            picked = el("member", None, el("baseValue", {"baseType": "identifier"}, text=LETTERS[k].upper()), el("variable", {"identifier": "RESPONSE"}))
            rules.append((mid, el("and", None, below, picked)))
    else:
        ids = ["RESPONSE"] if isinstance(spec, Numeric) else [f"RESPONSE_{k}" for k in range(len(spec.values))]
        for mid, values in spec.mistakes:
            matches = [_equal(spec, v, r, _float(num(v))) for r, v in zip(ids, values, strict=True)]
            rules.append((mid, el("and", None, below, *matches)))
    return [
        el("responseCondition", None, el("responseIf", None, test, _set("SLIP", el("baseValue", {"baseType": "identifier"}, text=mid))))
        for mid, test in reversed(rules)
    ]


def _numbers(q: Question, spec: Numeric | Vector) -> tuple[list[ET.Element], ET.Element, list[ET.Element]]:
    values = [spec.value] if isinstance(spec, Numeric) else list(spec.values)
    ids = ["RESPONSE"] if isinstance(spec, Numeric) else [f"RESPONSE_{k}" for k in range(len(values))]
    declarations = [
        el("responseDeclaration", {"identifier": r, "cardinality": "single", "baseType": "float"}, el("correctResponse", None, el("value", text=num(v))))
        for r, v in zip(ids, values, strict=True)
    ]
    blanks = el("p")
    for r in ids:
        blanks.append(el("textEntryInteraction", {"responseIdentifier": r, "expectedLength": "10"}))
    share = num(1.0 / len(ids))
    scoring = [
        el(
            "responseCondition",
            None,
            el("responseIf", None, _equal(spec, v, r), _set("SCORE", el("sum", None, el("variable", {"identifier": "SCORE"}), _float(share)))),
        )
        for r, v in zip(ids, values, strict=True)
    ]
    body = el("itemBody", None, *paragraphs(q.prompt), blanks, el("p", text=f"Graded {spec.rule.describe()}."))
    return declarations, body, scoring


def _choices(q: Question, spec: Choice) -> tuple[list[ET.Element], ET.Element, list[ET.Element]]:
    correct = el("correctResponse", None, *(el("value", text=LETTERS[k].upper()) for k in spec.correct))
    declaration = el(
        "responseDeclaration", {"identifier": "RESPONSE", "cardinality": "multiple" if spec.multi else "single", "baseType": "identifier"}, correct
    )
    if spec.multi:
        right = len(spec.correct)
        entries = [
            el("mapEntry", {"mapKey": LETTERS[k].upper(), "mappedValue": num((1 if k in spec.correct else -1) / right)}) for k in range(len(spec.options))
        ]
        declaration.append(el("mapping", {"lowerBound": "0", "upperBound": "1", "defaultValue": "0"}, *entries))
        scoring = [_set("SCORE", el("mapResponse", {"identifier": "RESPONSE"}))]
    else:
        match = el("match", None, el("variable", {"identifier": "RESPONSE"}), el("correct", {"identifier": "RESPONSE"}))
        scoring = [el("responseCondition", None, el("responseIf", None, match, _set("SCORE", _float("1"))))]
    interaction = el("choiceInteraction", {"responseIdentifier": "RESPONSE", "shuffle": "false", "maxChoices": "0" if spec.multi else "1"})
    interaction.extend(el("simpleChoice", {"identifier": LETTERS[k].upper()}, text=option) for k, option in enumerate(spec.options))
    return [declaration], el("itemBody", None, *paragraphs(q.prompt), interaction), scoring


def item(q: Question, ident: str) -> str:
    """One assessmentItem: declarations, body, response processing and the solution as feedback."""
    spec = q.answer
    declarations, body, scoring = _numbers(q, spec) if isinstance(spec, (Numeric, Vector)) else _choices(q, spec)
    from ..mistakes import MISTAKES, link_url

    processing = el("responseProcessing", None, *scoring, *_slip_rules(spec), _set("FEEDBACK", el("baseValue", {"baseType": "identifier"}, text="solution")))
    feedback = el(
        "modalFeedback", {"outcomeIdentifier": "FEEDBACK", "identifier": "solution", "showHide": "show", "title": "Worked solution"}, el("pre", text=q.solution)
    )
    slips = [
        el(
            "modalFeedback",
            {"outcomeIdentifier": "SLIP", "identifier": mid, "showHide": "show", "title": "A known slip"},
            el("p", text=f"{MISTAKES[mid].explanation} (See {link_url(MISTAKES[mid].link)} on the site.)"),
        )
        for mid in dict.fromkeys(_slip_ids(spec))
    ]
    root = el(
        "assessmentItem",
        {"xmlns": NS, "identifier": ident, "title": f"{q.title} · {q.variant_id}", "adaptive": "false", "timeDependent": "false"},
        *declarations,
        *_outcomes(bool(spec.mistakes)),
        body,
        processing,
        feedback,
        *slips,
    )
    return xml_document(root)


def qti(pool: Pool) -> bytes:
    items = [(f"item-{q.template}-{q.seed}", q) for _, questions in pool for q in questions]
    resources = el("resources")
    for ident, _ in items:
        resources.append(el("resource", {"identifier": ident, "type": "imsqti_item_xmlv2p1", "href": f"{ident}.xml"}, el("file", {"href": f"{ident}.xml"})))
    metadata = el("metadata", None, el("schema", text="QTIv2.1 Package"), el("schemaversion", text="1.0.0"))
    manifest = el("manifest", {"xmlns": _CP, "identifier": "lstm-ref-quiz"}, metadata, el("organizations"), resources)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", xml_document(manifest))
        for ident, q in items:
            z.writestr(f"{ident}.xml", item(q, ident))
    return buffer.getvalue()
